#pragma once
// Accepts connections and gives each its own session on its own strand;
// with a TLS context, the sessions speak HTTPS.
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
  // `tls` (null: plain HTTP) must outlive the listener and its sessions.
  Listener(boost::asio::io_context& io, boost::asio::ip::tcp::acceptor&& acceptor, ServerContext& context,
           boost::asio::ssl::context* tls = nullptr);
  void start();
  void stop();  // closes the acceptor; existing sessions are not touched
  boost::asio::ip::tcp::endpoint endpoint() const;

 private:
  void accept();
  void admit(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  // Accept completions, the back-off timer and stop() all run here: the
  // acceptor is touched by one handler at a time, whatever thread runs it.
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  ServerContext& context_;
  boost::asio::ssl::context* tls_;
};

}  // namespace partcheck::mock::http
