#include "bench/summary.hpp"

#include "bench/merge.hpp"
#include "bench/units.hpp"
#include "common/text_escape.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <stdexcept>

#include "contract/byte_size.hpp"

namespace partcheck::bench {

std::string describe_transport(const TransportFacts& t) {
  std::string out = "plain HTTP";
  if (t.tls) {
    out = (t.tls_version.empty() ? std::string("TLS") : t.tls_version) +
          (t.tls_cipher.empty() ? "" : " " + t.tls_cipher) + ", " + std::to_string(t.tls_handshakes) +
          (t.tls_handshakes == 1 ? " handshake" : " handshakes");
  }
  return out + (t.proxy.empty() ? (t.tls ? "" : ", direct") : "; proxy " + t.proxy);
}

std::string progress_line(std::uint64_t bytes, double rate, double elapsed_s, std::optional<std::uint64_t> total_bytes,
                          std::optional<double> total_s, std::uint64_t uploads, std::uint64_t errors) {
  std::string line = format_fixed(elapsed_s, 1) + " s  " + contract::format_byte_size(bytes);
  if (total_bytes) line += " / " + contract::format_byte_size(*total_bytes);
  line += "  " + format_rate(rate) + "  uploads " + std::to_string(uploads) + "  errors " + std::to_string(errors);
  std::optional<double> eta;
  if (total_bytes && rate > 0 && *total_bytes > bytes) eta = static_cast<double>(*total_bytes - bytes) / rate;
  if (total_s) eta = std::max(0.0, *total_s - elapsed_s);
  if (eta) line += "  ETA " + format_fixed(*eta, 0) + " s";
  return line;
}

void print_shard_table(const std::vector<ShardRow>& rows, std::ostream& out) {
  const auto slow = slow_shards(rows);
  std::size_t slow_count = 0;
  int host_width = 4;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    slow_count += slow[i] ? 1 : 0;
    host_width = std::max(host_width, static_cast<int>(std::min<std::size_t>(rows[i].hostname.size(), 40)));
  }
  out << "  shards     " << rows.size() << " merged";
  if (slow_count)
    out << "; " << slow_count << " SLOW (throughput below " << format_fixed(kSlowShardFactor, 1)
        << " x the shards' median)";
  out << "\n";
  char line[320];
  std::snprintf(line, sizeof line, "    %5s  %-*s %12s %8s %7s %7s %10s %9s %10s %10s\n", "shard", host_width, "host",
                "throughput", "uploads", "failed", "errors", "late start", "cpu", "peak RSS", "p99 part");
  out << line;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    std::snprintf(line, sizeof line, "    %5u  %-*.*s %12s %8llu %7llu %7llu %10s %9s %10s %10s%s\n", row.index, host_width,
                  host_width, row.hostname.c_str(), format_rate(row.totals.throughput_bytes_per_s).c_str(),
                  static_cast<unsigned long long>(row.totals.uploads),
                  static_cast<unsigned long long>(row.totals.failed_uploads), static_cast<unsigned long long>(row.errors),
                  (format_fixed(row.late_start_s, 2) + " s").c_str(), (format_fixed(row.client.cpu_s(), 2) + " s").c_str(),
                  contract::format_byte_size(row.client.peak_rss_bytes).c_str(),
                  row.p99_part_s ? format_seconds(*row.p99_part_s).c_str() : "-", slow[i] ? "  SLOW" : "");
    out << line;
  }
}

void print_summary(const BenchResult& r, std::ostream& out) {
  const auto& c = r.config;
  const auto& t = r.totals;
  out << "partcheck bench  " << c.target << " (" << c.target_kind << ")\n";
  // Plain and direct is the usual case: only the other ways get a line.
  if (r.transport.tls || !r.transport.proxy.empty()) out << "  transport  " << describe_transport(r.transport) << "\n";
  out << "  workload   " << (c.files ? std::to_string(*c.files) + " files" : format_fixed(c.duration_s.value_or(0), 0) + " s")
      << " x " << contract::format_byte_size(c.file_size) << " in " << contract::format_byte_size(c.part_size)
      << " parts; " << (c.rate_per_s ? "open model, " + format_fixed(*c.rate_per_s, 2) + " uploads/s" : "closed model")
      << ", concurrency " << c.concurrency << ", part concurrency " << c.part_concurrency
      << (c.move ? ", move" : "") << ", verify " << c.verify << ", seed " << c.seed << "\n";
  out << "  throughput " << format_rate(t.throughput_bytes_per_s) << "  (" << contract::format_byte_size(t.bytes)
      << " in " << format_fixed(t.measured_s, 2) << " s";
  if (c.warmup_s > 0) out << " after " << format_fixed(c.warmup_s, 1) << " s warm-up";
  out << ")  " << format_fixed(t.uploads_per_s, 2) << " uploads/s  " << format_fixed(t.parts_per_s, 2) << " parts/s\n";
  if (r.segments.size() > 1) {
    double lo = INFINITY, hi = 0;
    for (const auto& s : r.segments)
      if (s.length_s >= 0.5) lo = std::min(lo, s.bytes_per_s()), hi = std::max(hi, s.bytes_per_s());
    if (hi > 0) out << "  per second " << format_rate(lo) << " .. " << format_rate(hi) << " over " << r.segments.size() << " segments\n";
  }
  if (r.calibration) {
    const auto& cal = *r.calibration;
    out << "  efficiency " << format_fixed(cal.efficiency * 100, 1) << " % of " << cal.limiting << " ("
        << format_rate(cal.limiting_bytes_per_s) << ")\n  ceilings  ";
    for (const auto& ceiling : cal.ceilings) out << " " << ceiling.name << " " << format_rate(ceiling.bytes_per_s) << ";";
    out << "\n";
  }
  if (!r.histograms.empty()) out << "  latency                 p50        p90        p99      p99.9        max      count\n";
  for (const char* name : {"part", "ttfb", "upload", "upload_uncorrected", "move"}) {
    auto it = r.histograms.find(name);
    if (it == r.histograms.end() || (std::string(name) == "upload_uncorrected" && !c.rate_per_s)) continue;
    const auto& h = it->second;
    char line[200];
    std::snprintf(line, sizeof line, "    %-19s %10s %10s %10s %10s %10s %10llu\n", name, format_seconds(h.quantile(0.5)).c_str(),
                  format_seconds(h.quantile(0.9)).c_str(), format_seconds(h.quantile(0.99)).c_str(),
                  format_seconds(h.quantile(0.999)).c_str(), format_seconds(h.max).c_str(), static_cast<unsigned long long>(h.count));
    out << line;
  }
  out << "  uploads    " << t.uploads << " done, " << t.failed_uploads << " failed, " << t.retries << " retries";
  if (c.rate_per_s) out << ", " << t.late_starts << " late starts";
  out << "\n";
  if (!r.errors.empty()) {
    out << "  errors    ";
    for (const auto& e : r.errors) out << " " << (e.status ? std::to_string(e.status) : "no answer") << " " << e.code << " x" << e.count << ";";
    out << "\n";
  }
  if (r.verification.mode != "none") {
    out << "  verify     " << r.verification.mode << ": " << r.verification.checked << " checked, "
        << r.verification.mismatches << " mismatches\n";
    for (const auto& f : r.verification.failures) out << "    " << f << "\n";
  }
  out << "  client     cpu " << format_fixed(r.client.user_s, 2) << " s user + " << format_fixed(r.client.sys_s, 2) << " s sys, peak RSS "
      << contract::format_byte_size(r.client.peak_rss_bytes)
      << (r.shards.empty() ? "" : "  (" + std::to_string(r.shards.size()) + " shards: cpu summed, RSS the largest)") << "\n";
  if (r.server)
    out << "  server     cpu " << format_fixed(r.server->user_s, 2) << " s user + " << format_fixed(r.server->sys_s, 2)
        << " s sys, peak RSS " << contract::format_byte_size(r.server->peak_rss_bytes) << "\n";
  if (!r.shards.empty()) print_shard_table(r.shards, out);
  for (const auto& g : r.gates)
    out << "  gate       " << (g.passed ? "ok     " : "BROKEN ") << g.expression << "  (actual "
        << (g.actual ? format_fixed(*g.actual, 4) : std::string("unknown metric")) << ")\n";
}

void write_junit(const BenchResult& r, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("--junit " + path + ": cannot write the file");
  std::size_t failures = 0;
  for (const auto& g : r.gates) failures += g.passed ? 0 : 1;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"partcheck bench\" tests=\"" << r.gates.size() << "\" failures=\"" << failures << "\">\n";
  out << "  <testsuite name=\"bench gates\" tests=\"" << r.gates.size() << "\" failures=\"" << failures
      << "\" time=\"" << format_fixed(r.totals.wall_s, 3) << "\" timestamp=\"" << xml_attribute_escape(r.environment.started_at) << "\">\n";
  for (const auto& g : r.gates) {
    out << "    <testcase classname=\"bench.gates\" name=\"" << xml_attribute_escape(g.expression) << "\">";
    if (!g.passed) {
      const std::string message = g.actual ? g.metric + " is " + format_fixed(*g.actual, 6) + ", gate " + g.expression
                                            : "unknown or unmeasured metric '" + g.metric + "'";
      out << "\n      <failure message=\"" << xml_attribute_escape(message) << "\">" << xml_attribute_escape(message) << "</failure>\n    ";
    }
    out << "</testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
  if (!out) throw std::runtime_error("--junit " + path + ": write failed");
}

void print_failures(const BenchResult& result, std::ostream& out) {
  for (const auto& g : result.gates)
    if (!g.passed)
      out << "gate broken: " << g.expression
          << (g.actual ? " (actual " + std::to_string(*g.actual) + ")" : " (unknown or unmeasured metric)") << "\n";
  if (result.verification.mismatches)
    out << "verification: " << result.verification.mismatches << " file(s) differ from the bytes sent\n";
}

}  // namespace partcheck::bench
