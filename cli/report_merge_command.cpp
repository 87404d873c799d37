// `partcheck report merge A.json B.json ... [--from-logs] [--out FILE] [--html FILE]
// [--junit FILE] [--threshold EXPR ...] [--force]`: the results of the shards
// of one run (`bench --shard I/N`) as one result, with a per-shard table that
// shows a slow worker. Exit 0 ok, 1 a gate broken or verification found a
// difference, 2 an input that cannot be read or is not one run's shard.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_run.hpp"
#include "bench/merge.hpp"
#include "bench/report_html.hpp"
#include "bench/summary.hpp"
#include "cli/commands.hpp"

namespace partcheck::cli {
namespace {

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string out, html, junit;
  std::vector<std::string> thresholds;
  bool from_logs = false;
  bool force = false;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "partcheck report merge: " << message << "\n";
  throw CLI::RuntimeError(kExitUsage);
}

// "-" is standard input: `kubectl logs -l job-name=bench | partcheck report merge --from-logs -`.
std::string read_input(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) usage_error(path + ": cannot read the file");
  text << in.rdbuf();
  if (in.bad()) usage_error(path + ": read failed");
  return text.str();
}

std::vector<bench::MergeInput> load_inputs(const MergeArgs& args) {
  std::vector<bench::MergeInput> inputs;
  for (const auto& path : args.inputs) {
    const std::string name = path == "-" ? "(stdin)" : path;
    const std::string text = read_input(path);
    if (args.from_logs) {
      std::istringstream log(text);
      std::vector<bench::MergeInput> picked;
      try {
        picked = bench::pick_results_from_log(log, name);
      } catch (const bench::LogInputError& e) {
        usage_error(e.what());
      }
      if (picked.empty())
        usage_error(name + ": no " + bench::kResultsSchema +
                    " result line in this log (a shard writes one with --out -; a results file is merged without "
                    "--from-logs)");
      for (auto& input : picked) inputs.push_back(std::move(input));
      continue;
    }
    nlohmann::json document;
    try {
      document = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      usage_error(name + ": not valid JSON (a log? use --from-logs): " + e.what());
    }
    try {
      inputs.push_back({name, bench::bench_result_from_json(document)});
    } catch (const std::exception& e) {
      usage_error(name + ": not a partcheck bench result: " + e.what());
    }
  }
  return inputs;
}

// The merged result, and how it was made: which inputs, and what --force let through.
nlohmann::json merged_json(const bench::BenchResult& merged, const std::vector<bench::MergeInput>& inputs,
                           const std::vector<std::string>& forced) {
  auto j = bench::to_json(merged);
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& input : inputs) sources.push_back(input.source);
  j["merge"] = {{"inputs", sources}, {"forced", forced}};
  return j;
}

void run_merge(const MergeArgs& args) {
  std::vector<bench::Threshold> thresholds;
  for (const auto& text : args.thresholds) {
    auto parsed = bench::parse_threshold(text);
    if (!parsed) usage_error("--threshold: " + parsed.error);
    thresholds.push_back(*parsed.threshold);
  }
  const auto inputs = load_inputs(args);
  const auto problems = bench::check_merge_inputs(inputs);
  if (!problems.empty() && !args.force) {
    for (const auto& problem : problems) std::cerr << "partcheck report merge: " << problem << "\n";
    usage_error("these are not the shards of one run (--force merges them anyway)");
  }
  for (const auto& problem : problems) std::cerr << "partcheck report merge: warning (--force): " << problem << "\n";

  bench::BenchResult merged;
  try {
    merged = bench::merge_shards(inputs, thresholds);
  } catch (const std::invalid_argument& e) {
    usage_error(e.what());
  }
  bench::print_summary(merged, std::cout);
  try {
    if (!args.out.empty()) {
      std::ofstream out(args.out);
      out << merged_json(merged, inputs, problems).dump(2) << "\n";
      if (!out) throw std::runtime_error("--out " + args.out + ": cannot write the file");
    }
    if (!args.html.empty()) bench::write_html_report(merged, args.html);
    if (!args.junit.empty()) bench::write_junit(merged, args.junit);
  } catch (const std::exception& e) {
    usage_error(e.what());
  }
  if (!bench::run_passed(merged)) {
    bench::print_failures(merged, std::cerr);
    throw CLI::RuntimeError(kExitFailed);
  }
}

}  // namespace

void add_report_merge_command(CLI::App& app) {
  auto args = std::make_shared<MergeArgs>();
  auto* cmd = app.add_subcommand(
      "merge", "Merge the results of the shards of one `bench --shard I/N` run: exact totals and percentiles, per-shard table");
  cmd->add_option("inputs", args->inputs, "Shard results (JSON files; with --from-logs, logs; - reads standard input)")
      ->required();
  cmd->add_flag("--from-logs", args->from_logs,
                "Inputs are logs (kubectl logs): take every line holding a partcheck.bench/1 result, ignore the rest");
  cmd->add_option("--out", args->out, "Write the merged result as JSON");
  cmd->add_option("--html", args->html, "Write an HTML report with the shards side by side");
  cmd->add_option("--junit", args->junit, "Write the gates as JUnit test cases");
  cmd->add_option("--threshold", args->thresholds,
                  "Gate on the merged metrics, such as 'throughput_MiBps>=800' or 'p99_part_s<=4' (repeatable)")
      ->allow_extra_args(false);  // one expression per --threshold, so input files may follow it
  cmd->add_flag("--force", args->force,
                "Merge even inputs that are not one run's shards (different config, missing or repeated index); "
                "what was forced is kept in the JSON under merge.forced");
  cmd->callback([args] { run_merge(*args); });
}

}  // namespace partcheck::cli
