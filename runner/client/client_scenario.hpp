#pragma once
// A client scenario (scenarios/client/*.yaml, docs/clients.md): one server
// behaviour an upload client meets while `partcheck client` runs it against
// an embedded mock, and what the client may achieve under it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace partcheck::runner::client {

// Whether the client can store the file under the scenario's behaviour.
enum class Outcome {
  Stored,     // it can, and must: CLIENT-1 judges the file
  NotStored,  // it cannot (a revoked key, a full directory): it must say so
  Either,     // both are right (an expired upload may be started over or given up)
};

struct ClientScenario {
  std::string id;
  std::string title;
  std::string file;  // scenario file, for reports and errors
  int line = 0;
  std::vector<std::string> rules;  // CLIENT-* ids judged by this scenario
  std::uint64_t file_size = 12 * 1024 * 1024 + 12345;  // three parts of 5 MiB
  std::string file_name = "report.bin";
  bool name_taken = false;    // a file of that name is in the directory before the client starts
  bool quota_directory = false;  // the directory has less room than the file
  // Armed on the mock before the client starts: bodies of POST /__mock/faults.
  std::vector<nlohmann::json> faults;
  Outcome expect = Outcome::Stored;
  std::chrono::seconds timeout{120};
};

// Loads one file or every *.yaml under a directory (sorted); ids must be
// unique and rules CLIENT-* ids; faults are checked as the mock would check
// them. Throws ScenarioError with `file:line: field: message`.
std::vector<ClientScenario> load_client_scenarios(const std::vector<std::filesystem::path>& paths);
std::vector<ClientScenario> load_client_scenarios_from_string(const std::string& text, const std::string& file);

}  // namespace partcheck::runner::client
