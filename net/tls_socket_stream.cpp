#include "net/tls_socket_stream.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>

namespace partcheck::net {
namespace {

// The socket seen from OpenSSL: reads straight from it; writes into the
// stream's outbox, sent in batches (and with MSG_NOSIGNAL: a write(2) to a
// peer that has gone would kill the process with SIGPIPE).
TlsSocketStream::Core& core_of(BIO* bio) { return *static_cast<TlsSocketStream::Core*>(BIO_get_data(bio)); }

bool would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }

int bio_write(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  auto& core = core_of(bio);
  const auto bytes = static_cast<std::size_t>(size);
  if (core.outbox.size() - core.outbox_sent + bytes > core.kBatch) {
    if (const int error = core.send_outbox(); error != 0) {
      if (would_block(error)) BIO_set_retry_write(bio);
      errno = error;
      return -1;
    }
  }
  core.outbox.insert(core.outbox.end(), data, data + bytes);
  return size;
}

int bio_read(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  const auto n = ::recv(core_of(bio).tcp.socket().native_handle(), data, static_cast<std::size_t>(size), 0);
  if (n < 0 && would_block(errno)) BIO_set_retry_read(bio);
  if (n == 0 && size > 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);  // lets OpenSSL tell an EOF from an error
  return static_cast<int>(n);
}

long bio_ctrl(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH: {  // OpenSSL flushes after each handshake flight and alert
      BIO_clear_retry_flags(bio);
      const int error = core_of(bio).send_outbox();
      if (error == 0) return 1;
      if (would_block(error)) BIO_set_retry_write(bio);
      errno = error;
      return -1;
    }
    case BIO_CTRL_WPENDING:
      return static_cast<long>(core_of(bio).outbox.size() - core_of(bio).outbox_sent);
    case BIO_CTRL_EOF:
      return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0;
    default:
      return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

const BIO_METHOD* socket_method() {
  static const BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "partcheck socket");
    if (!m || !BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) || !BIO_meth_set_ctrl(m, bio_ctrl) ||
        !BIO_meth_set_create(m, bio_create))
      throw std::runtime_error("cannot make an OpenSSL BIO method");
    return m;
  }();
  return method;
}

SSL* new_ssl(boost::asio::ssl::context& context) {
  SSL* ssl = SSL_new(context.native_handle());
  if (!ssl) throw std::runtime_error("cannot make an OpenSSL connection object");
  // A write that must wait is retried with the same bytes, perhaps from a
  // buffer that has moved; and it goes on until all is written (no partial
  // writes: one call writes as many records as the socket takes).
  SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Reads take what the socket has, several records at a time, instead of
  // a record's 5-byte header and then its body: a quarter of the receive
  // system calls. (Bytes read ahead wait in OpenSSL: SSL_has_pending.)
  SSL_set_read_ahead(ssl, 1);
  SSL_set_default_read_buffer_len(ssl, TlsSocketStream::Core::kBatch);
  return ssl;
}

// The socket BIO of `core`, handed to its SSL object.
void attach_bio(TlsSocketStream::Core& core) {
  BIO* bio = BIO_new(socket_method());
  if (!bio) throw std::runtime_error("cannot make an OpenSSL BIO");
  BIO_set_data(bio, &core);
  SSL_set_bio(core.ssl.get(), bio, bio);  // one BIO both ways: one reference, now the SSL's
}

}  // namespace

TlsSocketStream::Core::Core(boost::beast::tcp_stream&& t, SSL* s)
    : tcp(std::move(t)), ssl(s, &SSL_free), timer(tcp.get_executor()) {}

TlsSocketStream::TlsSocketStream(boost::beast::tcp_stream&& tcp, boost::asio::ssl::context& context) {
  // OpenSSL reads and writes the descriptor itself: it must not block. (The
  // socket object's own synchronous calls keep blocking, as callers expect.)
  tcp.socket().native_non_blocking(true);
  core_ = std::make_shared<Core>(std::move(tcp), new_ssl(context));
  attach_bio(*core_);
  core_->outbox.reserve(Core::kBatch);
}

int TlsSocketStream::Core::send_outbox() {
  while (outbox_sent < outbox.size()) {
    const auto n = ::send(tcp.socket().native_handle(), outbox.data() + outbox_sent, outbox.size() - outbox_sent,
                          MSG_NOSIGNAL);
    if (n < 0) return errno;
    outbox_sent += static_cast<std::size_t>(n);
  }
  outbox.clear();
  outbox_sent = 0;
  return 0;
}

TlsSocketStream::Want TlsSocketStream::Core::flush_then_finish(std::size_t& n, error_code& ec) {
  const int error = send_outbox();
  if (would_block(error)) {
    flushing = true;
    return Want::write;
  }
  flushing = false;
  n = flushed_result;
  if (error != 0) {
    failed = true;
    ec = error_code(error, boost::system::system_category());
  }
  return Want::nothing;
}

void TlsSocketStream::expires_after(std::chrono::steady_clock::duration d) {
  auto& c = *core_;
  c.deadline = std::chrono::steady_clock::now() + d;
  c.timed_out = false;
  ++c.deadline_generation;
  if (c.waits > 0) c.arm();
}

void TlsSocketStream::expires_never() {
  auto& c = *core_;
  c.deadline = std::chrono::steady_clock::time_point::max();
  c.timed_out = false;
  ++c.deadline_generation;
  c.timer.cancel();
}

void TlsSocketStream::Core::arm() {
  if (deadline == std::chrono::steady_clock::time_point::max()) return;
  timer.expires_at(deadline);
  timer.async_wait([weak = weak_from_this(), generation = deadline_generation](const error_code& ec) {
    if (auto core = weak.lock(); core && !ec) core->on_deadline(generation);
  });
}

void TlsSocketStream::Core::wait_started() {
  if (++waits == 1) arm();
}

void TlsSocketStream::Core::on_deadline(unsigned generation) {
  if (generation != deadline_generation) return;  // a later expires_after replaced it
  timed_out = true;
  // With nothing pending, the next operation sees the deadline passed.
  if (waits > 0) tcp.close();
}

TlsSocketStream::error_code TlsSocketStream::Core::wait_ended(const error_code& ec) {
  if (--waits == 0) timer.cancel();
  if (timed_out) return boost::beast::error::timeout;
  return ec;
}

TlsSocketStream::Want TlsSocketStream::Core::attempt(Kind kind, void* data, std::size_t size, std::size_t& n,
                                                     error_code& ec) {
  namespace asio = boost::asio;
  n = 0;
  ec = {};
  if (timed_out || std::chrono::steady_clock::now() >= deadline) {
    timed_out = true;
    tcp.close();
    ec = boost::beast::error::timeout;
    return Want::nothing;
  }
  if (!tcp.socket().is_open()) {
    ec = asio::error::bad_descriptor;
    return Want::nothing;
  }
  if ((kind == Kind::read || kind == Kind::write) && size == 0) return Want::nothing;
  if (kind == Kind::shutdown && (failed || !SSL_is_init_finished(ssl.get()))) return Want::nothing;
  if (flushing && (kind == Kind::write || kind == Kind::shutdown)) return flush_then_finish(n, ec);

  ERR_clear_error();
  errno = 0;
  int r = 0;
  switch (kind) {
    case Kind::read: r = SSL_read_ex(ssl.get(), data, size, &n); break;
    case Kind::write: r = SSL_write_ex(ssl.get(), data, size, &n); break;
    case Kind::handshake: r = SSL_do_handshake(ssl.get()); break;
    case Kind::shutdown: r = SSL_shutdown(ssl.get()); break;
  }
  // SSL_shutdown: 1 when both close_notify are done, 0 when ours is sent.
  if (r > 0 || (kind == Kind::shutdown && r == 0)) {
    if (kind == Kind::handshake || kind == Kind::read) return Want::nothing;
    flushed_result = n;
    return flush_then_finish(n, ec);
  }

  const int error = SSL_get_error(ssl.get(), r);
  const int saved_errno = errno;
  switch (error) {
    case SSL_ERROR_WANT_READ:
      return Want::read;
    case SSL_ERROR_WANT_WRITE:
      return Want::write;
    case SSL_ERROR_ZERO_RETURN:  // the peer's close_notify: a clean end
      ec = asio::error::eof;
      return Want::nothing;
    case SSL_ERROR_SYSCALL:
      failed = true;
      if (saved_errno != 0) ec = error_code(saved_errno, boost::system::system_category());
      else ec = asio::ssl::error::stream_truncated;  // an EOF where a record was due
      return Want::nothing;
    default: {
      failed = true;
      // The same codes as Asio's ssl::stream, so that errors read the same.
      const unsigned long e = ERR_get_error();
      if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) ec = asio::ssl::error::stream_truncated;
      else ec = error_code(static_cast<int>(e), asio::error::get_ssl_category());
      if (!ec) ec = asio::ssl::error::unspecified_system_error;
      return Want::nothing;
    }
  }
}

}  // namespace partcheck::net
