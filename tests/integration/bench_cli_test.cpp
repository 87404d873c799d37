// `partcheck bench` as users run it: the real binary, the embedded mock it
// starts itself, and external mocks started here on port 0.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/integration/support/process.hpp"

using partcheck::testing::CommandResult;
using partcheck::testing::kPartcheck;
using partcheck::testing::run_command;
using partcheck::testing::ServerProcess;
using partcheck::testing::TempDir;

namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

CommandResult bench(std::vector<std::string> args) {
  args.insert(args.begin(), {kPartcheck, "bench", "--quiet"});
  return run_command(args);
}

const std::vector<std::string> kSmallRun = {"--file-size", "64MiB", "--part-size", "16MiB", "--files", "4"};

std::vector<std::string> with(std::vector<std::string> base, const std::vector<std::string>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

}  // namespace

TEST(BenchCli, SmallRunAgainstTheEmbeddedMockWritesCompleteResults) {
  TempDir dir;
  const auto out = (dir.path() / "r.json").string();
  const auto junit = (dir.path() / "gates.xml").string();
  auto r = bench(with(kSmallRun, {"--verify", "digest", "--move", "--concurrency", "2", "--out", out, "--junit", junit,
                                  "--threshold", "errors==0", "--threshold", "throughput_MiBps>0"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("throughput"), std::string::npos) << r.out;

  auto j = read_json(out);
  EXPECT_EQ(j["schema"], "partcheck.bench/1");
  EXPECT_EQ(j["config"]["target_kind"], "embedded-null");
  EXPECT_EQ(j["config"]["file_size"], 64u << 20);
  EXPECT_EQ(j["totals"]["uploads"], 4);
  EXPECT_EQ(j["totals"]["parts"], 16);
  EXPECT_EQ(j["totals"]["bytes"], 256u << 20);
  EXPECT_GT(j["totals"]["throughput_bytes_per_s"].get<double>(), 0);
  EXPECT_TRUE(j["errors"].empty()) << j["errors"];
  EXPECT_EQ(j["verification"]["checked"], 4);
  EXPECT_EQ(j["verification"]["mismatches"], 0);
  for (const char* h : {"part", "ttfb", "upload", "move"}) {
    ASSERT_TRUE(j["histograms"].contains(h)) << h;
    EXPECT_EQ(j["histograms"][h]["counts"].size(), j["histograms"][h]["bins"].get<std::size_t>() + 2);
  }
  EXPECT_EQ(j["histograms"]["part"]["count"], 16);
  EXPECT_FALSE(j["segments"].empty());
  EXPECT_GT(j["resources"]["client"]["peak_rss_bytes"].get<double>(), 0);
  EXPECT_GT(j["resources"]["server"]["peak_rss_bytes"].get<double>(), 0);
  EXPECT_FALSE(j["environment"]["kernel"].get<std::string>().empty());
  ASSERT_EQ(j["gates"].size(), 2u);
  EXPECT_TRUE(j["gates"][0]["passed"]);

  std::ifstream xml(junit);
  std::string text((std::istreambuf_iterator<char>(xml)), {});
  EXPECT_NE(text.find("<testcase classname=\"bench.gates\" name=\"errors==0\">"), std::string::npos) << text;
  EXPECT_EQ(text.find("<failure"), std::string::npos) << text;
}

TEST(BenchCli, ABrokenThresholdExitsOneAndNamesTheGate) {
  auto r = bench(with(kSmallRun, {"--threshold", "throughput_MiBps>=99999999", "--threshold", "errors==0"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("gate broken: throughput_MiBps>=99999999"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("gate broken: errors==0"), std::string::npos) << r.err;
}

TEST(BenchCli, AnUnknownMetricBreaksItsGate) {
  auto r = bench(with(kSmallRun, {"--threshold", "no_such_metric<1"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("no_such_metric<1 (unknown"), std::string::npos) << r.err;
}

TEST(BenchCli, AnUnreachableTargetExitsThree) {
  // Start a mock to learn a free port, stop it, then aim at the closed port.
  std::string url;
  {
    ServerProcess server({"--listen", "127.0.0.1:0", "--storage", "null", "--quiet"});
    url = server.url();
    server.terminate();
  }
  auto r = bench(with(kSmallRun, {"--target", url, "--api-key", "k"}));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find(url), std::string::npos) << r.err;
}

TEST(BenchCli, BadFlagsExitTwoWithAReason) {
  auto unknown = bench({"--no-such-flag"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  auto size = bench({"--file-size", "12 parsecs"});
  EXPECT_EQ(size.exit_code, 2);
  EXPECT_NE(size.err.find("--file-size"), std::string::npos) << size.err;
  auto part = bench({"--file-size", "64MiB", "--part-size", "1MiB"});
  EXPECT_EQ(part.exit_code, 2);
  EXPECT_NE(part.err.find("5 MiB"), std::string::npos) << part.err;
  auto gate = bench({"--threshold", "throughput_MiBps~3"});
  EXPECT_EQ(gate.exit_code, 2);
  EXPECT_NE(gate.err.find("no comparison"), std::string::npos) << gate.err;
}

TEST(BenchCli, ExternalTargetWithOpenModelAndDownloadVerification) {
  ServerProcess server({"--listen", "127.0.0.1:0", "--storage", "memory", "--quiet"});
  TempDir dir;
  const auto config = (dir.path() / "target.yaml").string();
  std::ofstream(config) << "url: " << server.url() << "\napi_key: " << server.api_key()
                        << "\ndirectory_id: " << server.root_dir_id() << "\n";
  const auto out = (dir.path() / "r.json").string();
  auto r = bench({"--target-config", config, "--file-size", "12MiB", "--part-size", "5MiB", "--files", "6", "--rate",
                  "20/s", "--concurrency", "2", "--verify", "download", "--seed", "9", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = read_json(out);
  EXPECT_EQ(j["config"]["model"], "open");
  EXPECT_EQ(j["config"]["target_kind"], "external");
  EXPECT_EQ(j["totals"]["uploads"], 6);
  EXPECT_EQ(j["totals"]["parts"], 18);
  EXPECT_GE(j["verification"]["checked"].get<int>(), 1);
  EXPECT_EQ(j["verification"]["mismatches"], 0) << j["verification"];
  EXPECT_TRUE(j["histograms"].contains("upload_uncorrected"));
}

TEST(BenchCli, WrongApiKeyIsCountedAsErrors) {
  ServerProcess server({"--listen", "127.0.0.1:0", "--storage", "null", "--quiet"});
  TempDir dir;
  const auto out = (dir.path() / "r.json").string();
  auto r = bench({"--target", server.url(), "--api-key", "wrong", "--file-size", "6MiB", "--part-size", "5MiB",
                  "--files", "2", "--out", out, "--threshold", "errors==0"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto j = read_json(out);
  ASSERT_FALSE(j["errors"].empty());
  EXPECT_EQ(j["errors"][0]["status"], 403);
  EXPECT_EQ(j["errors"][0]["code"], "Unauthorized");
  EXPECT_EQ(j["totals"]["failed_uploads"], 2);
}

TEST(BenchCli, ASourceFileWithDigestVerificationGoesThroughTheBuffer) {
  // sendfile cannot hash what it sends, so --verify digest takes the buffer
  // path even for a --source file.
  TempDir dir;
  const auto source = (dir.path() / "source.bin").string();
  std::ofstream(source) << std::string(12u << 20, 'y');
  auto r = bench({"--source", source, "--file-size", "12MiB", "--part-size", "5MiB", "--files", "2", "--verify", "digest",
                  "--timeout", "20s", "--threshold", "errors==0"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("digest: 2 checked, 0 mismatches"), std::string::npos) << r.out;
}

// ---- shards, --out -, --start-at, --samples --------------------------------

#include <ctime>
#include <map>
#include <sstream>

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// "2026-12-01T06:00:00.250Z" (as ShardInfo writes it) in Unix seconds.
double unix_of(const std::string& iso) {
  std::tm tm{};
  int millis = 0;
  EXPECT_EQ(std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                        &tm.tm_min, &tm.tm_sec, &millis),
            7)
      << iso;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) + millis / 1000.0;
}

}  // namespace

TEST(BenchCli, AShardRecordsItsSliceAndTheWholeRunAsConfig) {
  TempDir dir;
  const auto out = (dir.path() / "r.json").string();
  auto r = bench({"--shard", "1/3", "--files", "5", "--concurrency", "3", "--file-size", "6MiB", "--part-size", "5MiB",
                  "--run-id", "nightly-7", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = read_json(out);
  EXPECT_EQ(j["config"]["files"], 5) << "config is the whole run";
  EXPECT_EQ(j["config"]["concurrency"], 3);
  const auto& s = j["shard"];
  EXPECT_EQ(s["index"], 1);
  EXPECT_EQ(s["count"], 3);
  EXPECT_EQ(s["run_id"], "nightly-7");
  EXPECT_EQ(s["files"], 2) << "files 1 and 4 of 0..4";
  EXPECT_EQ(s["concurrency"], 1);
  EXPECT_EQ(s["first_file_index"], 1);
  EXPECT_TRUE(s["start_at"].is_null());
  EXPECT_EQ(s["late_start_s"], 0.0);
  EXPECT_EQ(j["totals"]["uploads"], 2);
  EXPECT_EQ(j["totals"]["bytes"], 2u * (6u << 20));
  EXPECT_GT(j["window_start_unix_s"].get<double>(), 1.7e9);
}

TEST(BenchCli, ShardsMovingIntoOneDirectoryNameTheirFilesApart) {
  // File names carry the global index: the shards of one run never take each other's names.
  ServerProcess server({"--listen", "127.0.0.1:0", "--storage", "memory", "--quiet"});
  TempDir dir;
  std::uint64_t uploads = 0, checked = 0;
  for (const char* shard : {"0/2", "1/2"}) {
    const auto out = (dir.path() / "r.json").string();
    auto r = bench({"--target", server.url(), "--api-key", server.api_key(), "--directory-id", server.root_dir_id(),
                    "--shard", shard, "--files", "5", "--concurrency", "2", "--file-size", "6MiB", "--part-size",
                    "5MiB", "--verify", "download", "--seed", "4", "--out", out, "--threshold", "errors==0"});
    ASSERT_EQ(r.exit_code, 0) << shard << r.out << r.err;
    auto j = read_json(out);
    uploads += j["totals"]["uploads"].get<std::uint64_t>();
    checked += j["verification"]["checked"].get<std::uint64_t>();
    EXPECT_EQ(j["verification"]["mismatches"], 0) << "bodies are those of the global index: " << j["verification"];
  }
  EXPECT_EQ(uploads, 5u);
  EXPECT_GE(checked, 2u);
}

TEST(BenchCli, OutDashPrintsOneJsonLineAndTheSummaryOnStderr) {
  auto r = run_command(with({kPartcheck, "bench"}, with(kSmallRun, {"--out", "-"})));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["schema"], "partcheck.bench/1");
  EXPECT_EQ(j["totals"]["uploads"], 4);
  EXPECT_TRUE(j["shard"].is_null());
  EXPECT_NE(r.err.find("throughput"), std::string::npos) << r.err;
}

TEST(BenchCli, ShardsTakesTheIndexFromJobCompletionIndex) {
  auto r = run_command(with({"env", "JOB_COMPLETION_INDEX=2", kPartcheck, "bench", "--quiet"},
                            {"--shards", "3", "--files", "7", "--concurrency", "3", "--file-size", "6MiB",
                             "--part-size", "5MiB", "--out", "-"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["shard"]["index"], 2);
  EXPECT_EQ(j["shard"]["count"], 3);
  EXPECT_EQ(j["shard"]["files"], 2) << "files 2 and 5 of 0..6";
  EXPECT_EQ(j["totals"]["uploads"], 2);

  auto unset = run_command({"env", "-u", "JOB_COMPLETION_INDEX", kPartcheck, "bench", "--shards", "3"});
  EXPECT_EQ(unset.exit_code, 2) << unset.err;
  EXPECT_NE(unset.err.find("JOB_COMPLETION_INDEX"), std::string::npos) << unset.err;
  auto bad = run_command({"env", "JOB_COMPLETION_INDEX=3", kPartcheck, "bench", "--shards", "3"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("JOB_COMPLETION_INDEX '3'"), std::string::npos) << bad.err;
}

TEST(BenchCli, BadShardsAndStartTimesExitTwoWithAReason) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--shard", "4/4"}, "--shard 4/4"},
      {{"--shard", "x"}, "I/N"},
      {{"--shard", "0/0"}, "at least 1"},
      {{"--shard", "0/4", "--files", "3", "--concurrency", "4"}, "--files 3 split over 4 shards"},
      {{"--shard", "0/4", "--files", "8", "--concurrency", "2"}, "--concurrency 2 split over 4 shards"},
      {{"--shard", "0/2", "--shards", "2"}, "--shard"},
      {{"--shards", "0"}, "--shards"},
      {{"--start-at", "tomorrow"}, "--start-at 'tomorrow'"},
      {{"--start-at", "2026-12-01T06:00:00"}, "RFC 3339"},
      {{"--start-at", "+90000s"}, "24 h"},
      {{"--samples", "/nonexistent-dir/samples.txt"}, "--samples /nonexistent-dir/samples.txt"},
  };
  for (const auto& [args, message] : cases) {
    auto r = bench(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1] << ": " << r.out << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  }
}

TEST(BenchCli, StartAtWaitsForTheAgreedTime) {
  // An external mock is up already, so the bench reaches it well within the two seconds.
  ServerProcess server({"--listen", "127.0.0.1:0", "--storage", "null", "--quiet"});
  auto r = run_command(with({kPartcheck, "bench", "--target", server.url(), "--api-key", server.api_key()},
                            with(kSmallRun, {"--start-at", "+2s", "--out", "-"})));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("waiting until"), std::string::npos) << r.err;
  auto j = nlohmann::json::parse(r.out);
  const auto& s = j["shard"];
  ASSERT_TRUE(s.is_object()) << j;
  EXPECT_EQ(s["index"], 0);
  EXPECT_EQ(s["count"], 1);
  EXPECT_EQ(s["run_id"], "+2s") << "the --start-at text, without --run-id";
  EXPECT_EQ(s["late_start_s"], 0.0);
  ASSERT_TRUE(s["start_at"].is_string());
  // The window opens at the agreed time, not before (start_at is written to the millisecond, rounded down).
  EXPECT_GE(j["window_start_unix_s"].get<double>(), unix_of(s["start_at"]));
}

TEST(BenchCli, SamplesHoldEveryValueOfTheHistograms) {
  TempDir dir;
  const auto out = (dir.path() / "r.json").string();
  const auto samples = (dir.path() / "samples.txt").string();
  auto r = bench(with(kSmallRun, {"--move", "--concurrency", "2", "--out", out, "--samples", samples}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = read_json(out);
  std::map<std::string, std::uint64_t> lines;
  std::map<std::string, std::pair<double, double>> range;  // min, max per histogram
  std::uint64_t total = 0;
  for (const auto& line : lines_of(partcheck::testing::read_text_file(samples))) {
    std::istringstream in(line);
    std::string name, extra;
    double seconds = -1;
    ASSERT_TRUE(in >> name >> seconds) << line;
    EXPECT_FALSE(in >> extra) << line;
    auto [it, first] = range.try_emplace(name, seconds, seconds);
    it->second = {std::min(it->second.first, seconds), std::max(it->second.second, seconds)};
    ++lines[name];
    ++total;
  }
  std::uint64_t counted = 0;
  for (const auto& [name, h] : j["histograms"].items()) {
    EXPECT_EQ(lines[name], h["count"].get<std::uint64_t>()) << name;
    EXPECT_DOUBLE_EQ(range[name].first, h["min"].get<double>()) << name;
    EXPECT_DOUBLE_EQ(range[name].second, h["max"].get<double>()) << name;
    counted += h["count"].get<std::uint64_t>();
  }
  EXPECT_EQ(total, counted);
  EXPECT_EQ(lines["move"], 4u);
  EXPECT_EQ(lines.size(), j["histograms"].size());
}
