#include "common/iso_time.hpp"

#include <cstdio>

namespace partcheck {

std::string iso8601_utc(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto millis = floor<milliseconds>(time);
  const auto days = floor<std::chrono::days>(millis);
  const year_month_day date{days};
  const hh_mm_ss clock_time{millis - days};
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<long long>(clock_time.hours().count()),
                static_cast<long long>(clock_time.minutes().count()),
                static_cast<long long>(clock_time.seconds().count()),
                static_cast<long long>(clock_time.subseconds().count()));
  return text;
}

namespace {

// A cursor over the text: fixed-width digit fields and single separators.
struct Reader {
  std::string_view text;
  std::size_t at = 0;
  bool ok = true;

  int digits(std::size_t width) {
    int value = 0;
    if (at + width > text.size()) ok = false;
    for (std::size_t i = 0; ok && i < width; ++i) {
      const char c = text[at + i];
      if (c < '0' || c > '9') ok = false;
      value = value * 10 + (c - '0');
    }
    at += width;
    return value;
  }
  void expect(std::string_view allowed) {
    if (at >= text.size() || allowed.find(text[at]) == std::string_view::npos) ok = false;
    ++at;
  }
  bool next_is(std::string_view any) const { return at < text.size() && any.find(text[at]) != std::string_view::npos; }
};

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  Reader r{text};
  const int year_ = r.digits(4);
  r.expect("-");
  const int month_ = r.digits(2);
  r.expect("-");
  const int day_ = r.digits(2);
  r.expect("Tt ");  // RFC 3339 allows a space for readability
  const int hour = r.digits(2);
  r.expect(":");
  const int minute = r.digits(2);
  r.expect(":");
  const int second = r.digits(2);
  if (!r.ok) return std::nullopt;
  nanoseconds fraction{0};
  if (r.next_is(".")) {
    ++r.at;
    const std::size_t first = r.at;
    long long scale = 100'000'000;  // nanoseconds of the first digit; digits past the ninth are below the clock's
    while (r.next_is("0123456789")) {
      fraction += nanoseconds((text[r.at] - '0') * scale);
      scale /= 10;
      ++r.at;
    }
    if (r.at == first) return std::nullopt;
  }
  minutes offset{0};
  if (r.next_is("Zz")) {
    ++r.at;
  } else if (r.next_is("+-")) {
    const int sign = text[r.at] == '-' ? -1 : 1;
    ++r.at;
    const int offset_hours = r.digits(2);
    r.expect(":");
    const int offset_minutes = r.digits(2);
    if (!r.ok || offset_hours > 23 || offset_minutes > 59) return std::nullopt;
    offset = minutes(sign * (offset_hours * 60 + offset_minutes));
  } else {
    return std::nullopt;
  }
  if (r.at != text.size()) return std::nullopt;
  const year_month_day date{year(year_), month(static_cast<unsigned>(month_)), day(static_cast<unsigned>(day_))};
  // A leap second (:60) is refused: the system clock, and so every time partcheck writes, has none.
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const auto local = sys_days(date) + hours(hour) + minutes(minute) + seconds(second) + fraction;
  return time_point_cast<system_clock::duration>(local - offset);
}

}  // namespace partcheck
