// Reading answers whose shape the reference leaves open: listings and moves.
#include <gtest/gtest.h>

#include "runner/target_api.hpp"

using namespace partcheck::runner;

TEST(TargetApi, AListingShowsANameAsAnyEntryValue) {
  const std::string body = R"({"result":{"result":[{"__id":"i1","name":"a (1).pdf"},{"id":"i2","title":"b"}],"total":2}})";
  EXPECT_EQ(listing_shows(body, "a (1).pdf"), Listed::Yes);
  EXPECT_EQ(listing_shows(body, "b"), Listed::Yes);
  EXPECT_EQ(listing_shows(body, "a"), Listed::No);  // whole values, not substrings
  EXPECT_EQ(id_in_listing(body, "a (1).pdf"), "i1");
  EXPECT_EQ(id_in_listing(body, "b"), "i2");
  EXPECT_EQ(id_in_listing(body, "c"), std::nullopt);
}

TEST(TargetApi, ACutListingProvesNoAbsence) {
  const std::string page = R"({"result":{"result":[{"name":"a"}],"total":5}})";
  EXPECT_EQ(listing_shows(page, "a"), Listed::Yes);
  EXPECT_EQ(listing_shows(page, "z"), Listed::Unknown);
  EXPECT_EQ(listing_shows("<html>", "a"), Listed::Unknown);
}

TEST(TargetApi, UuidValuesComeWithTheirPaths) {
  auto doc = nlohmann::json::parse(R"({"files":[{"__id":"0b7e6c1a-1d2e-4f3a-9b8c-7d6e5f4a3b2c","name":"x"}],"n":"not-a-uuid"})");
  auto found = uuid_values(doc);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].first, "files.0.__id");
}

TEST(TargetApi, TheMovedFileIdFollowsTheProbedPath) {
  Target t;
  t.api.move_id_path = "result.${i}.__id";
  const std::string body = R"({"result":[{"__id":"f0"},{"__id":"f1"}]})";
  EXPECT_EQ(id_from_move(t, body, 1), "f1");
  EXPECT_EQ(id_from_move(t, body, 2), std::nullopt);
  t.api.move_id_path.clear();
  EXPECT_EQ(id_from_move(t, body, 0), std::nullopt);
}

TEST(TargetApi, ListRequestsUseTheProbedBodyAndAuth) {
  Target t;
  t.api_key = "key";
  t.api.default_auth = "x-token";
  t.api.list_body = R"({"id":"${dir}","limit":10000})";
  auto req = list_request(t, "D");
  EXPECT_EQ(req.target, "/pub/v1/disk/directory/list");
  std::string body(req.body_size, '\0');
  req.body(0, std::span<char>(body.data(), body.size()));
  EXPECT_EQ(body, R"({"id":"D","limit":10000})");
  EXPECT_EQ(req.headers.back(), (std::pair<std::string, std::string>{"X-Token", "key"}));
}
