#pragma once
// The request heads the bench writes by hand (parts, moves): the request
// target in the form the way to the server needs (absolute-form through a
// proxy to an http origin, the gateway's mount path in front), Host, the API
// key and the --header ones. The fields that stay the same for a run are put
// together once.
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/http_target.hpp"
#include "net/connector.hpp"

namespace partcheck::bench {

class RequestHeads {
 public:
  // Throws std::invalid_argument for a --header that would break the
  // framing the bench writes itself (Host, Content-Length, ...).
  // A --header Authorization takes the place of the Bearer API key.
  RequestHeads(const HttpTarget& target, const net::Connector& connector);

  // `path` is the API's ("/pub/v1/..."); `extra` whole lines ("Name: v\r\n").
  std::string make(std::string_view method, std::string_view path, std::string_view content_type,
                   std::string_view extra, std::uint64_t content_length) const;

  // The request target of an API path: mount path in front, absolute-form
  // through a proxy to an http origin.
  std::string target_for(std::string_view path) const;
  // Host, Authorization and the --header fields, each line ending in CRLF.
  const std::string& fixed_fields() const { return fields_; }

 private:
  const net::Connector& connector_;
  std::string prefix_;  // the gateway's mount path
  std::string fields_;
};

}  // namespace partcheck::bench
