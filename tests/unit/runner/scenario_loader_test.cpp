#include "runner/scenario_loader.hpp"

#include <filesystem>
#include <set>

#include <gtest/gtest.h>

using namespace partcheck::runner;

namespace {

std::string error_of(const std::string& yaml) {
  try {
    load_scenarios_from_string(yaml, "t.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ScenarioLoader, ReadsStepsExpectationsAndOutcome) {
  auto scenarios = load_scenarios_from_string(R"(
scenarios:
  - id: s1
    rules: [PART-1, ORDER-3]
    title: t
    requires: [clock]
    vars: {name: "x-${uuid}"}
    steps:
      - upload: {start: 0, end: 5MiB-1, total: 10MiB}
        expect: {status: 400, code: [EntityTooSmall, InvalidPart], defer: true}
      - name: second
        upload_file: {size: 7MiB, skip: [1]}
      - parallel:
          - move: {}
          - wait: 1
    outcome: {rejected: [EntityTooSmall]}
)", "t.yaml");
  ASSERT_EQ(scenarios.size(), 1u);
  const auto& s = scenarios[0];
  EXPECT_EQ(s.level, partcheck::contract::RuleLevel::Must);
  EXPECT_EQ(s.line, 3);
  ASSERT_EQ(s.steps.size(), 3u);
  EXPECT_EQ(s.steps[0].kind, StepKind::Upload);
  EXPECT_EQ(s.steps[0].line, 9);
  EXPECT_TRUE(s.steps[0].expect.defer);
  EXPECT_TRUE(s.steps[0].expect.expects_refusal());
  EXPECT_EQ(s.steps[0].expect.codes.size(), 2u);
  EXPECT_EQ(s.steps[1].name, "second");
  EXPECT_EQ(s.steps[2].steps.size(), 2u);
  EXPECT_EQ(s.outcome.kind, Outcome::Kind::Rejected);
  EXPECT_EQ(s.outcome.codes, std::vector<std::string>{"EntityTooSmall"});
}

TEST(ScenarioLoader, LevelIsTheStrongestRuleUnlessGiven) {
  auto s = load_scenarios_from_string("id: a\nrules: [CT-2, INFO-1]\nsteps: [{wait: 1}]\n", "t.yaml");
  EXPECT_EQ(s[0].level, partcheck::contract::RuleLevel::Should);
  s = load_scenarios_from_string("id: a\nrules: [CT-2]\nlevel: info\nsteps: [{wait: 1}]\n", "t.yaml");
  EXPECT_EQ(s[0].level, partcheck::contract::RuleLevel::Info);
}

TEST(ScenarioLoader, ErrorsNameFileLineAndField) {
  EXPECT_EQ(error_of("id: a\nrules: [NOPE-1]\nsteps: []\n"), "t.yaml:2: scenario.rules: unknown rule id 'NOPE-1'");
  EXPECT_EQ(error_of("id: a\nrules: [PART-1]\nsteps:\n  - upload: {start: 0, end: 5XiB}\n"),
            "t.yaml:4: scenario.steps[0].upload.end: unknown size unit 'XiB' (use B, KiB, MiB, GiB, TiB, KB, MB, GB)");
  EXPECT_NE(error_of("id: a\nrules: [PART-1]\nsteps:\n  - upload: {strat: 0}\n").find("t.yaml:4: scenario.steps[0].upload.strat: unknown field"),
            std::string::npos);
  EXPECT_NE(error_of("id: a\nrules: [PART-1]\nsteps:\n  - {}\n").find("t.yaml:4: scenario.steps[0]: step has no kind"),
            std::string::npos);
  EXPECT_EQ(error_of("id: a\nrules: [PART-1]\nsteps:\n  - wait: 1\n    expect: {status: 2x}\n"),
            "t.yaml:5: scenario.steps[0].expect.status: '2x' is neither a status (206) nor a class (4xx)");
  EXPECT_EQ(error_of("id: a\nrules: [PART-1]\nrequires: [teleport]\nsteps: []\n"),
            "t.yaml:3: scenario.requires: unknown capability 'teleport'");
  EXPECT_NE(error_of("id: a\nrules: [PART-1]\nsteps: [{include: nothing}]\n").find("t.yaml:3: include: unknown macro 'nothing'"),
            std::string::npos);
  EXPECT_NE(error_of("id: a\nrules: [A\n").find("t.yaml:"), std::string::npos);  // YAML syntax error
  EXPECT_NE(error_of("scenarios:\n  - id: a\n    rules: [PART-1]\n    steps: []\n  - id: a\n    rules: [PART-1]\n    steps: []\n")
                .find("t.yaml:5: id: 'a' is already used at t.yaml:2"),
            std::string::npos);
}

TEST(ScenarioLoader, SizesWithVariablesAreLeftForRunTime) {
  auto s = load_scenarios_from_string("id: a\nrules: [PART-1]\nsteps:\n  - upload: {end: \"${n}+1\"}\n", "t.yaml");
  EXPECT_EQ(s[0].steps[0].spec["end"], "${n}+1");
}

TEST(ScenarioLoader, MacrosAreInlined) {
  auto s = load_scenarios_from_string(R"(
macros:
  twice:
    - wait: 1
    - wait: 2
scenarios:
  - id: a
    rules: [PART-1]
    steps: [{include: twice, with: {x: "1"}}]
)", "t.yaml");
  ASSERT_EQ(s[0].steps[0].steps.size(), 2u);
  EXPECT_EQ(s[0].steps[0].with.at("x"), "1");
}

TEST(ScenarioLoader, TheShippedSuiteLoadsAndCoversEveryRule) {
  auto scenarios = load_scenarios({std::filesystem::path(PARTCHECK_SOURCE_DIR) / "scenarios"});
  std::set<std::string> covered;
  for (const auto& s : scenarios) covered.insert(s.rules.begin(), s.rules.end());
  for (const auto& rule : partcheck::contract::all_rules()) EXPECT_TRUE(covered.contains(std::string(rule.id))) << rule.id;
}

// Found by the fuzzer (tests/fuzz/corpus/fuzz_scenario_loader/regression_*):
// hostile files end in a `file:line: field: message` error, never a hang,
// a stack overflow or gigabytes of memory.
TEST(ScenarioLoader, HostileFilesAreErrorsNotHangs) {
  EXPECT_NO_THROW(load_scenarios_from_string(",", "t.yaml"));  // yaml-cpp's LoadAll looped forever on this
  const auto cycle = error_of("id: x\nrules: [PART-1]\nsteps:\n  - upload: {}\n    expect: {json: &a {x: [*a]}}\n");
  EXPECT_NE(cycle.find("nested deeper than"), std::string::npos) << cycle;
  // Nine levels of ten aliases each: 10^9 values once expanded.
  std::string bomb = "id: x\nrules: [PART-1]\nsteps:\n  - request:\n      json:\n        a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'i'; ++c) {
    const std::string prev = std::string("*") + static_cast<char>(c - 1);
    bomb += std::string("        ") + c + ": &" + c + " [" + prev;
    for (int k = 1; k < 10; ++k) bomb += ", " + prev;
    bomb += "]\n";
  }
  const auto many = error_of(bomb);
  EXPECT_NE(many.find("more than 100000 values"), std::string::npos) << many;
}

TEST(ScenarioLoader, MacrosCannotFanOutWithoutBound) {
  std::string yaml = "macros:\n  m0:\n    - wait: 1\n";
  for (int i = 1; i <= 6; ++i) {
    yaml += "  m" + std::to_string(i) + ":\n";
    for (int k = 0; k < 10; ++k) yaml += "    - include: m" + std::to_string(i - 1) + "\n";
  }
  yaml += "scenarios:\n  - id: x\n    rules: [PART-1]\n    steps:\n      - include: m6\n";
  const auto error = error_of(yaml);
  EXPECT_NE(error.find("expands to more than 100000 steps"), std::string::npos) << error;
}

TEST(ScenarioLoader, AControlByteInAKeyIsShownNotCutShort) {
  const auto error = error_of(std::string("id: x\nrules: [PART-1]\nsteps: []\n\"tit\\0le\": y\n"));
  EXPECT_NE(error.find("tit\\x00le"), std::string::npos) << error;
  EXPECT_NE(error.find("unknown"), std::string::npos) << error;
}
