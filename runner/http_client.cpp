#include "runner/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace partcheck::runner {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunk = 256 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool has_header(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); });
}

// One connection driven by async operations, each bounded by the timeout,
// so a server that hangs produces an error instead of a stuck run.
class Connection {
 public:
  Connection(std::chrono::milliseconds timeout) : stream_(ioc_), timeout_(timeout) {}

  beast::error_code connect(const std::string& host, std::uint16_t port) {
    tcp::resolver resolver(ioc_);
    beast::error_code ec;
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return ec;
    stream_.expires_after(timeout_);
    stream_.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    run();
    return ec;
  }

  beast::error_code write(asio::const_buffer data) {
    beast::error_code ec;
    stream_.expires_after(timeout_);
    asio::async_write(stream_, data, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    return ec;
  }

  bool response_waiting() {
    beast::error_code ec;
    return stream_.socket().available(ec) > 0 || buffer_.size() > 0;
  }

  // Reads one response (status line, headers, body into `sink` or `out.body`).
  // An interim 1xx answer returns after its headers.
  beast::error_code read(HttpResponse& out, const BodySink& sink) {
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    beast::error_code ec;
    stream_.expires_after(timeout_);
    http::async_read_header(stream_, buffer_, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    if (ec) return ec;
    out.status = static_cast<int>(parser.get().result_int());
    out.headers.clear();
    for (const auto& field : parser.get()) out.headers.emplace_back(field.name_string(), field.value());
    if (out.status / 100 == 1) return {};
    std::vector<char> chunk(64 * 1024);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      stream_.expires_after(timeout_);
      http::async_read(stream_, buffer_, parser, [&](beast::error_code e, std::size_t) { ec = e; });
      run();
      if (ec == http::error::need_buffer) ec = {};
      if (ec) return ec;
      const std::size_t got = chunk.size() - parser.get().body().size;
      if (sink) sink(std::span<const char>(chunk.data(), got));
      else if (out.body.size() < 4 * 1024 * 1024) out.body.append(chunk.data(), got);
    }
    return {};
  }

 private:
  void run() {
    ioc_.restart();
    ioc_.run();
  }
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
};

std::string describe(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return "timed out (no answer)";
  return ec.message();
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return std::nullopt;
}

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

HttpResponse HttpClient::send(const HttpRequest& request, const BodySink& sink) const {
  HttpResponse out;
  const auto started = Clock::now();
  auto finish = [&](const beast::error_code& ec) {
    if (ec && out.status == 0) out.error = describe(ec);
    out.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    return out;
  };
  Connection conn(timeout_);
  if (auto ec = conn.connect(host_, port_)) return finish(ec);

  std::string head = request.method + " " + request.target + " HTTP/1.1\r\n";
  if (!has_header(request.headers, "Host")) head += "Host: " + host_ + ":" + std::to_string(port_) + "\r\n";
  for (const auto& [k, v] : request.headers) head += k + ": " + v + "\r\n";
  if (request.chunked) {
    if (!has_header(request.headers, "Transfer-Encoding")) head += "Transfer-Encoding: chunked\r\n";
  } else if (request.add_content_length && !has_header(request.headers, "Content-Length")) {
    head += "Content-Length: " + std::to_string(request.body_size) + "\r\n";
  }
  if (request.expect_continue && !has_header(request.headers, "Expect")) head += "Expect: 100-continue\r\n";
  head += "Connection: close\r\n\r\n";
  if (auto ec = conn.write(asio::buffer(head))) return finish(ec);

  if (request.expect_continue) {
    // The answer to the headers alone: 100 Continue, or the refusal.
    if (auto ec = conn.read(out, sink)) return finish(ec);
    if (out.status != 100 || request.stop_after_continue) {
      out.body_skipped = true;  // refused from the headers, or we never meant to send it
      return finish({});
    }
    out.status = 0;
  }

  std::vector<char> buf(std::min<std::uint64_t>(kChunk, std::max<std::uint64_t>(request.body_size, 1)));
  beast::error_code write_error;
  for (std::uint64_t sent = 0; sent < request.body_size;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), request.body_size - sent));
    if (request.body) request.body(sent, std::span<char>(buf.data(), n));
    else std::fill_n(buf.data(), n, '\0');
    if (request.chunked) {
      char size_line[32];
      int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
      write_error = conn.write(asio::buffer(size_line, static_cast<std::size_t>(len)));
      if (!write_error) write_error = conn.write(asio::buffer(buf.data(), n));
      if (!write_error) write_error = conn.write(asio::buffer("\r\n", 2));
    } else {
      write_error = conn.write(asio::buffer(buf.data(), n));
    }
    if (write_error) break;
    sent += n;
    out.bytes_sent = sent;
    if (sent < request.body_size && conn.response_waiting()) {
      out.body_skipped = true;  // refused early: stop pushing bytes nobody reads
      break;
    }
  }
  if (!write_error && request.chunked && !out.body_skipped) write_error = conn.write(asio::buffer("0\r\n\r\n", 5));
  auto ec = conn.read(out, sink);
  if (ec && write_error) return finish(write_error);
  return finish(ec);
}

HttpResponse HttpClient::send_raw(const std::string& bytes) const {
  HttpResponse out;
  const auto started = Clock::now();
  Connection conn(timeout_);
  beast::error_code ec = conn.connect(host_, port_);
  if (!ec) ec = conn.write(asio::buffer(bytes));
  if (!ec) out.bytes_sent = bytes.size();
  auto read_ec = conn.read(out, {});
  if (read_ec && out.status == 0) out.error = describe(ec ? ec : read_ec);
  out.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return out;
}

std::optional<ParsedUrl> parse_url(const std::string& url) {
  static const std::regex re(R"(^http://([^/:?#]+)(?::(\d+))?([/?].*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, re)) return std::nullopt;
  ParsedUrl p;
  p.host = m[1].str();
  p.port = static_cast<std::uint16_t>(m[2].matched ? std::stoi(m[2].str()) : 80);
  p.target = m[3].matched ? m[3].str() : "/";
  if (p.target.front() == '?') p.target = "/" + p.target;
  return p;
}

}  // namespace partcheck::runner
