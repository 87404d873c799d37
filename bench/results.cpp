#include "bench/results.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace partcheck::bench {

using nlohmann::json;

// ---- histogram arithmetic ---------------------------------------------------

double HistogramData::bin_lower(unsigned bin) const {
  const double step = std::log(upper / lower) / bins;
  return lower * std::exp(step * bin);
}

double HistogramData::bin_upper(unsigned bin) const { return bin + 1 >= bins ? upper : bin_lower(bin + 1); }

bool HistogramData::same_axis(const HistogramData& other) const {
  return bins == other.bins && lower == other.lower && upper == other.upper && unit == other.unit;
}

void HistogramData::merge(const HistogramData& other) {
  if (other.empty()) return;
  if (empty() && counts.empty()) {
    *this = other;
    return;
  }
  if (!same_axis(other) || counts.size() != other.counts.size())
    throw std::invalid_argument("histograms with different axes cannot be merged");
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
  min = empty() ? other.min : std::min(min, other.min);
  max = empty() ? other.max : std::max(max, other.max);
  count += other.count;
  sum += other.sum;
}

double HistogramData::quantile(double q) const {
  if (count == 0 || counts.size() != bins + 2u) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the wanted sample, 1-based; q == 1 is the maximum.
  const double rank = std::max(1.0, std::ceil(q * static_cast<double>(count)));
  double seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    const double before = seen;
    seen += static_cast<double>(counts[i]);
    if (seen < rank) continue;
    if (i == 0) return min;                  // underflow: below the axis
    if (i == counts.size() - 1) return max;  // overflow: above the axis
    const auto bin = static_cast<unsigned>(i - 1);
    const double lo = std::max(bin_lower(bin), min);
    const double hi = std::min(bin_upper(bin), max);
    if (hi <= lo) return std::clamp(lo, min, max);
    const double fraction = (rank - before) / static_cast<double>(counts[i]);
    return std::clamp(lo * std::pow(hi / lo, fraction), min, max);
  }
  return max;
}

// ---- derived figures ----------------------------------------------------------

std::uint64_t BenchResult::error_count() const {
  std::uint64_t n = 0;
  for (const auto& e : errors) n += e.count;
  return n;
}

std::map<std::string, double> BenchResult::metrics() const {
  std::map<std::string, double> m;
  m["throughput_MiBps"] = totals.throughput_bytes_per_s / (1024.0 * 1024.0);
  m["throughput_Bps"] = totals.throughput_bytes_per_s;
  m["uploads_per_s"] = totals.uploads_per_s;
  m["parts_per_s"] = totals.parts_per_s;
  m["uploads"] = static_cast<double>(totals.uploads);
  m["failed_uploads"] = static_cast<double>(totals.failed_uploads);
  m["errors"] = static_cast<double>(error_count());
  m["retries"] = static_cast<double>(totals.retries);
  m["late_starts"] = static_cast<double>(totals.late_starts);
  m["mismatches"] = static_cast<double>(verification.mismatches);
  m["client_cpu_s"] = client.cpu_s();
  m["client_peak_rss_MiB"] = static_cast<double>(client.peak_rss_bytes) / (1024.0 * 1024.0);
  if (server) {
    m["server_cpu_s"] = server->cpu_s();
    m["server_peak_rss_MiB"] = static_cast<double>(server->peak_rss_bytes) / (1024.0 * 1024.0);
  }
  if (calibration && calibration->limiting_bytes_per_s > 0) m["efficiency"] = calibration->efficiency;
  struct Quantile {
    const char* prefix;
    double q;
  };
  static constexpr Quantile kQuantiles[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}};
  for (const auto& [name, h] : histograms) {
    if (h.empty()) continue;
    for (const auto& [prefix, q] : kQuantiles) m[std::string(prefix) + "_" + name + "_s"] = h.quantile(q);
    m["max_" + name + "_s"] = h.max;
    m["mean_" + name + "_s"] = h.mean();
  }
  return m;
}

}  // namespace partcheck::bench
