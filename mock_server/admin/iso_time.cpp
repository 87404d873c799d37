#include "mock_server/admin/iso_time.hpp"

#include <cstdio>

namespace partcheck::mock {

std::string iso8601_utc(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto millis = floor<milliseconds>(time);
  const auto days = floor<std::chrono::days>(millis);
  const year_month_day date{days};
  const hh_mm_ss clock_time{millis - days};
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<long long>(clock_time.hours().count()),
                static_cast<long long>(clock_time.minutes().count()),
                static_cast<long long>(clock_time.seconds().count()),
                static_cast<long long>(clock_time.subseconds().count()));
  return text;
}

}  // namespace partcheck::mock
