#include "tests/integration/support/raw_http.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <span>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/data_source.hpp"

namespace partcheck::testing {

RawConnection::RawConnection(const std::string& host, int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
    throw std::runtime_error("not an IPv4 address: " + host);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("connect failed: " + std::string(std::strerror(errno)));
}

RawConnection::~RawConnection() { close(); }

void RawConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawConnection::send_all(const char* data, std::size_t size) {
  while (size > 0) {
    auto n = ::send(fd_, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

void RawConnection::shutdown_send() { ::shutdown(fd_, SHUT_WR); }

long RawConnection::read_some(std::string& out, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return -1;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready <= 0) continue;  // EINTR or the time is up: the loop tells which
    char buf[65536];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    out.append(buf, static_cast<std::size_t>(n));
    return n;
  }
}

std::string RawConnection::read_until_close(std::chrono::milliseconds timeout, bool* closed) {
  std::string data;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  long n;
  while ((n = read_some(data, deadline)) > 0) {
  }
  if (closed) *closed = n == 0;
  return data;
}

std::string RawConnection::read_until(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (received_.find(text) == std::string::npos && read_some(received_, deadline) > 0) {
  }
  return received_;
}

void RawConnection::send_head(const std::string& method, const std::string& target,
                              const std::string& extra_headers, std::uint64_t content_length) {
  std::string head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers +
                     "Content-Length: " + std::to_string(content_length) + "\r\n\r\n";
  if (!send_all(head.data(), head.size())) throw std::runtime_error("peer closed while sending headers");
}

bool RawConnection::send_file_bytes(std::uint64_t seed, std::uint64_t offset, std::uint64_t length) {
  contract::DataSource source(seed);
  std::vector<char> chunk(1 << 20);
  while (length > 0) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(length, chunk.size()));
    source.fill(offset, std::span<char>(chunk.data(), n));
    if (!send_all(chunk.data(), n)) return false;
    offset += n;
    length -= n;
  }
  return true;
}

RawResponse RawConnection::read_response(int timeout_seconds) {
  RawResponse response;
  std::string data;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  std::size_t header_end = std::string::npos;
  std::size_t wanted = std::string::npos;
  while (!(header_end != std::string::npos && wanted != std::string::npos && data.size() >= wanted) &&
         read_some(data, deadline) > 0) {
    if (header_end == std::string::npos && (header_end = data.find("\r\n\r\n")) != std::string::npos) {
      std::string lower = data.substr(0, header_end);
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      auto at = lower.find("content-length:");
      if (at != std::string::npos) wanted = header_end + 4 + std::stoull(lower.substr(at + 15));
      // An interim answer (100 Continue) has no body: hand it back at once.
      if (lower.rfind("http/1.1 1", 0) == 0) break;
    }
  }
  if (data.rfind("HTTP/1.", 0) == 0 && data.size() > 12) response.status = std::stoi(data.substr(9, 3));
  if (header_end != std::string::npos) {
    response.headers = data.substr(0, header_end);
    response.body = data.substr(header_end + 4);
  }
  return response;
}

int status_of(const std::string& response) {
  return response.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(response.substr(9, 3)) : 0;
}

std::string code_of(const std::string& response) {
  auto body = response.find("\r\n\r\n");
  if (body == std::string::npos) return {};
  auto json = nlohmann::json::parse(response.substr(body + 4), nullptr, false);
  if (!json.is_object() || !json.contains("error") || !json["error"].is_string()) return {};
  auto error = json["error"].get<std::string>();
  return error.substr(0, error.find(':'));
}

RawResponse post_generated_part(const std::string& host, int port, const std::string& target,
                                const std::string& auth_header, const std::string& content_range,
                                std::uint64_t seed, std::uint64_t offset, std::uint64_t length,
                                const std::string& content_type) {
  RawConnection connection(host, port);
  std::string type_header = content_type.empty() ? "" : "Content-Type: " + content_type + "\r\n";
  connection.send_head("POST", target,
                       auth_header + "\r\n" + type_header + "Content-Range: " + content_range + "\r\n", length);
  connection.send_file_bytes(seed, offset, length);
  return connection.read_response(120);
}

}  // namespace partcheck::testing
