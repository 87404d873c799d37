// `partcheck client -- COMMAND [ARGS...]`: grades an upload client. Each
// client scenario starts a fresh embedded mock with one server behaviour
// (a reset part, 5xx then recovery, a lost answer, an expired upload, a
// taken name, a revoked key, a full directory...), runs the command against
// it and judges the CLIENT-* rules (docs/clients.md).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>

#include "cli/commands.hpp"
#include "cli/suite_paths.hpp"
#include "runner/client/client_run.hpp"
#include "runner/client/client_scenario.hpp"
#include "runner/report/progress.hpp"
#include "runner/report/report_writer.hpp"
#include "runner/yaml_reader.hpp"

namespace partcheck::cli {
namespace {

namespace fs = std::filesystem;

struct ClientFlags {
  std::vector<std::string> command;
  std::vector<std::string> scenario_paths;
  std::vector<std::string> only;  // scenario ids or rule id prefixes
  double timeout_s = 0;
  bool strict = false;
  std::optional<std::uint64_t> seed;
  std::string report_dir = "reports";
  std::string work_dir;
  bool list = false;
};

[[noreturn]] void exit_with(int code, const std::string& message) {
  if (!message.empty()) std::cerr << "partcheck client: " << message << "\n";
  throw CLI::RuntimeError(code);
}

bool selected(const runner::client::ClientScenario& scenario, const std::vector<std::string>& only) {
  if (only.empty()) return true;
  for (const auto& want : only) {
    if (scenario.id == want) return true;
    for (const auto& rule : scenario.rules)
      if (rule.starts_with(want)) return true;
  }
  return false;
}

// A fresh directory for the files handed to the client; removed at the end
// unless the user named it (then it is kept for a look at what ran).
class WorkDir {
 public:
  explicit WorkDir(const std::string& given) : keep_(!given.empty()) {
    if (keep_) {
      path_ = given;
      fs::create_directories(path_);
      return;
    }
    std::string pattern = (fs::temp_directory_path() / "partcheck-client-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) exit_with(kExitUsage, "cannot make a temporary directory");
    path_ = pattern;
  }
  ~WorkDir() {
    std::error_code ec;
    if (!keep_) fs::remove_all(path_, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool keep_;
};

int execute(const ClientFlags& flags) {
  std::vector<fs::path> paths(flags.scenario_paths.begin(), flags.scenario_paths.end());
  if (paths.empty()) paths.push_back(default_suite("scenarios/client"));
  std::vector<runner::client::ClientScenario> all;
  try {
    all = runner::client::load_client_scenarios(paths);
  } catch (const runner::ScenarioError& e) {
    exit_with(kExitUsage, e.what());
  }
  std::vector<runner::client::ClientScenario> chosen;
  for (const auto& sc : all)
    if (selected(sc, flags.only)) chosen.push_back(sc);
  if (flags.list) {
    for (const auto& sc : chosen) {
      std::cout << sc.id << "  " << sc.title << "\n   rules:";
      for (const auto& r : sc.rules) std::cout << " " << r;
      std::cout << "\n";
    }
    return kExitOk;
  }
  if (flags.command.empty()) exit_with(kExitUsage, "no client command: partcheck client -- COMMAND [ARGS...]");
  if (chosen.empty()) exit_with(kExitUsage, "no client scenario matches --only");

  WorkDir work(flags.work_dir);
  runner::client::ClientRunOptions options;
  options.command = flags.command;
  if (flags.timeout_s > 0) options.timeout = std::chrono::seconds(static_cast<long>(flags.timeout_s));
  options.seed = flags.seed.value_or(std::random_device{}());
  options.strict = flags.strict;
  options.work_dir = work.path();
  std::cout << "partcheck client: " << chosen.size() << " scenarios, client `" << flags.command.front()
            << (flags.command.size() > 1 ? " ..." : "") << "`, seed " << options.seed
            << (flags.strict ? ", strict" : "") << "\n";
  runner::Progress progress(chosen.size(), isatty(STDOUT_FILENO) != 0, std::cout);
  options.on_done = [&](const runner::ScenarioResult& r) { progress.scenario_done(r); };

  const auto started = std::chrono::steady_clock::now();
  runner::RunResult run;
  try {
    run = runner::client::run_client_scenarios(chosen, options);
  } catch (const std::runtime_error& e) {
    exit_with(kExitUsage, e.what());  // the command could not be started
  }
  run.started_at = iso_now();
  run.target = flags.command.front();
  for (std::size_t i = 1; i < flags.command.size(); ++i) run.target += " " + flags.command[i];
  run.target_name = "client: " + run.target;
  run.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  progress.finish(run);

  const fs::path dir = runner::timestamped_report_dir(flags.report_dir);
  try {
    runner::write_reports(run, dir);
  } catch (const std::exception& e) {
    std::cerr << "partcheck client: reports: " << e.what() << "\n";
  }
  std::cout << "reports: " << dir.string() << " (and " << (fs::path(flags.report_dir) / "latest").string() << ")\n"
            << std::flush;
  for (const auto& sc : run.scenarios)
    if (sc.verdict == runner::Verdict::Fail) return kExitFailed;
  return kExitOk;
}

}  // namespace

void add_client_command(CLI::App& app) {
  auto flags = std::make_shared<ClientFlags>();
  auto* cmd = app.add_subcommand(
      "client", "Grade an upload client: run COMMAND against an embedded mock once per client scenario");
  cmd->add_option("command", flags->command,
                  "The client and its arguments, after --; {url} {api_key} {directory_id} {file} {file_name} "
                  "{result} {scenario} are replaced, and PARTCHECK_URL ... PARTCHECK_SCENARIO are set");
  cmd->add_option("--scenarios", flags->scenario_paths, "Client scenario files or directories (default: scenarios/client/)");
  cmd->add_option("--only", flags->only, "Only these scenario ids, or scenarios judging rules with these prefixes")
      ->delimiter(',');
  cmd->add_option("--timeout", flags->timeout_s, "Seconds a client may run per scenario (default: the scenario's)")
      ->check(CLI::Range(1.0, 86400.0));
  cmd->add_flag("--strict", flags->strict, "Report broken SHOULD rules as FAIL instead of NON-STRICT");
  cmd->add_option("--seed", flags->seed, "Seed of the files' contents (default: random, printed)");
  cmd->add_option("--report-dir", flags->report_dir, "Reports go to DIR/<timestamp>/ and DIR/latest (default: reports)");
  cmd->add_option("--work-dir", flags->work_dir, "Keep the files given to the client and its output here (default: a temporary directory, removed)");
  cmd->add_flag("--list", flags->list, "List the client scenarios and their rules");
  cmd->callback([flags] {
    int code = execute(*flags);
    if (code != kExitOk) throw CLI::RuntimeError(code);
  });
}

}  // namespace partcheck::cli
