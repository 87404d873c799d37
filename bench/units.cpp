#include "bench/units.hpp"

#include <cstdio>

namespace partcheck::bench {
namespace {

std::string fixed(double value, int digits) {
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

}  // namespace

std::string format_rate(double bytes_per_s) {
  const double mib = bytes_per_s / (1024.0 * 1024.0);
  return mib >= 1024 ? fixed(mib / 1024, 2) + " GiB/s" : fixed(mib, 1) + " MiB/s";
}

// Three significant digits: enough to compare runs, short enough for tables.
std::string format_seconds(double s) {
  char text[32];
  if (s < 1e-3)
    std::snprintf(text, sizeof text, "%.0f us", s * 1e6);
  else if (s < 1)
    std::snprintf(text, sizeof text, "%.3g ms", s * 1e3);
  else
    std::snprintf(text, sizeof text, "%.3g s", s);
  return text;
}

}  // namespace partcheck::bench
