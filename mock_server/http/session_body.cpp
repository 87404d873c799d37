// Request bodies: a part streamed into storage, a small JSON body collected,
// or a refused body read and dropped (docs/contract.md, decisions 1-3).
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

#include "mock_server/http/api_handlers.hpp"
#include "mock_server/http/session.hpp"

namespace partcheck::mock::http {
namespace {

using contract::ErrorCode;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Thrown by the multipart sink to stop the body where it stands.
struct BodyStopped {};

}  // namespace

void Session::start_part(const Route& route) {
  auto content_type = header(bhttp::field::content_type);
  auto content_range = header(bhttp::field::content_range);
  PartHeaders headers;  // views into the two strings above
  if (content_type) headers.content_type = *content_type;
  if (content_range) headers.content_range = *content_range;
  headers.chunked = chunked_;
  if (!chunked_) headers.content_length = body_remaining_;
  std::optional<std::string> directory;
  if (route.endpoint == Endpoint::DirectoryUpload) directory = route.id;

  auto planned = plan_part(headers, target_, directory, context_.config);
  if (auto* refusal = std::get_if<Refusal>(&planned)) return refuse_before_body(*refusal);
  part_ = std::move(std::get<PartPlan>(planned));
  record_.part = true;
  if (!part_->name_from_multipart && !begin_upload(part_->target)) return;
  if (part_->format == BodyFormat::Multipart) multipart_ = std::make_unique<MultipartStream>(part_->boundary, static_cast<MultipartSink&>(*this));
  start_body(BodyUse::Part);
}

// Store::begin_part: the part-sequence policy, from the headers alone. False
// (and the refusal under way) when the part is refused.
bool Session::begin_upload(const PartTarget& target) {
  auto begun = context_.store.begin_part(part_->hash, part_->range, target);
  if (auto* refusal = std::get_if<Refusal>(&begun)) {
    refuse_before_body(*refusal);
    return false;
  }
  upload_ = std::move(std::get<std::unique_ptr<PartUpload>>(begun));
  return true;
}

void Session::start_body(BodyUse use) {
  body_use_ = use;
  if (has_body_ && expect_continue_) {
    stream_.expires_after(context_.config.idle_timeout);
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      guarded([](Session& self, beast::error_code ec, std::size_t) {
                        if (ec) return self.close_now();
                        self.read_body();
                      }));
    return;
  }
  read_body();
}

void Session::read_body() {
  if (!chunked_) {
    if (body_remaining_ == 0) return on_body_end();
    if (buffer_.size() > 0) {  // body bytes that came in with the header
      auto available = buffer_.data();
      auto take = static_cast<std::size_t>(std::min<std::uint64_t>(body_remaining_, available.size()));
      std::span<const std::byte> piece(static_cast<const std::byte*>(available.data()), take);
      buffer_.consume(take);  // moves a cursor only: `piece` stays valid
      body_remaining_ -= take;
      if (consume(piece)) pace(take);
      return;
    }
    auto buffer = body_buffer();
    auto want = static_cast<std::size_t>(std::min<std::uint64_t>(body_remaining_, read_window()));
    stream_.expires_after(context_.config.idle_timeout);
    arm_body_deadline();
    stream_.async_read_some(asio::buffer(buffer.data(), want),
                            guarded([](Session& self, beast::error_code ec, std::size_t bytes) {
                              self.on_body_read(ec, bytes);
                            }));
    return;
  }
  auto buffer = body_buffer();
  auto& body = parser_->get().body();
  body.data = buffer.data();
  body.size = read_window();
  stream_.expires_after(context_.config.idle_timeout);
  arm_body_deadline();
  bhttp::async_read(stream_, buffer_, *parser_,
                    guarded([](Session& self, beast::error_code ec, std::size_t) { self.on_chunked_read(ec); }));
}

void Session::on_body_read(beast::error_code ec, std::size_t bytes) {
  if (ec && deadline_passed_) return too_slow(body_rate_text());
  if (ec) return body_broken("the connection ended " + std::to_string(body_remaining_) + " bytes before the body's end");
  body_remaining_ -= bytes;
  if (consume({body_buffer_.get(), bytes})) pace(bytes);
}

void Session::on_chunked_read(beast::error_code ec) {
  if (ec == bhttp::error::need_buffer) ec = {};
  auto& body = parser_->get().body();
  std::size_t bytes = read_window() - body.size;
  if (ec && deadline_passed_) return too_slow(body_rate_text());
  if (ec) {
    if (ec == bhttp::error::partial_message || ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::ssl::error::stream_truncated)  // a TLS client gone without close_notify
      return body_broken("the connection ended inside the chunked body");
    // Broken chunk framing: the connection cannot be read any further.
    upload_.reset();
    auto refusal = ec == bhttp::error::buffer_overflow
                       ? http_refusal(ErrorCode::HeaderTooLarge, "a chunk header or the chunked trailer is larger than " +
                                                                     std::to_string(kReadBufferBytes) + " bytes")
                       : http_refusal(ErrorCode::InvalidRequest, "malformed chunked body: " + ec.message());
    auto reply = error_reply(refusal, context_.config.policy);
    reply.close = true;
    return send(std::move(reply));
  }
  if (!consume({body_buffer_.get(), bytes})) return;
  if (parser_->is_done()) return on_body_end();
  pace(bytes);
}

// The client went away or stalled mid-body: nothing of the part is kept, and
// nobody is left to answer.
void Session::body_broken(std::string_view why) {
  upload_.reset();
  record_.status = 0;
  record_.code = "IncompleteBody";
  record_request();
  if (!context_.config.quiet) log_note(why);
  close_now();
}

// Returns false when the body is not to be read any further (an answer or a
// reset is under way).
bool Session::consume(std::span<const std::byte> data) {
  auto before = record_.bytes_in;
  record_.bytes_in += data.size();
  bool reset = false;
  if (faults_.reset_after_body_bytes && record_.bytes_in >= *faults_.reset_after_body_bytes) {
    data = data.first(static_cast<std::size_t>(*faults_.reset_after_body_bytes - std::min(before, *faults_.reset_after_body_bytes)));
    record_.bytes_in = before + data.size();  // what was read before the cut, for the journal
    reset = true;
  }
  bool go = true;
  switch (body_use_) {
    case BodyUse::Part: go = consume_part(data); break;
    case BodyUse::Collect:
      if (small_body_.size() + data.size() > kSmallBodyLimit) {
        go = refuse_during_body(error_reply(
            http_refusal(ErrorCode::InvalidRequest, "the request body is larger than " +
                                                        std::to_string(kSmallBodyLimit) + " bytes"),
            context_.config.policy));
        break;
      }
      small_body_.append(reinterpret_cast<const char*>(data.data()), data.size());
      break;
    case BodyUse::Drop: break;
  }
  if (reset) {
    reset_hard();
    return false;
  }
  return go;
}

bool Session::consume_part(std::span<const std::byte> data) {
  try {
    if (multipart_) {
      if (!multipart_->feed(data)) {
        auto error = multipart_->error();
        return refuse_during_body(error_reply(
            http_refusal(ErrorCode::InvalidRequest, std::string(multipart_error_text(error))),
            context_.config.policy));
      }
    } else if (upload_) {
      upload_->write(data);
    }
  } catch (const BodyStopped&) {
    auto reply = std::move(*sink_refusal_);
    sink_refusal_.reset();
    return refuse_during_body(std::move(reply));
  } catch (...) {
    return refuse_during_body(failure_reply(std::current_exception(), context_.config));
  }
  return true;
}

void Session::on_file_begin(std::string_view, std::string_view file_name) {
  if (upload_ || !part_ || !part_->name_from_multipart) return;
  // Decision 9: a directory upload without `name=` takes the field's file name, else the hash.
  PartTarget target = part_->target;
  target.name = file_name.empty() ? part_->hash : std::string(file_name);
  if (auto refusal = check_file_name(*target.name)) {
    sink_refusal_ = error_reply(*refusal, context_.config.policy);
    throw BodyStopped{};
  }
  auto begun = context_.store.begin_part(part_->hash, part_->range, target);
  if (auto* refusal = std::get_if<Refusal>(&begun)) {
    sink_refusal_ = error_reply(*refusal, context_.config.policy);
    throw BodyStopped{};
  }
  upload_ = std::move(std::get<std::unique_ptr<PartUpload>>(begun));
}

void Session::on_file_data(std::span<const std::byte> data) {
  if (upload_) upload_->write(data);
}

// How much one read may take: the whole buffer, or a tenth of a second's
// worth under the slow-reader fault.
std::size_t Session::read_window() const {
  if (faults_.read_bytes_per_second == 0) return kBodyBufferBytes;
  return static_cast<std::size_t>(std::clamp<std::uint64_t>(faults_.read_bytes_per_second / 10, 1, kBodyBufferBytes));
}

// With the rate-limit fault, waits as long as `bytes` take at that rate.
void Session::pace(std::size_t bytes) {
  if (faults_.read_bytes_per_second == 0) return read_body();
  auto wait = std::chrono::microseconds(bytes * 1'000'000 / faults_.read_bytes_per_second);
  timer_.expires_after(wait);
  timer_.async_wait(guarded([](Session& self, beast::error_code ec) {
    if (ec) return self.close_now();
    self.read_body();
  }));
}

void Session::on_body_end() {
  body_complete_ = true;
  disarm_deadline();
  switch (body_use_) {
    case BodyUse::Drop: return send(std::move(pending_).value_or(internal_error_reply("nothing to answer")));
    case BodyUse::Collect: return send(small_body_reply());
    case BodyUse::Part: break;
  }
  if (multipart_ && !multipart_->finish()) {
    upload_.reset();
    auto error = multipart_->error();
    multipart_.reset();
    auto refusal = error == MultipartError::NoFileField
                       ? http_refusal(ErrorCode::UnsupportedContentType, std::string(multipart_error_text(error)), "CT-2")
                       : http_refusal(ErrorCode::InvalidRequest, std::string(multipart_error_text(error)));
    return send(error_reply(refusal, context_.config.policy));
  }
  multipart_.reset();
  finish_part();
}

// finish() may fsync: with disk storage it runs on the blocking pool, and the answer comes
// back to this session's strand. The upload (and its writer lock) is gone
// before the client can see the answer and send the next part.
void Session::finish_part() {
  if (!upload_) return send(internal_error_reply("the part has no upload"));
  if (context_.config.storage != StorageKind::Disk) {
    // Memory and null storage never wait on a disk: finishing here saves two
    // thread hand-offs per part (small uploads spent a fifth of their time
    // waking threads). An exception reaches the handler's guard as above.
    auto upload = std::move(upload_);
    const auto result = upload->finish();
    upload.reset();
    record_.completed_upload = result.complete && !result.refusal;
    return send(part_reply(result, part_->hash, part_->target.directory_id.has_value(), context_.config.policy));
  }
  auto finish = [self = shared_from_this(), upload = std::move(upload_)]() mutable {
    std::optional<PartResult> result;
    std::exception_ptr failure;
    try {
      result = upload->finish();
    } catch (...) {
      failure = std::current_exception();  // answered on the strand, as 500 and close
    }
    upload.reset();
    auto answer = self->guarded([result = std::move(result), failure](Session& session) {
      if (failure) std::rethrow_exception(failure);
      session.record_.completed_upload = result->complete && !result->refusal;
      session.send(part_reply(*result, session.part_->hash, session.part_->target.directory_id.has_value(),
                              session.context_.config.policy));
    });
    asio::post(self->stream_.get_executor(), std::move(answer));
  };
  // A pool thread has no last-resort handler: nothing may escape it.
  asio::post(context_.blocking, [finish = std::move(finish)]() mutable {
    try {
      finish();
    } catch (...) {
    }
  });
}

// Decision 2: answer without the body; keep the connection when the body
// is small enough to read and drop, else close it.
void Session::refuse_before_body(const Refusal& refusal, const std::string& allow) {
  Reply reply = error_reply(refusal, context_.config.policy);
  if (!allow.empty()) reply.headers.emplace_back("Allow", allow);
  if (!has_body_) return send(std::move(reply));
  if (expect_continue_ || chunked_ || body_remaining_ > kDropLimit) {
    reply.close = true;
    return send(std::move(reply));
  }
  pending_ = std::move(reply);
  body_use_ = BodyUse::Drop;
  read_body();
}

// A refusal found inside the body (multipart framing, a late store refusal,
// a storage error): drop what is left when that is little, else answer now
// and close. Returns whether to keep reading.
bool Session::refuse_during_body(Reply reply) {
  upload_.reset();
  multipart_.reset();
  if (!chunked_ && body_remaining_ <= kDropLimit) {
    pending_ = std::move(reply);
    body_use_ = BodyUse::Drop;
    return true;
  }
  reply.close = true;
  send(std::move(reply));
  return false;
}

}  // namespace partcheck::mock::http
