#pragma once
// How the benchmark writes rates and durations for people: one spelling for
// the summary, the HTML report and `report compare`.
#include <string>

namespace partcheck::bench {

std::string format_fixed(double value, int digits);  // printf "%.*f"
std::string format_rate(double bytes_per_s);  // "812.3 MiB/s", "1.21 GiB/s"
std::string format_seconds(double seconds);   // "850 us", "12.4 ms", "244 ms", "1.23 s"

}  // namespace partcheck::bench
