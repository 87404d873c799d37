// `partcheck client` end to end: the shipped example uploaders run under every
// client scenario. The careful ones (Python, bash + curl) must pass them all;
// the naive one must fail, with the rules it breaks named in the reports.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "tests/integration/support/process.hpp"
#include "tests/integration/support/run_results.hpp"

using namespace partcheck::testing;

namespace {

CommandResult grade(const TempDir& reports, const std::vector<std::string>& client) {
  std::vector<std::string> argv{kPartcheck, "client", "--report-dir", reports.str(), "--"};
  argv.insert(argv.end(), client.begin(), client.end());
  return run_command(argv, {}, std::chrono::seconds(600));
}

std::string example(const std::string& name) { return (kSourceDir / "examples" / "clients" / name).string(); }

// Rules with a FAIL judgement anywhere in the run.
std::set<std::string> broken_rules(const nlohmann::json& results) {
  std::set<std::string> rules;
  for (const auto& sc : results["scenarios"])
    for (const auto& j : sc["judgements"])
      if (j["verdict"] == "FAIL") rules.insert(j["aspect"].get<std::string>());
  return rules;
}

void expect_every_scenario_passes(const CommandResult& run, const TempDir& reports) {
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto results = latest_results(reports);
  EXPECT_EQ(results["kind"], "client");
  ASSERT_GE(results["scenarios"].size(), 14u);
  for (const auto& sc : results["scenarios"])
    EXPECT_EQ(sc["verdict"], "PASS") << sc["id"] << ": " << sc["reason"];
}

}  // namespace

TEST(ClientExamples, GoodPythonClientPassesEveryScenario) {
  TempDir reports;
  const auto run = grade(reports, {"python3", example("good.py")});
  expect_every_scenario_passes(run, reports);
  // The HTML report draws each scenario's requests on a time axis.
  std::ifstream in(reports.path() / "latest" / "index.html");
  std::stringstream html;
  html << in.rdbuf();
  EXPECT_NE(html.str().find("<svg class=\"timeline\""), std::string::npos);
  EXPECT_NE(html.str().find("client rules checked"), std::string::npos);
}

TEST(ClientExamples, GoodBashCurlClientPassesEveryScenario) {
  TempDir reports;
  expect_every_scenario_passes(grade(reports, {"bash", example("good.sh")}), reports);
}

TEST(ClientExamples, NaiveClientFailsWithTheRulesItBreaksNamed) {
  TempDir reports;
  const auto run = grade(reports, {"python3", example("naive.py")});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const auto results = latest_results(reports);
  const auto broken = broken_rules(results);
  // Inclusive range ends (CLIENT-2), "done" and exit 0 whatever happened
  // (CLIENT-6), so nothing is stored (CLIENT-1).
  for (const char* rule : {"CLIENT-1", "CLIENT-2", "CLIENT-6"})
    EXPECT_TRUE(broken.contains(rule)) << rule << " not named; stdout:\n" << run.out;
  EXPECT_NE(run.out.find("CLIENT-2"), std::string::npos) << "the console names the rule";
  EXPECT_NE(run.out.find("the end is exclusive"), std::string::npos) << run.out;
}

TEST(ClientExamples, PlaceholdersAndEnvironmentReachTheClient) {
  // A client written as a shell line: it gets the same values both ways.
  TempDir reports;
  const auto script =
      "test \"$1\" = \"$PARTCHECK_URL\" && test \"$2\" = \"$PARTCHECK_FILE\" && test -s \"$2\" && "
      "test \"$3\" = \"$PARTCHECK_SCENARIO\" && exec python3 " + example("good.py") + " --url \"$1\" --file \"$2\"";
  const auto run = run_command({kPartcheck, "client", "--only", "CLIENT-clean", "--report-dir", reports.str(), "--",
                                "sh", "-c", script, "sh", "{url}", "{file}", "{scenario}"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(latest_results(reports)["scenarios"][0]["verdict"], "PASS");
}

TEST(ClientExamples, UsageErrorsExitTwoWithAClearMessage) {
  TempDir dir;
  const auto missing = run_command({kPartcheck, "client", "--only", "CLIENT-clean", "--report-dir", dir.str(), "--",
                                    "no-such-client-program"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot start 'no-such-client-program'"), std::string::npos) << missing.err;

  const auto no_command = run_command({kPartcheck, "client"});
  EXPECT_EQ(no_command.exit_code, 2);
  EXPECT_NE(no_command.err.find("no client command"), std::string::npos) << no_command.err;

  const auto bad_file = dir.path() / "bad.yaml";
  std::ofstream(bad_file) << "client_scenarios:\n  - id: X\n    rules: [CLIENT-1]\n    expect: maybe\n";
  const auto bad = run_command({kPartcheck, "client", "--scenarios", bad_file.string(), "--", "true"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.yaml:4: client_scenarios[0].expect:"), std::string::npos) << bad.err;
}
