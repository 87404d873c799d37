// `partcheck report compare BASE.json NEW.json [--max-regression 5%] [--noise-factor 2]`:
// exit 1 when NEW is worse than BASE beyond both the allowed regression and
// the noise of the two runs, 0 otherwise, 2 on bad input.
#include <iostream>
#include <string>

#include "bench/compare.hpp"
#include "cli/commands.hpp"

namespace partcheck::cli {
namespace {

struct CompareArgs {
  std::string base;
  std::string candidate;
  std::string max_regression = "5%";
  double noise_factor = 2.0;
};

void run_compare(const CompareArgs& args) {
  auto threshold = bench::parse_percentage(args.max_regression);
  if (!threshold) {
    std::cerr << "partcheck report compare: --max-regression '" << args.max_regression
              << "' is not a percentage (write e.g. 5%)\n";
    throw CLI::RuntimeError(kExitUsage);
  }
  bench::CompareOptions options;
  options.max_regression = *threshold;
  options.noise_factor = args.noise_factor;
  try {
    auto base = bench::load_run_figures(args.base);
    auto candidate = bench::load_run_figures(args.candidate);
    auto report = bench::compare_runs(base, candidate, options);
    std::cout << bench::format_compare_table(report, options);
    if (report.regressed()) throw CLI::RuntimeError(kExitFailed);
  } catch (const bench::CompareInputError& e) {
    std::cerr << "partcheck report compare: " << e.what() << "\n";
    throw CLI::RuntimeError(kExitUsage);
  }
}

}  // namespace

void add_report_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  auto* cmd = app.add_subcommand("compare", "Compare two `bench --out` results; exit 1 on a regression beyond noise");
  cmd->add_option("base", args->base, "Results of the reference run (JSON)")->required();
  cmd->add_option("new", args->candidate, "Results of the run to judge (JSON)")->required();
  cmd->add_option("--max-regression", args->max_regression,
                  "Allowed worsening of any figure, as a percentage (default 5%)");
  cmd->add_option("--noise-factor", args->noise_factor,
                  "A change must also exceed this many times the runs' combined segment spread (default 2)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([args] { run_compare(*args); });
}

}  // namespace partcheck::cli
