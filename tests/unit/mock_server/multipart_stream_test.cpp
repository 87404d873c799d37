#include "mock_server/http/multipart_stream.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace partcheck::mock::http {
namespace {

struct RecordingSink : MultipartSink {
  int begins = 0, ends = 0;
  std::string field, file_name, content;
  void on_file_begin(std::string_view f, std::string_view name) override {
    ++begins;
    field = f;
    file_name = name;
  }
  void on_file_data(std::span<const std::byte> data) override {
    EXPECT_EQ(begins, 1);
    EXPECT_EQ(ends, 0);
    content.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  void on_file_end() override { ++ends; }
};

std::span<const std::byte> bytes(std::string_view text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

struct Outcome {
  bool ok = false;
  MultipartError error = MultipartError::None;
  RecordingSink sink;
};

// Feeds `body` in pieces cut at `cuts` (ascending offsets), then finishes.
Outcome parse(std::string_view body, const std::vector<std::size_t>& cuts, std::string_view boundary = "XyZ123") {
  Outcome out;
  MultipartStream stream(boundary, out.sink);
  std::size_t at = 0;
  bool fed = true;
  for (std::size_t cut : cuts) {
    fed = fed && stream.feed(bytes(body.substr(at, cut - at)));
    at = cut;
  }
  fed = fed && stream.feed(bytes(body.substr(at)));
  out.ok = fed && stream.finish();
  out.error = stream.error();
  return out;
}

// The file content deliberately holds near-delimiters: CRs, CRLF--, and the
// boundary without its leading line end.
const std::string kContent = "line one\r\nline two\r\n--XyZ12\r\n-\r\r\n--XyZ\r--XyZ123 not at a line start\r";

const std::string kBody =
    "preamble that is ignored\r\n"
    "--XyZ123\r\n"
    "Content-Disposition: form-data; name=\"comment\"\r\n"
    "\r\n"
    "a text field\r\n--XyZ12 almost\r\n"
    "--XyZ123  \r\n"
    "content-disposition: form-data; name=\"file\"; filename=\"report \\\"q\\\".pdf\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n" +
    kContent +
    "\r\n--XyZ123\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"second.bin\"\r\n"
    "\r\n"
    "a second file field is ignored\r\n"
    "--XyZ123--\r\n"
    "epilogue, also ignored";

void expect_good(const Outcome& out, const std::string& where) {
  ASSERT_TRUE(out.ok) << where << ": " << multipart_error_text(out.error);
  EXPECT_EQ(out.sink.begins, 1) << where;
  EXPECT_EQ(out.sink.ends, 1) << where;
  EXPECT_EQ(out.sink.field, "file") << where;
  EXPECT_EQ(out.sink.file_name, "report \"q\".pdf") << where;
  EXPECT_EQ(out.sink.content, kContent) << where;
}

TEST(MultipartStream, WholeBodyInOnePiece) { expect_good(parse(kBody, {}), "one piece"); }

TEST(MultipartStream, EverySplitIntoTwoPieces) {
  for (std::size_t cut = 0; cut <= kBody.size(); ++cut) expect_good(parse(kBody, {cut}), "cut at " + std::to_string(cut));
}

TEST(MultipartStream, EverySplitIntoThreePieces) {
  for (std::size_t a = 0; a <= kBody.size(); a += 3)
    for (std::size_t b = a; b <= kBody.size(); ++b)
      expect_good(parse(kBody, {a, b}), "cuts at " + std::to_string(a) + "," + std::to_string(b));
}

TEST(MultipartStream, OneByteAtATime) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < kBody.size(); ++i) cuts.push_back(i);
  expect_good(parse(kBody, cuts), "byte by byte");
}

TEST(MultipartStream, BodyMayStartWithTheDelimiterOrALineEnd) {
  std::string body = "--b\r\nContent-Disposition: form-data; name=\"File\"\r\n\r\nxyz\r\n--b--";
  for (std::string prefix : {"", "\r\n"}) {
    auto out = parse(prefix + body, {}, "b");
    ASSERT_TRUE(out.ok) << multipart_error_text(out.error);
    EXPECT_EQ(out.sink.field, "File");
    EXPECT_EQ(out.sink.content, "xyz");
  }
}

TEST(MultipartStream, EmptyFileField) {
  std::string body = "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\r\n--b--\r\n";
  for (std::size_t cut = 0; cut <= body.size(); ++cut) {
    auto out = parse(body, {cut}, "b");
    ASSERT_TRUE(out.ok) << cut;
    EXPECT_EQ(out.sink.content, "");
    EXPECT_EQ(out.sink.ends, 1);
  }
}

TEST(MultipartStream, PartWithoutHeadersIsSkipped) {
  std::string body = "--b\r\n\r\nanonymous\r\n--b\r\nContent-Disposition: form-data; name=file\r\n\r\nok\r\n--b--";
  auto out = parse(body, {}, "b");
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(out.sink.content, "ok");
}

TEST(MultipartStream, NoFileField) {
  std::string body = "--b\r\nContent-Disposition: form-data; name=\"data\"; filename=\"x\"\r\n\r\nxyz\r\n--b--\r\n";
  for (std::size_t cut = 0; cut <= body.size(); ++cut) {
    auto out = parse(body, {cut}, "b");
    EXPECT_FALSE(out.ok);
    EXPECT_EQ(out.error, MultipartError::NoFileField);
    EXPECT_EQ(out.sink.begins, 0);
  }
}

TEST(MultipartStream, BrokenBoundary) {
  for (std::string after : {"garbage\r\n", "-x\r\n", " x\r\n", "\n"}) {
    std::string body = "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nxyz\r\n--b" + after + "rest\r\n--b--";
    for (std::size_t cut = 0; cut <= body.size(); ++cut) {
      auto out = parse(body, {cut}, "b");
      EXPECT_FALSE(out.ok) << after << " cut " << cut;
      EXPECT_EQ(out.error, MultipartError::BrokenBoundary) << after << " cut " << cut;
    }
  }
}

TEST(MultipartStream, Truncated) {
  std::string body = "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nxyz\r\n--b--";
  for (std::size_t length = 0; length + 2 < body.size(); ++length) {
    auto out = parse(body.substr(0, length), {length / 2}, "b");
    EXPECT_FALSE(out.ok) << length;
    EXPECT_EQ(out.error, MultipartError::Truncated) << length;
    EXPECT_EQ(out.sink.ends, 0) << length;
  }
}

TEST(MultipartStream, EndlessPartHeaders) {
  std::string body = "--b\r\nContent-Disposition: form-data; name=\"file\"\r\nX: " +
                     std::string(MultipartStream::kMaxPartHeaderBytes, 'a');
  auto out = parse(body, {100}, "b");
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.error, MultipartError::BadPartHeaders);
}

TEST(MultipartStream, LargeBinaryContentPassesThroughUnchanged) {
  std::string content;
  for (int i = 0; i < 300000; ++i) content += static_cast<char>((i * 131 + i / 7) % 256);
  content += "\r\n--bound";  // a delimiter prefix right before the real one
  std::string body = "--boundary\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n" + content +
                     "\r\n--boundary--\r\n";
  for (std::size_t piece : {1000, 4096, 65536, 65537}) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = piece; at < body.size(); at += piece) cuts.push_back(at);
    auto out = parse(body, cuts, "boundary");
    ASSERT_TRUE(out.ok) << piece;
    EXPECT_EQ(out.sink.content, content) << piece;
  }
}

TEST(MultipartBoundary, FromContentType) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(multipart_boundary("multipart/form-data;boundary=\"a b;c\"; charset=x"), "a b;c");
  EXPECT_EQ(multipart_boundary("multipart/form-data; charset=utf-8; BOUNDARY=----x"), "----x");
  EXPECT_EQ(multipart_boundary("multipart/form-data"), std::nullopt);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary="), std::nullopt);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"\""), std::nullopt);
}

}  // namespace
}  // namespace partcheck::mock::http
