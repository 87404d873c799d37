#include "bench/part_connection.hpp"
#include "bench/socket_tuning.hpp"

#include <sys/sendfile.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <cerrno>
#include <nlohmann/json.hpp>

namespace partcheck::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr std::size_t kSendfileChunk = 4u << 20;
constexpr std::size_t kMaxAnswerBody = 1u << 20;
}  // namespace

std::string error_code_of(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return {};
  auto it = json.find("error");
  if (it == json.end() || !it->is_string()) return {};
  const auto& message = it->get_ref<const std::string&>();
  // The contract puts the code first: "InvalidPartOrder: part ...".
  auto end = message.find_first_of(": ");
  return message.substr(0, end);
}

PartConnection::PartConnection(Strand strand, const net::Connector& connector, const RequestHeads& heads,
                               const BodySource& source, std::size_t io_buffer, std::chrono::milliseconds timeout,
                               ProgressFn progress)
    : strand_(strand),
      connector_(connector),
      heads_(heads),
      source_(source),
      io_buffer_(io_buffer),
      timeout_(timeout),
      progress_(std::move(progress)),
      watchdog_(strand) {}

void PartConnection::connect_then(std::function<void()> next) {
  if (is_open()) {
    next();
    return;
  }
  read_buffer_.clear();
  stream_.reset();
  connecting_ = true;
  // The connector's coroutine runs on this connection's strand, so the
  // stream it hands over uses the strand too.
  auto done = [self = shared_from_this(), next = std::move(next)](std::exception_ptr error,
                                                                  std::unique_ptr<net::AnyStream> stream) {
    self->connecting_ = false;  // the slot's handler stays until the next connect replaces it
    if (self->stopped_) return self->finish(asio::error::operation_aborted, "connect");
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const net::TransportError& e) {
        return self->finish(e.code() ? e.code() : asio::error::fault, "connect", "connect: " + e.full());
      } catch (const std::exception& e) {
        return self->finish(asio::error::fault, "connect", std::string("connect: ") + e.what());
      }
    }
    self->stream_ = std::move(stream);
    tune_sending_socket(self->stream_->tcp().socket());
    next();
  };
  asio::co_spawn(strand_, connector_.connect(timeout_), asio::bind_cancellation_slot(connect_cancel_.slot(), std::move(done)));
}

void PartConnection::send_part(PartRequest request, std::function<void(Answer)> done) {
  part_ = std::move(request);
  done_ = std::move(done);
  answer_ = Answer{};
  answer_.started = Clock::now();
  last_write_ = answer_.started;
  sent_ = part_.range.start;
  body_end_ = part_.range.end;
  head_sent_ = false;
  write_error_ = {};
  head_ = heads_.make("POST", "/pub/v1/disk/file/upload?hash=" + part_.hash, "application/octet-stream",
                      "Content-Range: " + contract::format_content_range(part_.range) + "\r\n", part_.range.length());
  if (stopped_) return finish(asio::error::operation_aborted, "start");
  connect_then([self = shared_from_this()] {
    // sendfile only when nothing has to look at the bytes on their way out:
    // no digest, and no TLS (the bytes are encrypted in this process).
    if (self->source_.is_file() && self->part_.digest == nullptr && !self->stream_->is_tls())
      self->write_body_sendfile();
    else
      self->write_body_chunk();
  });
}

void PartConnection::send_small(std::string method, std::string target, std::string json_body,
                                std::function<void(Answer)> done) {
  done_ = std::move(done);
  answer_ = Answer{};
  answer_.started = Clock::now();
  // One buffer for head and body (a small copy): one write.
  head_ = heads_.make(method, target, "application/json", "", json_body.size()) + json_body;
  if (stopped_) return finish(asio::error::operation_aborted, "start");
  connect_then([self = shared_from_this()] {
    self->stream_->expires_after(self->timeout_);
    asio::async_write(*self->stream_, asio::buffer(self->head_), [self](beast::error_code ec, std::size_t) {
      if (ec) return self->finish(ec, "write");
      self->answer_.body_sent = Clock::now();
      self->read_answer();
    });
  });
}

void PartConnection::write_body_chunk() {
  const std::uint64_t remaining = body_end_ - sent_;
  if (remaining == 0 && head_sent_) {
    answer_.body_sent = last_write_;
    return read_answer();
  }
  if (body_buffer_.empty()) body_buffer_.resize(io_buffer_);
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, body_buffer_.size()));
  source_.fill(part_.file_index, sent_, std::span(body_buffer_.data(), n));
  if (part_.digest) part_.digest->update(std::as_bytes(std::span(body_buffer_.data(), n)));
  auto written = [self = shared_from_this(), n](beast::error_code ec, std::size_t) {
    if (ec) return self->write_failed(ec);
    const auto now = Clock::now();
    self->progress_(n, self->last_write_, now);
    self->last_write_ = now;
    self->head_sent_ = true;
    self->sent_ += n;
    self->write_body_chunk();
  };
  stream_->expires_after(timeout_);
  // The head rides along with the first chunk: one write (plain: one
  // syscall; TLS: the head is its own record, then OpenSSL cuts records
  // straight from this buffer, no copy of ours).
  const asio::const_buffer chunk(body_buffer_.data(), n);
  if (head_sent_)
    asio::async_write(*stream_, chunk, std::move(written));
  else
    asio::async_write(*stream_, std::array<asio::const_buffer, 2>{asio::buffer(head_), chunk}, std::move(written));
}

void PartConnection::write_body_sendfile() {
  if (!head_sent_) {
    stream_->expires_after(timeout_);
    asio::async_write(*stream_, asio::buffer(head_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish(ec, "write");
      self->head_sent_ = true;
      self->stream_->tcp().socket().native_non_blocking(true);
      self->write_body_sendfile();
    });
    return;
  }
  // Push as much as the socket takes without blocking, then wait for room.
  auto& socket = stream_->tcp().socket();
  while (sent_ < body_end_) {
    off_t offset = static_cast<off_t>(sent_);
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(body_end_ - sent_, kSendfileChunk));
    const auto n = ::sendfile(socket.native_handle(), source_.file_descriptor(), &offset, want);
    if (n > 0) {
      const auto now = Clock::now();
      progress_(static_cast<std::uint64_t>(n), last_write_, now);
      last_write_ = now;
      sent_ += static_cast<std::uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      watchdog_.expires_after(timeout_);
      watchdog_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec && self->is_open()) self->stream_->tcp().socket().cancel();  // no room for a whole timeout: give up the write
      });
      socket.async_wait(asio::socket_base::wait_write, [self = shared_from_this()](beast::error_code ec) {
        self->watchdog_.cancel();
        if (ec) return self->finish(ec == asio::error::operation_aborted && !self->stopped_ ? beast::error::timeout : ec,
                                    "write");
        self->write_body_sendfile();
      });
      return;
    }
    const auto ec = n == 0 ? beast::error_code(asio::error::eof)
                           : beast::error_code(errno, boost::system::system_category());
    return write_failed(ec);
  }
  answer_.body_sent = last_write_;
  read_answer();
}

void PartConnection::write_failed(beast::error_code ec) {
  if (stopped_ || ec == asio::error::operation_aborted || ec == beast::error::timeout) return finish(ec, "write");
  // The server may have answered (and closed) before taking the whole body,
  // as the mock does for a part it refuses from the headers: read that answer.
  write_error_ = ec;
  read_answer();
}

void PartConnection::read_answer() {
  parser_.emplace();
  parser_->body_limit(kMaxAnswerBody);
  // A first small read times the first byte of the answer; Beast then parses
  // from what it already buffered.
  stream_->expires_after(timeout_);
  auto space = read_buffer_.prepare(4096);
  stream_->async_read_some(space, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    if (ec) return self->finish(ec, "read");
    self->answer_.first_byte = Clock::now();
    self->read_buffer_.commit(n);
    self->stream_->expires_after(self->timeout_);
    http::async_read(*self->stream_, self->read_buffer_, *self->parser_,
                     [self](beast::error_code read_ec, std::size_t) {
                       if (read_ec) return self->finish(read_ec, "read");
                       auto& response = self->parser_->get();
                       self->answer_.status = static_cast<int>(response.result_int());
                       self->answer_.body = std::move(response.body());
                       if (!response.keep_alive()) self->close();
                       self->finish({}, "");
                     });
  });
}

void PartConnection::finish(beast::error_code ec, const char* during, std::string words) {
  answer_.finished = Clock::now();
  if (answer_.first_byte == Clock::time_point{}) answer_.first_byte = answer_.finished;
  if (answer_.body_sent == Clock::time_point{}) answer_.body_sent = answer_.finished;
  const bool body_cut_short = static_cast<bool>(write_error_);
  if (ec && body_cut_short) {
    ec = write_error_;
    during = "write";
    words.clear();
  }
  write_error_ = {};
  if (body_cut_short && !ec) close();  // answered, but the request stream is broken
  if (ec) {
    answer_.status = 0;
    answer_.aborted = stopped_;
    if (!words.empty())
      answer_.transport_error = std::move(words);
    else if (ec == beast::error::timeout)
      answer_.transport_error = std::string("timeout during ") + during;
    else  // TLS alerts and the like in words, plain socket errors as before
      answer_.transport_error = std::string(during) + ": " + net::explain(ec).full();
    close();
  }
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(answer_));
}

void PartConnection::close() {
  watchdog_.cancel();
  if (connecting_) connect_cancel_.emit(asio::cancellation_type::terminal);
  if (is_open()) {
    // No TLS close_notify: the connection is dropped either way, and waiting
    // for the peer's answer to it would only delay the end of a run.
    beast::error_code ignored;
    stream_->tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_->tcp().close();
  }
}

void PartConnection::abort() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->close();
  });
}

}  // namespace partcheck::bench
