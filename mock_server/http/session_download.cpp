// GET /pub/v1/disk/download/{token}: the stored bytes, whole or one
// `Range: bytes=a-b`, streamed from the ContentReader one buffer at a time.
#include <boost/asio/write.hpp>

#include "mock_server/http/cors.hpp"
#include "mock_server/http/session.hpp"

namespace partcheck::mock::http {
namespace {

using contract::ErrorCode;

struct ByteRange {
  enum Kind { Whole, Part, Unsatisfiable } kind = Whole;
  std::uint64_t start = 0, length = 0;
};

bool parse_number(std::string_view text, std::uint64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

// RFC 9110 single ranges (inclusive end): `bytes=a-b`, `bytes=a-`, `bytes=-n`.
// Anything else (several ranges, another unit, bad syntax) is ignored and
// the whole file is sent, as the RFC allows.
ByteRange parse_range(std::optional<std::string> header, std::uint64_t size) {
  ByteRange whole{ByteRange::Whole, 0, size};
  if (!header) return whole;
  std::string_view text = *header;
  if (!text.starts_with("bytes=") || text.find(',') != std::string_view::npos) return whole;
  text.remove_prefix(6);
  auto dash = text.find('-');
  if (dash == std::string_view::npos) return whole;
  auto first = text.substr(0, dash), last = text.substr(dash + 1);
  std::uint64_t a = 0, b = 0;
  if (first.empty()) {  // the last n bytes
    if (!parse_number(last, b)) return whole;
    if (b == 0) return {ByteRange::Unsatisfiable};
    b = std::min(b, size);
    return {ByteRange::Part, size - b, b};
  }
  if (!parse_number(first, a)) return whole;
  if (last.empty()) b = size == 0 ? 0 : size - 1;
  else if (!parse_number(last, b) || b < a) return whole;
  if (a >= size) return {ByteRange::Unsatisfiable};
  b = std::min(b, size - 1);
  return {ByteRange::Part, a, b - a + 1};
}

}  // namespace

void Session::start_download(const std::string& token) {
  auto opened = context_.store.open_download(token);
  if (auto* refusal = std::get_if<Refusal>(&opened)) return refuse_before_body(*refusal);
  auto download = std::move(std::get<Store::Download>(opened));
  if (!download.reader) return refuse_before_body(http_refusal(ErrorCode::ContentNotStored, "the file's bytes are not kept"));
  std::uint64_t size = download.reader->size();
  auto range = parse_range(header(bhttp::field::range), size);
  if (range.kind == ByteRange::Unsatisfiable) {
    Reply reply = error_reply(http_refusal(ErrorCode::InvalidRange, "the Range lies outside the file's " +
                                                                        std::to_string(size) + " bytes"),
                              context_.config.policy);
    if (reply.status == 400) reply.status = 416;
    reply.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
    return send(std::move(reply));
  }
  if (faults_.delay.count() > 0 && !delayed_) {  // the same fault as for small answers
    delayed_ = true;
    timer_.expires_after(faults_.delay);
    timer_.async_wait(guarded([token](Session& self, beast::error_code) { self.start_download(token); }));
    return;
  }
  download_reader_ = std::move(download.reader);
  download_offset_ = range.start;
  download_remaining_ = range.length;

  const auto& request = parser_->get();
  bool close = !keep_alive_ || !body_complete_ || context_.stopping;
  auto status = range.kind == ByteRange::Part ? bhttp::status::partial_content : bhttp::status::ok;
  download_head_.emplace(status, request.version() ? request.version() : 11);
  download_head_->set(bhttp::field::server, "partcheck-mock");
  download_head_->set(bhttp::field::content_type, "application/octet-stream");
  download_head_->set(bhttp::field::accept_ranges, "bytes");
  for (const auto& [name, value] : cors_fields(context_.config.cors_origins, header(bhttp::field::origin)))
    download_head_->set(name, value);
  if (range.kind == ByteRange::Part)
    download_head_->set(bhttp::field::content_range, "bytes " + std::to_string(range.start) + "-" +
                                                         std::to_string(range.start + range.length - 1) + "/" +
                                                         std::to_string(size));
  download_head_->content_length(range.length);
  download_head_->keep_alive(!close);
  download_serializer_.emplace(*download_head_);
  record_.status = static_cast<int>(status);
  record_.first_byte_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - header_time_).count();
  stream_.expires_after(context_.config.idle_timeout);
  answering_ = true;
  bhttp::async_write_header(stream_, *download_serializer_,
                            guarded([close](Session& self, beast::error_code ec, std::size_t) {
                              if (ec) return self.close_now();
                              self.keep_alive_ = !close;
                              self.write_download_chunk();
                            }));
}

void Session::write_download_chunk() {
  if (download_remaining_ == 0) {
    answering_ = false;
    download_reader_.reset();
    download_serializer_.reset();
    record_request();
    if (!keep_alive_) return close_gracefully();
    return read_header();
  }
  auto buffer = body_buffer();
  auto want = static_cast<std::size_t>(std::min<std::uint64_t>(download_remaining_, buffer.size()));
  std::size_t got = 0;
  try {
    got = download_reader_->read(download_offset_, buffer.first(want));
  } catch (const std::exception&) {
    got = 0;
  }
  if (got == 0) return reset_hard();  // the header promised bytes that are not there: cut, never short
  stream_.expires_after(context_.config.idle_timeout);
  asio::async_write(stream_, asio::buffer(buffer.data(), got), guarded([](Session& self, beast::error_code ec, std::size_t n) {
    if (ec) return self.close_now();
    self.download_offset_ += n;
    self.download_remaining_ -= n;
    self.record_.bytes_out += n;
    self.write_download_chunk();
  }));
}

}  // namespace partcheck::mock::http
