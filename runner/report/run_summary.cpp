#include "runner/report/run_summary.hpp"

#include <algorithm>
#include <map>
#include <span>

#include "contract/rules.hpp"

namespace partcheck::runner {
namespace {

// Position of a family in the catalogue; unknown families sort after all known ones.
std::size_t family_rank(std::span<const contract::Rule> catalogue, const std::string& family) {
  std::size_t rank = 0;
  std::string previous;
  for (const auto& rule : catalogue) {
    std::string f{contract::rule_family(rule.id)};
    if (f == family) return rank;
    if (f != previous) {
      ++rank;
      previous = f;
    }
  }
  return rank + 1;
}

}  // namespace

std::span<const contract::Rule> rule_catalogue(const RunResult& run) {
  return run.kind == "client" ? contract::client_rules() : contract::all_rules();
}

std::size_t VerdictCounts::total() const {
  std::size_t sum = 0;
  for (auto n : by_verdict) sum += n;
  return sum;
}

std::string scenario_family(const ScenarioResult& scenario) {
  if (scenario.rules.empty()) return "OTHER";
  return std::string{contract::rule_family(scenario.rules.front())};
}

VerdictCounts count_verdicts(const RunResult& run) {
  VerdictCounts counts;
  for (const auto& s : run.scenarios) ++counts[s.verdict];
  return counts;
}

std::vector<RuleSummary> summarize_rules(const RunResult& run) {
  std::vector<RuleSummary> known;
  for (const auto& rule : rule_catalogue(run)) {
    RuleSummary summary;
    summary.id = rule.id;
    summary.family = contract::rule_family(rule.id);
    summary.level = contract::level_name(rule.level);
    summary.text = rule.text;
    known.push_back(std::move(summary));
  }
  std::map<std::string, RuleSummary> unknown;
  for (const auto& scenario : run.scenarios) {
    for (const auto& id : scenario.rules) {
      auto it = std::find_if(known.begin(), known.end(), [&](const RuleSummary& r) { return r.id == id; });
      RuleSummary* summary = nullptr;
      if (it != known.end()) {
        summary = &*it;
      } else {
        summary = &unknown[id];
        if (summary->id.empty()) {
          summary->id = id;
          summary->family = contract::rule_family(id);
          summary->level = scenario.level;
        }
      }
      summary->verdict = summary->scenarios.empty() ? scenario.verdict : worst(summary->verdict, scenario.verdict);
      ++summary->counts[scenario.verdict];
      summary->scenarios.push_back(scenario.id);
    }
  }
  std::vector<RuleSummary> covered;
  for (auto& r : known)
    if (!r.scenarios.empty()) covered.push_back(std::move(r));
  for (auto& [id, r] : unknown) covered.push_back(std::move(r));
  return covered;
}

std::vector<std::pair<std::string, VerdictCounts>> counts_by_family(const RunResult& run) {
  const auto catalogue = rule_catalogue(run);
  std::vector<std::pair<std::string, VerdictCounts>> families;
  for (const auto& scenario : run.scenarios) {
    auto family = scenario_family(scenario);
    auto it = std::find_if(families.begin(), families.end(), [&](const auto& f) { return f.first == family; });
    if (it == families.end()) it = families.insert(families.end(), {family, VerdictCounts{}});
    ++it->second[scenario.verdict];
  }
  std::stable_sort(families.begin(), families.end(), [&](const auto& a, const auto& b) {
    auto ra = family_rank(catalogue, a.first), rb = family_rank(catalogue, b.first);
    return ra != rb ? ra < rb : a.first < b.first;
  });
  return families;
}

const RequestLog* failing_request(const ScenarioResult& scenario) {
  if (scenario.transcript.empty()) return nullptr;
  auto judgement = std::find_if(scenario.judgements.begin(), scenario.judgements.end(),
                                [](const Judgement& j) { return j.verdict == Verdict::Fail; });
  if (judgement != scenario.judgements.end() && judgement->step >= 0) {
    for (auto it = scenario.transcript.rbegin(); it != scenario.transcript.rend(); ++it)
      if (it->step == judgement->step) return &*it;
  }
  return &scenario.transcript.back();
}

std::string describe_rules(const ScenarioResult& scenario) {
  std::string out;
  for (const auto& id : scenario.rules) {
    if (!out.empty()) out += '\n';
    if (auto rule = contract::find_rule(id))
      out += id + " (" + std::string{contract::level_name(rule->level)} + "): " + std::string{rule->text};
    else
      out += id + " (" + (scenario.level.empty() ? std::string{"?"} : scenario.level) + ")";
  }
  return out;
}

}  // namespace partcheck::runner
