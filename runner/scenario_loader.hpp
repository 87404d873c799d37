#pragma once
// Reads scenario files (docs/scenarios.md). Every problem is reported as
// `file:line: field: message` so a suite author can jump straight to it.
#include <filesystem>
#include <string>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/yaml_reader.hpp"

namespace partcheck::runner {

// The subdirectory of a suite with client scenarios (runner/client/), which
// the server suite's walk leaves out.
inline constexpr const char* kClientScenarioDir = "client";

// Loads one file or every *.yaml / *.yml under a directory (sorted, but not
// under kClientScenarioDir), resolves
// `include:` steps against the macros of all loaded files, and checks that
// scenario ids are unique. Throws ScenarioError.
std::vector<Scenario> load_scenarios(const std::vector<std::filesystem::path>& paths);

// One document given as text (tests, fuzz replays); `file` names it in errors.
std::vector<Scenario> load_scenarios_from_string(const std::string& text, const std::string& file);

}  // namespace partcheck::runner
