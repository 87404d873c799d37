#pragma once
// A whole `partcheck run`: choose scenarios (rule prefixes, level), run them
// on N workers, collect the RunResult; baselines of known failures; the
// rule coverage listing of `--list`.
#include <chrono>
#include <functional>
#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runner/executor.hpp"
#include "runner/results.hpp"
#include "runner/scenario.hpp"
#include "runner/target.hpp"

namespace partcheck::runner {

struct SuiteOptions {
  ExecOptions exec;
  unsigned jobs = 4;
  std::vector<std::string> rule_prefixes;       // keep scenarios covering a rule with one of these prefixes
  std::optional<contract::RuleLevel> level;     // keep scenarios of this level or stronger
};

std::vector<Scenario> select_scenarios(const std::vector<Scenario>& all, const SuiteOptions& options);

// Runs the scenarios; results keep the scenarios' order. `on_done` is called
// from worker threads as each scenario ends (progress display).
RunResult run_suite(const std::vector<Scenario>& scenarios, const Target& target, const SuiteOptions& options,
                    const std::function<void(const ScenarioResult&)>& on_done = {});

// Whether a TCP connection to the target opens (exit 3 when not).
// Why the target cannot be reached (resolution, connection, proxy, TLS, in
// words with the fix), or "" when it answers HTTP at all.
std::string unreachable_reason(const Target& target, std::chrono::milliseconds timeout);

// Scenario ids that failed before: a results.json of an earlier run, or a text
// file with one scenario id per line (`#` starts a comment). Throws ScenarioError.
std::set<std::string> load_baseline(const std::string& path);

// `--list`: every rule with level and text, and the scenarios covering it;
// rules no scenario covers are marked. Returns how many are uncovered.
int list_rules(const std::vector<Scenario>& scenarios, std::ostream& out);

}  // namespace partcheck::runner
