#pragma once
// Views over a RunResult that every report shares, so junit.xml, results.json,
// index.html and the terminal summary always agree on families and totals.
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "contract/rules.hpp"
#include "runner/results.hpp"

namespace partcheck::runner {

inline constexpr std::array<Verdict, 5> kAllVerdicts = {
    Verdict::Pass, Verdict::NonStrict, Verdict::Fail, Verdict::Informational, Verdict::Skipped};

// Scenario counts indexed by the Verdict's underlying value.
struct VerdictCounts {
  std::array<std::size_t, 5> by_verdict{};
  std::size_t& operator[](Verdict v) { return by_verdict[static_cast<std::size_t>(v)]; }
  std::size_t operator[](Verdict v) const { return by_verdict[static_cast<std::size_t>(v)]; }
  std::size_t total() const;
};

// A rule as the run saw it: its catalogue entry and the scenarios that check it.
struct RuleSummary {
  std::string id;
  std::string family;
  std::string level;  // "MUST" | "SHOULD" | "INFO"
  std::string text;   // empty for an id the catalogue does not know
  Verdict verdict = Verdict::Pass;  // worst of its scenarios
  VerdictCounts counts;
  std::vector<std::string> scenarios;  // ids
};

// The rules a run is graded on: the server catalogue, or CLIENT-* for a client run.
std::span<const contract::Rule> rule_catalogue(const RunResult& run);

// The family a scenario is reported under: that of its first rule ("OTHER" without rules).
std::string scenario_family(const ScenarioResult& scenario);

VerdictCounts count_verdicts(const RunResult& run);

// Rules that at least one scenario checks, in catalogue order (unknown ids last, sorted).
std::vector<RuleSummary> summarize_rules(const RunResult& run);

// Counts per family, families in order of first appearance in the catalogue.
std::vector<std::pair<std::string, VerdictCounts>> counts_by_family(const RunResult& run);

// The request that shows what went wrong: the last request of the step of the first
// FAIL judgement, else the last request sent. nullptr when nothing was sent.
const RequestLog* failing_request(const ScenarioResult& scenario);

// "RANGE-2 (MUST): end is exclusive: ..." for each rule of the scenario, one per line.
std::string describe_rules(const ScenarioResult& scenario);

}  // namespace partcheck::runner
