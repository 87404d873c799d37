#include <algorithm>
#include <cctype>
#include <map>

#include <yaml-cpp/yaml.h>

#include "contract/byte_size.hpp"
#include "contract/file_name.hpp"
#include "contract/rules.hpp"
#include "contract/utf8.hpp"
#include "mock_server/admin/fault_injector.hpp"
#include "runner/client/client_scenario.hpp"
#include "runner/yaml_reader.hpp"

namespace partcheck::runner::client {
namespace {

constexpr std::uint64_t kMaxFileSize = 1ull << 40;  // a generated file on the local disk: 1 TiB is a typo
constexpr long kMaxTimeoutSeconds = 24 * 3600;

class ClientReader : public YamlReader {
 public:
  using YamlReader::YamlReader;

  ClientScenario scenario(const YAML::Node& node, const std::string& field) const {
    only_keys(node, field,
              {"id", "title", "rules", "file_size", "file_name", "name_taken", "directory", "faults", "expect",
               "timeout"});
    ClientScenario sc;
    sc.file = file_;
    sc.line = node.Mark().line + 1;
    if (!node["id"]) fail(node, field + ".id", "missing");
    sc.id = scalar(node["id"], field + ".id");
    if (sc.id.empty()) fail(node["id"], field + ".id", "empty");
    if (node["title"]) sc.title = scalar(node["title"], field + ".title");
    if (!node["rules"]) fail(node, field + ".rules", "missing: the CLIENT-* rules this scenario judges");
    sc.rules = scalars(node["rules"], field + ".rules");
    for (const auto& id : sc.rules) {
      const bool known = std::ranges::any_of(contract::client_rules(), [&](const auto& r) { return r.id == id; });
      if (!known) fail(node["rules"], field + ".rules", "'" + id + "' is not a client rule (CLIENT-1 ... CLIENT-8)");
    }
    if (node["file_size"]) {
      const auto text = scalar(node["file_size"], field + ".file_size");
      const auto size = contract::parse_byte_size(text);
      if (!size) fail(node["file_size"], field + ".file_size", size.error);
      if (*size.bytes > kMaxFileSize) fail(node["file_size"], field + ".file_size", "larger than 1 TiB");
      sc.file_size = *size.bytes;
    }
    if (node["file_name"]) {
      sc.file_name = scalar(node["file_name"], field + ".file_name");
      if (auto problem = contract::name_problem(sc.file_name); !problem.empty())
        fail(node["file_name"], field + ".file_name", problem);
    }
    if (node["name_taken"]) sc.name_taken = boolean(node["name_taken"], field + ".name_taken");
    if (node["directory"]) {
      const auto kind = scalar(node["directory"], field + ".directory");
      if (kind != "root" && kind != "quota")
        fail(node["directory"], field + ".directory", "expected root or quota (a directory smaller than the file)");
      sc.quota_directory = kind == "quota";
    }
    if (node["expect"]) {
      static const std::map<std::string, Outcome> kOutcomes{
          {"stored", Outcome::Stored}, {"not-stored", Outcome::NotStored}, {"either", Outcome::Either}};
      const auto text = scalar(node["expect"], field + ".expect");
      const auto it = kOutcomes.find(text);
      if (it == kOutcomes.end()) fail(node["expect"], field + ".expect", "expected stored, not-stored or either");
      sc.expect = it->second;
    }
    if (node["timeout"]) {
      const auto text = scalar(node["timeout"], field + ".timeout");
      const bool digits = !text.empty() && text.size() < 7 && std::ranges::all_of(text, [](unsigned char c) {
        return std::isdigit(c) != 0;
      });
      if (!digits || std::stol(text) < 1 || std::stol(text) > kMaxTimeoutSeconds)
        fail(node["timeout"], field + ".timeout", "expected whole seconds from 1 to 86400");
      sc.timeout = std::chrono::seconds(std::stol(text));
    }
    if (node["faults"]) {
      const auto& list = node["faults"];
      if (!list.IsSequence()) fail(list, field + ".faults", "expected a list of faults as POST /__mock/faults takes");
      int i = 0;
      for (const auto& item : list) sc.faults.push_back(fault(item, field + ".faults[" + std::to_string(i++) + "]"));
    }
    return sc;
  }

 private:
  // A fault as the admin API takes it, checked by the mock's own parser so
  // the file and the live API accept exactly the same faults.
  nlohmann::json fault(const YAML::Node& node, const std::string& field) const {
    if (!node.IsMap()) fail(node, field, "expected a mapping such as {kind: delay, ms: 500}");
    values_ = 0;
    auto spec = typed(node, field, 0);
    mock::FaultInjector check;
    if (auto added = check.add(spec); !added.fault) fail(node, field, added.error);
    return spec;
  }

  // YAML -> JSON with numbers and booleans typed (the admin API wants 500, not "500").
  nlohmann::json typed(const YAML::Node& node, const std::string& field, int depth) const {
    if (depth > 8) fail(node, field, "nested too deep for a fault");
    // Aliases can make a small file a huge tree: a fault has a dozen values.
    if (++values_ > kMaxFaultValues) fail(node, field, "more than " + std::to_string(kMaxFaultValues) + " values in one fault (aliases expanding?)");
    if (node.IsMap()) {
      auto out = nlohmann::json::object();
      for (const auto& kv : node) out[kv.first.Scalar()] = typed(kv.second, field + "." + kv.first.Scalar(), depth + 1);
      return out;
    }
    if (!node.IsScalar()) fail(node, field, "expected a value or a mapping");
    const auto& text = node.Scalar();
    // JSON text is UTF-8: a fault's message would quote the value.
    if (!contract::is_valid_utf8(text)) fail(node, field, "not valid UTF-8");
    if (node.Tag() != "!" && !text.empty() && text.size() < 20 &&
        std::ranges::all_of(text, [](unsigned char c) { return std::isdigit(c) != 0; }))
      return std::stoull(text);
    if (node.Tag() != "!" && (text == "true" || text == "false")) return text == "true";
    return text;
  }

  static constexpr std::size_t kMaxFaultValues = 256;
  mutable std::size_t values_ = 0;
};

void parse_text(const std::string& text, const std::string& file, std::vector<ClientScenario>& out) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ScenarioError(file + ":" + std::to_string(e.mark.line + 1) + ": yaml: " + e.msg);
  }
  ClientReader reader(file);
  if (!root.IsMap()) reader.fail(root, "(document)", "expected `client_scenarios:` with a list of scenarios");
  reader.only_keys(root, "(document)", {"client_scenarios"});
  const auto list = root["client_scenarios"];
  if (!list || !list.IsSequence()) reader.fail(root, "client_scenarios", "expected a list of scenarios");
  int i = 0;
  for (const auto& node : list) out.push_back(reader.scenario(node, "client_scenarios[" + std::to_string(i++) + "]"));
}

void check_unique(const std::vector<ClientScenario>& scenarios) {
  std::map<std::string, const ClientScenario*> seen;
  for (const auto& sc : scenarios) {
    auto [it, fresh] = seen.emplace(sc.id, &sc);
    if (!fresh)
      throw ScenarioError(sc.file + ":" + std::to_string(sc.line) + ": id: '" + sc.id + "' is already used at " +
                          it->second->file + ":" + std::to_string(it->second->line));
  }
}

}  // namespace

std::vector<ClientScenario> load_client_scenarios(const std::vector<std::filesystem::path>& paths) {
  std::vector<ClientScenario> scenarios;
  for (const auto& f : yaml_files(paths, {})) parse_text(read_yaml_text(f), f.string(), scenarios);
  check_unique(scenarios);
  return scenarios;
}

std::vector<ClientScenario> load_client_scenarios_from_string(const std::string& text, const std::string& file) {
  std::vector<ClientScenario> scenarios;
  parse_text(text, file, scenarios);
  check_unique(scenarios);
  return scenarios;
}

}  // namespace partcheck::runner::client
