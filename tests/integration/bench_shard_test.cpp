// A sharded bench end to end, as a Kubernetes Indexed Job runs it but on
// loopback: four `partcheck bench --shard I/4` processes against one mock,
// started together, then `partcheck report merge`. The merge must be exact:
// totals are the sums of the shards, and the merged percentiles are those of
// one histogram fed every sample the shards recorded (--samples).
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench/latency_histogram.hpp"
#include "bench/results.hpp"
#include "tests/integration/support/process.hpp"

using partcheck::bench::LatencyHistogram;
using partcheck::testing::CommandResult;
using partcheck::testing::kPartcheck;
using partcheck::testing::run_command;
using partcheck::testing::ServerProcess;
using partcheck::testing::TempDir;

namespace {

constexpr unsigned kShards = 4;

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

CommandResult partcheck(std::vector<std::string> args) {
  args.insert(args.begin(), kPartcheck);
  return run_command(args);
}

// The four shards of one run, started at the same instant; their results in dir/shard-I.json
// and their samples in dir/samples-I.txt.
class ShardedRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServerProcess({"--storage", "null", "--quiet"});
    std::vector<std::future<CommandResult>> shards;
    for (unsigned i = 0; i < kShards; ++i)
      shards.push_back(std::async(std::launch::async, [i] {
        return partcheck({"bench", "--quiet", "--target", server_->url(), "--api-key", server_->api_key(),
                          "--shard", std::to_string(i) + "/" + std::to_string(kShards), "--files", "22",
                          "--concurrency", "4", "--file-size", "12MiB", "--part-size", "5MiB", "--start-at", "+2s",
                          "--run-id", "loopback-1", "--out", shard_path(i), "--samples", samples_path(i)});
      }));
    for (unsigned i = 0; i < kShards; ++i) results_.push_back(shards[i].get());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static std::string shard_path(unsigned i) { return (dir_->path() / ("shard-" + std::to_string(i) + ".json")).string(); }
  static std::string samples_path(unsigned i) {
    return (dir_->path() / ("samples-" + std::to_string(i) + ".txt")).string();
  }
  static std::string file(const std::string& name) { return (dir_->path() / name).string(); }
  static std::vector<std::string> all_shards() {
    std::vector<std::string> paths;
    for (unsigned i = 0; i < kShards; ++i) paths.push_back(shard_path(i));
    return paths;
  }
  static CommandResult merge(std::vector<std::string> inputs, const std::vector<std::string>& more) {
    inputs.insert(inputs.begin(), {"report", "merge"});
    inputs.insert(inputs.end(), more.begin(), more.end());
    return partcheck(inputs);
  }
  void SetUp() override {
    for (unsigned i = 0; i < kShards; ++i) ASSERT_EQ(results_[i].exit_code, 0) << "shard " << i << results_[i].err;
  }

  static inline TempDir* dir_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
  static inline std::vector<CommandResult> results_;
};

TEST_F(ShardedRun, EachShardRanItsSliceOfTheWholeRun) {
  std::uint64_t files = 0;
  unsigned concurrency = 0;
  for (unsigned i = 0; i < kShards; ++i) {
    auto j = read_json(shard_path(i));
    EXPECT_EQ(j["shard"]["index"], i);
    EXPECT_EQ(j["shard"]["count"], kShards);
    EXPECT_EQ(j["shard"]["run_id"], "loopback-1");
    EXPECT_EQ(j["config"]["files"], 22) << "config is the whole run in every shard";
    EXPECT_EQ(j["totals"]["uploads"], j["shard"]["files"]);
    EXPECT_EQ(j["shard"]["first_file_index"], i);
    EXPECT_GT(j["window_start_unix_s"].get<double>(), 1.7e9);
    files += j["shard"]["files"].get<std::uint64_t>();
    concurrency += j["shard"]["concurrency"].get<unsigned>();
  }
  EXPECT_EQ(files, 22u);
  EXPECT_EQ(concurrency, 4u);
}

TEST_F(ShardedRun, MergedTotalsAreTheSumsOfTheShards) {
  auto r = merge(all_shards(), {"--out", file("merged.json"), "--html", file("merged.html")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto merged = read_json(file("merged.json"));
  std::uint64_t bytes = 0, uploads = 0, parts = 0;
  for (unsigned i = 0; i < kShards; ++i) {
    auto j = read_json(shard_path(i));
    bytes += j["totals"]["bytes"].get<std::uint64_t>();
    uploads += j["totals"]["uploads"].get<std::uint64_t>();
    parts += j["totals"]["parts"].get<std::uint64_t>();
  }
  EXPECT_EQ(merged["totals"]["bytes"], bytes);
  EXPECT_EQ(merged["totals"]["uploads"], uploads);
  EXPECT_EQ(merged["totals"]["parts"], parts);
  EXPECT_EQ(uploads, 22u);
  EXPECT_EQ(bytes, 22ull * (12u << 20));
  EXPECT_EQ(parts, 22u * 3u);
  EXPECT_TRUE(merged["shard"].is_null());
  ASSERT_EQ(merged["shards"].size(), kShards);
  std::uint64_t segment_bytes = 0;
  for (const auto& s : merged["segments"]) segment_bytes += s["bytes"].get<std::uint64_t>();
  // Segments split a write across slices by time, in doubles: the sum is the total to a byte per slice.
  EXPECT_NEAR(static_cast<double>(segment_bytes), static_cast<double>(bytes), merged["segments"].size() + 1.0);
  const auto html = partcheck::testing::read_text_file(file("merged.html"));
  for (unsigned i = 0; i < kShards; ++i)
    EXPECT_NE(html.find("shard " + std::to_string(i)), std::string::npos) << "the page shows every shard";
}

TEST_F(ShardedRun, MergedPercentilesEqualOneHistogramOfAllSamples) {
  auto r = merge(all_shards(), {"--out", file("exact.json")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto merged = partcheck::bench::bench_result_from_json(read_json(file("exact.json")));
  std::map<std::string, LatencyHistogram> all;
  std::uint64_t lines = 0;
  for (unsigned i = 0; i < kShards; ++i) {
    std::ifstream in(samples_path(i));
    std::string name;
    double seconds = 0;
    while (in >> name >> seconds) {
      all[name].record(seconds);
      ++lines;
    }
  }
  ASSERT_GT(lines, 0u);
  ASSERT_TRUE(all.count("part"));
  for (const auto& [name, histogram] : all) {
    ASSERT_TRUE(merged.histograms.count(name)) << name;
    const auto expected = histogram.data();
    const auto& got = merged.histograms.at(name);
    EXPECT_EQ(got.counts, expected.counts) << name;
    EXPECT_EQ(got.count, expected.count) << name;
    for (double q : {0.5, 0.9, 0.99, 0.999}) EXPECT_DOUBLE_EQ(got.quantile(q), expected.quantile(q)) << name << " q" << q;
    EXPECT_DOUBLE_EQ(got.min, expected.min) << name;
    EXPECT_DOUBLE_EQ(got.max, expected.max) << name;
  }
}

TEST_F(ShardedRun, GatesAreJudgedOnTheMergedResult) {
  const auto junit = file("gates.xml");
  auto pass = merge(all_shards(), {"--out", file("g.json"), "--threshold", "uploads==22", "--threshold", "errors==0"});
  EXPECT_EQ(pass.exit_code, 0) << pass.out << pass.err;
  // Every shard has fewer than 22 uploads: only the merged value can meet this gate, and only it can break the next.
  auto broken = merge(all_shards(), {"--out", file("g2.json"), "--junit", junit, "--threshold", "uploads>=23"});
  EXPECT_EQ(broken.exit_code, 1) << broken.out << broken.err;
  auto j = read_json(file("g2.json"));
  ASSERT_EQ(j["gates"].size(), 1u);
  EXPECT_EQ(j["gates"][0]["actual"], 22.0);
  EXPECT_FALSE(j["gates"][0]["passed"].get<bool>());
  EXPECT_NE(partcheck::testing::read_text_file(junit).find("<failure"), std::string::npos);
}

TEST_F(ShardedRun, InputsThatAreNotShardsOfOneRunAreRefused) {
  auto shards = all_shards();
  auto missing = merge({shards[0], shards[1], shards[3]}, {"--out", file("m.json")});
  EXPECT_EQ(missing.exit_code, 2) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("2"), std::string::npos) << "names the missing index: " << missing.err;

  auto duplicate = merge({shards[0], shards[1], shards[2], shards[3], shards[2]}, {"--out", file("d.json")});
  EXPECT_EQ(duplicate.exit_code, 2) << duplicate.err;

  auto other = read_json(shards[1]);
  other["config"]["file_size"] = 1;
  const auto altered = file("altered.json");
  std::ofstream(altered) << other.dump();
  auto mismatch = merge({shards[0], altered, shards[2], shards[3]}, {"--out", file("c.json")});
  EXPECT_EQ(mismatch.exit_code, 2) << mismatch.err;
  EXPECT_NE(mismatch.err.find("altered.json"), std::string::npos) << mismatch.err;

  auto forced = merge({shards[0], shards[1], shards[3]}, {"--out", file("f.json"), "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
}

TEST_F(ShardedRun, MergeReadsResultsOutOfLogs) {
  // As `kubectl logs` hands them over: each shard's JSON line among other output.
  std::ostringstream log;
  for (unsigned i = 0; i < kShards; ++i)
    log << "shard " << i << " starting\n" << read_json(shard_path(i)).dump() << "\nsome other line\n";
  const auto logs = file("shards.log");
  std::ofstream(logs) << log.str();
  auto r = merge({logs}, {"--from-logs", "--out", file("from-logs.json")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(read_json(file("from-logs.json"))["totals"]["uploads"], 22);
}

}  // namespace
