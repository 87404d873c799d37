#include "runner/suite.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>
#include <thread>

#include "runner/http_client.hpp"

#include "contract/rules.hpp"
#include "runner/scenario_loader.hpp"

namespace partcheck::runner {

std::vector<Scenario> select_scenarios(const std::vector<Scenario>& all, const SuiteOptions& options) {
  std::vector<Scenario> out;
  for (const auto& sc : all) {
    if (options.level && static_cast<int>(sc.level) > static_cast<int>(*options.level)) continue;
    if (!options.rule_prefixes.empty()) {
      bool match = false;
      for (const auto& r : sc.rules)
        for (const auto& p : options.rule_prefixes) match = match || r.rfind(p, 0) == 0;
      if (!match) continue;
    }
    out.push_back(sc);
  }
  return out;
}

RunResult run_suite(const std::vector<Scenario>& scenarios, const Target& target, const SuiteOptions& options,
                    const std::function<void(const ScenarioResult&)>& on_done) {
  RunResult run;
  run.tool_version = kToolVersion;
  run.target = target.url;
  run.target_name = target.name;
  run.seed = options.exec.seed;
  run.scenarios.resize(scenarios.size());
  // Advancing the target's clock expires every upload in flight, so scenarios
  // that need the clock run last, one at a time, after all the others.
  std::vector<std::size_t> shared, alone;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const auto& caps = scenarios[i].requires_caps;
    (std::find(caps.begin(), caps.end(), "clock") != caps.end() ? alone : shared).push_back(i);
  }
  auto run_one = [&](std::size_t i) {
    run.scenarios[i] = run_scenario(scenarios[i], target, options.exec);
    if (on_done) on_done(run.scenarios[i]);
  };
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t k = next++; k < shared.size(); k = next++) run_one(shared[k]);
  };
  std::vector<std::thread> workers;
  for (unsigned j = 0; j < std::max(1u, options.jobs); ++j) workers.emplace_back(worker);
  for (auto& w : workers) w.join();
  for (auto i : alone) run_one(i);
  return run;
}

std::string unreachable_reason(const Target& target, std::chrono::milliseconds timeout) {
  // A whole exchange, not only a connection: a TLS 1.3 server that wants a
  // client certificate says so after the handshake, on the first read.
  HttpRequest probe;
  probe.method = "GET";
  probe.target = target.base_path + "/";
  probe.add_content_length = false;
  auto r = HttpClient(target.connector, timeout).send(probe);
  return r.status > 0 ? std::string() : r.error;
}

std::set<std::string> load_baseline(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ScenarioError(path + ":0: baseline: cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  std::set<std::string> ids;
  auto json = nlohmann::json::parse(text.str(), nullptr, false);
  if (!json.is_discarded() && json.is_object()) {
    try {
      for (const auto& sc : run_from_json(json).scenarios)
        if (sc.verdict == Verdict::Fail) ids.insert(sc.id);
    } catch (const std::exception& e) {
      throw ScenarioError(path + ":0: baseline: " + e.what());
    }
    return ids;
  }
  std::string line;
  std::istringstream lines(text.str());
  while (std::getline(lines, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty()) ids.insert(line);
  }
  return ids;
}

int list_rules(const std::vector<Scenario>& scenarios, std::ostream& out) {
  std::map<std::string, std::vector<std::string>> covering;
  for (const auto& sc : scenarios)
    for (const auto& r : sc.rules) covering[r].push_back(sc.id);
  int uncovered = 0;
  for (const auto& rule : contract::all_rules()) {
    const auto& ids = covering[std::string(rule.id)];
    out << rule.id << "  " << contract::level_name(rule.level) << "  " << rule.text << "\n";
    if (ids.empty()) {
      out << "    UNCOVERED: no scenario checks this rule\n";
      ++uncovered;
    }
    for (const auto& id : ids) out << "    " << id << "\n";
  }
  out << contract::all_rules().size() << " rules, " << scenarios.size() << " scenarios, " << uncovered
      << " uncovered\n";
  return uncovered;
}

}  // namespace partcheck::runner
