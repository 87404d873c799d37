// TLS sessions: the server handshake before the first request, a plain
// answer for plain HTTP sent to the TLS port, and close_notify at the end.
// A handshake that fails or does not finish within --header-timeout of the
// accept is logged (one line, unless --quiet), counted in /__mock/stats as
// tls_handshake_failures, and the connection closed; nothing else happens.
#include <boost/asio/write.hpp>

#include "mock_server/http/session.hpp"

namespace partcheck::mock::http {
namespace {

using contract::ErrorCode;

// The first byte of every TLS connection: a handshake record (RFC 8446 5.1).
constexpr unsigned char kTlsHandshakeRecord = 0x16;

}  // namespace

// The handshake deadline runs from the accept, not from the first byte as
// a request header's does: a TLS client speaks first, so silence is already
// a failure, and a connection must not hold a TLS state for the idle timeout.
void Session::begin_tls() {
  arm_deadline(std::chrono::steady_clock::now() + context_.config.header_timeout);
  stream_.tcp().socket().async_wait(tcp::socket::wait_read,
                                    guarded([](Session& self, beast::error_code ec) { self.on_first_bytes(ec); }));
}

// A look at the first byte, left in the socket for the handshake to read.
void Session::on_first_bytes(beast::error_code ec) {
  unsigned char first = 0;
  std::size_t peeked = 0;
  if (!ec) peeked = stream_.tcp().socket().receive(asio::buffer(&first, 1), tcp::socket::message_peek, ec);
  if (deadline_passed_) {
    tls_failed("no TLS handshake within " + std::to_string(context_.config.header_timeout.count()) + " s");
    return close_now();
  }
  // Connected and gone without a byte (a port check): no handshake was tried.
  if (ec || peeked == 0) return close_now();
  if (first != kTlsHandshakeRecord) return refuse_plain_http(first);
  stream_.async_handshake(asio::ssl::stream_base::server,
                          guarded([](Session& self, beast::error_code hec) { self.on_handshake(hec); }));
}

void Session::on_handshake(beast::error_code ec) {
  const bool late = deadline_passed_;
  disarm_deadline();
  if (late || ec) {
    tls_failed(late ? "the TLS handshake was not complete within " +
                          std::to_string(context_.config.header_timeout.count()) + " s"
                    : ec.message());
    return close_now();
  }
  tls_ready_ = true;
  read_header();
}

// A client that sent plain HTTP (an http:// URL for an https:// listener)
// is told so in plain HTTP, the one language it understands; anything else
// that is not TLS just sees the connection close.
void Session::refuse_plain_http(unsigned char first) {
  disarm_deadline();
  tls_failed("plain HTTP or other non-TLS bytes on the TLS port");
  if (first < 'A' || first > 'Z') return close_now();  // request methods are upper case
  phase_ = Phase::Closing;
  Reply reply = error_reply(
      http_refusal(ErrorCode::InvalidRequest, "this port speaks HTTPS: use an https:// URL"), context_.config.policy);
  response_.emplace(static_cast<bhttp::status>(reply.status), 11);
  response_->set(bhttp::field::server, "partcheck-mock");
  response_->set(bhttp::field::content_type, reply.content_type);
  response_->keep_alive(false);
  response_->body() = std::move(reply.body);
  response_->prepare_payload();
  stream_.tcp().expires_after(context_.config.header_timeout);  // written on the TCP layer itself
  bhttp::async_write(stream_.tcp(), *response_, guarded([](Session& self, beast::error_code wec, std::size_t) {
    if (wec) return self.close_now();
    self.linger();
  }));
}

void Session::tls_failed(const std::string& why) {
  context_.stats.tls_handshake_failed();
  if (!context_.config.quiet) log_note("TLS handshake failed: " + why);
}

// close_notify, then linger() like a plain connection: the client's own
// close_notify and whatever else it still sends are read and dropped until
// it closes. Sending is bounded by kTlsCloseTime; a connection that cannot
// take even that is closed.
void Session::close_tls() {
  tls_ready_ = false;  // whatever happens now, the TLS layer is not used again
  stream_.expires_after(kTlsCloseTime);
  stream_.async_shutdown(guarded([](Session& self, beast::error_code ec) {
    if (ec) return self.close_now();
    self.linger();
  }));
}

}  // namespace partcheck::mock::http
