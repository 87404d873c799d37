#pragma once
// A small blocking HTTP/1.1 client for scenarios. Request bodies are produced
// on the fly by a callback (bytes of contract::DataSource, never a whole part
// in memory); a refusal that arrives while the body is still being sent stops
// the upload and is read like any other response. `Expect: 100-continue`
// sends the headers only and the body only after `100 Continue`. Connections
// (TLS, proxies, extra headers) come from the target's net::Connector.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "net/connector.hpp"

namespace partcheck::runner {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Fills `out` with the body bytes starting at body offset `offset`.
using BodyFill = std::function<void(std::uint64_t offset, std::span<char> out)>;

struct HttpRequest {
  std::string method = "POST";
  std::string target;            // path + query
  Headers headers;               // sent as given (Host and Content-Length are added unless present)
  std::uint64_t body_size = 0;
  BodyFill body;                 // null: zeros
  bool chunked = false;          // Transfer-Encoding: chunked instead of Content-Length
  bool expect_continue = false;  // send headers, wait for 100 before the body
  bool add_content_length = true;
  // With expect_continue: a `100 Continue` answer ends the exchange (status
  // 100 is returned) instead of sending the body, for bodies too big to send.
  bool stop_after_continue = false;
};

struct HttpResponse {
  int status = 0;                // 0: no response
  Headers headers;
  std::string body;              // up to the sink's limit when a sink is used
  std::string error;             // transport problem, when status == 0 (with the fix, when one is known)
  std::uint64_t bytes_sent = 0;  // body bytes actually sent
  bool body_skipped = false;     // the server answered before the body was complete
  double duration_ms = 0;
  std::optional<std::string> header(std::string_view name) const;
};

// Streams a response body instead of collecting it (downloads).
using BodySink = std::function<void(std::span<const char> chunk)>;

class HttpClient {
 public:
  HttpClient(std::shared_ptr<const net::Connector> connector, std::chrono::milliseconds timeout);

  // The connector's extra headers are added unless the request has a header of that name.
  HttpResponse send(const HttpRequest& request, const BodySink& sink = {}) const;
  // Writes `bytes` exactly as given and parses what comes back (through a
  // proxy: inside a CONNECT tunnel, whatever the scheme).
  HttpResponse send_raw(const std::string& bytes) const;

  const net::Connector& connector() const { return *connector_; }

 private:
  std::shared_ptr<const net::Connector> connector_;
  std::chrono::milliseconds timeout_;
};

}  // namespace partcheck::runner
