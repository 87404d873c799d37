#pragma once
// One stream type for plain TCP and TLS, so the code above it (the mock's
// sessions, the runner's and the bench's connections) is written once. It is
// an Asio AsyncStream: Beast's http::async_read/async_write and asio::async_write
// take it as they take a tcp_stream. Timeouts are set here (expires_after),
// whatever the layer that keeps them.
//
// TLS is TlsSocketStream (OpenSSL on the socket itself), for clients and the
// mock's sessions alike.
#include <chrono>
#include <cstddef>
#include <utility>
#include <variant>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "net/tls_socket_stream.hpp"

namespace partcheck::net {

using TcpStream = boost::beast::tcp_stream;

class AnyStream {
 public:
  using executor_type = TcpStream::executor_type;

  explicit AnyStream(TcpStream&& tcp) : stream_(std::in_place_type<TcpStream>, std::move(tcp)) {}
  // TLS over `tcp`; the handshake is still to be done (async_handshake).
  AnyStream(TcpStream&& tcp, boost::asio::ssl::context& context)
      : stream_(std::in_place_type<TlsSocketStream>, std::move(tcp), context) {}

  executor_type get_executor() noexcept { return tcp().get_executor(); }
  bool is_tls() const { return std::holds_alternative<TlsSocketStream>(stream_); }
  // The TLS connection's OpenSSL object (version, cipher, verification);
  // nullptr for plain TCP.
  SSL* ssl() {
    auto* t = tls();
    return t ? t->native_handle() : nullptr;
  }
  // The TCP layer: the socket, close. (Timeouts: expires_after below.)
  TcpStream& tcp() {
    if (auto* t = tls()) return t->next_layer();
    return std::get<TcpStream>(stream_);
  }
  const TcpStream& tcp() const {
    if (auto* t = std::get_if<TlsSocketStream>(&stream_)) return t->next_layer();
    return std::get<TcpStream>(stream_);
  }

  // tcp_stream's meaning: pending and later operations end with
  // beast::error::timeout once the time is up.
  void expires_after(std::chrono::steady_clock::duration d) {
    if (auto* t = tls()) t->expires_after(d);
    else tcp().expires_after(d);
  }
  void expires_never() {
    if (auto* t = tls()) t->expires_never();
    else tcp().expires_never();
  }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::system::error_code, std::size_t)>(
        [this](auto h, const MutableBuffers& b) {
          std::visit([&](auto& s) { s.async_read_some(b, std::move(h)); }, stream_);
        },
        handler, buffers);
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::system::error_code, std::size_t)>(
        [this](auto h, const ConstBuffers& b) {
          std::visit([&](auto& s) { s.async_write_some(b, std::move(h)); }, stream_);
        },
        handler, buffers);
  }

  // TLS: the handshake as client or server; plain TCP: completes at once.
  template <class Handler>
  auto async_handshake(boost::asio::ssl::stream_base::handshake_type type, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::system::error_code)>(
        [this, type](auto h) {
          if (auto* t = tls()) t->async_handshake(type, std::move(h));
          else boost::asio::post(get_executor(), [h = std::move(h)]() mutable { h(boost::system::error_code{}); });
        },
        handler);
  }

  // TLS: sends close_notify (bounded by expires_after) without waiting for
  // the peer's; plain TCP: completes at once. The socket stays open either way.
  template <class Handler>
  auto async_shutdown(Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::system::error_code)>(
        [this](auto h) {
          if (auto* t = tls()) t->async_shutdown(std::move(h));
          else boost::asio::post(get_executor(), [h = std::move(h)]() mutable { h(boost::system::error_code{}); });
        },
        handler);
  }

 private:
  TlsSocketStream* tls() { return std::get_if<TlsSocketStream>(&stream_); }

  std::variant<TcpStream, TlsSocketStream> stream_;
};

}  // namespace partcheck::net
