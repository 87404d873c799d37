#pragma once
// A loopback connection that sends exact bytes and reads the answers back
// one HTTP response at a time (interim 1xx answers skipped), keeping every
// byte that came after them: what a test needs to see that a server answered
// once, closed, or stayed in step. The socket is a RawConnection's.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>

#include "tests/integration/support/raw_http.hpp"

namespace partcheck::testing::wire {

struct Response {
  int status = 0;       // 0: no complete response
  std::string head;     // status line and fields, without the blank line
  std::string body;
  bool close = false;   // the response said `Connection: close` (or is HTTP/1.0 without keep-alive)

  std::optional<std::string> field(const std::string& name) const {
    std::string lower_head = head;
    std::transform(lower_head.begin(), lower_head.end(), lower_head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string lower_name = name;
    std::transform(lower_name.begin(), lower_name.end(), lower_name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto at = lower_head.find("\r\n" + lower_name + ":");
    if (at == std::string::npos) return std::nullopt;
    auto start = at + 2 + lower_name.size() + 1;
    auto end = head.find("\r\n", start);
    auto value = head.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    return value;
  }
};

class Connection {
 public:
  Connection(const std::string& host, int port) : raw_(host, port) {}

  // False when the peer stopped taking bytes (it may have answered and closed).
  bool send(const std::string& data) { return raw_.send(data); }
  void shutdown_send() { raw_.shutdown_send(); }

  // The next final response, or status 0 when the connection ended (or the
  // time ran out) first. Bytes after it stay for the next call.
  Response next_response(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto head_end = buffer_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        Response r;
        r.head = buffer_.substr(0, head_end);
        if (r.head.rfind("HTTP/", 0) != 0 || r.head.size() < 12) return r;  // not HTTP: leave it for extra()
        r.status = std::atoi(r.head.c_str() + 9);
        if (r.status >= 100 && r.status < 200) {
          buffer_.erase(0, head_end + 4);
          continue;
        }
        auto length = r.field("Content-Length");
        auto connection = r.field("Connection").value_or("");
        std::transform(connection.begin(), connection.end(), connection.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        r.close = connection.find("close") != std::string::npos ||
                  (r.head.rfind("HTTP/1.0", 0) == 0 && connection.find("keep-alive") == std::string::npos);
        if (length) {
          auto want = head_end + 4 + std::stoull(*length);
          while (buffer_.size() < want && fill(deadline)) {
          }
          if (buffer_.size() < want) return Response{};
          r.body = buffer_.substr(head_end + 4, want - head_end - 4);
          buffer_.erase(0, want);
        } else {  // to the end of the connection
          while (fill(deadline)) {
          }
          r.body = buffer_.substr(head_end + 4);
          buffer_.clear();
          r.close = true;
        }
        return r;
      }
      if (!fill(deadline)) return Response{};
    }
  }

  // Waits for the peer to close; returns whether it did, and leaves what
  // still came in extra().
  bool wait_closed(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (fill(deadline)) {
    }
    return closed_;
  }
  bool closed() const { return closed_; }
  const std::string& extra() const { return buffer_; }

 private:
  // Reads once; false when the peer closed or the deadline passed.
  bool fill(std::chrono::steady_clock::time_point deadline) {
    if (closed_) return false;
    const long n = raw_.read_some(buffer_, deadline);
    closed_ = n == 0;  // an orderly close or a reset
    return n > 0;
  }

  RawConnection raw_;
  std::string buffer_;
  bool closed_ = false;
};

}  // namespace partcheck::testing::wire
