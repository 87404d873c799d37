#include "net/connector.hpp"

#include <atomic>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "net/client_tls.hpp"
#include "net/proxy.hpp"

namespace partcheck::net {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

auto with(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

}  // namespace

Connector::Connector(Url origin, ClientSettings settings, std::shared_ptr<asio::ssl::context> tls)
    : origin_(std::move(origin)),
      settings_(std::move(settings)),
      tls_(std::move(tls)),
      proxy_(proxy_for(origin_, settings_)),
      headers_(settings_.headers),
      handshakes_(std::make_shared<std::atomic<std::uint64_t>>(0)) {
  if (!tls_ && origin_.tls()) tls_ = make_client_context(settings_);
  if (proxy_ && !proxy_->userinfo.empty()) {
    proxy_authorization_ = "Basic " + base64(proxy_->userinfo);
    if (!origin_.tls()) headers_.emplace_back("Proxy-Authorization", proxy_authorization_);
  }
}

std::string Connector::request_target(std::string_view path) const {
  if (proxy_ && !origin_.tls()) return origin_.origin() + std::string(path);
  return std::string(path);
}

std::uint64_t Connector::handshakes() const { return handshakes_->load(); }

void Connector::resolve(std::chrono::milliseconds timeout) {
  asio::io_context io;
  tcp::resolver resolver(io);
  error_code ec;
  bool done = false;
  resolver.async_resolve(first_hop().host, std::to_string(first_hop().port),
                         [&](error_code e, tcp::resolver::results_type r) {
                           ec = e;
                           endpoints_ = std::move(r);
                           done = true;
                         });
  io.run_for(timeout);
  const std::string what = proxy_ ? "the proxy " + proxy_->host : origin_.host;
  if (!done) throw TransportError(asio::error::timed_out, "cannot resolve " + what + ": no answer in time");
  if (ec) throw TransportError(ec, "cannot resolve " + what + ": " + ec.message());
}

asio::awaitable<void> Connector::tunnel(TcpStream& tcp, std::chrono::milliseconds timeout) const {
  const std::string target = origin_.host_port();
  std::string request = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
  if (!proxy_authorization_.empty()) request += "Proxy-Authorization: " + proxy_authorization_ + "\r\n";
  request += "\r\n";
  error_code ec;
  tcp.expires_after(timeout);
  co_await asio::async_write(tcp, asio::buffer(request), with(ec));
  boost::beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel starts after the header
  if (!ec) co_await http::async_read_header(tcp, buffer, parser, with(ec));
  const std::string proxy = "the proxy " + proxy_->host_port();
  if (ec) throw TransportError(ec, proxy + " broke off CONNECT " + target + ": " + explain(ec).what());
  const auto status = parser.get().result_int();
  if (status / 100 != 2) {
    std::string fix = "fix: check --proxy, HTTPS_PROXY and NO_PROXY, or the proxy's rules for " + target;
    if (status == 407) fix = "fix: put the proxy's credentials in its URL: --proxy http://USER:PASSWORD@HOST:PORT";
    throw TransportError(asio::error::connection_refused,
                         proxy + " refused CONNECT " + target + ": " + std::to_string(status) + " " +
                             std::string(parser.get().reason()),
                         fix);
  }
  if (buffer.size() != 0)
    throw TransportError(asio::error::invalid_argument, proxy + " sent bytes after its CONNECT answer");
}

asio::awaitable<std::unique_ptr<AnyStream>> Connector::connect(std::chrono::milliseconds timeout,
                                                                bool always_tunnel) const {
  auto executor = co_await asio::this_coro::executor;
  error_code ec;
  auto endpoints = endpoints_;
  const std::string hop = proxy_ ? "the proxy " + proxy_->host_port() : origin_.host_port();
  if (endpoints.empty()) {
    tcp::resolver resolver(executor);
    endpoints = co_await resolver.async_resolve(first_hop().host, std::to_string(first_hop().port), with(ec));
    if (ec) throw TransportError(ec, "cannot resolve " + first_hop().host + ": " + ec.message());
  }
  TcpStream tcp(executor);
  tcp.expires_after(timeout);
  co_await tcp.async_connect(endpoints, with(ec));
  if (ec) throw TransportError(ec, "cannot connect to " + hop + ": " + explain(ec).what());
  tcp.socket().set_option(tcp::no_delay(true), ec);
  if (proxy_ && (origin_.tls() || always_tunnel)) co_await tunnel(tcp, timeout);
  if (!origin_.tls()) co_return std::make_unique<AnyStream>(std::move(tcp));

  auto stream = std::make_unique<AnyStream>(std::move(tcp), *tls_);
  prepare_client_stream(stream->ssl(), origin_.host, settings_.insecure);
  stream->expires_after(timeout);
  co_await stream->async_handshake(asio::ssl::stream_base::client, with(ec));
  handshakes_->fetch_add(1, std::memory_order_relaxed);
  if (ec) {
    auto why = explain(ec, SSL_get_verify_result(stream->ssl()));
    throw TransportError(ec, "TLS handshake with " + origin_.host_port() + " failed: " + why.what(), why.fix());
  }
  co_return stream;
}

std::unique_ptr<AnyStream> Connector::connect_blocking(asio::io_context& io, std::chrono::milliseconds timeout,
                                                       bool always_tunnel) const {
  std::unique_ptr<AnyStream> out;
  std::exception_ptr error;
  asio::co_spawn(io, connect(timeout, always_tunnel), [&](std::exception_ptr e, std::unique_ptr<AnyStream> s) {
    error = e;
    out = std::move(s);
  });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
  return out;
}

}  // namespace partcheck::net
