#pragma once
// curl as the HTTPS client of integration tests: a real client's TLS stack
// and certificate checks, driven by its own options (--cacert, --cert,
// --tls-max, --resolve).
#include <ostream>
#include <string>
#include <vector>

#include "tests/integration/support/api_client.hpp"

namespace partcheck::testing {

struct CurlReply : Reply {
  int exit_code = -1;  // curl's: 0 done, 35 TLS handshake failed, 60 certificate not trusted, ...
  std::string err;     // what curl said on stderr
};
std::ostream& operator<<(std::ostream& out, const CurlReply& reply);

// `curl -sS --max-time 60 ARGS... URL`; the body (binary safe) and the status
// (0 when no HTTP answer came) in the reply.
CurlReply curl(const std::string& url, const std::vector<std::string>& args = {});

}  // namespace partcheck::testing
