#pragma once
// Reading what `partcheck run` wrote: the latest results.json of a report
// directory and the rules its FAIL scenarios name.
#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/integration/support/process.hpp"

namespace partcheck::testing {

inline nlohmann::json latest_results(const TempDir& reports) {
  std::ifstream in(reports.path() / "latest" / "results.json");
  return nlohmann::json::parse(in);
}

inline std::set<std::string> failing_rules(const nlohmann::json& results) {
  std::set<std::string> rules;
  for (const auto& sc : results["scenarios"])
    if (sc["verdict"] == "FAIL")
      for (const auto& r : sc["rules"]) rules.insert(r.get<std::string>());
  return rules;
}

}  // namespace partcheck::testing
