#include "mock_server/admin/stats.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

using namespace partcheck::mock;

namespace {

RequestRecord finished(int status, std::string code = {}, bool part = false, bool completed = false) {
  RequestRecord record;
  record.status = status;
  record.code = std::move(code);
  record.part = part;
  record.completed_upload = completed;
  record.bytes_in = 100;
  record.bytes_out = 10;
  return record;
}

}  // namespace

TEST(Stats, CountsRequestsBytesPartsAndErrors) {
  Stats stats;
  stats.record(finished(206, {}, true));
  stats.record(finished(200, {}, true, true));
  stats.record(finished(400, "EntityTooSmall", true));
  stats.record(finished(400, "EntityTooSmall", true));
  stats.record(finished(403, "Unauthorized"));
  stats.record(finished(200));
  const auto json = stats.to_json();
  EXPECT_EQ(json["requests"], 6);
  EXPECT_EQ(json["bytes_in"], 600);
  EXPECT_EQ(json["bytes_out"], 60);
  EXPECT_EQ(json["parts"], 2) << "refused parts are not parts";
  EXPECT_EQ(json["uploads_completed"], 1);
  EXPECT_EQ(json["by_status"]["200"], 2);
  EXPECT_EQ(json["by_status"]["206"], 1);
  EXPECT_EQ(json["by_status"]["400"], 2);
  EXPECT_EQ(json["by_status"]["403"], 1);
  EXPECT_EQ(json["errors_by_code"]["EntityTooSmall"], 2);
  EXPECT_EQ(json["errors_by_code"]["Unauthorized"], 1);
  EXPECT_EQ(json["errors_by_code"].size(), 2u);
}

TEST(Stats, ClearZeroesCountersButNotUptime) {
  Stats stats;
  stats.record(finished(500, "X"));
  const auto before = stats.uptime();
  stats.clear();
  const auto json = stats.to_json();
  EXPECT_EQ(json["requests"], 0);
  EXPECT_EQ(json["bytes_in"], 0);
  EXPECT_TRUE(json["by_status"].empty());
  EXPECT_TRUE(json["errors_by_code"].empty());
  EXPECT_GE(stats.uptime(), before);
}

TEST(Stats, ConcurrentRecordsAreAllCounted) {
  Stats stats;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) stats.record(finished(206, {}, true));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(stats.to_json()["parts"], 4000);
  EXPECT_EQ(stats.to_json()["by_status"]["206"], 4000);
}
