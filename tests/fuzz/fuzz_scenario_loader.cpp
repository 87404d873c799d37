// Fuzz target: the scenario YAML loaders (runner/scenario_loader.hpp:
// load_scenarios_from_string, and the client scenarios' loader,
// runner/client/client_scenario.hpp), the whole input as one scenario file.
//
// Beyond "does not crash": arbitrary text either loads or throws
// ScenarioError, never anything else (no YAML::Exception, no
// nlohmann::json exception, no std::out_of_range), and the message is
// `fuzz.yaml:LINE: FIELD: MESSAGE` with a line inside the text (0 when
// unknown) and a non-empty field and message. What loads holds scenarios
// with unique ids, known rule ids, steps from a line of the text, and no
// include step left without the macro's steps. Loading is deterministic:
// a second load gives the same ids or the same error. Client scenarios obey
// the same rules, with CLIENT-* rule ids and faults the mock accepts.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <cstdlib>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "contract/rules.hpp"
#include "mock_server/admin/fault_injector.hpp"
#include "runner/client/client_scenario.hpp"
#include "runner/scenario_loader.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace partcheck;
using namespace partcheck::runner;
using fuzz::check;

namespace {

constexpr std::string_view kFile = "fuzz.yaml";

void check_message(const std::string& message, std::size_t lines) {
  check(message.starts_with(std::string(kFile) + ":"), "a ScenarioError does not start with the file name", message);
  std::size_t at = kFile.size() + 1, line = 0, digits = 0;
  while (at < message.size() && message[at] >= '0' && message[at] <= '9' && digits < 12) {
    line = line * 10 + static_cast<std::size_t>(message[at++] - '0');
    ++digits;
  }
  check(digits > 0 && message.compare(at, 2, ": ") == 0, "a ScenarioError without `:LINE: `", message);
  check(line <= lines, "a ScenarioError names a line past the end of the text",
        message + " (text has " + std::to_string(lines) + " lines)");
  const auto rest = std::string_view(message).substr(at + 2);
  const auto colon = rest.find(": ");
  check(colon != std::string_view::npos && colon > 0, "a ScenarioError without `FIELD: `", message);
  check(rest.size() > colon + 2, "a ScenarioError without a message after the field", message);
}

void check_steps(const std::vector<Step>& steps, std::size_t lines, int depth) {
  check(depth < 64, "steps nest deeper than the loader allows");
  for (const auto& step : steps) {
    check(step.file == kFile, "a step from another file", step.file);
    check(step.line >= 1 && static_cast<std::size_t>(step.line) <= lines, "a step from a line outside the text",
          std::to_string(step.line));
    if (step.kind == StepKind::Include) check(step.spec.contains("macro"), "an include step without its macro");
    check_steps(step.steps, lines, depth + 1);
  }
}

std::vector<std::string> load(const std::string& text, std::size_t lines) {
  try {
    const auto scenarios = load_scenarios_from_string(text, std::string(kFile));
    std::vector<std::string> ids;
    std::set<std::string> seen;
    for (const auto& scenario : scenarios) {
      check(seen.insert(scenario.id).second, "two scenarios with one id were loaded", scenario.id);
      check(scenario.file == kFile && scenario.line >= 1 && static_cast<std::size_t>(scenario.line) <= lines,
            "a scenario from a line outside the text");
      for (const auto& rule : scenario.rules) check(contract::find_rule(rule).has_value(), "an unknown rule id was loaded", rule);
      check_steps(scenario.steps, lines, 0);
      ids.push_back(scenario.id);
    }
    return ids;
  } catch (const ScenarioError& error) {
    // what() is what `partcheck run` prints: it must name the field and the reason.
    check_message(error.what(), lines);
    return {std::string("error: ") + error.what()};
  } catch (const std::exception& error) {
    fuzz::broken("an exception other than ScenarioError escaped the loader", error.what());
  } catch (...) {
    fuzz::broken("a non-standard exception escaped the loader");
  }
}

std::vector<std::string> load_client(const std::string& text, std::size_t lines) {
  try {
    const auto scenarios = client::load_client_scenarios_from_string(text, std::string(kFile));
    std::vector<std::string> ids;
    std::set<std::string> seen;
    for (const auto& scenario : scenarios) {
      check(seen.insert(scenario.id).second, "two client scenarios with one id were loaded", scenario.id);
      check(scenario.line >= 1 && static_cast<std::size_t>(scenario.line) <= lines,
            "a client scenario from a line outside the text");
      for (const auto& rule : scenario.rules)
        check(rule.starts_with("CLIENT-") && contract::find_rule(rule).has_value(), "a client scenario with rule", rule);
      for (const auto& fault : scenario.faults) {
        mock::FaultInjector injector;
        check(injector.add(fault).fault.has_value(), "a loaded fault the mock refuses", fault.dump());
      }
      ids.push_back(scenario.id);
    }
    return ids;
  } catch (const ScenarioError& error) {
    check_message(error.what(), lines);
    return {std::string("error: ") + error.what()};
  } catch (const std::exception& error) {
    fuzz::broken("an exception other than ScenarioError escaped the client loader", error.what());
  } catch (...) {
    fuzz::broken("a non-standard exception escaped the client loader");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 32 * 1024) return -1;  // scenario files are a few KiB
  const std::string text(reinterpret_cast<const char*>(data), size);
  // YAML breaks lines at LF, CR and CRLF; a mark may point one past the last.
  std::size_t lines = 2;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) ++lines;
  const auto first = load(text, lines);
  check(load(text, lines) == first, "loading the same text twice gives another result");
  const auto client_first = load_client(text, lines);
  check(load_client(text, lines) == client_first, "loading the same client text twice gives another result");
  return 0;
}
