#pragma once
// How to reach one origin: directly or through an HTTP proxy (CONNECT for
// https targets, absolute-form requests for http ones), then TLS when the
// origin is https. Made once per origin and shared by every connection to it;
// connect() gives a ready stream or throws TransportError in words.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "net/any_stream.hpp"
#include "net/client_settings.hpp"
#include "net/transport_error.hpp"
#include "net/url.hpp"

namespace partcheck::net {

class Connector {
 public:
  // Throws std::invalid_argument for bad settings (files, versions, proxy URL).
  // `tls` lets connectors to several origins share one context (and its trust store).
  Connector(Url origin, ClientSettings settings, std::shared_ptr<boost::asio::ssl::context> tls = {});

  const Url& origin() const { return origin_; }
  const std::optional<Url>& proxy() const { return proxy_; }
  const ClientSettings& settings() const { return settings_; }
  std::shared_ptr<boost::asio::ssl::context> tls_context() const { return tls_; }
  // A connector to another origin with the same settings (download links).
  Connector for_origin(const Url& other) const { return Connector(other, settings_, tls_); }

  // The request line's target for `path`: absolute-form through a proxy to an
  // http origin, else `path` itself.
  std::string request_target(std::string_view path) const;
  std::string host_header() const { return origin_.authority(); }
  // --header ones, and Proxy-Authorization for absolute-form requests to a
  // proxy with credentials.
  const HeaderList& headers() const { return headers_; }

  // Resolves the first hop (the proxy or the origin) now, so that connect()
  // does not resolve again; throws TransportError.
  void resolve(std::chrono::milliseconds timeout);
  // TCP, CONNECT through the proxy, TLS handshake: each step bounded by
  // `timeout`. The stream's executor is the coroutine's. Throws TransportError.
  // `always_tunnel`: CONNECT through a proxy to an http origin too, for bytes
  // sent as they are (raw requests), which absolute-form cannot carry.
  boost::asio::awaitable<std::unique_ptr<AnyStream>> connect(std::chrono::milliseconds timeout,
                                                             bool always_tunnel = false) const;
  // connect() run to completion on `io` (which it restarts and runs).
  std::unique_ptr<AnyStream> connect_blocking(boost::asio::io_context& io, std::chrono::milliseconds timeout,
                                              bool always_tunnel = false) const;

  // The TLS handshakes made so far by this connector (and its copies).
  std::uint64_t handshakes() const;

 private:
  boost::asio::awaitable<void> tunnel(TcpStream& tcp, std::chrono::milliseconds timeout) const;
  const Url& first_hop() const { return proxy_ ? *proxy_ : origin_; }

  Url origin_;
  ClientSettings settings_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::optional<Url> proxy_;
  HeaderList headers_;
  std::string proxy_authorization_;  // "Basic ..." when the proxy URL has credentials
  boost::asio::ip::tcp::resolver::results_type endpoints_;
  std::shared_ptr<std::atomic<std::uint64_t>> handshakes_;
};

}  // namespace partcheck::net
