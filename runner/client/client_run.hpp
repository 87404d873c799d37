#pragma once
// `partcheck client`: each client scenario runs the user's uploader against a
// fresh embedded mock set up with the scenario's behaviour, then grades it
// from the journal and the directory (client_judge). Scenarios run one after
// another: back-off is judged from timing, which a busy machine would blur.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runner/client/client_scenario.hpp"
#include "runner/results.hpp"

namespace partcheck::runner::client {

struct ClientRunOptions {
  std::vector<std::string> command;  // argv; {url}, {api_key}, ... replaced (docs/clients.md)
  std::optional<std::chrono::seconds> timeout;  // instead of each scenario's own
  std::uint64_t seed = 1;                       // of the files' contents
  bool strict = false;
  std::filesystem::path work_dir;  // files to upload and the clients' output, one subdirectory per scenario
  std::function<void(const ScenarioResult&)> on_done;  // progress
};

ScenarioResult run_client_scenario(const ClientScenario& scenario, const ClientRunOptions& options);
RunResult run_client_scenarios(const std::vector<ClientScenario>& scenarios, const ClientRunOptions& options);

// The placeholders a command line may use and the environment variables
// with the same values: {url} PARTCHECK_URL, {api_key} PARTCHECK_API_KEY,
// {directory_id} PARTCHECK_DIRECTORY_ID, {file} PARTCHECK_FILE, {file_name}
// PARTCHECK_FILE_NAME, {result} PARTCHECK_RESULT, {scenario} PARTCHECK_SCENARIO.
struct ClientEnvironment {
  std::vector<std::pair<std::string, std::string>> variables;  // name, value
  std::vector<std::pair<std::string, std::string>> placeholders;
};
std::vector<std::string> expand_placeholders(const std::vector<std::string>& argv, const ClientEnvironment& env);

}  // namespace partcheck::runner::client
