#pragma once
// Accepts connections and gives each its own session on the io_context the
// server picks (one per I/O thread, so a session needs no strand); with a TLS
// context, the sessions speak HTTPS.
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "mock_server/http/server_context.hpp"

namespace partcheck::mock::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Where a new connection's session runs; called on the acceptor's thread.
  using PickIo = std::function<boost::asio::io_context&()>;
  // `tls` (null: plain HTTP) must outlive the listener and its sessions.
  Listener(boost::asio::ip::tcp::acceptor&& acceptor, PickIo pick_io, ServerContext& context,
           boost::asio::ssl::context* tls = nullptr);
  void start();
  void stop();  // closes the acceptor; existing sessions are not touched
  boost::asio::ip::tcp::endpoint endpoint() const;

 private:
  void accept();
  void admit(boost::asio::ip::tcp::socket socket);

  PickIo pick_io_;
  // Accept completions, the back-off timer and stop() all run here: the
  // acceptor is touched by one handler at a time, whatever thread runs it.
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  ServerContext& context_;
  boost::asio::ssl::context* tls_;
};

}  // namespace partcheck::mock::http
