#include "runner/report/progress.hpp"

#include <cstdio>
#include <ostream>

#include "runner/report/html_page.hpp"
#include "runner/report/run_summary.hpp"

namespace partcheck::runner {
namespace {

constexpr std::string_view kClearLine = "\r\x1b[2K";
// Short enough that the whole line (bar, counter, five counts) fits an 80-column terminal:
// a wrapped line could not be redrawn in place.
constexpr std::size_t kBarCells = 16;

std::string_view colour(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "\x1b[32m";
    case Verdict::NonStrict: return "\x1b[33m";
    case Verdict::Fail: return "\x1b[31m";
    case Verdict::Informational: return "\x1b[36m";
    case Verdict::Skipped: return "\x1b[90m";
  }
  return "";
}
constexpr std::string_view kReset = "\x1b[0m";

std::string short_name(Verdict v) {
  switch (v) {
    case Verdict::Informational: return "INFO";
    case Verdict::Skipped: return "SKIP";
    default: return std::string{verdict_name(v)};
  }
}

std::string pad_left(std::string text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string pad_right(std::string text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

// Rule, expected/actual of every FAIL judgement, and the curl line, indented under the scenario line.
std::string failure_details(const ScenarioResult& s) {
  const std::string indent = "    ";
  std::string out;
  std::string rules = describe_rules(s);
  for (std::size_t start = 0; start < rules.size();) {
    auto end = rules.find('\n', start);
    if (end == std::string::npos) end = rules.size();
    out += indent + "rule     " + rules.substr(start, end - start) + "\n";
    start = end + 1;
  }
  // The reason usually restates the failed judgement; show it only when no judgement says more.
  bool judged = false;
  for (const auto& j : s.judgements) judged = judged || j.verdict == Verdict::Fail;
  if (!judged && !s.reason.empty()) out += indent + "reason   " + s.reason + "\n";
  for (const auto& j : s.judgements) {
    if (j.verdict != Verdict::Fail) continue;
    std::string where = j.aspect + (j.step >= 0 ? " @ step " + std::to_string(j.step) : std::string{});
    out += indent + "expected " + j.expected + "  (" + where + ")\n";
    out += indent + "actual   " + j.actual + "\n";
  }
  if (const RequestLog* request = failing_request(s); request && !request->curl.empty())
    out += indent + "curl     " + request->curl + "\n";
  return out;
}

std::string counts_row(const std::string& label, const VerdictCounts& counts, std::size_t label_width) {
  std::string row = pad_right(label, label_width);
  for (auto v : kAllVerdicts) row += pad_left(std::to_string(counts[v]), verdict_name(v).size() + 2);
  return row + pad_left(std::to_string(counts.total()), 8) + "\n";
}

}  // namespace

Progress::Progress(std::size_t total, bool interactive, std::ostream& out)
    : out_(out), total_(total), interactive_(interactive) {
  if (interactive_) {  // show the empty bar at once: the first scenario may take a while
    draw_bar();
    out_.flush();
  }
}

void Progress::scenario_done(const ScenarioResult& result) {
  std::lock_guard lock(mutex_);
  ++done_;
  ++counts_[static_cast<std::size_t>(result.verdict)];
  const std::string counter = std::to_string(total_);
  std::string line = "[" + pad_left(std::to_string(done_), counter.size()) + "/" + counter + "] ";
  if (interactive_)
    line += std::string{colour(result.verdict)} + std::string{verdict_name(result.verdict)} + std::string{kReset};
  else
    line += verdict_name(result.verdict);
  line += " " + result.id + " (" + html::format_duration_ms(result.duration_ms) + ")\n";

  if (interactive_) {
    // Only failures scroll by; everything else is summed up in the bar.
    if (result.verdict == Verdict::Fail) out_ << kClearLine << line << failure_details(result);
    draw_bar();
  } else {
    out_ << line;
    if (result.verdict == Verdict::Fail) out_ << failure_details(result);
  }
  out_.flush();
}

void Progress::draw_bar() {
  const std::size_t filled = total_ == 0 ? kBarCells : std::min(kBarCells, done_ * kBarCells / total_);
  std::string bar = std::string{kClearLine} + "[" + std::string(filled, '#') + std::string(kBarCells - filled, '.') +
                    "] " + std::to_string(done_) + "/" + std::to_string(total_);
  for (auto v : kAllVerdicts) {
    auto n = counts_[static_cast<std::size_t>(v)];
    bar += "  " + std::string{colour(v)} + short_name(v) + " " + std::to_string(n) + std::string{kReset};
  }
  out_ << bar;
}

void Progress::finish(const RunResult& run) {
  std::lock_guard lock(mutex_);
  if (interactive_) out_ << kClearLine;

  const auto families = counts_by_family(run);
  std::size_t label_width = 8;
  for (const auto& [family, counts] : families) label_width = std::max(label_width, family.size() + 2);
  std::string table = "\n" + pad_right("family", label_width);
  for (auto v : kAllVerdicts) table += pad_left(std::string{verdict_name(v)}, verdict_name(v).size() + 2);
  table += pad_left("total", 8) + "\n";
  for (const auto& [family, counts] : families) table += counts_row(family, counts, label_width);
  const VerdictCounts totals = count_verdicts(run);
  table += counts_row("total", totals, label_width);
  out_ << table;

  std::string summary;
  for (auto v : kAllVerdicts) {
    if (!summary.empty()) summary += ", ";
    summary += std::to_string(totals[v]) + " " + std::string{verdict_name(v)};
  }
  out_ << "\n" << totals.total() << " scenarios in " << html::format_duration_ms(run.duration_s * 1000) << ": "
       << summary << "\n";
  out_.flush();
}

}  // namespace partcheck::runner
