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
