#pragma once
// TLS on the socket itself: OpenSSL reads and writes the non-blocking socket
// directly, and Asio only says when it is ready. Asio's ssl::stream runs
// OpenSSL over a memory BIO pair instead, which copies every 16 KiB record
// twice more and takes a handler round trip per record; streaming gigabytes,
// that cost the client about a fifth of its CPU (docs/benchmarking.md §8).
//
// It is an Asio AsyncStream, used where Asio's ssl::stream would be. Its
// timeouts are its own (expires_after) with tcp_stream's meaning: when the
// deadline passes, pending operations end with beast::error::timeout and the
// socket is closed. Operations started after the socket is closed end with
// bad_descriptor and never touch the descriptor number again (it may already
// belong to another connection).
//
// Like Asio's ssl::stream, one read and one write may be pending at once.
#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <openssl/ssl.h>

namespace partcheck::net {

class TlsSocketStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using error_code = boost::system::error_code;

  // TLS over `tcp` with a new SSL object of `context`; the handshake is
  // still to be done (async_handshake).
  TlsSocketStream(boost::beast::tcp_stream&& tcp, boost::asio::ssl::context& context);

  executor_type get_executor() noexcept { return core_->tcp.get_executor(); }
  SSL* native_handle() { return core_->ssl.get(); }
  boost::beast::tcp_stream& next_layer() { return core_->tcp; }
  const boost::beast::tcp_stream& next_layer() const { return core_->tcp; }

  void expires_after(std::chrono::steady_clock::duration d);
  void expires_never();

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    const auto b = first_non_empty(buffers);
    return boost::asio::async_compose<Handler, void(error_code, std::size_t)>(
        Op<true>{core_, Kind::read, b.data(), b.size()}, handler, core_->tcp);
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    const auto b = first_non_empty(buffers);
    return boost::asio::async_compose<Handler, void(error_code, std::size_t)>(
        Op<true>{core_, Kind::write, const_cast<void*>(b.data()), b.size()}, handler, core_->tcp);
  }

  template <class Handler>
  auto async_handshake(boost::asio::ssl::stream_base::handshake_type type, Handler&& handler) {
    if (type == boost::asio::ssl::stream_base::client) SSL_set_connect_state(core_->ssl.get());
    else SSL_set_accept_state(core_->ssl.get());
    return boost::asio::async_compose<Handler, void(error_code)>(Op<false>{core_, Kind::handshake, nullptr, 0},
                                                                 handler, core_->tcp);
  }

  // Sends close_notify and completes; it does not wait for the peer's.
  template <class Handler>
  auto async_shutdown(Handler&& handler) {
    return boost::asio::async_compose<Handler, void(error_code)>(Op<false>{core_, Kind::shutdown, nullptr, 0},
                                                                 handler, core_->tcp);
  }

 // The parts below are internal (public for the OpenSSL callbacks in the .cpp).
  enum class Kind { read, write, handshake, shutdown };
  enum class Want { nothing, read, write };

  // Shared with the operations in flight and the deadline's handler, so
  // that none of them outlives what it touches.
  struct Core : std::enable_shared_from_this<Core> {
    Core(boost::beast::tcp_stream&& t, SSL* s);
    boost::beast::tcp_stream tcp;
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl;
    boost::asio::steady_timer timer;
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    unsigned deadline_generation = 0;
    int waits = 0;          // readiness waits in flight
    bool timed_out = false;  // the deadline passed; the socket is closed
    bool failed = false;     // a fatal TLS error: no close_notify may follow

    // Records OpenSSL has written, sent in batches: one send per 16 KiB
    // record costs a system call per record and, on loopback, the receiver's
    // processing per record too. A write or shutdown completes only once
    // its bytes have left the outbox.
    static constexpr std::size_t kBatch = 64 * 1024;
    std::vector<char> outbox;
    std::size_t outbox_sent = 0;
    bool flushing = false;        // the call finished; its bytes are still going out
    std::size_t flushed_result = 0;

    int send_outbox();  // 0 when empty, else the errno that stopped it (EAGAIN: full)
    Want flush_then_finish(std::size_t& n, error_code& ec);

    // One try of the OpenSSL call: Want::nothing when it has finished (ec
    // and n say how), else what the socket must become ready for.
    Want attempt(Kind kind, void* data, std::size_t size, std::size_t& n, error_code& ec);
    // The deadline's timer runs only while a wait is in flight, as
    // tcp_stream's does: an idle stream keeps no work in its io_context.
    void wait_started();
    error_code wait_ended(const error_code& ec);  // the error a failed wait means
    void arm();
    void on_deadline(unsigned generation);
  };

 private:
  template <bool WithBytes>
  struct Op {
    std::shared_ptr<Core> core;
    Kind kind;
    void* data;
    std::size_t size;
    bool waited = false, finished = false;
    error_code ec{};
    std::size_t n = 0;

    template <class Self>
    void operator()(Self& self, error_code wait_ec = {}) {
      if (finished) return complete(self);
      if (waited) {
        ec = core->wait_ended(wait_ec);
        if (ec) return complete(self);
      }
      const Want want = core->attempt(kind, data, size, n, ec);
      if (want == Want::nothing) {
        if (waited) return complete(self);
        // Finished without waiting: the handler must still not run inside
        // the call that started the operation.
        finished = true;
        return boost::asio::post(core->tcp.get_executor(), std::move(self));
      }
      waited = true;
      core->wait_started();
      core->tcp.socket().async_wait(want == Want::read ? boost::asio::socket_base::wait_read
                                                       : boost::asio::socket_base::wait_write,
                                    std::move(self));
    }

    template <class Self>
    void complete(Self& self) {
      if constexpr (WithBytes) self.complete(ec, ec ? 0 : n);
      else self.complete(ec);
    }
  };

  template <class Buffers>
  static auto first_non_empty(const Buffers& buffers) {
    auto it = boost::asio::buffer_sequence_begin(buffers);
    const auto end = boost::asio::buffer_sequence_end(buffers);
    using Buffer = std::decay_t<decltype(*it)>;
    for (; it != end; ++it)
      if (Buffer b(*it); b.size() != 0) return b;
    return Buffer{};
  }

  std::shared_ptr<Core> core_;
};

}  // namespace partcheck::net
