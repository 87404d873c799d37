#include "runner/report/html_timeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/text_escape.hpp"
#include "runner/report/html_page.hpp"

namespace partcheck::runner::html {
namespace {

constexpr int kWidth = 960;
constexpr int kLabelWidth = 330;  // request labels left of the axis
constexpr int kRowHeight = 18;
constexpr int kAxisHeight = 22;

std::string number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", value);
  return buf;
}

// Colours by outcome, the same as the report's status badges.
const char* fill_for(int status) {
  if (status == 0) return "#8a8f98";  // no answer: reset, dropped, timed out
  if (status < 300) return "#2e9d57";
  if (status < 500) return "#d98a1c";
  return "#cf3a3a";
}

std::string outcome(const RequestLog& r) {
  if (r.status == 0) return r.code.empty() ? std::string("no answer") : "no answer (" + r.code + ")";
  return std::to_string(r.status) + (r.code.empty() ? "" : " " + r.code);
}

// Tick spacing of 1, 2 or 5 times a power of ten, about six ticks in all.
double tick_step(double span_ms) {
  const double raw = span_ms / 6;
  const double power = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-3))));
  for (double m : {1.0, 2.0, 5.0})
    if (raw <= m * power) return m * power;
  return 10 * power;
}

}  // namespace

std::string render_timeline(const ScenarioResult& scenario) {
  double end_ms = 0;
  std::size_t rows = 0;
  for (const auto& r : scenario.transcript) {
    if (r.at_ms < 0) continue;
    end_ms = std::max(end_ms, r.at_ms + r.duration_ms);
    ++rows;
  }
  if (rows == 0) return {};
  end_ms = std::max(end_ms, 1.0);
  const double plot_width = kWidth - kLabelWidth - 10;
  auto x_of = [&](double ms) { return kLabelWidth + ms / end_ms * plot_width; };
  const int height = kAxisHeight + static_cast<int>(rows) * kRowHeight + 4;

  std::string svg = "<svg class=\"timeline\" role=\"img\" aria-label=\"requests over time\" width=\"" +
                    std::to_string(kWidth) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                    std::to_string(kWidth) + " " + std::to_string(height) +
                    "\" font-family=\"ui-monospace,monospace\" font-size=\"11\">\n";
  const double step = tick_step(end_ms);
  for (double t = 0; t <= end_ms + 1e-9; t += step) {
    const auto x = number(x_of(t));
    svg += "<line x1=\"" + x + "\" y1=\"" + std::to_string(kAxisHeight - 6) + "\" x2=\"" + x + "\" y2=\"" +
           std::to_string(height) + "\" stroke=\"#e3e5e8\"/><text x=\"" + x + "\" y=\"12\" text-anchor=\"middle\" "
           "fill=\"#666\">" + html_escape(format_duration_ms(t)) + "</text>\n";
  }
  int y = kAxisHeight;
  for (const auto& r : scenario.transcript) {
    if (r.at_ms < 0) continue;
    const std::string label = (r.step_name.empty() ? r.method : r.step_name) + " \u2192 " + outcome(r);
    const double x0 = x_of(r.at_ms);
    const double width = std::max(2.0, x_of(r.at_ms + r.duration_ms) - x0);
    svg += "<g><title>" + html_escape(r.method + " " + r.url + "\n" + outcome(r) + ", " +
                                      format_duration_ms(r.duration_ms) + ", " + format_bytes(r.bytes_sent) +
                                      " sent, at " + format_duration_ms(r.at_ms)) +
           "</title><text x=\"4\" y=\"" + std::to_string(y + 12) + "\" fill=\"#222\">" + html_escape(label) +
           "</text><rect x=\"" + number(x0) + "\" y=\"" + std::to_string(y + 3) + "\" width=\"" + number(width) +
           "\" height=\"" + std::to_string(kRowHeight - 6) + "\" rx=\"2\" fill=\"" + fill_for(r.status) + "\"/></g>\n";
    y += kRowHeight;
  }
  svg += "</svg>\n";
  return "<div class=\"timeline-wrap\"><div class=\"label\">timeline (" + std::to_string(rows) +
         (rows == 1 ? " request" : " requests") + ")</div>\n" + svg + "</div>\n";
}

}  // namespace partcheck::runner::html
