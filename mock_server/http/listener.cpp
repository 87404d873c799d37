#include "mock_server/http/listener.hpp"

#include <unistd.h>

#include <boost/asio/strand.hpp>

#include "mock_server/http/session.hpp"

namespace partcheck::mock::http {

Listener::Listener(boost::asio::io_context& io, boost::asio::ip::tcp::acceptor&& acceptor, ServerContext& context)
    : io_(io), acceptor_(std::move(acceptor)), backoff_(io), context_(context) {}

boost::asio::ip::tcp::endpoint Listener::endpoint() const { return acceptor_.local_endpoint(); }

void Listener::start() {
  boost::asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
}

void Listener::stop() {
  boost::asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
    self->backoff_.cancel();
  });
}

void Listener::accept() {
  acceptor_.async_accept(boost::asio::make_strand(io_), [self = shared_from_this()](
                                                            boost::system::error_code ec, tcp::socket socket) {
    if (!self->acceptor_.is_open() || self->context_.stopping) return;
    if (ec) {
      // Out of descriptors and the like: wait a little instead of spinning.
      if (!self->context_.config.quiet) {
        std::string line = "accept failed: " + ec.message() + "\n";
        [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
      }
      self->backoff_.expires_after(std::chrono::milliseconds(50));
      self->backoff_.async_wait([self](boost::system::error_code wait_ec) {
        if (!wait_ec) self->accept();
      });
      return;
    }
    std::make_shared<Session>(std::move(socket), self->context_)->start();
    self->accept();
  });
}

}  // namespace partcheck::mock::http
