// The suite's measured power, through the real CLI: no FAIL against the mock
// in any profile, and at least one FAIL naming the rule for every mock
// deviation switch. Also: targets started by hand, bad scenario files,
// unreachable targets.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/support/process.hpp"
#include "tests/integration/support/run_results.hpp"

using namespace partcheck::testing;

namespace {

std::vector<std::string> deviation_switches() {
  auto listed = run_command({kPartcheck, "serve", "--list-deviations"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  std::vector<std::string> rules;
  std::istringstream lines(listed.out);
  std::string line;
  while (std::getline(lines, line)) {
    auto id = line.substr(0, line.find_first_of(" \t"));
    if (!id.empty() && id.find('-') != std::string::npos && std::isupper(static_cast<unsigned char>(id[0])))
      rules.push_back(id);
  }
  return rules;
}

}  // namespace

TEST(RunnerMatrix, NoFailAgainstTheMockInAnyProfile) {
  for (const std::string profile : {"strict", "s3", "lenient"}) {
    TempDir reports;
    auto r = run_command({kPartcheck, "run", (kSourceDir / "scenarios").string(), "--mock-profile", profile,
                          "--seed", "11", "--report-dir", reports.str()});
    EXPECT_EQ(r.exit_code, 0) << profile << "\n" << r.out << r.err;
    auto results = latest_results(reports);
    EXPECT_TRUE(failing_rules(results).empty()) << profile;
    EXPECT_GT(results["scenarios"].size(), 90u);
  }
}

TEST(RunnerMatrix, EveryDeviationIsCaughtByAFailNamingItsRule) {
  auto switches = deviation_switches();
  ASSERT_GE(switches.size(), 20u);
  std::vector<std::string> missed;
  for (const auto& rule : switches) {
    TempDir reports;
    auto r = run_command({kPartcheck, "run", (kSourceDir / "scenarios").string(), "--strict", "--mock-deviate", rule,
                          "--seed", "5", "--report-dir", reports.str()});
    EXPECT_EQ(r.exit_code, 1) << rule << "\n" << r.err;
    if (!failing_rules(latest_results(reports)).contains(rule)) missed.push_back(rule);
  }
  const auto caught = switches.size() - missed.size();
  std::cout << "kill rate: " << caught << "/" << switches.size() << " deviation switches caught\n";
  EXPECT_TRUE(missed.empty()) << "not caught: " << testing::PrintToString(missed);
}

TEST(RunnerMatrix, HandStartedTargetSkipsWhatItCannotDo) {
  ServerProcess server({"--storage", "memory"});
  TempDir dir;
  const auto config = dir.path() / "target.yaml";
  // The probe finds the mock's clock; the config switches it off, as it may any probed value.
  std::ofstream(config) << "name: hand-started mock\nurl: " << server.url() << "\napi_key_env: TEST_PARTCHECK_KEY\n"
                        << "directories: {writable: " << server.root_dir_id() << "}\ncapabilities: {clock: false}\n";
  setenv("TEST_PARTCHECK_KEY", server.api_key().c_str(), 1);
  auto r = run_command({kPartcheck, "run", (kSourceDir / "scenarios").string(), "--target-config", config.string(),
                        "--rules", "TTL", "MOVE-5", "MOVE-1", "--report-dir", dir.str()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("switched off by the target config"), std::string::npos) << r.out;
  auto results = latest_results(dir);
  int skipped = 0, passed = 0;
  for (const auto& sc : results["scenarios"]) {
    if (sc["verdict"] == "SKIPPED") {
      ++skipped;
      EXPECT_FALSE(sc["reason"].get<std::string>().empty());
    }
    if (sc["verdict"] == "PASS") ++passed;
  }
  EXPECT_GE(skipped, 4);  // TTL needs the clock, MOVE-5 a read-only directory
  EXPECT_GE(passed, 3);   // MOVE-1 runs
  EXPECT_EQ(results["target"]["name"], "hand-started mock");
  bool clock_row = false;
  for (const auto& c : results["capabilities"]) clock_row = clock_row || (c["name"] == "clock" && c["present"] == false);
  EXPECT_TRUE(clock_row) << results["capabilities"].dump();
}

TEST(RunnerMatrix, BadScenarioFileIsExit2WithFileAndLine) {
  TempDir dir;
  const auto file = dir.path() / "broken.yaml";
  std::ofstream(file) << "id: x\nrules: [PART-1]\nsteps:\n  - upload: {start: 0, end: 5QiB}\n";
  auto r = run_command({kPartcheck, "run", file.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("broken.yaml:4: scenario.steps[0].upload.end:"), std::string::npos) << r.err;
}

TEST(RunnerMatrix, UnreachableTargetIsExit3) {
  // A port that was just free: bind nothing to it.
  ServerProcess server({"--storage", "memory"});
  const auto url = server.url();
  server.terminate();
  TempDir dir;
  auto r = run_command({kPartcheck, "run", (kSourceDir / "scenarios" / "hash.yaml").string(), "--target", url,
                        "--api-key", "k", "--report-dir", dir.str()});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("unreachable"), std::string::npos);
}

TEST(RunnerMatrix, TargetWithoutAKeyIsExit2) {
  ServerProcess server({"--storage", "memory"});
  unsetenv("PARTCHECK_API_KEY");
  auto r = run_command({kPartcheck, "run", "--target", server.url()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--api-key"), std::string::npos) << r.err;
}

TEST(RunnerMatrix, BaselineTurnsKnownFailuresIntoExit0) {
  TempDir dir;
  const auto suite = (kSourceDir / "scenarios" / "range.yaml").string();
  auto first = run_command({kPartcheck, "run", suite, "--mock-deviate", "RANGE-2", "--report-dir", dir.str()});
  ASSERT_EQ(first.exit_code, 1);
  const auto baseline = (dir.path() / "latest" / "results.json").string();
  auto again = run_command({kPartcheck, "run", suite, "--mock-deviate", "RANGE-2", "--baseline", baseline,
                            "--report-dir", dir.str()});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("0 new"), std::string::npos);
}

TEST(RunnerMatrix, ListShowsEveryRuleAndItsScenarios) {
  auto r = run_command({kPartcheck, "run", (kSourceDir / "scenarios").string(), "--list"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("ORDER-3  MUST"), std::string::npos);
  EXPECT_NE(r.out.find(" 0 uncovered"), std::string::npos) << r.out;
}

TEST(RunnerMatrix, FuzzAgainstADeviatedMockFindsAndSavesADifference) {
  TempDir dir;
  auto r = run_command({kPartcheck, "run", (kSourceDir / "scenarios" / "hash.yaml").string(), "--mock-deviate",
                        "ORDER-3", "--fuzz", "40", "--seed", "2", "--report-dir", dir.str()});
  EXPECT_NE(r.out.find("fuzz: 40 sequences"), std::string::npos) << r.out << r.err;
  // The embedded target is deviated, the oracle is not: gaps make them differ.
  bool replay = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "latest"))
    replay = replay || entry.path().filename().string().rfind("fuzz-", 0) == 0;
  EXPECT_TRUE(replay) << r.out;
  // The saved replay is a loadable scenario.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "latest"))
    if (entry.path().filename().string().rfind("fuzz-", 0) == 0) {
      auto replayed = run_command({kPartcheck, "run", entry.path().string(), "--report-dir", dir.str()});
      EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
      break;
    }
}
