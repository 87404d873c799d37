#include "runner/http_client.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "net/transport_error.hpp"

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
  explicit Connection(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  // "" when connected, else the problem in words (and its fix).
  std::string connect(const net::Connector& connector, bool raw) {
    try {
      stream_ = connector.connect_blocking(ioc_, timeout_, raw);
      return {};
    } catch (const net::TransportError& e) {
      return e.full();
    }
  }

  beast::error_code write(asio::const_buffer data) {
    beast::error_code ec;
    bool done = false;
    stream_->expires_after(timeout_);
    asio::async_write(*stream_, data, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    run_until(done);
    return ec;
  }

  // Whether the server has begun to answer (an early refusal) while the body
  // is still going out. On plain TCP any byte waiting says so. Over TLS bytes
  // may be housekeeping (TLS 1.3 sends session tickets after the handshake),
  // so a read through TLS is started and left running beside the writes
  // (one read and one write may be in flight at once); its bytes are the
  // start of the answer that read() then parses.
  bool response_waiting() {
    if (buffer_.size() > 0 || early_done_) return true;
    beast::error_code ec;
    SSL* ssl = stream_->ssl();  // TLS may have read them ahead already
    const bool bytes = stream_->tcp().socket().available(ec) > 0 || (ssl && SSL_has_pending(ssl));
    if (!stream_->is_tls()) return bytes;
    if (!early_reading_ && !bytes) return false;
    if (!early_reading_) {
      early_reading_ = true;
      stream_->expires_never();  // a long body may outlast any read timeout; read() bounds the wait
      stream_->async_read_some(buffer_.prepare(16 * 1024), [this](beast::error_code e, std::size_t n) {
        buffer_.commit(n);
        early_error_ = e;
        early_reading_ = false;
        early_done_ = true;
      });
    }
    ioc_.restart();
    ioc_.poll();
    return early_done_;
  }

  // Reads one response (status line, headers, body into `sink` or `out.body`).
  // An interim 1xx answer returns after its headers.
  beast::error_code read(HttpResponse& out, const BodySink& sink) {
    if (auto ec = finish_early_read()) return ec;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    beast::error_code ec;
    bool done = false;
    stream_->expires_after(timeout_);
    http::async_read_header(*stream_, buffer_, parser, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    run_until(done);
    if (ec) return ec;
    out.status = static_cast<int>(parser.get().result_int());
    out.headers.clear();
    for (const auto& field : parser.get()) out.headers.emplace_back(field.name_string(), field.value());
    if (out.status / 100 == 1) return {};
    std::vector<char> chunk(64 * 1024);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      done = false;
      stream_->expires_after(timeout_);
      http::async_read(*stream_, buffer_, parser, [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
      });
      run_until(done);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) return ec;
      const std::size_t got = chunk.size() - parser.get().body().size;
      if (sink) sink(std::span<const char>(chunk.data(), got));
      else if (out.body.size() < 4 * 1024 * 1024) out.body.append(chunk.data(), got);
    }
    return {};
  }

 private:
  // Runs handlers until `done`: a read started by response_waiting() may
  // still be in flight, so "until there is no work" could wait for it.
  void run_until(const bool& done) {
    ioc_.restart();
    while (!done && ioc_.run_one() > 0) {
    }
  }

  // The read response_waiting() started, waited for within the timeout.
  beast::error_code finish_early_read() {
    if (early_reading_) {
      ioc_.restart();
      const auto deadline = Clock::now() + timeout_;
      while (early_reading_ && ioc_.run_one_until(deadline) > 0) {
      }
      if (early_reading_) {
        stream_->tcp().close();  // cancels the read; its handler runs once more
        ioc_.restart();
        while (early_reading_ && ioc_.run_one() > 0) {
        }
        return beast::error::timeout;
      }
    }
    if (early_done_ && early_error_ && buffer_.size() == 0) return early_error_;
    return {};
  }

  asio::io_context ioc_;
  std::unique_ptr<net::AnyStream> stream_;
  beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
  bool early_reading_ = false, early_done_ = false;
  beast::error_code early_error_;
};

std::string describe(const beast::error_code& ec) { return net::explain(ec).full(); }

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return std::nullopt;
}

HttpClient::HttpClient(std::shared_ptr<const net::Connector> connector, std::chrono::milliseconds timeout)
    : connector_(std::move(connector)), timeout_(timeout) {}

HttpResponse HttpClient::send(const HttpRequest& request, const BodySink& sink) const {
  HttpResponse out;
  const auto started = Clock::now();
  auto finish = [&](const beast::error_code& ec) {
    if (ec && out.status == 0) out.error = describe(ec);
    out.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    return out;
  };
  Connection conn(timeout_);
  if (auto problem = conn.connect(*connector_, false); !problem.empty()) {
    out.error = std::move(problem);
    return finish({});
  }

  std::string head = request.method + " " + connector_->request_target(request.target) + " HTTP/1.1\r\n";
  if (!has_header(request.headers, "Host")) head += "Host: " + connector_->host_header() + "\r\n";
  for (const auto& [k, v] : request.headers) head += k + ": " + v + "\r\n";
  for (const auto& [k, v] : connector_->headers())
    if (!has_header(request.headers, k)) head += k + ": " + v + "\r\n";
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
  if (auto problem = conn.connect(*connector_, true); !problem.empty()) {
    out.error = std::move(problem);
  } else {
    beast::error_code ec = conn.write(asio::buffer(bytes));
    if (!ec) out.bytes_sent = bytes.size();
    auto read_ec = conn.read(out, {});
    if (read_ec && out.status == 0) out.error = describe(ec ? ec : read_ec);
  }
  out.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return out;
}

}  // namespace partcheck::runner
