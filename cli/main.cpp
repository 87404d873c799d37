#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"partcheck: conformance and load testing for the chunked upload/move API"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "partcheck 0.1.0");

  partcheck::cli::add_serve_command(app);
  partcheck::cli::add_run_command(app);
  partcheck::cli::add_client_command(app);
  partcheck::cli::add_probe_command(app);
  partcheck::cli::add_body_command(app);
  partcheck::cli::add_bench_command(app);
  auto* report = app.add_subcommand("report", "Render, compare or merge saved results");
  report->require_subcommand(1);
  partcheck::cli::add_report_html_command(*report);
  partcheck::cli::add_report_compare_command(*report);
  partcheck::cli::add_report_merge_command(*report);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Error& e) {
    int code = app.exit(e);
    // CLI11 answers 106/109/... for usage errors; the project promises 2.
    return e.get_exit_code() > partcheck::cli::kExitUnreachable ? partcheck::cli::kExitUsage : code;
  }
  return 0;
}
