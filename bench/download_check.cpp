#include "bench/download_check.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace partcheck::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxFailuresKept = 10;

class Fetcher {
 public:
  Fetcher(const HttpTarget& target, double timeout_s)
      : target_(target), stream_(io_), timeout_(std::chrono::milliseconds(static_cast<long>(timeout_s * 1000))) {}

  // GET path on host:port; `sink` gets the body in pieces. Returns the status.
  int get(const std::string& host, std::uint16_t port, const std::string& path, bool with_key,
          const std::function<void(const char*, std::size_t)>& sink) {
    tcp::resolver resolver(io_);
    stream_.expires_after(timeout_);
    stream_.connect(resolver.resolve(host, std::to_string(port)));
    http::request<http::empty_body> request(http::verb::get, path, 11);
    request.set(http::field::host, host + ":" + std::to_string(port));
    if (with_key) request.set(http::field::authorization, "Bearer " + target_.api_key);
    http::write(stream_, request);
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    http::read_header(stream_, buffer, parser);
    std::vector<char> chunk(1u << 20);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      stream_.expires_after(timeout_);
      beast::error_code ec;
      http::read(stream_, buffer, parser, ec);
      if (ec && ec != http::error::need_buffer) throw beast::system_error(ec);
      sink(chunk.data(), chunk.size() - parser.get().body().size);
    }
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    return static_cast<int>(parser.get().result_int());
  }

 private:
  const HttpTarget& target_;
  asio::io_context io_;
  beast::tcp_stream stream_;
  std::chrono::milliseconds timeout_;
};

std::string check_one(const HttpTarget& target, const BodySource& source, const MovedFile& file, double timeout_s) {
  std::string link_json;
  int status = Fetcher(target, timeout_s).get(target.host, target.port,
                                              target.path_prefix + "/pub/v1/disk/file/" + file.file_id + "/get-link", true,
                                              [&](const char* p, std::size_t n) { link_json.append(p, n); });
  if (status != 200) return "get-link of file " + file.file_id + " answered " + std::to_string(status);
  auto json = nlohmann::json::parse(link_json, nullptr, false);
  if (!json.is_object() || !json.contains("Link") || !json["Link"].is_string())
    return "get-link of file " + file.file_id + " gave no Link: " + link_json.substr(0, 200);
  const std::string link = json["Link"];
  HttpTarget where = target;
  std::string path = link;
  if (link.rfind("http://", 0) == 0) {
    const auto slash = link.find('/', 7);
    where = parse_target_url(link.substr(0, slash));
    path = slash == std::string::npos ? "/" : link.substr(slash);
  }
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> mismatch;
  status = Fetcher(target, timeout_s).get(where.host, where.port, path, false, [&](const char* p, std::size_t n) {
    if (!mismatch && offset + n <= file.size) mismatch = source.first_mismatch(file.file_index, offset, std::span(p, n));
    offset += n;
  });
  if (status != 200) return "download of file " + file.file_id + " answered " + std::to_string(status);
  if (mismatch) return "file " + file.file_id + " differs from the sent bytes at offset " + std::to_string(*mismatch);
  if (offset != file.size)
    return "file " + file.file_id + " has " + std::to_string(offset) + " bytes, sent " + std::to_string(file.size);
  return {};
}

}  // namespace

void verify_downloads(const HttpTarget& target, const BodySource& source, const std::vector<MovedFile>& moved,
                      std::size_t sample, double timeout_s, Verification& verification) {
  if (moved.empty() || sample == 0) return;
  const std::size_t count = std::min(sample, moved.size());
  for (std::size_t i = 0; i < count; ++i) {
    const auto& file = moved[i * moved.size() / count];
    std::string failure;
    try {
      failure = check_one(target, source, file, timeout_s);
    } catch (const std::exception& e) {
      failure = "file " + file.file_id + ": " + e.what();
    }
    ++verification.checked;
    if (failure.empty()) continue;
    ++verification.mismatches;
    if (verification.failures.size() < kMaxFailuresKept) verification.failures.push_back(failure);
  }
}

}  // namespace partcheck::bench
