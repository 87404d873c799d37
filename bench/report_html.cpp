#include "bench/report_html.hpp"

#include "bench/units.hpp"
#include "common/text_escape.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "bench/merge.hpp"
#include "bench/report_charts.hpp"
#include "bench/results.hpp"
#include "bench/summary.hpp"
#include "contract/byte_size.hpp"

namespace partcheck::bench {
namespace {

using Rows = std::vector<std::pair<std::string, std::string>>;

// Everything the page needs is here: no external fonts, styles or scripts.
constexpr const char* kStyle = R"css(
:root { --ink:#1f2933; --muted:#5f6b7a; --line:#e3e7ec; --bg:#ffffff; --panel:#f6f8fa;
        --ok:#2f7d32; --bad:#c62828; --accent:#4e79a7; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 16px 0 4px; color: var(--muted); font-weight: 600; }
.sub { color: var(--muted); margin: 0 0 16px; word-break: break-all; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 20px; font-weight: 650; margin-top: 2px; }
.card .note { color: var(--muted); font-size: 12px; }
.banner { border-radius: 8px; padding: 10px 14px; margin: 16px 0 4px; font-weight: 600; }
.banner.ok { background: #e8f5e9; color: var(--ok); border: 1px solid #b7dfb9; }
.banner.bad { background: #fdecea; color: var(--bad); border: 1px solid #f5c2c0; }
.caption { color: var(--muted); font-size: 12px; margin: 2px 0 0; }
svg { width: 100%; height: auto; display: block; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
@media (max-width: 800px) { .grid2 { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fafbfc; }
.pass { color: var(--ok); font-weight: 600; }
.fail { color: var(--bad); font-weight: 600; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
)css";

std::string number(double v, const char* format = "%.3g") {
  char text[48];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

std::string key_value_table(const Rows& rows) {
  std::string out = "<table>\n";
  for (const auto& [key, value] : rows) out += "<tr><th>" + html_escape(key) + "</th><td>" + html_escape(value) + "</td></tr>\n";
  return out + "</table>\n";
}

std::string card(const std::string& label, const std::string& value, const std::string& note = {}) {
  return "<div class=\"card\"><div class=\"label\">" + html_escape(label) + "</div><div class=\"value\">" + html_escape(value) +
         "</div>" + (note.empty() ? "" : "<div class=\"note\">" + html_escape(note) + "</div>") + "</div>\n";
}

std::string summary_cards(const BenchResult& r) {
  const auto& t = r.totals;
  std::string out = "<div class=\"cards\">\n";
  out += card("throughput", format_rate(t.throughput_bytes_per_s),
              contract::format_byte_size(t.bytes) + " in " + number(t.measured_s, "%.1f") + " s");
  out += card("uploads", std::to_string(t.uploads), number(t.uploads_per_s) + " per second");
  out += card("parts", std::to_string(t.parts), number(t.parts_per_s) + " per second");
  if (auto it = r.histograms.find("part"); it != r.histograms.end() && !it->second.empty())
    out += card("part latency p50 / p99", format_seconds(it->second.quantile(0.5)),
                "p99 " + format_seconds(it->second.quantile(0.99)));
  out += card("errors", std::to_string(r.error_count()),
              std::to_string(t.failed_uploads) + " failed uploads, " + std::to_string(t.retries) + " retries");
  if (r.calibration && r.calibration->limiting_bytes_per_s > 0)
    out += card("efficiency", number(r.calibration->efficiency * 100, "%.0f") + " %",
                "of " + r.calibration->limiting + " " + format_rate(r.calibration->limiting_bytes_per_s));
  return out + "</div>\n";
}

std::string gate_banner(const BenchResult& r) {
  if (r.gates.empty()) return {};
  std::size_t failed = 0;
  for (const auto& g : r.gates) failed += g.passed ? 0 : 1;
  if (failed == 0)
    return "<div class=\"banner ok\">All " + std::to_string(r.gates.size()) + " gates passed</div>\n";
  return "<div class=\"banner bad\">" + std::to_string(failed) + " of " + std::to_string(r.gates.size()) +
         " gates failed</div>\n";
}

Rows config_rows(const BenchResult& r) {
  const auto& c = r.config;
  Rows rows{{"target", c.target},
            {"target kind", c.target_kind},
            {"transport", describe_transport(r.transport)},
            {"file size", contract::format_byte_size(c.file_size) + " (" + std::to_string(c.file_size) + " B)"},
            {"part size", contract::format_byte_size(c.part_size) + " (" + std::to_string(c.part_size) + " B)"}};
  if (c.files) rows.emplace_back("files", std::to_string(*c.files));
  if (c.duration_s) rows.emplace_back("duration", number(*c.duration_s, "%g") + " s");
  rows.emplace_back("model", c.rate_per_s ? "open (Poisson arrivals, " + number(*c.rate_per_s, "%g") + " uploads/s)"
                                          : "closed (" + std::to_string(c.concurrency) + " uploads in flight)");
  rows.emplace_back("parts of one upload in parallel", std::to_string(c.part_concurrency));
  rows.emplace_back("warm-up", number(c.warmup_s, "%g") + " s");
  rows.emplace_back("move after upload", c.move ? "yes" : "no");
  rows.emplace_back("verify", c.verify);
  rows.emplace_back("data", c.source.empty() ? "generated, seed " + std::to_string(c.seed) + ", " +
                                                   std::to_string(c.compressible_percent) + " % compressible"
                                             : c.source);
  rows.emplace_back("retries per part", std::to_string(c.retries));
  return rows;
}

Rows environment_rows(const BenchResult& r) {
  const auto& e = r.environment;
  Rows rows{{"tool", e.tool_version}, {"started", e.started_at}, {"host", e.hostname},
            {"kernel", e.kernel},     {"cpu", e.cpu_model},      {"cores", std::to_string(e.cores)}};
  auto usage = [](const ProcessUsage& u) {
    return number(u.user_s, "%.2f") + " s user, " + number(u.sys_s, "%.2f") + " s system, peak RSS " +
           contract::format_byte_size(u.peak_rss_bytes);
  };
  rows.emplace_back(r.shards.empty() ? "client CPU"
                                     : "client CPU (" + std::to_string(r.shards.size()) +
                                           " shards: summed, peak RSS the largest)",
                    usage(r.client));
  if (r.server) rows.emplace_back("server CPU (embedded mock)", usage(*r.server));
  rows.emplace_back("wall time", number(r.totals.wall_s, "%.2f") + " s (measured " +
                                     number(r.totals.measured_s, "%.2f") + " s)");
  return rows;
}

std::string calibration_section(const BenchResult& r) {
  if (!r.calibration) return "<p class=\"caption\">Not calibrated (run with <code>--calibrate</code>).</p>\n";
  const auto& c = *r.calibration;
  std::string out = "<table>\n<tr><th>ceiling</th><th>rate</th><th>detail</th></tr>\n";
  for (const auto& ceiling : c.ceilings)
    out += "<tr><td>" + html_escape(ceiling.name) + (ceiling.name == c.limiting ? " (limiting)" : "") +
           "</td><td class=\"num\">" + html_escape(format_rate(ceiling.bytes_per_s)) + "</td><td>" +
           html_escape(ceiling.detail) + "</td></tr>\n";
  out += "</table>\n<p class=\"caption\">Efficiency: measured throughput / " + html_escape(c.limiting) + " = " +
         number(c.efficiency * 100, "%.1f") + " %</p>\n";
  return out;
}

std::string gates_section(const std::vector<Gate>& gates) {
  if (gates.empty()) return "<p class=\"caption\">No gates were set (<code>--threshold</code>).</p>\n";
  std::string out = "<table>\n<tr><th>gate</th><th>actual</th><th>result</th></tr>\n";
  for (const auto& g : gates)
    out += "<tr><td><code>" + html_escape(g.expression) + "</code></td><td class=\"num\">" +
           (g.actual ? html_escape(number(*g.actual, "%.4g")) : std::string("not measured")) + "</td><td class=\"" +
           (g.passed ? "pass\">pass" : "fail\">FAIL") + "</td></tr>\n";
  return out + "</table>\n";
}

std::string errors_section(const BenchResult& r) {
  std::string out;
  if (r.errors.empty()) {
    out = "<p class=\"caption\">No errors.</p>\n";
  } else {
    out = "<table>\n<tr><th>status</th><th>code</th><th>count</th></tr>\n";
    for (const auto& e : r.errors)
      out += "<tr><td>" + (e.status ? std::to_string(e.status) : std::string("transport")) + "</td><td>" +
             html_escape(e.code) + "</td><td class=\"num\">" + std::to_string(e.count) + "</td></tr>\n";
    out += "</table>\n";
  }
  const auto& v = r.verification;
  if (v.mode != "none") {
    out += "<h3>Verification (" + html_escape(v.mode) + ")</h3>\n<p>" + std::to_string(v.checked) + " checked, " +
           std::to_string(v.mismatches) + " mismatches</p>\n";
    for (const auto& failure : v.failures) out += "<p class=\"fail\">" + html_escape(failure) + "</p>\n";
  }
  return out;
}

// Each latency the bench records, in reading order, with what it measures.
constexpr std::pair<const char*, const char*> kLatencyNames[] = {
    {"part", "one part: request start to response"},
    {"ttfb", "time to the first response byte after the body"},
    {"upload", "whole upload, from its intended start"},
    {"upload_uncorrected", "whole upload, from its actual start"},
    {"move", "the move request"},
};

std::string latency_section(const BenchResult& r) {
  std::string out;
  std::vector<std::string> shown;
  for (const auto& [name, meaning] : kLatencyNames) {
    auto it = r.histograms.find(name);
    if (it == r.histograms.end() || it->second.empty()) continue;
    out += "<h3>" + html_escape(name) + " &mdash; " + html_escape(meaning) + " (" + std::to_string(it->second.count) +
           " samples)</h3>\n" + charts::latency_chart(it->second);
    shown.push_back(name);
  }
  for (const auto& [name, h] : r.histograms) {
    if (h.empty() || std::find(shown.begin(), shown.end(), name) != shown.end()) continue;
    out += "<h3>" + html_escape(name) + " (" + std::to_string(h.count) + " samples)</h3>\n" + charts::latency_chart(h);
  }
  return out.empty() ? charts::latency_chart(HistogramData{}) : out;
}

// A merged run (`report merge`): the shards side by side, so a slow worker stands out.
std::string shards_section(const BenchResult& r) {
  const auto slow = slow_shards(r.shards);
  std::string out = "<h2>Shards</h2>\n" + charts::shard_throughput_chart(r.shards, slow) +
                    "<p class=\"caption\">Each shard's throughput over its own measured window; red: below " +
                    number(kSlowShardFactor, "%g") + " x the shards' median. Window offset: when its window began "
                    "after the earliest shard's.</p>\n";
  out += "<table>\n<tr><th>shard</th><th>host</th>";
  for (const char* name : {"throughput", "uploads", "failed", "errors", "late start", "window offset", "CPU", "peak RSS",
                           "p99 part"})
    out += std::string("<th class=\"num\">") + name + "</th>";
  out += "<th></th></tr>\n";
  for (std::size_t i = 0; i < r.shards.size(); ++i) {
    const auto& row = r.shards[i];
    auto cell = [](const std::string& text) { return "<td class=\"num\">" + html_escape(text) + "</td>"; };
    out += "<tr><td>shard " + std::to_string(row.index) + "</td><td>" + html_escape(row.hostname) + "</td>" +
           cell(format_rate(row.totals.throughput_bytes_per_s)) + cell(std::to_string(row.totals.uploads)) +
           cell(std::to_string(row.totals.failed_uploads)) + cell(std::to_string(row.errors)) +
           cell(number(row.late_start_s, "%.2f") + " s") + cell(number(row.window_offset_s, "%.3f") + " s") +
           cell(number(row.client.cpu_s(), "%.2f") + " s") + cell(contract::format_byte_size(row.client.peak_rss_bytes)) +
           cell(row.p99_part_s ? format_seconds(*row.p99_part_s) : "-") +
           (slow[i] ? "<td class=\"fail\">slow</td>" : "<td></td>") + "</tr>\n";
  }
  return out + "</table>\n";
}

std::string timeline_caption(const BenchResult& r) {
  std::string caption =
      "One row per upload in start order, on the clock of the throughput chart; white ticks at part ends. "
      "Hover a bar for its figures.";
  if (r.timeline_dropped > 0)
    caption += " Only the first " + std::to_string(r.timeline.size()) + " uploads to end were recorded; " +
               std::to_string(r.timeline_dropped) + " later ones are not shown.";
  return caption;
}

}  // namespace

std::string render_html_report(const BenchResult& r) {
  std::string title = "partcheck bench: " + contract::format_byte_size(r.config.file_size) + " files in " +
                      contract::format_byte_size(r.config.part_size) + " parts";
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                    html_escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<main>\n";
  out += "<h1>" + html_escape(title) + "</h1>\n<p class=\"sub\">" + html_escape(r.config.target) + " &middot; " +
         html_escape(r.config.target_kind) + " &middot; " + html_escape(r.environment.started_at) +
         (r.shards.empty() ? "" : " &middot; merged from " + std::to_string(r.shards.size()) + " shards") + "</p>\n";
  out += summary_cards(r) + gate_banner(r);
  out += "<h2>Throughput over time</h2>\n" + charts::throughput_chart(r.segments) +
         "<p class=\"caption\">Bytes acknowledged per " +
         (r.segments.empty() ? std::string("1") : number(r.segments.front().length_s, "%g")) +
         " s segment of the measured window" + (r.shards.empty() ? "" : " (all shards on one wall clock)") +
         "; hover a bar for its figures.</p>\n";
  if (!r.shards.empty()) out += shards_section(r);
  out += "<h2>Latency distribution</h2>\n" + latency_section(r);
  out += "<h2>Uploads over time</h2>\n" + charts::timeline_chart(r.timeline) + "<p class=\"caption\">" +
         timeline_caption(r) + "</p>\n";
  out += "<div class=\"grid2\">\n<section><h2>Configuration</h2>\n" + key_value_table(config_rows(r)) +
         "</section>\n<section><h2>Environment</h2>\n" + key_value_table(environment_rows(r)) + "</section>\n</div>\n";
  out += "<div class=\"grid2\">\n<section><h2>Calibration</h2>\n" + calibration_section(r) +
         "</section>\n<section><h2>Gates</h2>\n" + gates_section(r.gates) + "</section>\n</div>\n";
  out += "<h2>Errors</h2>\n" + errors_section(r);
  out += "<footer>" + html_escape(r.schema) + " &middot; generated by " + html_escape(r.environment.tool_version) +
         "</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

void write_html_report(const BenchResult& result, const std::filesystem::path& path) {
  std::string html = render_html_report(result);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write the HTML report to " + path.string());
  out.write(html.data(), static_cast<std::streamsize>(html.size()));
  out.close();
  if (!out) throw std::runtime_error("writing the HTML report to " + path.string() + " failed");
}

}  // namespace partcheck::bench
