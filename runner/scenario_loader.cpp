#include "runner/scenario_loader.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "contract/byte_size.hpp"
#include "runner/yaml_reader.hpp"

namespace partcheck::runner {
namespace {


const std::map<std::string, Keys, std::less<>>& step_params() {
  static const Keys upload_common{"file", "hash", "headers", "remove_headers", "content_type",
                                  "multipart", "auth", "directory", "name", "convention",
                                  "chunked", "expect_continue", "omit_content_range", "size"};
  static const std::map<std::string, Keys, std::less<>> params = [] {
    std::map<std::string, Keys, std::less<>> m;
    Keys upload = upload_common;
    upload.insert({"start", "end", "total", "index", "part_size", "content_range", "body",
                   "body_size", "mutate"});
    m["upload"] = upload;
    Keys file = upload_common;
    file.insert({"part_size", "order", "skip", "duplicate", "mutate_part", "expect_parts",
                 "expect_final"});
    m["upload_file"] = file;
    m["move"] = {"files", "directory", "auth", "body", "query"};
    m["get_link"] = {"id", "method", "auth"};
    m["download"] = {"file", "link", "id", "hash", "compare"};
    m["list"] = {"directory", "contains", "lacks"};
    m["clock"] = {"advance"};
    m["wait"] = {"seconds"};
    m["raw"] = {"data"};
    m["request"] = {"method", "path", "json", "body", "headers", "auth", "query"};
    return m;
  }();
  return params;
}

const std::map<std::string, StepKind, std::less<>> kKinds{
    {"upload", StepKind::Upload}, {"upload_file", StepKind::UploadFile}, {"move", StepKind::Move},
    {"get_link", StepKind::GetLink}, {"download", StepKind::Download}, {"list", StepKind::List}, {"clock", StepKind::Clock},
    {"wait", StepKind::Wait}, {"raw", StepKind::Raw}, {"request", StepKind::Request},
    {"parallel", StepKind::Parallel}, {"repeat", StepKind::Repeat}, {"include", StepKind::Include}};

// Size-valued parameters checked at load time when they hold no `${...}`.
const Keys kSizeParams{"start", "end", "total", "size", "part_size", "body_size", "advance", "seconds"};

class Reader : public YamlReader {
 public:
  using YamlReader::YamlReader;

  // YAML -> JSON with every scalar kept as a string (`${}` is resolved later).
  // Aliases can make a YAML graph cyclic or exponentially large: depth and
  // node count are bounded, so a hostile file is an error, not a hang.
  nlohmann::json to_json(const YAML::Node& node, const std::string& field, int depth = 0) const {
    if (depth > kMaxDepth) fail(node, field, "nested deeper than " + std::to_string(kMaxDepth) + " (an alias cycle?)");
    if (++nodes_ > kMaxNodes) fail(node, field, "more than " + std::to_string(kMaxNodes) + " values (aliases expanding?)");
    if (node.IsNull()) return nullptr;
    if (node.IsScalar()) {
      if (kSizeParams.contains(last_segment(field)) && node.Scalar().find("${") == std::string::npos) {
        auto parsed = contract::parse_byte_size(node.Scalar());
        if (!parsed) fail(node, field, parsed.error);
      }
      return node.Scalar();
    }
    if (node.IsSequence()) {
      auto arr = nlohmann::json::array();
      int i = 0;
      for (const auto& item : node) arr.push_back(to_json(item, field + "[" + std::to_string(i++) + "]", depth + 1));
      return arr;
    }
    auto obj = nlohmann::json::object();
    for (const auto& kv : node) obj[kv.first.Scalar()] = to_json(kv.second, field + "." + kv.first.Scalar(), depth + 1);
    return obj;
  }

  Expectation expectation(const YAML::Node& node, const std::string& field) const {
    only_keys(node, field, {"status", "code", "defer", "json", "headers", "body_contains", "body_lacks"});
    Expectation e;
    if (node["status"]) {
      e.status = scalars(node["status"], field + ".status");
      for (const auto& s : e.status) {
        bool ok = (s.size() == 3 && std::isdigit(static_cast<unsigned char>(s[0])) &&
                   ((std::isdigit(static_cast<unsigned char>(s[1])) && std::isdigit(static_cast<unsigned char>(s[2]))) ||
                    s.substr(1) == "xx"));
        if (!ok) fail(node["status"], field + ".status", "'" + s + "' is neither a status (206) nor a class (4xx)");
      }
    }
    if (node["code"]) e.codes = scalars(node["code"], field + ".code");
    if (node["body_contains"]) e.body_contains = scalars(node["body_contains"], field + ".body_contains");
    if (node["body_lacks"]) e.body_lacks = scalars(node["body_lacks"], field + ".body_lacks");
    if (node["defer"]) e.defer = boolean(node["defer"], field + ".defer");
    if (node["json"]) {
      if (!node["json"].IsMap()) fail(node["json"], field + ".json", "expected a mapping of path: value");
      e.json = to_json(node["json"], field + ".json");
    }
    if (node["headers"]) {
      if (!node["headers"].IsMap()) fail(node["headers"], field + ".headers", "expected a mapping");
      for (const auto& kv : node["headers"]) e.headers[kv.first.Scalar()] = scalar(kv.second, field + ".headers");
    }
    return e;
  }

  std::vector<Step> steps(const YAML::Node& node, const std::string& field) const {
    if (!node.IsSequence()) fail(node, field, "expected a list of steps");
    std::vector<Step> out;
    int i = 0;
    for (const auto& item : node) out.push_back(step(item, field + "[" + std::to_string(i++) + "]"));
    return out;
  }

  Step step(const YAML::Node& node, const std::string& field) const {
    if (!node.IsMap()) fail(node, field, "expected a step mapping such as `upload: {...}`");
    Step s;
    s.file = file_;
    s.line = node.Mark().line + 1;
    std::string kind;
    for (const auto& kv : node) {
      auto key = kv.first.Scalar();
      if (kKinds.contains(key)) {
        if (!kind.empty()) fail(kv.first, field + "." + key, "a step has one kind; this one already is `" + kind + "`");
        kind = key;
      } else if (key != "name" && key != "expect" && key != "when" && key != "capture" && key != "with") {
        fail(kv.first, field + "." + key, "unknown step field (kinds: upload, upload_file, move, get_link, download, clock, wait, raw, request, parallel, repeat, include; common: name, expect, when, capture)");
      }
    }
    if (kind.empty()) fail(node, field, "step has no kind (upload, upload_file, move, ...)");
    s.kind = kKinds.at(kind);
    const std::string where = field + "." + kind;
    const YAML::Node body = node[kind];
    if (node["name"]) s.name = scalar(node["name"], field + ".name");
    if (node["when"]) s.when = scalar(node["when"], field + ".when");
    if (node["capture"]) s.capture = string_map(node["capture"], field + ".capture");
    if (node["expect"]) s.expect = expectation(node["expect"], field + ".expect");
    if (node["with"] && s.kind != StepKind::Include) fail(node["with"], field + ".with", "only include steps take `with`");

    switch (s.kind) {
      case StepKind::Parallel:
        s.steps = steps(body, where);
        break;
      case StepKind::Repeat:
        only_keys(body, where, {"count", "steps"});
        if (!body["count"] || !body["steps"]) fail(body, where, "repeat needs `count` and `steps`");
        s.count = scalar(body["count"], where + ".count");
        s.steps = steps(body["steps"], where + ".steps");
        break;
      case StepKind::Include:
        s.spec = {{"macro", scalar(body, where)}};
        if (node["with"]) s.with = string_map(node["with"], field + ".with");
        break;
      case StepKind::Wait:
      case StepKind::Clock:
        if (body.IsScalar()) {
          s.spec = {{s.kind == StepKind::Wait ? "seconds" : "advance", to_json(body, where + (s.kind == StepKind::Wait ? ".seconds" : ".advance"))}};
          break;
        }
        [[fallthrough]];
      default:
        if (body.IsNull()) break;
        only_keys(body, where, step_params().at(kind));
        s.spec = to_json(body, where);
        if (body["expect_parts"]) {
          for (const auto& kv : body["expect_parts"])
            s.spec["expect_parts"][kv.first.Scalar()] = expectation_json(kv.second, where + ".expect_parts." + kv.first.Scalar());
        }
        if (body["expect_final"]) s.spec["expect_final"] = expectation_json(body["expect_final"], where + ".expect_final");
    }
    if (s.kind == StepKind::Raw && !s.spec.contains("data")) fail(body, where, "raw needs `data`");
    return s;
  }

  // A nested expectation kept as JSON (upload_file expands it per part).
  nlohmann::json expectation_json(const YAML::Node& node, const std::string& field) const {
    expectation(node, field);  // validates
    return to_json(node, field);
  }

  Outcome outcome(const YAML::Node& node) const {
    Outcome o;
    if (node.IsScalar()) {
      if (node.Scalar() == "accepted") { o.kind = Outcome::Kind::Accepted; return o; }
      if (node.Scalar() == "rejected") { o.kind = Outcome::Kind::Rejected; return o; }
      fail(node, "outcome", "expected `accepted`, `rejected` or a mapping");
    }
    only_keys(node, "outcome", {"accepted", "rejected", "file", "allow_assembled"});
    if (node["accepted"] && node["rejected"]) fail(node, "outcome", "either accepted or rejected, not both");
    if (node["accepted"]) o.kind = Outcome::Kind::Accepted;
    if (node["rejected"]) {
      o.kind = Outcome::Kind::Rejected;
      if (!node["rejected"].IsNull() && node["rejected"].Scalar() != "true")
        o.codes = scalars(node["rejected"], "outcome.rejected");
    }
    if (o.kind == Outcome::Kind::None) fail(node, "outcome", "needs `accepted` or `rejected`");
    if (node["file"]) o.file = scalar(node["file"], "outcome.file");
    if (node["allow_assembled"]) o.allow_assembled = boolean(node["allow_assembled"], "outcome.allow_assembled");
    return o;
  }

  Scenario scenario(const YAML::Node& node, const std::string& field) const {
    only_keys(node, field, {"id", "rules", "level", "title", "description", "requires", "vars", "steps", "outcome"});
    Scenario sc;
    sc.file = file_;
    sc.line = node.Mark().line + 1;
    if (!node["id"]) fail(node, field + ".id", "missing");
    sc.id = scalar(node["id"], field + ".id");
    if (!node["rules"]) fail(node, field + ".rules", "missing (list the rule ids this scenario covers)");
    sc.rules = scalars(node["rules"], field + ".rules");
    std::optional<contract::RuleLevel> strongest;
    for (const auto& r : sc.rules) {
      auto rule = contract::find_rule(r);
      if (!rule) fail(node["rules"], field + ".rules", "unknown rule id '" + r + "'");
      if (!strongest || static_cast<int>(rule->level) < static_cast<int>(*strongest)) strongest = rule->level;
    }
    sc.level = strongest.value_or(contract::RuleLevel::Must);
    if (node["level"]) {
      auto level = contract::level_from_name(scalar(node["level"], field + ".level"));
      if (!level) fail(node["level"], field + ".level", "expected must, should or info");
      sc.level = *level;
    }
    if (node["title"]) sc.title = scalar(node["title"], field + ".title");
    if (node["description"]) sc.description = scalar(node["description"], field + ".description");
    if (node["requires"]) {
      sc.requires_caps = scalars(node["requires"], field + ".requires");
      const auto& caps = known_capabilities();
      for (const auto& c : sc.requires_caps)
        if (std::find(caps.begin(), caps.end(), c) == caps.end())
          fail(node["requires"], field + ".requires", "unknown capability '" + c + "'");
    }
    if (node["vars"]) sc.vars = string_map(node["vars"], field + ".vars");
    if (!node["steps"]) fail(node, field + ".steps", "missing");
    sc.steps = steps(node["steps"], field + ".steps");
    if (node["outcome"]) sc.outcome = outcome(node["outcome"]);
    return sc;
  }

  void document(const YAML::Node& root, std::vector<Scenario>& out, std::map<std::string, Step>& macros) const {
    if (root.IsNull()) return;
    if (root.IsSequence()) {
      int i = 0;
      for (const auto& item : root) out.push_back(scenario(item, "[" + std::to_string(i++) + "]"));
      return;
    }
    if (!root.IsMap()) fail(root, "document", "expected a scenario, a list of scenarios, or `scenarios:`");
    if (root["id"]) { out.push_back(scenario(root, "scenario")); return; }
    only_keys(root, "document", {"scenarios", "macros"});
    if (root["macros"]) {
      if (!root["macros"].IsMap()) fail(root["macros"], "macros", "expected a mapping of name: steps");
      for (const auto& kv : root["macros"]) {
        Step m;
        m.kind = StepKind::Include;
        m.file = file_;
        m.line = kv.first.Mark().line + 1;
        m.name = kv.first.Scalar();
        m.steps = steps(kv.second, "macros." + m.name);
        if (macros.contains(m.name)) fail(kv.first, "macros." + m.name, "macro defined twice");
        macros[m.name] = std::move(m);
      }
    }
    if (root["scenarios"]) {
      if (!root["scenarios"].IsSequence()) fail(root["scenarios"], "scenarios", "expected a list");
      int i = 0;
      for (const auto& item : root["scenarios"])
        out.push_back(scenario(item, "scenarios[" + std::to_string(i++) + "]"));
    }
  }

 private:
  static std::string last_segment(const std::string& field) {
    auto dot = field.rfind('.');
    return dot == std::string::npos ? field : field.substr(dot + 1);
  }
  static constexpr int kMaxDepth = 64;
  static constexpr std::size_t kMaxNodes = 100000;
  mutable std::size_t nodes_ = 0;
};

// Every step of a scenario once its includes are expanded; a macro including
// another ten times, nine levels deep, would otherwise expand to 10^9 steps.
constexpr std::size_t kMaxExpandedSteps = 100000;

void resolve_includes(std::vector<Step>& steps, const std::map<std::string, Step>& macros, int depth,
                      std::size_t& expanded) {
  for (auto& s : steps) {
    if (++expanded > kMaxExpandedSteps)
      throw ScenarioError(s.file + ":" + std::to_string(s.line) + ": include: the scenario expands to more than " +
                          std::to_string(kMaxExpandedSteps) + " steps");
    if (s.kind == StepKind::Include) {
      const std::string name = s.spec.value("macro", "");
      auto it = macros.find(name);
      if (it == macros.end())
        throw ScenarioError(s.file + ":" + std::to_string(s.line) + ": include: unknown macro '" + name + "'");
      if (depth > 16)
        throw ScenarioError(s.file + ":" + std::to_string(s.line) + ": include: macros nest deeper than 16 (a cycle?)");
      s.steps = it->second.steps;
    }
    resolve_includes(s.steps, macros, depth + 1, expanded);
  }
}

void parse_text(const std::string& text, const std::string& file, std::vector<Scenario>& out,
                std::map<std::string, Step>& macros) {
  std::vector<YAML::Node> docs;
  try {
    // One document per file. (yaml-cpp 0.7's LoadAll never returns on some
    // inputs, a lone `,` among them: it adds empty documents forever.)
    docs.push_back(YAML::Load(text));
  } catch (const YAML::Exception& e) {
    throw ScenarioError(file + ":" + std::to_string(e.mark.line + 1) + ": yaml: " + e.msg);
  }
  Reader reader(file);
  for (const auto& doc : docs) reader.document(doc, out, macros);
}

void finish(std::vector<Scenario>& scenarios, const std::map<std::string, Step>& macros) {
  std::map<std::string, const Scenario*> seen;
  for (auto& sc : scenarios) {
    std::size_t expanded = 0;
    resolve_includes(sc.steps, macros, 0, expanded);
    if (auto [it, fresh] = seen.emplace(sc.id, &sc); !fresh)
      throw ScenarioError(sc.file + ":" + std::to_string(sc.line) + ": id: '" + sc.id + "' is already used at " +
                          it->second->file + ":" + std::to_string(it->second->line));
  }
}

}  // namespace

bool Expectation::expects_refusal() const {
  if (status.empty()) return !codes.empty();
  return std::all_of(status.begin(), status.end(), [](const std::string& s) { return s[0] == '4'; });
}

const std::vector<std::string>& known_capabilities() {
  // docs/scenarios.md, "Capabilities": what a scenario may need beyond the reference.
  static const std::vector<std::string> caps{
      "clock",           "faults",           "admin",          "readonly-directory", "quota-directory",
      "other-directory", "ttl-wait",         "links-download", "list",               "early-refusal",
      "expect-continue", "name-limit-255",   "upload-name-param"};
  return caps;
}

std::string_view step_kind_name(StepKind kind) {
  for (const auto& [name, k] : kKinds)
    if (k == kind) return name;
  return "?";
}

std::vector<Scenario> load_scenarios(const std::vector<std::filesystem::path>& paths) {
  // client/ holds the scenarios of `partcheck client` (another format).
  const auto files = yaml_files(paths, kClientScenarioDir);
  std::vector<Scenario> scenarios;
  std::map<std::string, Step> macros;
  for (const auto& f : files) parse_text(read_yaml_text(f), f.string(), scenarios, macros);
  // A file run on its own still sees the macros of the files next to it
  // (`partcheck run scenarios/part.yaml` uses scenarios/macros.yaml).
  std::set<std::filesystem::path> siblings;
  for (const auto& p : paths)
    if (std::filesystem::is_regular_file(p) && p.has_parent_path())
      for (const auto& entry : std::filesystem::directory_iterator(p.parent_path()))
        if (entry.path().extension() == ".yaml" && std::find(files.begin(), files.end(), entry.path()) == files.end())
          siblings.insert(entry.path());
  for (const auto& f : siblings) {
    std::vector<Scenario> ignored;
    std::map<std::string, Step> more;
    parse_text(read_yaml_text(f), f.string(), ignored, more);
    for (auto& [name, m] : more) macros.try_emplace(name, std::move(m));
  }
  finish(scenarios, macros);
  return scenarios;
}

std::vector<Scenario> load_scenarios_from_string(const std::string& text, const std::string& file) {
  std::vector<Scenario> scenarios;
  std::map<std::string, Step> macros;
  parse_text(text, file, scenarios, macros);
  finish(scenarios, macros);
  return scenarios;
}

}  // namespace partcheck::runner
