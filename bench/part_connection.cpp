#include "bench/part_connection.hpp"
#include "bench/socket_tuning.hpp"

#include <sys/sendfile.h>

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

PartConnection::PartConnection(Strand strand, const HttpTarget& target, asio::ip::tcp::endpoint endpoint,
                               const BodySource& source, std::size_t io_buffer, std::chrono::milliseconds timeout,
                               ProgressFn progress)
    : strand_(strand),
      target_(target),
      endpoint_(endpoint),
      source_(source),
      timeout_(timeout),
      progress_(std::move(progress)),
      stream_(strand),
      body_buffer_(source.is_file() ? 0 : io_buffer),
      watchdog_(strand) {}

std::string PartConnection::request_head(const char* method, const std::string& target,
                                         const std::string& content_type, const std::string& extra,
                                         std::uint64_t content_length) const {
  std::string head;
  head.reserve(256 + target.size() + extra.size());
  head.append(method).append(" ").append(target_.path_prefix).append(target).append(" HTTP/1.1\r\nHost: ");
  head.append(target_.host_header()).append("\r\nAuthorization: Bearer ").append(target_.api_key);
  head.append("\r\nContent-Type: ").append(content_type).append("\r\n").append(extra);
  head.append("Content-Length: ").append(std::to_string(content_length)).append("\r\n\r\n");
  return head;
}

void PartConnection::connect_then(std::function<void()> next) {
  if (stream_.socket().is_open()) {
    next();
    return;
  }
  read_buffer_.clear();
  stream_.expires_after(timeout_);
  stream_.async_connect(endpoint_, [self = shared_from_this(), next = std::move(next)](beast::error_code ec) {
    if (ec) return self->finish(ec, "connect");
    tune_sending_socket(self->stream_.socket());
    next();
  });
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
  head_ = request_head("POST", "/pub/v1/disk/file/upload?hash=" + part_.hash, "application/octet-stream",
                       "Content-Range: " + contract::format_content_range(part_.range) + "\r\n",
                       part_.range.length());
  if (stopped_) return finish(asio::error::operation_aborted, "start");
  connect_then([self = shared_from_this()] {
    // sendfile only when nothing has to look at the bytes on their way out.
    if (self->source_.is_file() && self->part_.digest == nullptr)
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
  small_body_ = std::move(json_body);
  head_ = request_head(method.c_str(), target, "application/json", "", small_body_.size());
  if (stopped_) return finish(asio::error::operation_aborted, "start");
  connect_then([self = shared_from_this()] {
    std::array<asio::const_buffer, 2> buffers{asio::buffer(self->head_), asio::buffer(self->small_body_)};
    self->stream_.expires_after(self->timeout_);
    asio::async_write(self->stream_, buffers, [self](beast::error_code ec, std::size_t) {
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
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, body_buffer_.size()));
  source_.fill(part_.file_index, sent_, std::span(body_buffer_.data(), n));
  if (part_.digest) part_.digest->update(std::as_bytes(std::span(body_buffer_.data(), n)));
  // The head rides along with the first chunk: one write, one syscall.
  std::array<asio::const_buffer, 2> buffers{head_sent_ ? asio::const_buffer() : asio::buffer(head_),
                                            asio::buffer(body_buffer_.data(), n)};
  stream_.expires_after(timeout_);
  asio::async_write(stream_, buffers, [self = shared_from_this(), n](beast::error_code ec, std::size_t) {
    if (ec) return self->write_failed(ec);
    const auto now = Clock::now();
    self->progress_(n, self->last_write_, now);
    self->last_write_ = now;
    self->head_sent_ = true;
    self->sent_ += n;
    self->write_body_chunk();
  });
}

void PartConnection::write_body_sendfile() {
  if (!head_sent_) {
    stream_.expires_after(timeout_);
    asio::async_write(stream_, asio::buffer(head_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish(ec, "write");
      self->head_sent_ = true;
      self->stream_.socket().native_non_blocking(true);
      self->write_body_sendfile();
    });
    return;
  }
  // Push as much as the socket takes without blocking, then wait for room.
  while (sent_ < body_end_) {
    off_t offset = static_cast<off_t>(sent_);
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(body_end_ - sent_, kSendfileChunk));
    const auto n = ::sendfile(stream_.socket().native_handle(), source_.file_descriptor(), &offset, want);
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
        if (!ec) self->stream_.socket().cancel();  // no room for a whole timeout: give up the write
      });
      stream_.socket().async_wait(asio::socket_base::wait_write, [self = shared_from_this()](beast::error_code ec) {
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
  stream_.expires_after(timeout_);
  auto space = read_buffer_.prepare(4096);
  stream_.async_read_some(space, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    if (ec) return self->finish(ec, "read");
    self->answer_.first_byte = Clock::now();
    self->read_buffer_.commit(n);
    self->stream_.expires_after(self->timeout_);
    http::async_read(self->stream_, self->read_buffer_, *self->parser_,
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

void PartConnection::finish(beast::error_code ec, const char* during) {
  answer_.finished = Clock::now();
  if (answer_.first_byte == Clock::time_point{}) answer_.first_byte = answer_.finished;
  if (answer_.body_sent == Clock::time_point{}) answer_.body_sent = answer_.finished;
  const bool body_cut_short = static_cast<bool>(write_error_);
  if (ec && body_cut_short) {
    ec = write_error_;
    during = "write";
  }
  write_error_ = {};
  if (body_cut_short && !ec) close();  // answered, but the request stream is broken
  if (ec) {
    answer_.status = 0;
    answer_.aborted = stopped_;
    if (ec == beast::error::timeout)
      answer_.transport_error = std::string("timeout during ") + during;
    else
      answer_.transport_error = std::string(during) + ": " + ec.message();
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
  }
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(answer_));
}

void PartConnection::close() {
  watchdog_.cancel();
  if (stream_.socket().is_open()) {
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
  }
}

void PartConnection::abort() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->close();
  });
}

}  // namespace partcheck::bench
