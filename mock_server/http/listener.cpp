#include "mock_server/http/listener.hpp"

#include <unistd.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/strand.hpp>

#include "mock_server/http/session.hpp"

namespace partcheck::mock::http {

Listener::Listener(boost::asio::ip::tcp::acceptor&& acceptor, PickIo pick_io, ServerContext& context,
                   boost::asio::ssl::context* tls)
    : pick_io_(std::move(pick_io)),
      strand_(boost::asio::make_strand(acceptor.get_executor())),
      acceptor_(std::move(acceptor)),
      backoff_(strand_),
      context_(context),
      tls_(tls) {}

boost::asio::ip::tcp::endpoint Listener::endpoint() const { return acceptor_.local_endpoint(); }

void Listener::start() {
  boost::asio::dispatch(strand_, [self = shared_from_this()] { self->accept(); });
}

void Listener::stop() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
    self->backoff_.cancel();
  });
}

void Listener::accept() {
  acceptor_.async_accept(pick_io_(), boost::asio::bind_executor(strand_, [self = shared_from_this()](
                                                            boost::system::error_code ec, tcp::socket socket) {
    if (!self->acceptor_.is_open() || self->context_.stopping) return;
    if (ec) {
      // Out of descriptors and the like: wait a little instead of spinning.
      if (!self->context_.config.quiet) {
        std::string line = "accept failed: " + ec.message() + "\n";
        [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
      }
      self->backoff_.expires_after(std::chrono::milliseconds(50));
      self->backoff_.async_wait(boost::asio::bind_executor(self->strand_, [self](boost::system::error_code wait_ec) {
        if (!wait_ec) self->accept();
      }));
      return;
    }
    self->admit(std::move(socket));
    self->accept();
  }));
}

// --max-connections and --max-connections-per-peer: past them a connection is
// closed at once, before it costs more than its descriptor.
void Listener::admit(tcp::socket socket) {
  const auto& config = context_.config;
  auto peer = peer_of(socket);
  auto admission = context_.sessions.admit(peer ? peer->address().to_string() : std::string(), config.max_connections,
                                           config.max_connections_per_peer);
  if (!admission) {
    context_.stats.connection_refused();
    boost::system::error_code ec;
    socket.close(ec);
    return;
  }
  try {
    std::make_shared<Session>(std::move(socket), tls_, context_, std::move(*admission))->start();
  } catch (const std::exception&) {
    // This connection is lost (the socket closes with it); the next is accepted.
  }
}

}  // namespace partcheck::mock::http
