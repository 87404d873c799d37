#include "runner/client/client_run.hpp"

#include <array>
#include <fstream>
#include <set>
#include <stdexcept>

#include "contract/content_range.hpp"
#include "contract/data_source.hpp"
#include "contract/file_name.hpp"
#include "contract/rules.hpp"
#include "contract/uuid.hpp"
#include "mock_server/admin/fault_injector.hpp"
#include "mock_server/admin/journal.hpp"
#include "mock_server/server.hpp"
#include "mock_server/store/store.hpp"
#include "runner/client/client_judge.hpp"

namespace partcheck::runner::client {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kJournalCapacity = 100000;
constexpr std::size_t kOutputKept = 8 * 1024;  // of what the client printed, in the report
constexpr std::size_t kChunk = 1 << 20;

std::uint64_t seed_for(const std::string& id, std::uint64_t seed) {
  std::uint64_t h = seed ^ 0x9e3779b97f4a7c15ull;
  for (unsigned char c : id) h = (h ^ c) * 0x100000001b3ull;  // FNV-1a: a different file per scenario
  return h;
}

void write_file(const fs::path& path, const contract::DataSource& source, std::uint64_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::vector<char> chunk(kChunk);
  for (std::uint64_t offset = 0; offset < size; offset += kChunk) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, size - offset));
    source.fill(offset, std::span<char>(chunk.data(), n));
    out.write(chunk.data(), static_cast<std::streamsize>(n));
  }
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

mock::ServerConfig mock_config(const ClientScenario& scenario) {
  mock::ServerConfig config;
  config.listen_port = 0;
  config.threads = 2;
  config.storage = mock::StorageKind::Memory;
  config.quiet = true;
  config.journal_capacity = kJournalCapacity;
  config.max_memory = std::max<std::uint64_t>(config.max_memory, 4 * scenario.file_size + (64u << 20));
  // Half the file's room: the move finds the directory full (MOVE-4).
  config.directories = {{"quota", std::max<std::uint64_t>(scenario.file_size / 2, 1), false}};
  return config;
}

// A file of the scenario's name already in the directory (name_taken).
void store_taken_name(mock::Store& store, const std::string& directory, const std::string& name) {
  const std::string hash = contract::new_uuid();
  const std::string text = "already here";
  auto begun = store.begin_part(hash, contract::ContentRange{0, text.size(), text.size()}, mock::PartTarget{});
  auto* upload = std::get_if<std::unique_ptr<mock::PartUpload>>(&begun);
  if (!upload) throw std::runtime_error("the mock refused the file that takes the name");
  (*upload)->write(std::as_bytes(std::span(text)));
  (*upload)->finish();
  if (std::holds_alternative<mock::Refusal>(store.move(directory, {{hash, name}})))
    throw std::runtime_error("the mock refused to move the file that takes the name");
}

std::vector<mock::ListEntry> files_in(mock::Store& store, const std::string& directory) {
  std::vector<mock::ListEntry> files;
  auto listed = store.list_directory(directory, 0, 0);
  if (auto* listing = std::get_if<mock::Store::Listing>(&listed))
    for (auto& entry : listing->entries)
      if (entry.type == "file") files.push_back(std::move(entry));
  return files;
}

bool content_matches(mock::Store& store, const std::string& file_id, const contract::DataSource& source,
                     std::uint64_t size) {
  auto token = store.link_for_file(file_id);
  if (!std::holds_alternative<std::string>(token)) return false;
  auto download = store.open_download(std::get<std::string>(token));
  auto* opened = std::get_if<mock::Store::Download>(&download);
  if (!opened || opened->reader->size() != size) return false;
  std::vector<std::byte> chunk(kChunk);
  for (std::uint64_t offset = 0; offset < size;) {
    const auto n = opened->reader->read(offset, chunk);
    if (n == 0 || source.first_mismatch(offset, std::span(chunk.data(), n))) return false;
    offset += n;
  }
  return true;
}

std::optional<std::string> read_small(const fs::path& path, std::size_t limit, bool tail) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return std::nullopt;
  const auto size = static_cast<std::size_t>(in.tellg());
  const auto keep = std::min(size, limit);
  in.seekg(static_cast<std::streamoff>(tail ? size - keep : 0));
  std::string text(keep, '\0');
  in.read(text.data(), static_cast<std::streamsize>(keep));
  return text;
}

RequestLog to_log(const ClientRequest& r, int step) {
  RequestLog log;
  log.step = step;
  log.step_name = r.label();
  log.method = r.method;
  log.url = r.target;
  log.headers = r.headers;
  log.bytes_sent = r.bytes_in;
  log.status = r.status;
  log.code = r.code;
  if (r.withheld_status != 0)
    log.error = "the answer (" + std::to_string(r.withheld_status) + ") was dropped by a fault after the request was carried out";
  else if (r.status == 0)
    log.error = r.code.empty() ? "no answer" : r.code;
  if (!r.faults.empty()) {
    std::string ids;
    for (const auto& id : r.faults) ids += (ids.empty() ? "" : ", ") + id;
    log.response_excerpt = "faults fired: " + ids;
  }
  log.duration_ms = r.duration_ms;
  log.at_ms = r.at_ms;
  return log;
}

std::string level_of(const ClientScenario& scenario) {
  for (const auto& id : scenario.rules)
    if (auto rule = contract::find_rule(id); rule && rule->level == contract::RuleLevel::Must) return "MUST";
  return "SHOULD";
}

}  // namespace

std::vector<std::string> expand_placeholders(const std::vector<std::string>& argv, const ClientEnvironment& env) {
  std::vector<std::string> out;
  for (auto arg : argv) {
    for (const auto& [name, value] : env.placeholders) {
      for (auto at = arg.find(name); at != std::string::npos; at = arg.find(name, at + value.size()))
        arg.replace(at, name.size(), value);
    }
    out.push_back(std::move(arg));
  }
  return out;
}

ScenarioResult run_client_scenario(const ClientScenario& scenario, const ClientRunOptions& options) {
  ScenarioResult result;
  result.id = scenario.id;
  result.title = scenario.title;
  result.file = scenario.file;
  result.rules = scenario.rules;
  result.level = level_of(scenario);

  const fs::path dir = options.work_dir / scenario.id;
  fs::create_directories(dir);
  const contract::DataSource source(seed_for(scenario.id, options.seed));
  const fs::path upload_file = dir / scenario.file_name;
  write_file(upload_file, source, scenario.file_size);
  const fs::path result_file = dir / "result.json", output_file = dir / "output.txt";
  fs::remove(result_file);
  fs::remove(output_file);

  mock::Server server(mock_config(scenario));
  server.start();
  auto& store = server.store();
  std::string directory = store.root_directory_id();
  for (const auto& d : store.directories())
    if (scenario.quota_directory && d.name == "quota") directory = d.id;
  if (scenario.name_taken) store_taken_name(store, directory, scenario.file_name);
  std::set<std::string> before;
  for (const auto& f : files_in(store, directory)) before.insert(f.id);
  for (const auto& fault : scenario.faults) server.faults().add(fault);

  ClientEnvironment env;
  const std::array<std::array<std::string, 3>, 7> values{{
      {"{url}", "PARTCHECK_URL", server.url()},
      {"{api_key}", "PARTCHECK_API_KEY", server.api_keys().front()},
      {"{directory_id}", "PARTCHECK_DIRECTORY_ID", directory},
      {"{file}", "PARTCHECK_FILE", upload_file.string()},
      {"{file_name}", "PARTCHECK_FILE_NAME", scenario.file_name},
      {"{result}", "PARTCHECK_RESULT", result_file.string()},
      {"{scenario}", "PARTCHECK_SCENARIO", scenario.id},
  }};
  for (const auto& [placeholder, variable, value] : values) {
    env.placeholders.emplace_back(placeholder, value);
    env.variables.emplace_back(variable, value);
  }
  const auto after_seq = server.journal().to_json(0).at("recorded").get<std::uint64_t>();
  const auto started = std::chrono::system_clock::now();

  ClientObservation seen;
  seen.file_size = scenario.file_size;
  seen.expected_name = scenario.name_taken ? contract::name_with_postfix(scenario.file_name, 1) : scenario.file_name;
  seen.exit = run_child(expand_placeholders(options.command, env), env.variables, output_file,
                        options.timeout.value_or(scenario.timeout));
  server.stop();  // lets a request still in flight finish, so the journal has it

  seen.requests = client_requests(server.journal().to_json(kJournalCapacity), after_seq, started);
  for (const auto& f : files_in(store, directory)) {
    if (before.contains(f.id)) continue;
    seen.new_files.push_back(StoredFile{f.id, f.name, f.size,
                                        f.size == scenario.file_size && content_matches(store, f.id, source, f.size)});
  }
  seen.reported = read_small(result_file, 64 * 1024, false);

  const auto grade = grade_client(scenario, seen, options.strict);
  result.verdict = grade.verdict;
  result.reason = grade.reason.empty() ? "the client " + seen.exit.describe() : grade.reason;
  result.judgements = grade.judgements;
  for (std::size_t i = 0; i < seen.requests.size(); ++i)
    result.transcript.push_back(to_log(seen.requests[i], static_cast<int>(i)));
  result.duration_ms = seen.exit.duration_ms;
  result.client_output = read_small(output_file, kOutputKept, true).value_or("");
  return result;
}

RunResult run_client_scenarios(const std::vector<ClientScenario>& scenarios, const ClientRunOptions& options) {
  RunResult run;
  run.kind = "client";
  run.tool_version = kToolVersion;
  run.seed = options.seed;
  for (const auto& scenario : scenarios) {
    run.scenarios.push_back(run_client_scenario(scenario, options));
    if (options.on_done) options.on_done(run.scenarios.back());
  }
  return run;
}

}  // namespace partcheck::runner::client
