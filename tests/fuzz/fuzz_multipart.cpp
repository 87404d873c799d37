// Fuzz target: the streaming multipart/form-data reader of part uploads
// (mock_server/http/multipart_stream.hpp: MultipartStream, multipart_boundary).
//
// Input, as lines:
//   line 1   a Content-Type value; its boundary (multipart_boundary) is used,
//            or "XyZ123" when it has none
//   line 2   piece sizes, decimal, blank-separated ("3 1 70"): the body is
//            fed in pieces of these sizes, cycled (0 counts as 1); empty: 7
//   the rest the body
//
// Beyond "does not crash":
//  - multipart_boundary gives a non-empty boundary of at most 200 bytes
//    without CR or LF, or nothing;
//  - split invariance: fed whole, in the fuzzer's pieces, and one byte at a
//    time, the stream gives the same file field, file name, file bytes,
//    begin/end events, result and error;
//  - the sink sees on_file_begin at most once, data only between begin and
//    end, never an empty span, and never the delimiter CRLF--boundary in the
//    file bytes; finish() true means a file field that began and ended;
//  - bounded buffering: fed byte by byte, the bytes of the file field held
//    back are always fewer than a delimiter's length;
//  - round trip: the body's bytes, put as the file field in a well-formed
//    envelope with that boundary (when they do not hold the delimiter), come
//    back exactly, with the file name, and finish() is true.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mock_server/http/multipart_stream.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace partcheck::mock::http;
using partcheck::fuzz::check;

namespace {

std::span<const std::byte> bytes(std::string_view text) { return std::as_bytes(std::span(text.data(), text.size())); }

struct Sink : MultipartSink {
  std::string delimiter;
  int begins = 0, ends = 0;
  std::string field, file_name, content;
  // Byte-by-byte mode: body bytes fed so far, and where the file field began.
  std::size_t fed = 0, file_start = 0;

  void on_file_begin(std::string_view f, std::string_view name) override {
    check(begins == 0, "on_file_begin called twice");
    ++begins;
    field = f;
    file_name = name;
    file_start = fed;
  }
  void on_file_data(std::span<const std::byte> data) override {
    check(begins == 1 && ends == 0, "on_file_data outside the file field");
    check(!data.empty(), "on_file_data with no bytes");
    content.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  void on_file_end() override {
    check(begins == 1 && ends == 0, "on_file_end without a begin, or twice");
    ++ends;
  }
};

struct Outcome {
  bool fed = true;
  bool finished = false;
  MultipartError error = MultipartError::None;
  bool file_seen = false;
  bool done = false;
  Sink sink;
};

// Feeds `body` in pieces of `sizes` (cycled); empty sizes: whole.
Outcome run(std::string_view boundary, std::string_view body, const std::vector<std::size_t>& sizes,
            bool watch_buffering) {
  Outcome out;
  out.sink.delimiter = "\r\n--" + std::string(boundary);
  MultipartStream stream(boundary, out.sink);
  std::size_t at = 0, turn = 0;
  while (at < body.size() || (at == 0 && body.empty())) {
    const std::size_t want = sizes.empty() ? body.size() : std::max<std::size_t>(1, sizes[turn++ % sizes.size()]);
    const auto piece = body.substr(at, want);
    at += piece.size();
    out.sink.fed = at;  // what on_file_begin sees as the file's start, byte by byte
    const bool ok = stream.feed(bytes(piece));
    check(ok == (stream.error() == MultipartError::None), "feed()'s result disagrees with error()");
    out.fed = out.fed && ok;
    if (watch_buffering && out.sink.begins == 1 && out.sink.ends == 0) {
      const std::size_t held = at - out.sink.file_start - out.sink.content.size();
      check(held < out.sink.delimiter.size(), "the stream holds back more than a delimiter of file bytes",
            std::to_string(held) + " bytes held");
    }
    if (body.empty()) break;
  }
  out.finished = stream.finish();
  out.error = stream.error();
  out.file_seen = stream.file_seen();
  out.done = stream.done();
  return out;
}

void check_outcome(const Outcome& out) {
  const auto& sink = out.sink;
  check(out.finished == (out.error == MultipartError::None), "finish()'s result disagrees with error()");
  if (out.finished) {
    check(out.done && out.file_seen && sink.begins == 1 && sink.ends == 1,
          "finish() succeeded without a whole file field and the closing delimiter");
    check(sink.field == "file" || sink.field == "File", "the file field is neither `file` nor `File`", sink.field);
  }
  check(out.file_seen == (sink.begins == 1), "file_seen() disagrees with on_file_begin");
  check(sink.content.find(sink.delimiter) == std::string::npos, "the file bytes hold the delimiter");
}

void check_same(const Outcome& a, const Outcome& b, const char* how) {
  const std::string what = std::string("feeding ") + how + " changes ";
  check(a.fed == b.fed, what + "feed()'s result");
  check(a.finished == b.finished && a.error == b.error, what + "the result",
        std::string(multipart_error_text(a.error)) + " vs " + std::string(multipart_error_text(b.error)));
  check(a.file_seen == b.file_seen && a.done == b.done, what + "file_seen()/done()");
  check(a.sink.begins == b.sink.begins && a.sink.ends == b.sink.ends, what + "the begin/end events");
  check(a.sink.field == b.sink.field && a.sink.file_name == b.sink.file_name, what + "the field or file name");
  check(a.sink.content == b.sink.content, what + "the file bytes",
        std::to_string(a.sink.content.size()) + " vs " + std::to_string(b.sink.content.size()) + " bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto line = [&text] {
    const auto eol = text.find('\n');
    const auto out = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    return out;
  };
  const auto content_type = line();
  const auto split_line = line();
  const std::string_view body = text;

  const auto parsed = multipart_boundary(content_type);
  if (parsed)
    check(!parsed->empty() && parsed->size() <= 200 && parsed->find_first_of("\r\n") == std::string::npos,
          "multipart_boundary gave an empty, long or multi-line boundary", *parsed);
  const std::string boundary = parsed.value_or("XyZ123");

  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < split_line.size() && sizes.size() < 64;) {
    if (split_line[i] < '0' || split_line[i] > '9') {
      ++i;
      continue;
    }
    std::size_t n = 0;
    for (; i < split_line.size() && split_line[i] >= '0' && split_line[i] <= '9'; ++i) n = std::min<std::size_t>(n * 10 + static_cast<std::size_t>(split_line[i] - '0'), 1 << 20);
    sizes.push_back(n);
  }
  if (sizes.empty()) sizes.push_back(7);

  const Outcome whole = run(boundary, body, {}, false);
  check_outcome(whole);
  const Outcome pieces = run(boundary, body, sizes, false);
  check_outcome(pieces);
  check_same(whole, pieces, "in pieces");
  if (body.size() <= 8192) {
    const Outcome bytewise = run(boundary, body, {1}, true);
    check_outcome(bytewise);
    check_same(whole, bytewise, "byte by byte");
  }

  // The body as the content of a well-formed upload.
  const std::string delimiter = "\r\n--" + boundary;
  if (("\r\n" + std::string(body)).find(delimiter) == std::string::npos &&
      (std::string(body) + "\r\n").find(delimiter) == std::string::npos) {
    const std::string envelope = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi" +
                                 delimiter +
                                 "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".bin\"\r\n"
                                 "Content-Type: application/octet-stream\r\n\r\n" +
                                 std::string(body) + delimiter + "--\r\n";
    for (const auto& how : {std::vector<std::size_t>{}, sizes}) {
      const Outcome wrapped = run(boundary, envelope, how, false);
      check_outcome(wrapped);
      check(wrapped.finished, "a well-formed upload is refused", multipart_error_text(wrapped.error));
      check(wrapped.sink.field == "file" && wrapped.sink.file_name == "a \"b\".bin",
            "a well-formed upload loses its field or file name", wrapped.sink.file_name);
      check(wrapped.sink.content == body, "a well-formed upload does not give back its file bytes",
            std::to_string(wrapped.sink.content.size()) + " of " + std::to_string(body.size()) + " bytes");
    }
  }
  return 0;
}
