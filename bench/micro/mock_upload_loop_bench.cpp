// The whole mock in process: a mock::Server on 127.0.0.1:0 with null storage,
// and a plain blocking socket sending real HTTP part requests, one after the
// other on one keep-alive connection. What is left is the server's own cost
// per byte (Beast parsing, the store, the digest) on top of loopback TCP.
#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "contract/content_range.hpp"
#include "contract/data_source.hpp"
#include "contract/uuid.hpp"
#include "mock_server/server.hpp"

using namespace partcheck;

namespace {

constexpr const char* kApiKey = "micro-bench-key";

class BlockingClient {
 public:
  explicit BlockingClient(std::uint16_t port) : port_(port) { connect_now(); }
  ~BlockingClient() { close_now(); }
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  // Sends one part whose body repeats `chunk`; returns the HTTP status.
  int send_part(const std::string& hash, const contract::ContentRange& range, std::span<const char> chunk) {
    if (fd_ < 0) connect_now();
    std::string head = "POST /pub/v1/disk/file/upload?hash=" + hash +
                       " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kApiKey +
                       "\r\nContent-Type: application/octet-stream\r\nContent-Range: " +
                       contract::format_content_range(range) +
                       "\r\nContent-Length: " + std::to_string(range.length()) + "\r\n\r\n";
    send_all(head.data(), head.size());
    for (std::uint64_t sent = 0; sent < range.length();) {
      auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), range.length() - sent));
      send_all(chunk.data(), n);
      sent += n;
    }
    return read_response();
  }

 private:
  void connect_now() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
  }
  void close_now() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
  }
  void send_all(const char* data, std::size_t size) {
    while (size > 0) {
      auto n = ::send(fd_, data, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
      data += n;
      size -= static_cast<std::size_t>(n);
    }
  }
  bool receive_more() {
    char block[4096];
    for (;;) {
      auto n = ::recv(fd_, block, sizeof block, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer_.append(block, static_cast<std::size_t>(n));
      return true;
    }
  }
  // Status line, headers, and a Content-Length body (the mock's JSON answers).
  int read_response() {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (!receive_more()) throw std::runtime_error("the server closed the connection before answering");
    int status = 0;
    std::from_chars(buffer_.data() + 9, buffer_.data() + 12, status);  // "HTTP/1.1 206"
    std::string headers = buffer_.substr(0, end);
    for (auto& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::size_t length = 0;
    if (auto at = headers.find("\r\ncontent-length:"); at != std::string::npos) {
      auto from = headers.data() + at + 17;
      while (*from == ' ') ++from;
      std::from_chars(from, headers.data() + headers.size(), length);
    }
    bool closing = headers.find("\r\nconnection: close") != std::string::npos;
    while (buffer_.size() < end + 4 + length)
      if (!receive_more()) throw std::runtime_error("the server closed the connection mid-answer");
    last_body_ = buffer_.substr(end + 4, length);
    buffer_.erase(0, end + 4 + length);
    if (closing) close_now();
    return status;
  }

  std::uint16_t port_;
  int fd_ = -1;
 public:
  std::string last_body_;  // the last answer's body, for error messages

 private:
  std::string buffer_;
};

}  // namespace

// Arg 0: part size. Each iteration is one non-final part (206) of a long upload.
static void BM_MockUploadLoop(benchmark::State& state) {
  const auto part = static_cast<std::uint64_t>(state.range(0));
  mock::ServerConfig config;
  config.listen_port = 0;
  config.threads = 1;
  config.storage = mock::StorageKind::Null;
  config.api_keys = {kApiKey};
  config.quiet = true;
  mock::Server server(config);
  server.start();
  std::vector<char> chunk(1 << 20);
  contract::DataSource(5).fill(0, std::span<char>(chunk));
  BlockingClient client(server.port());
  constexpr std::uint64_t kPartsPerUpload = 4096;
  std::string hash = contract::new_uuid();
  std::uint64_t index = 0;
  for (auto _ : state) {
    if (index == kPartsPerUpload - 1) hash = contract::new_uuid(), index = 0;
    contract::ContentRange range{index * part, (index + 1) * part, kPartsPerUpload * part};
    int status = client.send_part(hash, range, chunk);
    if (status != 206) {
      state.SkipWithError(("the mock answered " + std::to_string(status) + " " + client.last_body_).c_str());
      break;
    }
    ++index;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * part));
  server.stop();
}
// 1 GiB takes about a second per part: with --benchmark_min_time=0.01 (CTest)
// it runs once.
BENCHMARK(BM_MockUploadLoop)
    ->Arg(5 << 20)
    ->Arg(64 << 20)
    ->Arg(256 << 20)
    ->Arg(1 << 30)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

namespace {

double process_cpu_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

}  // namespace

// The mock as a load target: each iteration is one whole small file (a
// single `bytes 0-N/N` part with a fresh uuid, answered 200), on one
// keep-alive connection, as the load tests teams point at `partcheck serve`
// send them. Arg 0: storage (0 null, 1 memory, 2 disk without fsync), arg 1:
// the file size. `uploads_per_cpu_s` divides the uploads by the CPU time of
// the whole process (server and this client): uploads per second per core.
static void BM_MockSmallUploads(benchmark::State& state) {
  const auto kind = state.range(0);
  const auto size = static_cast<std::uint64_t>(state.range(1));
  mock::ServerConfig config;
  config.listen_port = 0;
  config.threads = 1;
  config.storage = kind == 0 ? mock::StorageKind::Null : kind == 1 ? mock::StorageKind::Memory : mock::StorageKind::Disk;
  config.fsync = mock::FsyncPolicy::Never;
  config.data_dir = std::filesystem::temp_directory_path() / ("partcheck-micro-" + contract::new_uuid());
  config.api_keys = {kApiKey};
  config.quiet = true;
  std::vector<char> body(size);
  contract::DataSource(7).fill(0, std::span<char>(body));
  {
    mock::Server server(config);
    server.start();
    BlockingClient client(server.port());
    const contract::ContentRange whole{0, size, size};
    const double cpu_before = process_cpu_seconds();
    for (auto _ : state) {
      int status = client.send_part(contract::new_uuid(), whole, body);
      if (status != 200) {
        state.SkipWithError(("the mock answered " + std::to_string(status) + " " + client.last_body_).c_str());
        break;
      }
    }
    const double cpu = process_cpu_seconds() - cpu_before;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    if (cpu > 0) state.counters["uploads_per_cpu_s"] = static_cast<double>(state.iterations()) / cpu;
    server.stop();
  }
  std::error_code ignored;
  std::filesystem::remove_all(config.data_dir, ignored);
}
BENCHMARK(BM_MockSmallUploads)
    ->ArgNames({"storage", "bytes"})
    ->Args({0, 1024})
    ->Args({1, 1024})
    ->Args({2, 1024})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
