#include <gtest/gtest.h>

#include "bench/latency_histogram.hpp"
#include "bench/results.hpp"

using namespace partcheck::bench;

namespace {

BenchResult sample_result() {
  BenchResult r;
  r.config.target = "http://127.0.0.1:4242";
  r.config.target_kind = "embedded-null";
  r.config.file_size = 64ull << 20;
  r.config.part_size = 16ull << 20;
  r.config.files = 4;
  r.config.concurrency = 2;
  r.config.rate_per_s = 3.5;
  r.config.verify = "digest";
  r.config.seed = 99;
  r.environment = {"partcheck 0.1.0", "2026-01-01T00:00:00Z", "host", "Linux 6.1", "Some CPU", 2};
  r.totals.bytes = 256ull << 20;
  r.totals.uploads = 4;
  r.totals.parts = 16;
  r.totals.retries = 1;
  r.totals.late_starts = 2;
  r.totals.measured_s = 0.5;
  r.totals.throughput_bytes_per_s = 512.0 * 1024 * 1024;
  r.segments = {{0, 1, 1000, 2}, {1, 0.5, 300, 1}};
  LatencyHistogram h;
  for (double v : {0.01, 0.02, 0.03, 1.5}) h.record(v);
  r.histograms["part"] = h.data();
  r.errors = {{503, "ServiceUnavailable", 1}, {0, "connection reset", 2}};
  r.client = {1.25, 0.5, 30u << 20};
  r.server = ProcessUsage{0.5, 0.25, 20u << 20};
  r.calibration = Calibration{{{"tcp-loopback", 2e9, "2 connections"}, {"xxh3", 9e9, ""}}, "tcp-loopback", 2e9, 0.27};
  r.verification = {"digest", 4, 1, {"upload 3: xxh3 differs"}};
  r.gates = {{"errors==0", "errors", 3.0, false}, {"nope>1", "nope", std::nullopt, false}};
  return r;
}

}  // namespace

TEST(BenchResults, JsonRoundTripKeepsEveryField) {
  auto original = sample_result();
  auto json = to_json(original);
  EXPECT_EQ(json["schema"], kResultsSchema);
  EXPECT_EQ(json["config"]["model"], "open");
  EXPECT_EQ(json["histograms"]["part"]["counts"].size(), LatencyHistogram::kBins + 2);
  auto back = bench_result_from_json(nlohmann::json::parse(json.dump()));
  EXPECT_EQ(to_json(back), json);
  EXPECT_EQ(back.config.files, original.config.files);
  EXPECT_FALSE(back.config.duration_s.has_value());
  EXPECT_EQ(back.histograms.at("part").counts, original.histograms.at("part").counts);
  EXPECT_EQ(back.gates[1].actual, std::nullopt);
  ASSERT_TRUE(back.server.has_value());
  EXPECT_EQ(back.server->peak_rss_bytes, 20u << 20);
}

TEST(BenchResults, MetricsExposeGateNames) {
  auto m = sample_result().metrics();
  EXPECT_DOUBLE_EQ(m.at("throughput_MiBps"), 512.0);
  EXPECT_DOUBLE_EQ(m.at("errors"), 3.0);
  EXPECT_DOUBLE_EQ(m.at("retries"), 1.0);
  EXPECT_DOUBLE_EQ(m.at("late_starts"), 2.0);
  EXPECT_DOUBLE_EQ(m.at("efficiency"), 0.27);
  EXPECT_DOUBLE_EQ(m.at("max_part_s"), 1.5);
  EXPECT_TRUE(m.count("p50_part_s"));
  EXPECT_TRUE(m.count("p999_part_s"));
  EXPECT_FALSE(m.count("p99_upload_s"));  // not measured in this sample
}

TEST(BenchResults, ReadingNamesTheBadField) {
  auto json = to_json(sample_result());
  json["totals"].erase("bytes");
  try {
    bench_result_from_json(json);
    FAIL() << "a missing field was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("totals.bytes"), std::string::npos) << e.what();
  }
  json = to_json(sample_result());
  json["schema"] = "something.else/1";
  EXPECT_THROW(bench_result_from_json(json), std::runtime_error);
  json = to_json(sample_result());
  json["config"]["concurrency"] = "eight";
  EXPECT_THROW(bench_result_from_json(json), std::runtime_error);
}

TEST(BenchResults, ShardFieldsRoundTrip) {
  auto shard = sample_result();
  shard.window_start_unix_s = 1'780'000'000.25;
  shard.shard = ShardInfo{1, 4, "nightly-7", 3, 2, 0.875, 1, "2026-12-01T06:00:00.000Z", 0.012};
  auto back = bench_result_from_json(nlohmann::json::parse(to_json(shard).dump()));
  EXPECT_EQ(to_json(back), to_json(shard));
  ASSERT_TRUE(back.shard.has_value());
  EXPECT_EQ(back.shard->index, 1u);
  EXPECT_EQ(back.shard->files, 3u);
  EXPECT_DOUBLE_EQ(back.window_start_unix_s, 1'780'000'000.25);
  EXPECT_TRUE(back.shards.empty());

  auto merged = sample_result();
  ShardRow row;
  row.index = 2;
  row.hostname = "worker-2";
  row.late_start_s = 0.4;
  row.totals.bytes = 99;
  row.client = {1, 2, 3};
  row.p99_part_s = 0.5;
  merged.shards = {row};
  back = bench_result_from_json(nlohmann::json::parse(to_json(merged).dump()));
  EXPECT_EQ(to_json(back), to_json(merged));
  ASSERT_EQ(back.shards.size(), 1u);
  EXPECT_EQ(back.shards[0].totals.bytes, 99u);

  auto bad = to_json(shard);
  bad["shard"]["index"] = 4;  // not below count
  EXPECT_THROW(bench_result_from_json(bad), std::runtime_error);
  auto old = to_json(sample_result());
  old.erase("shard");
  old.erase("window_start_unix_s");  // files written before shards existed still read
  EXPECT_NO_THROW(bench_result_from_json(old));
}
