#pragma once
// An incremental multipart/form-data reader (RFC 7578 / RFC 2046) for part
// uploads: it is fed the request body in arbitrary pieces and hands the bytes
// of the file field (`file` or `File`) to a sink as they arrive, without ever
// holding more than one delimiter's worth of them. Other fields, the preamble
// and the epilogue are skipped. Pure: no I/O.
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace partcheck::mock::http {

// Receives the file field. on_file_data spans point into the fed buffer (or a
// small internal one) and are valid only during the call.
class MultipartSink {
 public:
  virtual ~MultipartSink() = default;
  virtual void on_file_begin(std::string_view field_name, std::string_view file_name) = 0;
  virtual void on_file_data(std::span<const std::byte> data) = 0;
  virtual void on_file_end() = 0;
};

enum class MultipartError {
  None,
  NoFileField,     // the body ended properly but had no `file`/`File` field
  BrokenBoundary,  // a delimiter followed by something other than `--` or CRLF
  BadPartHeaders,  // a part's headers too long or without their blank line
  Truncated,       // the body ended before the closing delimiter
};
std::string_view multipart_error_text(MultipartError error);

// The `boundary` parameter of a `multipart/form-data; boundary=...` content
// type (quoted or not), or nullopt when it is missing or empty.
std::optional<std::string> multipart_boundary(std::string_view content_type);

class MultipartStream {
 public:
  static constexpr std::size_t kMaxPartHeaderBytes = 16 * 1024;

  MultipartStream(std::string_view boundary, MultipartSink& sink);
  MultipartStream(const MultipartStream&) = delete;  // the searcher points into delimiter_
  MultipartStream& operator=(const MultipartStream&) = delete;

  // Feeds the next piece of the body. Returns false once the stream is broken
  // (see error()); bytes after the closing delimiter are ignored.
  bool feed(std::span<const std::byte> data);
  // The body has ended: checks that the closing delimiter and a file field were seen.
  bool finish();

  MultipartError error() const { return error_; }
  bool file_seen() const { return file_seen_; }
  bool done() const { return state_ == State::Epilogue; }

 private:
  enum class State { Preamble, AfterDelimiter, PartHeaders, FileData, SkipData, Epilogue, Failed };

  // Scans `data` for the delimiter in a body state; returns bytes consumed.
  std::size_t scan_body(std::span<const std::byte> data);
  std::size_t read_after_delimiter(std::span<const std::byte> data);
  std::size_t read_part_headers(std::span<const std::byte> data);
  void emit(std::span<const std::byte> data);
  void delimiter_found();
  bool fail(MultipartError error);
  std::size_t broken(MultipartError error);
  void start_part(std::string_view headers);

  std::string delimiter_;  // "\r\n--" + boundary
  // Boyer-Moore-Horspool: skips about a delimiter's length per probe.
  std::boyer_moore_horspool_searcher<std::string::const_iterator> searcher_;
  MultipartSink& sink_;
  State state_ = State::Preamble;
  std::string carry_;  // a delimiter prefix seen at the end of the last piece
  std::string line_;   // bytes after a delimiter, then the part's headers
  bool file_seen_ = false;
  MultipartError error_ = MultipartError::None;
};

}  // namespace partcheck::mock::http
