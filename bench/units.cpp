#include "bench/units.hpp"

#include <cstdio>

namespace partcheck::bench {
std::string format_fixed(double value, int digits) {
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

std::string format_rate(double bytes_per_s) {
  const double mib = bytes_per_s / (1024.0 * 1024.0);
  return mib >= 1024 ? format_fixed(mib / 1024, 2) + " GiB/s" : format_fixed(mib, 1) + " MiB/s";
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
