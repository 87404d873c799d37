#include "common/iso_time.hpp"
#include "bench/shard_plan.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace partcheck::bench;
using namespace std::chrono;

namespace {

// The message of the std::invalid_argument `f` throws; "" when it throws none.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

const SystemTime kNow = sys_days{year{2026} / 12 / 1} + hours(6);

}  // namespace

TEST(ShardSpec, ParsesIndexSlashCount) {
  EXPECT_EQ(parse_shard("0/4").index, 0u);
  EXPECT_EQ(parse_shard("0/4").count, 4u);
  EXPECT_EQ(parse_shard("3/4").index, 3u);
  EXPECT_EQ(parse_shard("0/1").count, 1u);
  EXPECT_EQ(parse_shard("41/100").index, 41u);
}

TEST(ShardSpec, RefusesWhatIsNotAShardOfN) {
  for (const char* bad : {"", "4", "/4", "1/", "a/4", "1/b", "1/4/2", "-1/4", "+1/4", "1 /4", "1/4 ", "1.0/4",
                          "99999999999/99999999999"}) {
    const auto message = error_of([&] { parse_shard(bad); });
    EXPECT_NE(message.find("--shard"), std::string::npos) << bad << ": " << message;
    EXPECT_NE(message.find("I/N"), std::string::npos) << bad << ": " << message;
  }
  EXPECT_NE(error_of([] { parse_shard("0/0"); }).find("at least 1"), std::string::npos);
  const auto over = error_of([] { parse_shard("4/4"); });
  EXPECT_NE(over.find("--shard 4/4"), std::string::npos) << over;
  EXPECT_NE(over.find("0-based"), std::string::npos) << over;
  EXPECT_NE(over.find("3/4"), std::string::npos) << over;
}

TEST(ShardSpec, TakesTheIndexFromTheJobCompletionIndex) {
  EXPECT_EQ(shard_from_job_index(4, "2").index, 2u);
  EXPECT_EQ(shard_from_job_index(4, "2").count, 4u);
  EXPECT_EQ(shard_from_job_index(1, "0").index, 0u);
  const auto missing = error_of([] { shard_from_job_index(4, nullptr); });
  EXPECT_NE(missing.find("JOB_COMPLETION_INDEX"), std::string::npos) << missing;
  EXPECT_NE(missing.find("not set"), std::string::npos) << missing;
  EXPECT_NE(missing.find("--shard I/4"), std::string::npos) << missing;
  for (const char* bad : {"4", "", "x", "-1", "1.5"}) {
    const auto message = error_of([&] { shard_from_job_index(4, bad); });
    EXPECT_NE(message.find("JOB_COMPLETION_INDEX '" + std::string(bad) + "'"), std::string::npos) << message;
  }
  EXPECT_NE(error_of([] { shard_from_job_index(0, "0"); }).find("--shards"), std::string::npos);
}

TEST(ShardPlan, TheUnshardedRunIsTheWholeRun) {
  const auto plan = plan_shard({16, 4, 20.0, 9}, {});
  EXPECT_EQ(plan.files, 16u);
  EXPECT_EQ(plan.concurrency, 4u);
  EXPECT_EQ(plan.rate_per_s, 20.0);
  EXPECT_EQ(plan.schedule_seed, 9u);  // the schedule of an unsharded run stays what it was
  EXPECT_EQ(plan.file_index(0), 0u);
  EXPECT_EQ(plan.file_index(15), 15u);
}

TEST(ShardPlan, SharesAddUpToTheTotalsAndFilesAreDisjointAndCovering) {
  for (unsigned n = 1; n <= 9; ++n)
    for (std::uint64_t files = n; files <= 40; files += 3)
      for (unsigned concurrency = n; concurrency <= 3 * n + 2; ++concurrency)
        for (double rate : {0.5, 20.0, 1000.0}) {
          std::uint64_t file_sum = 0;
          unsigned concurrency_sum = 0;
          double rate_sum = 0;
          std::set<std::uint64_t> seen;
          for (unsigned i = 0; i < n; ++i) {
            const auto plan = plan_shard({files, concurrency, rate, 1}, {i, n});
            ASSERT_TRUE(plan.files);
            EXPECT_GE(*plan.files, 1u);
            EXPECT_GE(plan.concurrency, 1u);
            // Even splits: shares differ by at most one, the earlier shards taking the remainder.
            EXPECT_LE(*plan.files - files / n, 1u);
            EXPECT_LE(plan.concurrency - concurrency / n, 1u);
            file_sum += *plan.files;
            concurrency_sum += plan.concurrency;
            rate_sum += *plan.rate_per_s;
            EXPECT_EQ(plan.file_index(0), i);
            for (std::uint64_t k = 0; k < *plan.files; ++k) {
              const auto global = plan.file_index(k);
              EXPECT_LT(global, files);
              EXPECT_EQ(global % n, i);
              EXPECT_TRUE(seen.insert(global).second) << "file " << global << " in two shards";
            }
          }
          EXPECT_EQ(file_sum, files) << n << " shards";
          EXPECT_EQ(seen.size(), files);
          EXPECT_EQ(concurrency_sum, concurrency);
          EXPECT_NEAR(rate_sum, rate, rate * 1e-12);
        }
}

TEST(ShardPlan, ADurationRunHasNoFileCountAndShardsStillInterleave) {
  const auto plan = plan_shard({std::nullopt, 8, std::nullopt, 1}, {2, 3});
  EXPECT_FALSE(plan.files);
  EXPECT_FALSE(plan.rate_per_s);
  EXPECT_EQ(plan.concurrency, 2u);  // 8 = 3 + 3 + 2
  EXPECT_EQ(plan.file_index(0), 2u);
  EXPECT_EQ(plan.file_index(1), 5u);
  EXPECT_EQ(plan.file_index(1000), 3002u);
}

TEST(ShardPlan, ImpossibleSplitsNameTheNumbers) {
  const auto files = error_of([] { plan_shard({3, 8, std::nullopt, 1}, {0, 4}); });
  EXPECT_NE(files.find("--files 3 split over 4 shards"), std::string::npos) << files;
  EXPECT_NE(files.find("shard 3 without a file"), std::string::npos) << files;
  EXPECT_NE(files.find("at least 4"), std::string::npos) << files;
  // Every shard of the split refuses, not only the ones left empty.
  EXPECT_EQ(error_of([] { plan_shard({3, 8, std::nullopt, 1}, {3, 4}); }), files);
  const auto lanes = error_of([] { plan_shard({100, 2, 5.0, 1}, {0, 6}); });
  EXPECT_NE(lanes.find("--concurrency 2 split over 6 shards"), std::string::npos) << lanes;
  EXPECT_NE(lanes.find("shards 2..5"), std::string::npos) << lanes;
  EXPECT_NE(error_of([] { plan_shard({4, 4, std::nullopt, 1}, {4, 4}); }).find("does not exist"), std::string::npos);
}

TEST(ShardPlan, ShardsSeedTheirSchedulesApart) {
  std::set<std::uint64_t> seeds;
  for (unsigned i = 0; i < 64; ++i) seeds.insert(shard_schedule_seed(7, {i, 64}));
  EXPECT_EQ(seeds.size(), 64u);
  EXPECT_EQ(shard_schedule_seed(7, {3, 8}), shard_schedule_seed(7, {3, 8}));  // reproducible
  EXPECT_NE(shard_schedule_seed(7, {3, 8}), shard_schedule_seed(8, {3, 8}));
  EXPECT_EQ(plan_shard({8, 8, 4.0, 7}, {3, 8}).schedule_seed, shard_schedule_seed(7, {3, 8}));
}

TEST(StartAt, ParsesRfc3339InUtcAndWithOffsets) {
  const SystemTime six = sys_days{year{2026} / 12 / 1} + hours(6);
  EXPECT_EQ(parse_start_at("2026-12-01T06:00:00Z", kNow), six);
  EXPECT_EQ(parse_start_at("2026-12-01t06:00:00z", kNow), six);
  EXPECT_EQ(parse_start_at("2026-12-01 06:00:00Z", kNow), six);
  EXPECT_EQ(parse_start_at("2026-12-01T07:30:00+01:30", kNow), six);
  EXPECT_EQ(parse_start_at("2026-11-30T22:00:00-08:00", kNow), six);
  EXPECT_EQ(parse_start_at("2026-12-01T06:00:00.25Z", kNow), six + milliseconds(250));
  EXPECT_EQ(parse_start_at("2026-12-01T06:00:00.123456789Z", kNow), six + nanoseconds(123456789));
  EXPECT_EQ(parse_start_at("2026-12-01T06:00:00.1234567891234Z", kNow), six + nanoseconds(123456789));
  EXPECT_EQ(parse_start_at("2026-12-02T05:59:59Z", kNow), six + hours(24) - seconds(1));
}

TEST(StartAt, ParsesSecondsFromNow) {
  EXPECT_EQ(parse_start_at("+30s", kNow), kNow + seconds(30));
  EXPECT_EQ(parse_start_at("+30", kNow), kNow + seconds(30));
  EXPECT_EQ(parse_start_at("+0", kNow), kNow);
  EXPECT_EQ(parse_start_at("+1.5s", kNow), kNow + milliseconds(1500));
  EXPECT_EQ(parse_start_at("+86400s", kNow), kNow + hours(24));
}

TEST(StartAt, RefusesMalformedTextNamingTheFlag) {
  for (const char* bad : {"", "now", "+", "+s", "+-3s", "+3m", "+3 s", "++3", "+nan", "2026-12-01", "2026-12-01T06:00Z",
                          "2026-12-01T06:00:00", "2026-12-01T06:00:00.Z", "2026-12-01T06:00:00Zjunk",
                          "2026-13-01T06:00:00Z", "2026-02-30T06:00:00Z", "2026-12-01T24:00:00Z",
                          "2026-12-01T06:60:00Z", "2026-12-01T06:00:60Z", "2026-12-01T06:00:00+24:00",
                          "2026-12-01T06:00:00+0100", "26-12-01T06:00:00Z", "2026/12/01T06:00:00Z"}) {
    const auto message = error_of([&] { parse_start_at(bad, kNow); });
    EXPECT_NE(message.find("--start-at '" + std::string(bad) + "'"), std::string::npos) << bad << ": " << message;
    EXPECT_NE(message.find("RFC 3339"), std::string::npos) << message;
  }
}

TEST(StartAt, RefusesTimesMoreThanADayAway) {
  const auto ahead = error_of([] { parse_start_at("2026-12-02T06:00:01Z", kNow); });
  EXPECT_NE(ahead.find("--start-at 2026-12-02T06:00:01Z"), std::string::npos) << ahead;
  EXPECT_NE(ahead.find("24 h"), std::string::npos) << ahead;
  EXPECT_NE(ahead.find("2026-12-01T06:00:00.000Z"), std::string::npos) << ahead;  // this machine's clock
  EXPECT_NE(error_of([] { parse_start_at("2026-11-30T05:59:59Z", kNow); }).find("before"), std::string::npos);
  EXPECT_NE(error_of([] { parse_start_at("+86401s", kNow); }).find("24 h"), std::string::npos);
  EXPECT_NE(error_of([] { parse_start_at("+1e30", kNow); }).find("24 h"), std::string::npos);
  // A time a little in the past is accepted: the shard starts at once and records how late it is.
  EXPECT_EQ(parse_start_at("2026-12-01T05:59:00Z", kNow), kNow - minutes(1));
}

TEST(StartAt, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(partcheck::iso8601_utc(kNow + milliseconds(250)), "2026-12-01T06:00:00.250Z");
  EXPECT_EQ(partcheck::iso8601_utc(sys_days{year{2028} / 2 / 29} + hours(23) + minutes(59) + seconds(59) + microseconds(999999)),
            "2028-02-29T23:59:59.999Z");
  EXPECT_DOUBLE_EQ(unix_seconds(SystemTime{} + milliseconds(1500)), 1.5);
  EXPECT_EQ(parse_start_at(partcheck::iso8601_utc(kNow + milliseconds(7)), kNow), kNow + milliseconds(7));
}
