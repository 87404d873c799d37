#include "bench/download_check.hpp"

#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <optional>

namespace partcheck::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::size_t kMaxFailuresKept = 10;
using Sink = std::function<void(const char*, std::size_t)>;

// One GET over a fresh connection; the body goes to `sink` in pieces. Returns the status.
asio::awaitable<int> fetch(const net::Connector& connector, const std::string& head, const Sink& sink,
                           std::chrono::milliseconds timeout) {
  auto stream = co_await connector.connect(timeout);
  boost::system::error_code ec;
  const auto with = [&ec] { return asio::redirect_error(asio::use_awaitable, ec); };  // errors as values, not throws
  const auto check = [&](const char* step) {
    if (ec) throw net::TransportError(ec, std::string(step) + ": " + net::explain(ec).full());
  };
  stream->expires_after(timeout);
  co_await asio::async_write(*stream, asio::buffer(head), with());
  check("write");
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  stream->expires_after(timeout);
  co_await http::async_read_header(*stream, buffer, parser, with());
  check("read");
  std::vector<char> chunk(1u << 20);
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    stream->expires_after(timeout);
    co_await http::async_read(*stream, buffer, parser, with());
    if (ec == http::error::need_buffer) ec = {};
    check("read");
    sink(chunk.data(), chunk.size() - parser.get().body().size);
  }
  co_return static_cast<int>(parser.get().result_int());
}

int get(const net::Connector& connector, const std::string& head, const Sink& sink, double timeout_s) {
  asio::io_context io;
  std::exception_ptr error;
  int status = 0;
  asio::co_spawn(io, fetch(connector, head, sink, std::chrono::milliseconds(static_cast<long>(timeout_s * 1000))),
                 [&](std::exception_ptr e, int s) {
                   error = e;
                   status = s;
                 });
  io.run();
  if (error) std::rethrow_exception(error);
  return status;
}

std::string header_lines(const net::HeaderList& headers) {
  std::string out;
  for (const auto& [name, value] : headers) out.append(name).append(": ").append(value).append("\r\n");
  return out;
}

std::string check_one(const net::Connector& connector, const RequestHeads& heads, const BodySource& source,
                      const MovedFile& file, double timeout_s) {
  std::string link_json;
  const std::string link_head = "GET " + heads.target_for("/pub/v1/disk/file/" + file.file_id + "/get-link") +
                                " HTTP/1.1\r\n" + heads.fixed_fields() + "\r\n";
  int status = get(connector, link_head, [&](const char* p, std::size_t n) { link_json.append(p, n); }, timeout_s);
  if (status != 200) return "get-link of file " + file.file_id + " answered " + std::to_string(status);
  auto json = nlohmann::json::parse(link_json, nullptr, false);
  if (!json.is_object() || !json.contains("Link") || !json["Link"].is_string())
    return "get-link of file " + file.file_id + " gave no Link: " + link_json.substr(0, 200);
  const std::string link = json["Link"];

  // A path-only link is on the target; its path is the server's, mount path included.
  const net::Connector* via = &connector;
  std::optional<net::Connector> elsewhere;
  std::string path = link;
  if (link.find("://") != std::string::npos) {
    net::Url url = net::parse_url(link, "download link");
    path = url.path.empty() ? "/" : url.path;
    url.path.clear();
    url.userinfo.clear();
    const auto& own = connector.origin();
    if (url.scheme != own.scheme || url.host != own.host || url.port != own.port) {
      auto settings = connector.settings();
      settings.headers.clear();  // gateway secrets stay with the gateway
      elsewhere.emplace(url, settings, connector.tls_context());
      via = &*elsewhere;
    }
  }
  const std::string head = "GET " + via->request_target(path) + " HTTP/1.1\r\nHost: " + via->host_header() + "\r\n" +
                           header_lines(via->headers()) + "\r\n";
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> mismatch;
  status = get(*via, head, [&](const char* p, std::size_t n) {
    if (!mismatch && offset + n <= file.size) mismatch = source.first_mismatch(file.file_index, offset, std::span(p, n));
    offset += n;
  }, timeout_s);
  if (status != 200) return "download of file " + file.file_id + " answered " + std::to_string(status);
  if (mismatch) return "file " + file.file_id + " differs from the sent bytes at offset " + std::to_string(*mismatch);
  if (offset != file.size)
    return "file " + file.file_id + " has " + std::to_string(offset) + " bytes, sent " + std::to_string(file.size);
  return {};
}

}  // namespace

void verify_downloads(const net::Connector& connector, const RequestHeads& heads, const BodySource& source,
                      const std::vector<MovedFile>& moved, std::size_t sample, double timeout_s,
                      Verification& verification) {
  if (moved.empty() || sample == 0) return;
  const std::size_t count = std::min(sample, moved.size());
  for (std::size_t i = 0; i < count; ++i) {
    const auto& file = moved[i * moved.size() / count];
    std::string failure;
    try {
      failure = check_one(connector, heads, source, file, timeout_s);
    } catch (const net::TransportError& e) {
      failure = "file " + file.file_id + ": " + e.full();
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
