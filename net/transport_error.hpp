#pragma once
// A connection that could not be made or broke, in words people can act on:
// what happened (with OpenSSL's reason for TLS) and the flag that fixes it.
#include <stdexcept>
#include <string>

#include <boost/system/error_code.hpp>

namespace partcheck::net {

class TransportError : public std::runtime_error {
 public:
  TransportError(boost::system::error_code code, const std::string& what, std::string fix = {})
      : std::runtime_error(what), code_(code), fix_(std::move(fix)) {}
  const boost::system::error_code& code() const { return code_; }
  const std::string& fix() const { return fix_; }  // "" when there is nothing to suggest
  // what() and, when there is one, "; fix: ..." on one line.
  std::string full() const { return fix_.empty() ? what() : std::string(what()) + " (" + fix_ + ")"; }

 private:
  boost::system::error_code code_;
  std::string fix_;
};

// Words for an error met while talking over an established connection: TLS
// alerts (a client certificate required, a protocol version refused) get
// their reason and fix; others their message. `verify_result` is OpenSSL's
// X509 verification result when known (certificate problems).
TransportError explain(const boost::system::error_code& ec, long verify_result = 0);

}  // namespace partcheck::net
