// The loader of scenarios/client/*.yaml: the shipped files load and cover
// every CLIENT rule, and each mistake a person can make in such a file ends
// in a `file:line: field: message` error.
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "contract/rules.hpp"
#include "runner/client/client_scenario.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/yaml_reader.hpp"

namespace partcheck::runner::client {
namespace {

namespace fs = std::filesystem;

std::string error_of(const std::string& yaml) {
  try {
    load_client_scenarios_from_string(yaml, "c.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

// `error` begins with `where` ("c.yaml:3: client_scenarios[0].expect: ").
void expect_error_at(const std::string& yaml, const std::string& where) {
  const auto error = error_of(yaml);
  EXPECT_TRUE(error.starts_with(where)) << "error: '" << error << "'\nexpected it to start with: '" << where << "'";
}

// One scenario around the given lines (indented as a list item's fields).
std::string one(const std::string& fields) {
  return "client_scenarios:\n"
         "  - id: CLIENT-x\n"
         "    rules: [CLIENT-1]\n" +
         fields;
}

TEST(ClientScenarioLoader, TheShippedScenariosLoadWithUniqueIdsAndCoverEveryClientRule) {
  const auto scenarios = load_client_scenarios({fs::path(PARTCHECK_SOURCE_DIR) / "scenarios" / "client"});
  ASSERT_FALSE(scenarios.empty());
  std::set<std::string> ids, covered;
  for (const auto& s : scenarios) {
    EXPECT_TRUE(ids.insert(s.id).second) << "duplicate id " << s.id;
    EXPECT_TRUE(s.id.starts_with("CLIENT-")) << s.id;
    EXPECT_FALSE(s.rules.empty()) << s.id;
    EXPECT_GT(s.line, 0) << s.id;
    covered.insert(s.rules.begin(), s.rules.end());
  }
  for (const auto& rule : contract::client_rules()) EXPECT_TRUE(covered.contains(std::string(rule.id))) << rule.id;
}

TEST(ClientScenarioLoader, ReadsEveryField) {
  const auto scenarios = load_client_scenarios_from_string(R"(client_scenarios:
  - id: CLIENT-a
    title: a title
    rules: [CLIENT-1, CLIENT-6]
    file_size: 10MiB
    file_name: notes.txt
    name_taken: true
    directory: quota
    expect: either
    timeout: 30
    faults:
      - {kind: status, status: 500, times: 2, match: {part_index: 1}}
  - id: CLIENT-b
    rules: CLIENT-2
)", "c.yaml");
  ASSERT_EQ(scenarios.size(), 2u);
  const auto& a = scenarios[0];
  EXPECT_EQ(a.id, "CLIENT-a");
  EXPECT_EQ(a.title, "a title");
  EXPECT_EQ(a.file, "c.yaml");
  EXPECT_EQ(a.line, 2);
  EXPECT_EQ(a.rules, (std::vector<std::string>{"CLIENT-1", "CLIENT-6"}));
  EXPECT_EQ(a.file_size, 10u * 1024 * 1024);
  EXPECT_EQ(a.file_name, "notes.txt");
  EXPECT_TRUE(a.name_taken);
  EXPECT_TRUE(a.quota_directory);
  EXPECT_EQ(a.expect, Outcome::Either);
  EXPECT_EQ(a.timeout, std::chrono::seconds(30));
  ASSERT_EQ(a.faults.size(), 1u);

  // The defaults: 12 MiB and a bit (three parts), report.bin, stored, 120 s.
  const auto& b = scenarios[1];
  EXPECT_EQ(b.line, 13);
  EXPECT_EQ(b.rules, std::vector<std::string>{"CLIENT-2"});
  EXPECT_EQ(b.file_size, 12u * 1024 * 1024 + 12345);
  EXPECT_EQ(b.file_name, "report.bin");
  EXPECT_FALSE(b.name_taken);
  EXPECT_FALSE(b.quota_directory);
  EXPECT_EQ(b.expect, Outcome::Stored);
  EXPECT_EQ(b.timeout, std::chrono::seconds(120));
  EXPECT_TRUE(b.faults.empty());
}

// The admin API wants `"status": 500`, a number: a string would be refused.
TEST(ClientScenarioLoader, NumbersInFaultsBecomeJsonNumbers) {
  const auto scenarios = load_client_scenarios_from_string(
      one("    faults:\n"
          "      - {kind: status, status: 500, times: 2, match: {part_index: 1}}\n"
          "      - {kind: delay, ms: 2000, match: {path_prefix: /pub/v1/disk/file/upload}}\n"),
      "c.yaml");
  ASSERT_EQ(scenarios[0].faults.size(), 2u);
  const auto& status = scenarios[0].faults[0];
  ASSERT_TRUE(status["status"].is_number_unsigned()) << status.dump();
  EXPECT_EQ(status["status"], 500);
  EXPECT_EQ(status["times"], 2);
  EXPECT_EQ(status["kind"], "status");
  ASSERT_TRUE(status["match"]["part_index"].is_number()) << status.dump();
  EXPECT_EQ(status["match"]["part_index"], 1);
  const auto& delay = scenarios[0].faults[1];
  EXPECT_EQ(delay["ms"], 2000);
  EXPECT_EQ(delay["match"]["path_prefix"], "/pub/v1/disk/file/upload");
}

TEST(ClientScenarioLoader, AnUnknownKeyNamesItsLineAndField) {
  expect_error_at(one("    retries: 3\n"), "c.yaml:4: client_scenarios[0].retries: unknown field");
  expect_error_at("client_scenarios: []\nscenarios: []\n", "c.yaml:2: (document).scenarios: unknown field");
}

TEST(ClientScenarioLoader, RulesMustBeClientRules) {
  expect_error_at("client_scenarios:\n  - id: CLIENT-x\n    rules: [CLIENT-1, PART-1]\n",
                  "c.yaml:3: client_scenarios[0].rules: 'PART-1' is not a client rule");
  expect_error_at("client_scenarios:\n  - id: CLIENT-x\n    rules: [CLIENT-9]\n",
                  "c.yaml:3: client_scenarios[0].rules: 'CLIENT-9' is not a client rule");
  expect_error_at("client_scenarios:\n  - id: CLIENT-x\n", "c.yaml:2: client_scenarios[0].rules: missing");
}

TEST(ClientScenarioLoader, BadValuesNameTheirLineAndField) {
  expect_error_at(one("    file_size: lots\n"), "c.yaml:4: client_scenarios[0].file_size: ");
  expect_error_at(one("    file_size: 2TiB\n"), "c.yaml:4: client_scenarios[0].file_size: larger than 1 TiB");
  expect_error_at(one("    expect: maybe\n"),
                  "c.yaml:4: client_scenarios[0].expect: expected stored, not-stored or either");
  for (const char* timeout : {"0", "-5", "1.5", "86401", "soon"})
    expect_error_at(one(std::string("    timeout: ") + timeout + "\n"),
                    "c.yaml:4: client_scenarios[0].timeout: expected whole seconds from 1 to 86400");
  expect_error_at(one("    directory: home\n"), "c.yaml:4: client_scenarios[0].directory: expected root or quota");
  expect_error_at(one("    name_taken: perhaps\n"), "c.yaml:4: client_scenarios[0].name_taken: expected true or false");
}

// Faults go through the mock's own check: what the file accepts, the admin
// API accepts too.
TEST(ClientScenarioLoader, FaultsTheMockWouldRefuseAreErrors) {
  expect_error_at(one("    faults:\n      - {kind: nope}\n"),
                  "c.yaml:5: client_scenarios[0].faults[0]: unknown kind 'nope'");
  expect_error_at(one("    faults:\n      - {kind: delay}\n"),
                  "c.yaml:5: client_scenarios[0].faults[0]: kind delay needs ms");
  expect_error_at(one("    faults:\n      - {kind: status, status: 200}\n"),
                  "c.yaml:5: client_scenarios[0].faults[0]: status must be at least 400");
  // Quoted, 500 is text: the mock wants a number.
  expect_error_at(one("    faults:\n      - {kind: delay, ms: \"500\"}\n"),
                  "c.yaml:5: client_scenarios[0].faults[0]: ms must be a whole number");
  expect_error_at(one("    faults:\n      - delay\n"),
                  "c.yaml:5: client_scenarios[0].faults[0]: expected a mapping");
  expect_error_at(one("    faults: {kind: delay, ms: 5}\n"), "c.yaml:4: client_scenarios[0].faults: expected a list");
}

TEST(ClientScenarioLoader, ADuplicateIdNamesBothPlaces) {
  const auto error = error_of(
      "client_scenarios:\n"
      "  - id: CLIENT-x\n"
      "    rules: [CLIENT-1]\n"
      "  - id: CLIENT-x\n"
      "    rules: [CLIENT-6]\n");
  EXPECT_EQ(error, "c.yaml:4: id: 'CLIENT-x' is already used at c.yaml:2");
}

TEST(ClientScenarioLoader, ADocumentThatIsNotAMapIsAnError) {
  expect_error_at("- id: CLIENT-x\n  rules: [CLIENT-1]\n", "c.yaml:1: (document): expected `client_scenarios:`");
  expect_error_at("just text\n", "c.yaml:1: (document): ");
  expect_error_at("client_scenarios: {id: CLIENT-x}\n", "c.yaml:1: client_scenarios: expected a list of scenarios");
  expect_error_at("client_scenarios:\n  - [CLIENT-x]\n", "c.yaml:2: client_scenarios[0]: expected a mapping");
}

// A scratch directory, removed when the test ends.
class ScratchDir {
 public:
  ScratchDir()
      : root_(fs::temp_directory_path() / ("partcheck-client-loader-" + std::to_string(std::random_device{}()))) {
    fs::create_directories(root_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  const fs::path& path() const { return root_; }
  void write(const fs::path& relative, const std::string& text) const {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << text;
  }

 private:
  fs::path root_;
};

// `partcheck run scenarios/` must not read scenarios/client/ (another format),
// and `partcheck client` reads it on its own.
TEST(ClientScenarioLoader, TheServerSuiteLoaderSkipsClientScenarios) {
  const ScratchDir dir;
  dir.write("server.yaml", "id: s1\nrules: [PART-1]\nsteps: [{wait: 1}]\n");
  dir.write("client/c.yaml", "client_scenarios:\n  - id: CLIENT-x\n    rules: [CLIENT-1]\n");
  const auto server = load_scenarios({dir.path()});
  ASSERT_EQ(server.size(), 1u);
  EXPECT_EQ(server[0].id, "s1");

  const auto clients = load_client_scenarios({dir.path() / "client"});
  ASSERT_EQ(clients.size(), 1u);
  EXPECT_EQ(clients[0].id, "CLIENT-x");
  EXPECT_EQ(clients[0].file, (dir.path() / "client" / "c.yaml").string());
}

TEST(ClientScenarioLoader, ADuplicateIdAcrossFilesIsAnError) {
  const ScratchDir dir;
  dir.write("a.yaml", "client_scenarios:\n  - id: CLIENT-x\n    rules: [CLIENT-1]\n");
  dir.write("b.yaml", "client_scenarios:\n  - id: CLIENT-x\n    rules: [CLIENT-6]\n");
  try {
    load_client_scenarios({dir.path()});
    FAIL() << "no error for a duplicate id";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()), (dir.path() / "b.yaml").string() + ":2: id: 'CLIENT-x' is already used at " +
                                         (dir.path() / "a.yaml").string() + ":2");
  }
}

}  // namespace
}  // namespace partcheck::runner::client
