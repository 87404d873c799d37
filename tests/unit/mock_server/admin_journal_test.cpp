#include "mock_server/admin/journal.hpp"

#include <regex>

#include <gtest/gtest.h>

#include "common/iso_time.hpp"

using namespace partcheck::mock;

namespace {

RequestRecord request(std::string target, int status = 206) {
  RequestRecord record;
  record.started = std::chrono::system_clock::now();
  record.remote = "127.0.0.1:40000";
  record.method = "POST";
  record.target = std::move(target);
  record.status = status;
  return record;
}

std::vector<std::string> targets(const nlohmann::json& journal) {
  std::vector<std::string> out;
  for (const auto& entry : journal["entries"]) out.push_back(entry["target"]);
  return out;
}

}  // namespace

TEST(Journal, KeepsTheNewestEntriesOldestFirst) {
  Journal journal(3);
  for (int i = 1; i <= 5; ++i) journal.record(request("/r" + std::to_string(i)));
  const auto all = journal.to_json(100);
  EXPECT_EQ(targets(all), (std::vector<std::string>{"/r3", "/r4", "/r5"}));
  EXPECT_EQ(all["entries"][0]["seq"], 3);
  EXPECT_EQ(all["entries"][2]["seq"], 5);
  EXPECT_EQ(all["capacity"], 3);
  EXPECT_EQ(all["recorded"], 5);
  EXPECT_EQ(all["dropped"], 2);

  EXPECT_EQ(targets(journal.to_json(2)), (std::vector<std::string>{"/r4", "/r5"}));
  EXPECT_TRUE(journal.to_json(0)["entries"].empty());
}

TEST(Journal, ClearStartsTheSequenceAgain) {
  Journal journal(10);
  journal.record(request("/a"));
  journal.record(request("/b"));
  journal.clear();
  EXPECT_TRUE(journal.to_json(10)["entries"].empty());
  journal.record(request("/c"));
  const auto after = journal.to_json(10);
  ASSERT_EQ(after["entries"].size(), 1u);
  EXPECT_EQ(after["entries"][0]["seq"], 1);
  EXPECT_EQ(after["recorded"], 1);
}

TEST(Journal, ZeroCapacityKeepsNothingButCounts) {
  Journal journal(0);
  journal.record(request("/a"));
  const auto json = journal.to_json(10);
  EXPECT_TRUE(json["entries"].empty());
  EXPECT_EQ(json["recorded"], 1);
}

TEST(Journal, EntryCarriesEveryField) {
  Journal journal(4);
  auto record = request("/pub/v1/disk/file/upload?hash=h", 400);
  record.started = std::chrono::sys_days{std::chrono::year{2026} / 1 / 31} + std::chrono::hours(12) +
                   std::chrono::milliseconds(250);
  record.code = "EntityTooSmall";
  record.bytes_in = 1024;
  record.bytes_out = 77;
  record.duration_ms = 3.5;
  record.first_byte_ms = 3.25;
  record.part = true;
  record.fault_ids = {"f2"};
  record.headers = {{"Content-Range", "bytes 0-1024/9999999"}, {"Accept", "a"}, {"Accept", "b"}};
  journal.record(record);
  const auto entry = journal.to_json(1)["entries"][0];
  EXPECT_EQ(entry["time"], "2026-01-31T12:00:00.250Z");
  EXPECT_EQ(entry["remote"], "127.0.0.1:40000");
  EXPECT_EQ(entry["method"], "POST");
  EXPECT_EQ(entry["target"], "/pub/v1/disk/file/upload?hash=h");
  EXPECT_EQ(entry["status"], 400);
  EXPECT_EQ(entry["code"], "EntityTooSmall");
  EXPECT_EQ(entry["bytes_in"], 1024);
  EXPECT_EQ(entry["bytes_out"], 77);
  EXPECT_DOUBLE_EQ(entry["duration_ms"].get<double>(), 3.5);
  EXPECT_DOUBLE_EQ(entry["first_byte_ms"].get<double>(), 3.25);
  EXPECT_EQ(entry["part"], true);
  EXPECT_EQ(entry["faults"], nlohmann::json::array({"f2"}));
  EXPECT_EQ(entry["headers"]["Content-Range"], "bytes 0-1024/9999999");
  EXPECT_EQ(entry["headers"]["Accept"], "a, b") << "repeated headers are joined";
}

TEST(Journal, SecretsNeverReachTheJournal) {
  Journal journal(4);
  auto record = request("/x");
  record.headers = {{"Authorization", "Bearer s3cret-key"},
                    {"x-token", "s3cret-key"},
                    {"X-ADMIN-KEY", "adm1n"},
                    {"Authorization", "Bearer <redacted>"},
                    {"X-Request-Id", "visible"}};
  journal.record(record);
  const auto entry = journal.to_json(1)["entries"][0];
  const auto text = entry.dump();
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  EXPECT_EQ(text.find("adm1n"), std::string::npos) << text;
  EXPECT_EQ(entry["headers"]["Authorization"], "Bearer <redacted>, Bearer <redacted>")
      << "the scheme stays visible, already redacted values stay as they are";
  EXPECT_EQ(entry["headers"]["x-token"], "<redacted>");
  EXPECT_EQ(entry["headers"]["X-Request-Id"], "visible");
}

TEST(Journal, KeepsOnlyTheSchemeOfAnAuthorizationValue) {
  EXPECT_EQ(kept_header_value("authorization", "Bearer k"), "Bearer <redacted>");
  EXPECT_EQ(kept_header_value("Proxy-Authorization", "Basic dXNlcg=="), "Basic <redacted>");
  EXPECT_EQ(kept_header_value("X-Token", "two words"), "<redacted>") << "X-Token has no scheme to keep";
  EXPECT_EQ(kept_header_value("X-Request-Id", "a b"), "a b");
}

TEST(Journal, BytesThatAreNotUtf8AreKeptEscaped) {
  Journal journal(2);
  auto record = request("/pub/v1/\xff?x=\xfe");
  record.headers = {{"X-Odd", "caf\xe9"}};
  journal.record(record);
  const auto entry = journal.to_json(1)["entries"][0];
  EXPECT_NO_THROW(static_cast<void>(entry.dump())) << "strict JSON text: a later GET journal must not fail";
  EXPECT_EQ(entry["target"], "/pub/v1/\\xff?x=\\xfe");
  EXPECT_EQ(entry["headers"]["X-Odd"], "caf\\xe9");
}

TEST(IsoTime, FormatsUtcWithMilliseconds) {
  using namespace std::chrono;
  EXPECT_EQ(partcheck::iso8601_utc(sys_days{year{1999} / 12 / 31} + hours(23) + minutes(59) + seconds(59) + milliseconds(999)),
            "1999-12-31T23:59:59.999Z");
  EXPECT_EQ(partcheck::iso8601_utc(sys_days{year{2028} / 2 / 29}), "2028-02-29T00:00:00.000Z");
  const std::regex shape(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  EXPECT_TRUE(std::regex_match(partcheck::iso8601_utc(system_clock::now()), shape));
}
