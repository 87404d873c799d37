// results.json: writing and reading back a run (schema in docs/reports.md and
// docs/results.schema.json). Reading is strict about types, since the file may
// come from elsewhere, and names the exact field it rejects.
#include "runner/results.hpp"

#include <stdexcept>

#include "runner/report/run_summary.hpp"

namespace partcheck::runner {
namespace {

using nlohmann::json;

constexpr int kSchemaVersion = 1;

json headers_to_json(const std::vector<std::pair<std::string, std::string>>& headers) {
  json out = json::array();
  for (const auto& [name, value] : headers) out.push_back({name, value});
  return out;
}

json request_to_json(const RequestLog& r) {
  json out{{"step", r.step},         {"step_name", r.step_name},
          {"method", r.method},     {"url", r.url},
          {"headers", headers_to_json(r.headers)},
          {"bytes_sent", r.bytes_sent},
          {"status", r.status},     {"code", r.code},
          {"response_excerpt", r.response_excerpt},
          {"error", r.error},       {"duration_ms", r.duration_ms},
          {"curl", r.curl}};
  if (r.at_ms >= 0) out["at_ms"] = r.at_ms;
  return out;
}

json judgement_to_json(const Judgement& j) {
  return {{"aspect", j.aspect}, {"verdict", verdict_name(j.verdict)}, {"step", j.step},
          {"expected", j.expected}, {"actual", j.actual}};
}

json scenario_to_json(const ScenarioResult& s) {
  json judgements = json::array(), transcript = json::array();
  for (const auto& j : s.judgements) judgements.push_back(judgement_to_json(j));
  for (const auto& r : s.transcript) transcript.push_back(request_to_json(r));
  json out{{"id", s.id},       {"title", s.title},   {"file", s.file},
           {"family", scenario_family(s)},
           {"rules", s.rules}, {"level", s.level},   {"verdict", verdict_name(s.verdict)},
           {"reason", s.reason},
           {"duration_ms", s.duration_ms},
           {"judgements", std::move(judgements)},
           {"transcript", std::move(transcript)}};
  if (!s.client_output.empty()) out["client_output"] = s.client_output;
  return out;
}

json totals_to_json(const VerdictCounts& counts) {
  json totals = json::object();
  for (auto v : kAllVerdicts) totals[std::string{verdict_name(v)}] = counts[v];
  totals["scenarios"] = counts.total();
  return totals;
}

// ---- reading ----------------------------------------------------------------

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw std::runtime_error("field '" + path + "': " + what);
}

const json& member(const json& object, const std::string& path, const char* key, bool required) {
  static const json absent;
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) bad(path + key, "missing");
    return absent;
  }
  return *it;
}

std::string get_string(const json& object, const std::string& path, const char* key, bool required = false) {
  const json& value = member(object, path, key, required);
  if (value.is_null() && !required) return {};
  if (!value.is_string()) bad(path + key, "expected a string, found " + std::string{value.type_name()});
  return value.get<std::string>();
}

double get_number(const json& object, const std::string& path, const char* key) {
  const json& value = member(object, path, key, false);
  if (value.is_null()) return 0;
  if (!value.is_number()) bad(path + key, "expected a number, found " + std::string{value.type_name()});
  return value.get<double>();
}

long long get_integer(const json& object, const std::string& path, const char* key, bool required = false) {
  const json& value = member(object, path, key, required);
  if (value.is_null() && !required) return 0;
  if (!value.is_number_integer()) bad(path + key, "expected an integer, found " + std::string{value.type_name()});
  return value.get<long long>();
}

std::uint64_t get_unsigned(const json& object, const std::string& path, const char* key) {
  const json& value = member(object, path, key, false);
  if (value.is_null()) return 0;
  if (!value.is_number_unsigned()) bad(path + key, "expected a non-negative integer");
  return value.get<std::uint64_t>();
}

Verdict get_verdict(const json& object, const std::string& path, const char* key) {
  auto name = get_string(object, path, key, true);
  auto verdict = verdict_from_name(name);
  if (!verdict) bad(path + key, "'" + name + "' is not one of PASS, NON-STRICT, FAIL, INFORMATIONAL, SKIPPED");
  return *verdict;
}

const json& get_array(const json& object, const std::string& path, const char* key, bool required = false) {
  static const json empty = json::array();
  const json& value = member(object, path, key, required);
  if (value.is_null() && !required) return empty;
  if (!value.is_array()) bad(path + key, "expected an array, found " + std::string{value.type_name()});
  return value;
}

void require_object(const json& value, const std::string& path) {
  if (!value.is_object()) bad(path, "expected an object, found " + std::string{value.type_name()});
}

std::string index_path(const std::string& path, const char* key, std::size_t i) {
  return path + key + "[" + std::to_string(i) + "]";
}

RequestLog request_from_json(const json& in, const std::string& path, const std::string& scenario) {
  require_object(in, path);
  const std::string p = path + ".";
  RequestLog r;
  r.scenario = scenario;
  r.step = static_cast<int>(get_integer(in, p, "step"));
  r.step_name = get_string(in, p, "step_name");
  r.method = get_string(in, p, "method", true);
  r.url = get_string(in, p, "url", true);
  const json& headers = get_array(in, p, "headers");
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const json& h = headers[i];
    if (!h.is_array() || h.size() != 2 || !h[0].is_string() || !h[1].is_string())
      bad(index_path(p, "headers", i), "expected [name, value] strings");
    r.headers.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
  }
  r.bytes_sent = get_unsigned(in, p, "bytes_sent");
  r.status = static_cast<int>(get_integer(in, p, "status"));
  r.code = get_string(in, p, "code");
  r.response_excerpt = get_string(in, p, "response_excerpt");
  r.error = get_string(in, p, "error");
  r.duration_ms = get_number(in, p, "duration_ms");
  r.curl = get_string(in, p, "curl");
  if (in.contains("at_ms")) r.at_ms = get_number(in, p, "at_ms");
  return r;
}

Judgement judgement_from_json(const json& in, const std::string& path) {
  require_object(in, path);
  const std::string p = path + ".";
  Judgement j;
  j.aspect = get_string(in, p, "aspect", true);
  j.verdict = get_verdict(in, p, "verdict");
  j.step = static_cast<int>(get_integer(in, p, "step"));
  if (member(in, p, "step", false).is_null()) j.step = -1;
  j.expected = get_string(in, p, "expected");
  j.actual = get_string(in, p, "actual");
  return j;
}

ScenarioResult scenario_from_json(const json& in, const std::string& path) {
  require_object(in, path);
  const std::string p = path + ".";
  ScenarioResult s;
  s.id = get_string(in, p, "id", true);
  if (s.id.empty()) bad(p + "id", "empty");
  s.title = get_string(in, p, "title");
  s.file = get_string(in, p, "file");
  const json& rules = get_array(in, p, "rules");
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!rules[i].is_string()) bad(index_path(p, "rules", i), "expected a rule id string");
    s.rules.push_back(rules[i].get<std::string>());
  }
  s.level = get_string(in, p, "level");
  s.verdict = get_verdict(in, p, "verdict");
  s.reason = get_string(in, p, "reason");
  s.duration_ms = get_number(in, p, "duration_ms");
  const json& judgements = get_array(in, p, "judgements");
  for (std::size_t i = 0; i < judgements.size(); ++i)
    s.judgements.push_back(judgement_from_json(judgements[i], index_path(p, "judgements", i)));
  const json& transcript = get_array(in, p, "transcript");
  for (std::size_t i = 0; i < transcript.size(); ++i)
    s.transcript.push_back(request_from_json(transcript[i], index_path(p, "transcript", i), s.id));
  s.client_output = get_string(in, p, "client_output");
  return s;
}

}  // namespace

nlohmann::json to_json(const RunResult& run) {
  json rules = json::array();
  for (const auto& rule : summarize_rules(run)) {
    rules.push_back({{"id", rule.id}, {"family", rule.family}, {"level", rule.level}, {"text", rule.text},
                     {"verdict", verdict_name(rule.verdict)}, {"scenarios", rule.scenarios}});
  }
  json scenarios = json::array();
  for (const auto& s : run.scenarios) scenarios.push_back(scenario_to_json(s));
  json capabilities = json::array();
  for (const auto& c : run.capabilities)
    capabilities.push_back({{"name", c.name}, {"present", c.present}, {"detail", c.detail}});
  return {{"schema_version", run.schema_version},
          {"kind", run.kind},
          {"tool", run.tool_version},
          {"target", {{"url", run.target}, {"name", run.target_name}}},
          {"started_at", run.started_at},
          {"duration_s", run.duration_s},
          {"seed", run.seed},
          {"capabilities", std::move(capabilities)},
          {"totals", totals_to_json(count_verdicts(run))},
          {"rules", std::move(rules)},
          {"scenarios", std::move(scenarios)}};
}

// `totals` and `rules` are derived from the scenarios, so they are not read back:
// the scenarios are the single source of truth.
RunResult run_from_json(const nlohmann::json& in) {
  require_object(in, "(document)");
  RunResult run;
  run.schema_version = static_cast<int>(get_integer(in, "", "schema_version", true));
  if (run.schema_version < 1 || run.schema_version > kSchemaVersion)
    bad("schema_version", std::to_string(run.schema_version) + " is not supported (this partcheck reads version " +
                              std::to_string(kSchemaVersion) + ")");
  run.tool_version = get_string(in, "", "tool");
  if (in.contains("kind")) {  // absent in results written before client runs existed
    run.kind = get_string(in, "", "kind");
    if (run.kind != "server" && run.kind != "client") bad("kind", "expected \"server\" or \"client\"");
  }
  const json& target = member(in, "", "target", true);
  require_object(target, "target");
  run.target = get_string(target, "target.", "url", true);
  run.target_name = get_string(target, "target.", "name");
  run.started_at = get_string(in, "", "started_at");
  run.duration_s = get_number(in, "", "duration_s");
  run.seed = get_unsigned(in, "", "seed");
  if (in.contains("capabilities")) {  // absent in results written before the probe existed
    const json& caps = get_array(in, "", "capabilities", true);
    for (std::size_t i = 0; i < caps.size(); ++i) {
      const auto where = index_path("", "capabilities", i);
      require_object(caps[i], where);
      Capability c;
      c.name = get_string(caps[i], where + ".", "name", true);
      if (!caps[i].contains("present") || !caps[i]["present"].is_boolean()) bad(where + ".present", "expected true or false");
      c.present = caps[i]["present"].get<bool>();
      c.detail = get_string(caps[i], where + ".", "detail");
      run.capabilities.push_back(std::move(c));
    }
  }
  const json& scenarios = get_array(in, "", "scenarios", true);
  for (std::size_t i = 0; i < scenarios.size(); ++i)
    run.scenarios.push_back(scenario_from_json(scenarios[i], index_path("", "scenarios", i)));
  return run;
}

}  // namespace partcheck::runner
