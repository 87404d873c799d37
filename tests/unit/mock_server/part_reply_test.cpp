// The answer to a part is written by hand (it is the API's most frequent):
// it must be the very bytes a JSON library writes for the same object.
#include "mock_server/http/api_handlers.hpp"

#include <gtest/gtest.h>

#include "mock_server/failure.hpp"

using namespace partcheck::mock;
using nlohmann::json;

namespace {

PartResult progress(std::uint64_t received, std::uint64_t total) {
  PartResult result;
  result.status = 206;
  result.received = received;
  result.total = total;
  return result;
}

}  // namespace

TEST(PartReply, ProgressIsTheJsonOfItsFields) {
  const std::string hash = "0b4c2a0e-8f43-4c4e-9b7e-0a1f3c5d7e91";
  auto reply = http::part_reply(progress(5242880, 12582912), hash, false, {});
  EXPECT_EQ(reply.status, 206);
  EXPECT_EQ(reply.content_type, "application/json");
  EXPECT_EQ(reply.body,
            dump_json(json{{"success", true}, {"hash", hash}, {"received", 5242880}, {"total", 12582912}}));
}

TEST(PartReply, CompletionIsTheJsonOfItsFields) {
  auto result = progress(1024, 1024);
  result.status = 200;
  result.complete = true;
  result.xxh3 = "9a4f2b1c0d3e5f60718293a4b5c6d7e8";
  const std::string hash = "0b4c2a0e-8f43-4c4e-9b7e-0a1f3c5d7e91";
  auto reply = http::part_reply(result, hash, false, {});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, dump_json(json{{"success", true}, {"hash", hash}, {"size", 1024}, {"xxh3", result.xxh3}}));
}

TEST(PartReply, AHashThatNeedsEscapingIsEscaped) {
  // Only with HASH-1 deviated does such a hash get this far; still valid JSON.
  const std::string hash = "a\"b\\c\x01\xc3\xa9";
  auto reply = http::part_reply(progress(0, 10), hash, false, {});
  EXPECT_EQ(reply.body, dump_json(json{{"success", true}, {"hash", hash}, {"received", 0}, {"total", 10}}));
  EXPECT_EQ(json::parse(reply.body)["hash"], hash);
}

TEST(PartReply, ARefusalIsAnErrorReply) {
  auto result = progress(0, 0);
  result.refusal = Refusal{};
  result.refusal->status = 416;
  result.refusal->code = partcheck::contract::ErrorCode::InvalidRange;
  result.refusal->message = "InvalidRange: no";
  auto reply = http::part_reply(result, "x", false, {});
  EXPECT_EQ(reply.status, 416);
  EXPECT_EQ(json::parse(reply.body)["success"], false);
}
