// `partcheck run`: the conformance suite against a target (default: the
// embedded mock), with reports, a baseline of known failures and a fuzzer.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>

#include "cli/commands.hpp"
#include "cli/suite_paths.hpp"
#include "cli/target_flags.hpp"
#include "contract/rules.hpp"
#include "runner/embedded_target.hpp"
#include "runner/fuzz.hpp"
#include "runner/report/progress.hpp"
#include "runner/report/report_writer.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/suite.hpp"

namespace partcheck::cli {
namespace {

namespace fs = std::filesystem;

struct RunFlags {
  std::vector<std::string> paths;
  TargetFlags target;
  std::vector<std::string> rules;
  std::string level;
  unsigned jobs = 4;
  bool strict = false;
  std::optional<std::uint64_t> seed;
  std::string report_dir = "reports";
  std::string baseline;
  bool list = false;
  unsigned fuzz = 0;
  std::string mock_profile = "strict";
  std::vector<std::string> mock_deviate;
};

[[noreturn]] void exit_with(int code, const std::string& message) {
  if (!message.empty()) std::cerr << "partcheck run: " << message << "\n";
  throw CLI::RuntimeError(code);
}

int execute(const RunFlags& flags) {
  std::vector<fs::path> paths(flags.paths.begin(), flags.paths.end());
  if (paths.empty()) paths.push_back(default_suite());
  std::vector<runner::Scenario> all;
  try {
    all = runner::load_scenarios(paths);
  } catch (const runner::ScenarioError& e) {
    exit_with(kExitUsage, e.what());
  }
  if (flags.list) {
    runner::list_rules(all, std::cout);
    return kExitOk;
  }

  runner::SuiteOptions options;
  options.jobs = flags.jobs;
  options.rule_prefixes = flags.rules;
  options.exec.strict = flags.strict;
  options.exec.seed = flags.seed.value_or(std::random_device{}());
  options.exec.timeout = std::chrono::milliseconds(static_cast<long>(flags.target.timeout_s * 1000));
  if (!flags.level.empty()) {
    options.level = contract::level_from_name(flags.level);
    if (!options.level) exit_with(kExitUsage, "--level: expected must, should or info");
  }
  const auto selected = runner::select_scenarios(all, options);
  if (selected.empty() && flags.fuzz == 0) exit_with(kExitUsage, "no scenario matches --rules/--level");

  std::set<std::string> baseline;
  try {
    if (!flags.baseline.empty()) baseline = runner::load_baseline(flags.baseline);
  } catch (const runner::ScenarioError& e) {
    exit_with(kExitUsage, e.what());
  }

  runner::EmbeddedOptions embedded_options;
  embedded_options.profile = flags.mock_profile;
  embedded_options.deviations = flags.mock_deviate;
  std::unique_ptr<runner::EmbeddedTarget> embedded;
  runner::Target target;
  std::vector<runner::Capability> capabilities;
  if (!flags.target.url.empty() || !flags.target.config.empty()) {
    target = target_from_flags(flags.target, "run");
    capabilities = probe_or_exit(target, flags.target, "run").table;
  } else {
    try {
      embedded = std::make_unique<runner::EmbeddedTarget>(embedded_options);
    } catch (const std::invalid_argument& e) {
      exit_with(kExitUsage, e.what());
    } catch (const std::runtime_error& e) {
      exit_with(kExitUnreachable, std::string("cannot start the embedded mock: ") + e.what());
    }
    target = embedded->target();
    capabilities = runner::known_capability_table(target);
  }

  std::cout << "partcheck run: " << selected.size() << " scenarios against " << target.name << " (" << target.url
            << "), seed " << options.exec.seed << ", " << options.jobs << " jobs" << (flags.strict ? ", strict" : "")
            << "\n";
  const auto started = std::chrono::steady_clock::now();
  const auto started_at = iso_now();
  runner::Progress progress(selected.size(), isatty(STDOUT_FILENO) != 0, std::cout);
  auto run = runner::run_suite(selected, target, options, [&](const runner::ScenarioResult& r) { progress.scenario_done(r); });
  run.started_at = started_at;
  run.capabilities = capabilities;

  runner::FuzzReport fuzz_report;
  if (flags.fuzz > 0) {
    runner::FuzzOptions fuzz;
    fuzz.count = flags.fuzz;
    fuzz.seed = options.exec.seed;
    fuzz.oracle = embedded_options;
    fuzz.oracle.deviations.clear();  // the oracle is the reference behaviour of the same profile
    fuzz.timeout = options.exec.timeout;
    fuzz_report = runner::run_fuzz(target, fuzz, std::cout);
    for (auto& sc : fuzz_report.results) run.scenarios.push_back(sc);
    std::cout << fuzz_report.summary << "\n";
  }
  run.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  progress.finish(run);

  fs::path dir = runner::timestamped_report_dir(flags.report_dir);
  try {
    runner::write_reports(run, dir);
    for (const auto& [name, yaml] : fuzz_report.replays) {
      std::ofstream(dir / name) << yaml;
      std::cout << "fuzz replay: " << (dir / name).string() << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "partcheck run: reports: " << e.what() << "\n";
  }
  std::cout << "reports: " << dir.string() << " (and " << (fs::path(flags.report_dir) / "latest").string() << ")\n";

  int new_fails = 0, known = 0;
  for (const auto& sc : run.scenarios)
    if (sc.verdict == runner::Verdict::Fail) (baseline.contains(sc.id) ? known : new_fails)++;
  if (!baseline.empty())
    std::cout << "baseline: " << known << " known failure(s), " << new_fails << " new\n";
  std::cout << std::flush;
  return new_fails > 0 ? kExitFailed : kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  auto* cmd = app.add_subcommand("run", "Run the conformance scenarios against a target (default: an embedded mock)");
  cmd->add_option("paths", flags->paths, "Scenario files or directories (default: scenarios/)");
  add_target_flags(*cmd, flags->target);
  cmd->add_option("--rules", flags->rules, "Only scenarios covering rules with these id prefixes (AUTH,RANGE-2 or repeated)")
      ->delimiter(',');
  cmd->add_option("--level", flags->level, "Only scenarios of this level or stronger: must|should|info");
  cmd->add_option("--jobs", flags->jobs, "Scenarios run at once")->check(CLI::Range(1u, 256u));
  cmd->add_flag("--strict", flags->strict, "Report missed SHOULD rules as FAIL instead of NON-STRICT");
  cmd->add_option("--seed", flags->seed, "Seed of the generated file contents and the fuzzer (default: random, printed)");
  cmd->add_option("--report-dir", flags->report_dir, "Reports go to DIR/<timestamp>/ and DIR/latest (default: reports)");
  cmd->add_option("--baseline", flags->baseline, "Known failures (results.json or a list of scenario ids): only new FAILs fail the run");
  cmd->add_flag("--list", flags->list, "List every rule with its level, text and covering scenarios");
  cmd->add_option("--fuzz", flags->fuzz, "Also run N random part sequences against the target and an embedded mock oracle");
  cmd->add_option("--mock-profile", flags->mock_profile, "Profile of the embedded mock: strict|s3|lenient (testing the suite)")
      ->group("Embedded mock");
  cmd->add_option("--mock-deviate", flags->mock_deviate, "Break this rule in the embedded mock (testing the suite)")
      ->group("Embedded mock");
  cmd->callback([flags] {
    int code = execute(*flags);
    if (code != kExitOk) throw CLI::RuntimeError(code);
  });
}

}  // namespace partcheck::cli
