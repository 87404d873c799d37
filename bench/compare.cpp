#include "bench/compare.hpp"
#include "bench/units.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "bench/results.hpp"

namespace partcheck::bench {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// The percentiles worth comparing, by histogram. Absent histograms are skipped.
struct LatencyPick {
  const char* histogram;
  double quantile;
  const char* metric;
};
constexpr LatencyPick kLatencyPicks[] = {
    {"part", 0.50, "p50_part_s"},     {"part", 0.90, "p90_part_s"},
    {"part", 0.99, "p99_part_s"},     {"ttfb", 0.50, "p50_ttfb_s"},
    {"ttfb", 0.99, "p99_ttfb_s"},     {"upload", 0.50, "p50_upload_s"},
    {"upload", 0.99, "p99_upload_s"},
};

std::optional<double> relative_spread(const std::vector<double>& segments) {
  if (segments.size() < 3) return std::nullopt;  // a MAD of one or two points is no spread
  double center = median(segments);
  if (center <= 0) return std::nullopt;
  return median_absolute_deviation(segments) / center;
}

std::string format_value(const std::string& metric, double value) {
  if (metric.ends_with("_s")) return format_seconds(value);
  char text[48];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

std::string percent(double fraction, bool signed_value) {
  char text[32];
  std::snprintf(text, sizeof text, signed_value ? "%+.1f%%" : "%.1f%%", fraction * 100.0);
  return text;
}

MetricComparison compare_metric(const std::string& metric, Better better, double base, double candidate,
                                double allowed) {
  MetricComparison row;
  row.metric = metric;
  row.better = better;
  row.base = base;
  row.candidate = candidate;
  row.allowed = allowed;
  if (base <= 0 || !std::isfinite(base) || !std::isfinite(candidate)) {
    row.verdict = Verdict::NotComparable;
    return row;
  }
  row.change = (candidate - base) / base;
  row.worse_by = better == Better::Higher ? -row.change : row.change;
  if (row.worse_by > allowed)
    row.verdict = Verdict::Regression;
  else if (-row.worse_by > allowed)
    row.verdict = Verdict::Better;
  else if (std::abs(row.change) > 0.0005)
    row.verdict = Verdict::WithinNoise;
  else
    row.verdict = Verdict::Same;
  return row;
}

[[noreturn]] void bad_input(const std::filesystem::path& path, const std::string& what) {
  throw CompareInputError(path.string() + ": " + what);
}

}  // namespace

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  double upper = *middle;
  if (values.size() % 2 == 1) return upper;
  double lower = *std::max_element(values.begin(), middle);
  return (lower + upper) / 2;
}

double median_absolute_deviation(const std::vector<double>& values) {
  double center = median(values);
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double v : values) deviations.push_back(std::abs(v - center));
  return median(std::move(deviations));
}

bool CompareReport::regressed() const {
  return std::any_of(rows.begin(), rows.end(),
                     [](const MetricComparison& r) { return r.verdict == Verdict::Regression; });
}

RunFigures figures_of(const BenchResult& result, std::string source) {
  RunFigures figures;
  figures.source = std::move(source);
  double nominal = 0;
  for (const auto& s : result.segments) nominal = std::max(nominal, s.length_s);
  for (const auto& s : result.segments)
    if (s.length_s > 0 && s.length_s >= nominal / 2) figures.segment_MiBps.push_back(s.bytes_per_s() / kMiB);
  figures.throughput_MiBps = figures.segment_MiBps.empty() ? result.totals.throughput_bytes_per_s / kMiB
                                                           : median(figures.segment_MiBps);
  for (const auto& pick : kLatencyPicks) {
    auto it = result.histograms.find(pick.histogram);
    if (it == result.histograms.end() || it->second.empty()) continue;
    figures.latencies.push_back({pick.metric, Better::Lower, it->second.quantile(pick.quantile)});
  }
  figures.errors = result.error_count();
  return figures;
}

RunFigures load_run_figures(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) bad_input(path, std::string("cannot be read: ") + std::strerror(errno));
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    bad_input(path, std::string("not valid JSON: ") + e.what());
  }
  if (!json.is_object()) bad_input(path, "not a partcheck bench result (the top level is not an object)");
  BenchResult result;
  try {
    result = bench_result_from_json(json);
  } catch (const std::exception& e) {
    bad_input(path, e.what());
  }
  for (std::size_t i = 0; i < result.segments.size(); ++i) {
    const auto& s = result.segments[i];
    if (!std::isfinite(s.length_s) || s.length_s < 0)
      bad_input(path, "field 'segments[" + std::to_string(i) + "].length_s' must be a non-negative number");
  }
  if (result.segments.empty() && !(result.totals.throughput_bytes_per_s > 0))
    bad_input(path, "field 'segments' is empty and 'totals.throughput_bytes_per_s' is 0: the run measured nothing");
  return figures_of(result, path.string());
}

CompareReport compare_runs(const RunFigures& base, const RunFigures& candidate, const CompareOptions& options) {
  CompareReport report;
  report.base_source = base.source;
  report.candidate_source = candidate.source;
  report.base_segments = base.segment_MiBps.size();
  report.candidate_segments = candidate.segment_MiBps.size();
  report.base_spread = relative_spread(base.segment_MiBps);
  report.candidate_spread = relative_spread(candidate.segment_MiBps);
  report.base_errors = base.errors;
  report.candidate_errors = candidate.errors;
  if (report.base_spread && report.candidate_spread)
    report.noise = options.noise_factor * std::hypot(*report.base_spread, *report.candidate_spread);
  // Without a noise estimate the threshold alone decides (the table says so).
  double allowed = std::max(options.max_regression, report.noise.value_or(0));

  report.rows.push_back(
      compare_metric("throughput_MiBps", Better::Higher, base.throughput_MiBps, candidate.throughput_MiBps, allowed));
  for (const auto& figure : base.latencies) {
    auto match = std::find_if(candidate.latencies.begin(), candidate.latencies.end(),
                              [&](const RunFigures::Figure& f) { return f.metric == figure.metric; });
    if (match == candidate.latencies.end()) {
      MetricComparison row;
      row.metric = figure.metric;
      row.better = figure.better;
      row.base = figure.value;
      row.allowed = allowed;
      report.rows.push_back(row);
      continue;
    }
    report.rows.push_back(compare_metric(figure.metric, figure.better, figure.value, match->value, allowed));
  }
  return report;
}

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::Same: return "same";
    case Verdict::WithinNoise: return "within noise";
    case Verdict::Better: return "better";
    case Verdict::Regression: return "REGRESSION";
    case Verdict::NotComparable: return "not comparable";
  }
  return "?";
}

std::optional<double> parse_percentage(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (!text.empty() && text.back() == '%') text.remove_suffix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(value) || value < 0 || value > 1000) return std::nullopt;
  return value / 100.0;
}

std::string format_compare_table(const CompareReport& report, const CompareOptions& options) {
  std::string out;
  char line[256];
  auto spread_text = [](const std::optional<double>& s, std::size_t n) {
    return s ? "spread " + percent(*s, false) + " over " + std::to_string(n) + " segments"
             : "spread unknown: " + std::to_string(n) + " full segments, need 3";
  };
  out += "base: " + report.base_source + " (" + spread_text(report.base_spread, report.base_segments) + ")\n";
  out += "new:  " + report.candidate_source + " (" +
         spread_text(report.candidate_spread, report.candidate_segments) + ")\n";
  if (report.noise) {
    char factor[16];
    std::snprintf(factor, sizeof factor, "%g", options.noise_factor);
    out += "noise band " + percent(*report.noise, false) + " (" + factor + " x combined spread); allowed regression " +
           percent(options.max_regression, false) + "\n\n";
  } else {
    out += "noise band unknown: the allowed regression " + percent(options.max_regression, false) +
           " alone decides\n\n";
  }

  std::snprintf(line, sizeof line, "%-18s %14s %14s %9s %9s  %s\n", "metric", "base", "new", "change", "allowed",
                "verdict");
  out += line;
  for (const auto& row : report.rows) {
    std::string base = row.base ? format_value(row.metric, *row.base) : "-";
    std::string candidate = row.candidate ? format_value(row.metric, *row.candidate) : "-";
    std::string change = row.verdict == Verdict::NotComparable ? "-" : percent(row.change, true);
    std::snprintf(line, sizeof line, "%-18s %14s %14s %9s %9s  %s\n", row.metric.c_str(), base.c_str(),
                  candidate.c_str(), change.c_str(), percent(row.allowed, false).c_str(),
                  std::string(verdict_name(row.verdict)).c_str());
    out += line;
  }
  std::snprintf(line, sizeof line, "%-18s %14llu %14llu %9s %9s  %s\n", "errors", static_cast<unsigned long long>(report.base_errors),
                static_cast<unsigned long long>(report.candidate_errors), "", "", "(shown, not gated)");
  out += line;
  std::size_t regressions = static_cast<std::size_t>(std::count_if(
      report.rows.begin(), report.rows.end(), [](const auto& r) { return r.verdict == Verdict::Regression; }));
  out += regressions ? "\nRESULT: " + std::to_string(regressions) + " regression(s) beyond noise\n"
                     : std::string("\nRESULT: no regression beyond noise\n");
  return out;
}

}  // namespace partcheck::bench
