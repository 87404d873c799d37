#include "bench/report_charts.hpp"

#include "bench/units.hpp"
#include "common/text_escape.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bench/compare.hpp"
#include "bench/merge.hpp"
#include "contract/byte_size.hpp"

namespace partcheck::bench::charts {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr const char* kBarColor = "#4e79a7";
constexpr const char* kFailColor = "#e15759";
constexpr const char* kAxisColor = "#5f6b7a";
constexpr const char* kGridColor = "#e3e7ec";

// Plot geometry in viewBox units; the page scales the whole SVG.
struct Frame {
  double width = 960;
  double height = 300;
  double left = 72;
  double right = 24;
  double top = 20;
  double bottom = 44;
  double plot_w() const { return width - left - right; }
  double plot_h() const { return height - top - bottom; }
  double plot_bottom() const { return height - bottom; }
};

std::string num(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

std::string open_svg(const Frame& f, std::string_view label) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + num(f.width) + " " + num(f.height) +
         "\" role=\"img\" aria-label=\"" + html_escape(label) + "\" font-family=\"system-ui, sans-serif\" font-size=\"12\">\n";
}

std::string text(double x, double y, std::string_view content, std::string_view anchor = "middle",
                 std::string_view extra = {}) {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + std::string(anchor) + "\" fill=\"" +
         kAxisColor + "\"" + (extra.empty() ? "" : " " + std::string(extra)) + ">" + html_escape(content) + "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, std::string_view stroke, std::string_view extra = {}) {
  return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) +
         "\" stroke=\"" + std::string(stroke) + "\"" + (extra.empty() ? "" : " " + std::string(extra)) + "/>\n";
}

std::string rect(double x, double y, double w, double h, std::string_view fill, std::string_view tooltip = {}) {
  std::string r = "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(w, 0.5)) +
                  "\" height=\"" + num(std::max(h, 0.0)) + "\" fill=\"" + std::string(fill) + "\"";
  if (tooltip.empty()) return r + "/>\n";
  return r + "><title>" + html_escape(tooltip) + "</title></rect>\n";
}

std::string empty_chart(std::string_view message) {
  Frame f;
  f.height = 70;
  return open_svg(f, message) + rect(0, 0, f.width, f.height, "#f6f8fa") +
         text(f.width / 2, f.height / 2 + 4, message) + "</svg>\n";
}

// Round steps (1, 2, 5 x 10^k) covering [lo, hi] with about `target` ticks.
std::vector<double> nice_ticks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!(hi > lo)) return {lo};
  double raw = (hi - lo) / target;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double norm = raw / magnitude;
  double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);  // no "-0"
  return ticks;
}

// An axis maximum that is a round number at or above `value`.
double nice_ceiling(double value) {
  if (!(value > 0)) return 1;
  auto ticks = nice_ticks(0, value, 5);
  double top = ticks.back();
  return top >= value ? top : top + (ticks.size() > 1 ? ticks[1] - ticks[0] : value);
}

std::string y_axis(const Frame& f, double y_max, std::string_view unit, bool integers) {
  std::string out;
  for (double v : nice_ticks(0, y_max, 5)) {
    if (integers && v != std::floor(v)) continue;  // counts: no half ticks
    double y = f.plot_bottom() - v / y_max * f.plot_h();
    out += line(f.left, y, f.width - f.right, y, kGridColor);
    char label[32];
    std::snprintf(label, sizeof label, integers ? "%.0f" : "%g", v);
    out += text(f.left - 8, y + 4, label, "end");
  }
  out += text(16, f.top + f.plot_h() / 2, unit, "middle",
              "transform=\"rotate(-90 16 " + num(f.top + f.plot_h() / 2) + ")\"");
  return out;
}

std::string time_axis(const Frame& f, double t0, double t1) {
  std::string out = line(f.left, f.plot_bottom(), f.width - f.right, f.plot_bottom(), kAxisColor);
  for (double t : nice_ticks(t0, t1, 8)) {
    double x = f.left + (t - t0) / (t1 - t0) * f.plot_w();
    out += line(x, f.plot_bottom(), x, f.plot_bottom() + 5, kAxisColor);
    char label[32];
    std::snprintf(label, sizeof label, "%g s", t);
    out += text(x, f.plot_bottom() + 18, label);
  }
  out += text(f.left + f.plot_w() / 2, f.height - 6, "time since the end of the warm-up");
  return out;
}

}  // namespace


std::string throughput_chart(const std::vector<Segment>& segments) {
  if (segments.empty()) return empty_chart("No throughput segments were recorded.");
  Frame f;
  f.top = 32;
  double t_end = 0, peak = 0, nominal = 0;
  for (const auto& s : segments) {
    t_end = std::max(t_end, s.start_s + s.length_s);
    peak = std::max(peak, s.bytes_per_s() / kMiB);
    nominal = std::max(nominal, s.length_s);
  }
  std::vector<double> rates;  // the median leaves out a cut-off last segment, as compare does
  for (const auto& s : segments)
    if (s.length_s >= nominal / 2) rates.push_back(s.bytes_per_s() / kMiB);
  double y_max = nice_ceiling(peak * 1.05);
  std::string out = open_svg(f, "Throughput per segment") + y_axis(f, y_max, "MiB/s", false);
  for (const auto& s : segments) {
    double x = f.left + s.start_s / t_end * f.plot_w();
    double w = s.length_s / t_end * f.plot_w();
    double h = s.bytes_per_s() / kMiB / y_max * f.plot_h();
    char tip[128];
    std::snprintf(tip, sizeof tip, "%g-%g s: %s, %llu parts done", s.start_s, s.start_s + s.length_s,
                  format_rate(s.bytes_per_s()).c_str(), static_cast<unsigned long long>(s.parts_done));
    out += rect(x + (w > 4 ? 0.5 : 0), f.plot_bottom() - h, w > 4 ? w - 1 : w, h, kBarColor, tip);
  }
  double mid = median(rates);
  double y = f.plot_bottom() - mid / y_max * f.plot_h();
  out += line(f.left, y, f.width - f.right, y, "#f28e2b", "stroke-width=\"2\" stroke-dasharray=\"6 4\"");
  // The legend sits above the plot so it never covers a bar.
  out += line(f.width - f.right - 170, 14, f.width - f.right - 150, 14, "#f28e2b",
              "stroke-width=\"2\" stroke-dasharray=\"6 4\"");
  out += text(f.width - f.right, 18, "median " + format_rate(mid * kMiB), "end", "font-weight=\"600\"");
  return out + time_axis(f, 0, t_end) + "</svg>\n";
}

std::string shard_throughput_chart(const std::vector<ShardRow>& rows, const std::vector<bool>& slow) {
  if (rows.empty()) return empty_chart("No shards were merged.");
  Frame f;
  f.top = 32;
  std::vector<double> rates;
  for (const auto& row : rows) rates.push_back(row.totals.throughput_bytes_per_s / kMiB);
  const double mid = median(rates);
  const double y_max = nice_ceiling(*std::max_element(rates.begin(), rates.end()) * 1.1);
  const double band = f.plot_w() / static_cast<double>(rows.size());
  const double bar = std::min(band * 0.7, 90.0);
  // Labels of narrow bands would run into each other: name every n-th shard.
  const std::size_t label_every = static_cast<std::size_t>(std::ceil(60.0 / band));
  std::string out = open_svg(f, "Throughput per shard") + y_axis(f, y_max, "MiB/s", false);
  // Behind the bars: seen between them, never across a bar's label.
  const auto level = [&](double v) { return f.plot_bottom() - v / y_max * f.plot_h(); };
  out += line(f.left, level(mid), f.width - f.right, level(mid), "#f28e2b", "stroke-width=\"2\" stroke-dasharray=\"6 4\"");
  out += line(f.left, level(mid * kSlowShardFactor), f.width - f.right, level(mid * kSlowShardFactor), kFailColor,
              "stroke-width=\"1.5\" stroke-dasharray=\"2 3\"");
  out += line(f.left, f.plot_bottom(), f.width - f.right, f.plot_bottom(), kAxisColor);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const bool is_slow = i < slow.size() && slow[i];
    const double x = f.left + band * (static_cast<double>(i) + 0.5);
    const double h = rates[i] / y_max * f.plot_h();
    std::string tip = "shard " + std::to_string(row.index) + " (" + row.hostname + "): " +
                      format_rate(row.totals.throughput_bytes_per_s) + ", " + std::to_string(row.totals.uploads) +
                      " uploads, " + std::to_string(row.errors) + " errors";
    if (row.p99_part_s) tip += ", p99 part " + format_seconds(*row.p99_part_s);
    if (is_slow) tip += ", SLOW";
    out += rect(x - bar / 2, f.plot_bottom() - h, bar, h, is_slow ? kFailColor : kBarColor, tip);
    if (i % label_every == 0) {
      out += text(x, f.plot_bottom() + 16, "shard " + std::to_string(row.index));
      // The value inside the top of the bar when it fits there.
      if (bar >= 40 && h >= 24)
        out += "<text x=\"" + num(x) + "\" y=\"" + num(f.plot_bottom() - h + 16) +
               "\" text-anchor=\"middle\" fill=\"#ffffff\" font-weight=\"600\">" +
               html_escape(format_rate(row.totals.throughput_bytes_per_s)) + "</text>\n";
      else if (bar >= 40)
        out += text(x, f.plot_bottom() - h - 6, format_rate(row.totals.throughput_bytes_per_s));
    }
  }
  // The legend sits above the plot so it never covers a bar.
  out += line(f.left, 14, f.left + 20, 14, "#f28e2b", "stroke-width=\"2\" stroke-dasharray=\"6 4\"");
  out += text(f.left + 26, 18, "median " + format_rate(mid * kMiB), "start", "font-weight=\"600\"");
  out += line(f.left + 220, 14, f.left + 240, 14, kFailColor, "stroke-width=\"1.5\" stroke-dasharray=\"2 3\"");
  char slow_label[64];
  std::snprintf(slow_label, sizeof slow_label, "slow: below %g x median (red bars)", kSlowShardFactor);
  out += text(f.left + 246, 18, slow_label, "start");
  return out + text(f.left + f.plot_w() / 2, f.height - 6, "shard (its own throughput over its own window)") + "</svg>\n";
}

std::string latency_chart(const HistogramData& h) {
  if (h.empty() || h.bins == 0 || h.counts.size() != h.bins + 2u) return empty_chart("No latencies were recorded.");
  std::size_t first = h.counts.size(), last = 0;
  for (std::size_t i = 1; i + 1 < h.counts.size(); ++i)
    if (h.counts[i]) first = std::min(first, i), last = i;
  double lo = h.min > 0 ? h.min : h.lower, hi = std::max(h.max, lo * 1.01);
  if (first <= last) {
    lo = std::min(lo, h.bin_lower(static_cast<unsigned>(first - 1)));
    hi = std::max(hi, h.bin_upper(static_cast<unsigned>(last - 1)));
  }
  lo /= 1.15, hi *= 1.15;  // breathing room for the edge bars
  Frame f;
  f.top = 44;
  f.height = 330;
  auto x_of = [&](double v) { return f.left + std::log(v / lo) / std::log(hi / lo) * f.plot_w(); };
  std::uint64_t tallest = 1;
  for (std::size_t i = first; i <= last && first <= last; ++i) tallest = std::max(tallest, h.counts[i]);
  double y_max = nice_ceiling(static_cast<double>(tallest));
  std::string out = open_svg(f, "Latency distribution") + y_axis(f, y_max, "count", true);
  for (std::size_t i = first; i <= last && first <= last; ++i) {
    if (!h.counts[i]) continue;
    auto bin = static_cast<unsigned>(i - 1);
    double x0 = x_of(std::max(h.bin_lower(bin), lo)), x1 = x_of(std::min(h.bin_upper(bin), hi));
    double bar = static_cast<double>(h.counts[i]) / y_max * f.plot_h();
    out += rect(x0, f.plot_bottom() - bar, std::max(x1 - x0 - 0.5, 1.0), bar, kBarColor,
                format_seconds(h.bin_lower(bin)) + " - " + format_seconds(h.bin_upper(bin)) + ": " +
                    std::to_string(h.counts[i]));
  }
  // The axis: 1-2-5 steps per decade, or decades only when that is too many.
  std::vector<double> ticks;
  for (int multiples : {3, 1}) {
    ticks.clear();
    for (int d = static_cast<int>(std::floor(std::log10(lo))); d <= static_cast<int>(std::ceil(std::log10(hi))); ++d)
      for (double m : {1.0, 2.0, 5.0}) {
        if (multiples == 1 && m != 1.0) continue;
        double v = m * std::pow(10.0, d);
        if (v >= lo && v <= hi) ticks.push_back(v);
      }
    if (ticks.size() <= 12) break;
  }
  if (ticks.size() < 3) ticks = nice_ticks(lo, hi, 6);
  out += line(f.left, f.plot_bottom(), f.width - f.right, f.plot_bottom(), kAxisColor);
  for (double v : ticks) {
    if (v < lo || v > hi) continue;
    out += line(x_of(v), f.plot_bottom(), x_of(v), f.plot_bottom() + 5, kAxisColor);
    out += text(x_of(v), f.plot_bottom() + 18, format_seconds(v));
  }
  out += text(f.left + f.plot_w() / 2, f.height - 6, "latency (log scale)");
  // Percentile markers, named in a legend row so labels never overlap.
  struct Marker {
    const char* name;
    double q;
    const char* color;
  };
  constexpr Marker kMarkers[] = {{"p50", 0.5, "#59a14f"}, {"p90", 0.9, "#f28e2b"}, {"p99", 0.99, "#e15759"},
                                 {"p99.9", 0.999, "#b07aa1"}, {"max", 1.0, "#333333"}};
  double legend_x = f.left;
  for (const auto& m : kMarkers) {
    if (m.q == 0.999 && h.count < 1000) continue;  // with fewer samples it is the maximum
    double v = m.q >= 1.0 ? h.max : h.quantile(m.q);
    double x = x_of(std::clamp(v, lo, hi));
    out += line(x, f.top, x, f.plot_bottom(), m.color, "stroke-width=\"2\" stroke-dasharray=\"4 3\"");
    out += line(legend_x, 18, legend_x + 18, 18, m.color, "stroke-width=\"3\"");
    std::string label = std::string(m.name) + " " + format_seconds(v);
    out += text(legend_x + 24, 22, label, "start");
    legend_x += 40 + 7.0 * static_cast<double>(label.size());
  }
  std::uint64_t outside = h.counts.front() + h.counts.back();
  if (outside)
    out += text(f.width - f.right, 22, std::to_string(outside) + " outside the histogram axis", "end");
  return out + "</svg>\n";
}

namespace {

constexpr const char* kMoveColor = "#f28e2b";
constexpr const char* kStoppedColor = "#aab4c0";
constexpr const char* kWaitColor = "#8a96a3";

struct TimelineLegendEntry {
  const char* name;
  const char* color;
  bool thin;  // a line, not a bar
};

// min_wait_s: the shortest wait the chart draws (2 px), so the legend names only what is visible.
std::string timeline_legend(const std::vector<const UploadSpan*>& rows, double min_wait_s, double y) {
  bool failed = false, stopped = false, moved = false, waited = false;
  for (auto* u : rows) {
    failed |= !u->ok && !u->stopped;
    stopped |= u->stopped;
    moved |= u->move_end_s.has_value();
    waited |= u->intended_s && u->start_s - *u->intended_s >= min_wait_s;
  }
  std::vector<TimelineLegendEntry> entries{{"parts", kBarColor, false}};
  if (moved) entries.push_back({"move", kMoveColor, false});
  if (waited) entries.push_back({"wait for a lane", kWaitColor, true});
  if (failed) entries.push_back({"failed", kFailColor, false});
  if (stopped) entries.push_back({"cut off at the end", kStoppedColor, false});
  std::string out;
  double x = 56;
  for (const auto& e : entries) {
    out += e.thin ? line(x, y - 4, x + 18, y - 4, e.color, "stroke-width=\"2\"") : rect(x, y - 10, 18, 10, e.color);
    out += text(x + 24, y, e.name, "start");
    x += 36 + 6.5 * static_cast<double>(std::string_view(e.name).size());
  }
  return out;
}

std::string upload_tooltip(const UploadSpan& u, std::size_t row) {
  const double upload_end = u.move_end_s && !u.part_ends_s.empty() ? u.part_ends_s.back() : u.end_s;
  const double duration = upload_end - u.start_s;
  std::string tip = "upload " + std::to_string(row) + ": " + contract::format_byte_size(u.bytes) + " in " +
                    format_seconds(duration) + " (" +
                    (duration > 0 ? format_rate(static_cast<double>(u.bytes) / duration) : std::string("-")) + "), " +
                    std::to_string(u.part_ends_s.size()) + " parts";
  char span[64];
  std::snprintf(span, sizeof span, ", %.3f s to %.3f s", u.start_s, u.end_s);
  tip += span;
  if (u.intended_s && u.start_s - *u.intended_s >= 0.0005) tip += ", waited " + format_seconds(u.start_s - *u.intended_s);
  if (u.move_end_s) tip += ", move " + format_seconds(*u.move_end_s - upload_end);
  if (u.stopped) tip += ", CUT OFF by the end of the run";
  else if (!u.ok) tip += ", FAILED";
  return tip;
}

}  // namespace

std::string timeline_chart(const std::vector<UploadSpan>& uploads, std::size_t max_rows) {
  if (uploads.empty()) return empty_chart("No per-upload timeline was recorded for this run.");
  std::vector<const UploadSpan*> rows;
  for (const auto& u : uploads) rows.push_back(&u);
  std::stable_sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->start_s < b->start_s; });
  bool cut = rows.size() > max_rows;
  if (cut) rows.resize(max_rows);
  double t0 = 0, t1 = 0;
  for (auto* u : rows) {
    t0 = std::min({t0, u->start_s, u->intended_s.value_or(u->start_s)});
    t1 = std::max(t1, u->end_s);
  }
  if (!(t1 > t0)) t1 = t0 + 1;
  const double row_h = std::clamp(560.0 / static_cast<double>(rows.size()), 3.0, 30.0);
  // Label every row when they are tall enough, else every n-th row (n a round
  // 2, 5, 10, 20, 50, ...) so labels stay apart and easy to count along.
  std::size_t label_every = 1;
  for (std::size_t step : {2, 5, 10, 20, 50, 100})
    if (row_h * static_cast<double>(label_every) < 16) label_every = step;
  Frame f;
  f.top = 44;
  f.left = 56;
  f.height = f.top + row_h * static_cast<double>(rows.size()) + f.bottom;
  auto x_of = [&](double t) { return f.left + (t - t0) / (t1 - t0) * f.plot_w(); };
  std::string out = open_svg(f, "Per-upload timeline");
  out += timeline_legend(rows, 2 * (t1 - t0) / f.plot_w(), 16);
  if (t0 < 0) {
    out += rect(x_of(t0), f.top, x_of(0) - x_of(t0), f.plot_h(), "#eef0f3");
    if (x_of(0) - x_of(t0) >= 56) out += text((x_of(t0) + x_of(0)) / 2, f.top - 6, "warm-up");  // else it would hit the labels
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& u = *rows[i];
    const double y = f.top + row_h * static_cast<double>(i);
    const double bar_y = y + row_h * 0.15, bar_h = row_h * 0.7;
    const double x0 = x_of(u.start_s), x1 = x_of(std::max(u.end_s, u.start_s));
    const auto tip = upload_tooltip(u, i + 1);
    if (u.intended_s && x0 - x_of(*u.intended_s) >= 2) {
      const double xi = x_of(*u.intended_s), mid = y + row_h * 0.5;
      out += line(xi, mid, x0, mid, kWaitColor, "stroke-width=\"2\"");
      out += line(xi, bar_y, xi, bar_y + bar_h, kWaitColor, "stroke-width=\"2\"");
    }
    const char* color = u.stopped ? kStoppedColor : u.ok ? kBarColor : kFailColor;
    // With --move the bar ends where the last part did and the move follows in its own colour.
    const bool moved = u.move_end_s && !u.part_ends_s.empty();
    const double parts_end_x = moved ? std::clamp(x_of(u.part_ends_s.back()), x0, x1) : x1;
    out += rect(x0, bar_y, parts_end_x - x0, bar_h, color, tip);
    if (moved) out += rect(parts_end_x, bar_y, x1 - parts_end_x, bar_h, u.ok ? kMoveColor : kFailColor, tip);
    // Part boundaries, where they are far enough apart to be seen.
    double last_x = x0;
    for (double end : u.part_ends_s) {
      const double x = x_of(end);
      if (x - last_x >= 3 && parts_end_x - x >= 3) {
        out += line(x, bar_y, x, bar_y + bar_h, "#ffffff", "stroke-width=\"1.5\"");
        last_x = x;
      }
    }
    if ((i + 1) % label_every == 0 || i == 0)
      out += text(f.left - 6, y + row_h * 0.5 + 4, "#" + std::to_string(i + 1), "end");
  }
  out += time_axis(f, t0, t1);
  if (cut)
    out += text(f.width - f.right, 16,
                "first " + std::to_string(max_rows) + " of " + std::to_string(uploads.size()) + " uploads", "end");
  return out + "</svg>\n";
}

}  // namespace partcheck::bench::charts
