// The suite against a server that is not ours: tests/targets/reference_server.py,
// written from the reference page alone. Correct, it must pass with nothing
// but --target and --api-key (directory discovered, no FAIL); with each
// planted MUST-level bug, the suite must FAIL a scenario of the broken rule.
// This guards the principle that every FAIL stands on the reference.
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/support/process.hpp"
#include "tests/integration/support/run_results.hpp"

using namespace partcheck::testing;

namespace {

const std::string kKey = "third-party-key";

std::unique_ptr<ServerProcess> start_target(const std::vector<std::string>& bugs = {}) {
  std::vector<std::string> argv{"python3", (kSourceDir / "tests" / "targets" / "reference_server.py").string(),
                                "--listen", "127.0.0.1:0", "--api-key", kKey};
  for (const auto& bug : bugs) argv.insert(argv.end(), {"--bug", bug});
  return std::make_unique<ServerProcess>(argv, ServerProcess::OtherServer{});
}

CommandResult run_suite(const ServerProcess& target, const TempDir& reports) {
  return run_command({kPartcheck, "run", (kSourceDir / "scenarios").string(), "--target", target.url(), "--api-key",
                      kKey, "--report-dir", reports.str()});
}

}  // namespace

TEST(ThirdPartyTarget, CorrectServerPassesWithOnlyTargetAndKey) {
  auto target = start_target();
  TempDir reports;
  auto r = run_suite(*target, reports);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("writable-directory  yes"), std::string::npos) << r.out;  // the table, directory found
  auto results = latest_results(reports);
  EXPECT_TRUE(failing_rules(results).empty()) << results["totals"].dump();
  int passed = 0;
  for (const auto& sc : results["scenarios"]) passed += sc["verdict"] == "PASS";
  EXPECT_GE(passed, 70) << results["totals"].dump();  // most of the suite really ran
  EXPECT_FALSE(results["capabilities"].empty());
}

// Each planted bug breaks one MUST; the suite must name that rule in a FAIL.
TEST(ThirdPartyTarget, EveryPlantedBugIsAFailOfItsRule) {
  const std::map<std::string, std::string> bugs{
      {"auth-open", "AUTH-1"},       {"hash-any", "HASH-1"},         {"range-lax", "RANGE-1"},
      {"length-unchecked", "RANGE-2"}, {"small-parts", "PART-1"},    {"unequal-parts", "PART-3"},
      {"part-200", "PART-4"},        {"order-append", "ORDER-1"},    {"gap-ok", "ORDER-3"},
      {"unknown-upload-ok", "ORDER-2"}, {"no-postfix", "MOVE-2"},   {"corrupt-move", "MOVE-1"},
      {"dir-no-id", "DIR-1"},        {"error-text", "ERR-1"},        {"error-500", "ERR-1"},
      {"move-copies", "MOVE-8"}};
  std::vector<std::string> missed;
  for (const auto& [bug, rule] : bugs) {
    auto target = start_target({bug});
    TempDir reports;
    auto r = run_suite(*target, reports);
    EXPECT_EQ(r.exit_code, 1) << bug << "\n" << r.out << r.err;
    if (!failing_rules(latest_results(reports)).contains(rule)) missed.push_back(bug + " (" + rule + ")");
  }
  EXPECT_TRUE(missed.empty()) << "planted bugs the suite did not FAIL: " << ::testing::PrintToString(missed);
  std::cout << "planted bugs caught: " << bugs.size() - missed.size() << "/" << bugs.size() << "\n";
}

TEST(ThirdPartyTarget, ProbePrintsTheCapabilityTable) {
  auto target = start_target();
  auto r = run_command({kPartcheck, "probe", target->url(), "--api-key", kKey});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* row : {"list                yes", "links-download      no", "clock               no",
                          "expect-continue     yes", "early-refusal       no", "file-id             yes"})
    EXPECT_NE(r.out.find(row), std::string::npos) << row << "\n" << r.out;
}

TEST(ThirdPartyTarget, AWrongKeyStopsWithExit2AndWhatToFix) {
  auto target = start_target();
  TempDir reports;
  auto r = run_command({kPartcheck, "run", "--target", target->url(), "--api-key", "not-the-key", "--report-dir",
                        reports.str()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("every upload was refused"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--api-key"), std::string::npos) << r.err;
}

TEST(ThirdPartyTarget, AnUnknownDirectoryStopsWithExit2) {
  auto target = start_target();
  auto r = run_command({kPartcheck, "probe", "--target", target->url(), "--api-key", kKey, "--directory",
                        "00000000-0000-4000-8000-000000000000"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("configured directory"), std::string::npos) << r.err;
}

// The mock started by hand is a third party too: probed, not known.
TEST(ThirdPartyTarget, HandStartedMockPassesWithOnlyTargetAndKey) {
  ServerProcess server({"--storage", "memory"});
  TempDir reports;
  auto r = run_command({kPartcheck, "run", (kSourceDir / "scenarios").string(), "--target", server.url(),
                        "--api-key", server.api_key(), "--report-dir", reports.str()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("capabilities:"), std::string::npos);
  EXPECT_TRUE(failing_rules(latest_results(reports)).empty());
}
