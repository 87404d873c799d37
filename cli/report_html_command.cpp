// `partcheck report html A.json [B.json ...] [-o FILE]`: renders saved
// results.json files as one self-contained HTML page; several files give a
// side-by-side comparison of the targets.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "runner/report/html_report.hpp"
#include "runner/results.hpp"

namespace partcheck::cli {
namespace {
namespace fs = std::filesystem;

struct ReportHtmlOptions {
  std::vector<std::string> inputs;
  std::string output;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "partcheck report html: " << message << "\n";
  throw CLI::RuntimeError(kExitUsage);
}

runner::RunResult load_results(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) usage_error(path + ": cannot read the file");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message carries the line and column.
    usage_error(path + ": not valid JSON: " + e.what());
  }
  try {
    return runner::run_from_json(document);
  } catch (const std::exception& e) {
    usage_error(path + ": not a partcheck results file: " + e.what());
  }
}

// One input: index.html next to it. Several: a comparison under reports/.
fs::path default_output(const std::vector<std::string>& inputs) {
  if (inputs.size() == 1) return fs::path(inputs.front()).parent_path() / "index.html";
  return fs::path("reports") / "compare.html";
}

void run_report_html(const ReportHtmlOptions& options) {
  std::vector<runner::RunResult> runs;
  for (const auto& input : options.inputs) runs.push_back(load_results(input));
  const fs::path output = options.output.empty() ? default_output(options.inputs) : fs::path(options.output);

  std::error_code error;
  if (output.has_parent_path()) fs::create_directories(output.parent_path(), error);
  if (error) usage_error(output.parent_path().string() + ": cannot create the directory: " + error.message());
  const std::string page = runner::render_html(runs);
  {
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    out << page;
    if (!out) usage_error(output.string() + ": cannot write the report");
  }
  std::cout << "wrote " << output.string() << " (" << runs.size() << (runs.size() == 1 ? " run" : " runs") << ")\n";
}

}  // namespace

void add_report_html_command(CLI::App& app) {
  auto options = std::make_shared<ReportHtmlOptions>();
  auto* cmd = app.add_subcommand("html", "Render saved results.json files as one offline HTML page (several: a comparison)");
  cmd->add_option("results", options->inputs, "results.json files written by `partcheck run`")->required();
  cmd->add_option("-o,--output", options->output,
                  "HTML file to write (default: index.html next to a single input, else reports/compare.html)");
  cmd->callback([options] { run_report_html(*options); });
}

}  // namespace partcheck::cli
