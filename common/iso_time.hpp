#pragma once
// Times as text. What partcheck writes (the mock's admin answers and journal,
// bench results) is ISO 8601 in UTC with milliseconds,
// "2026-01-31T12:00:00.250Z", so people and scripts read it alike. What it
// reads (`bench --start-at`, the mock's journal in `partcheck client`) is
// any RFC 3339 time: fractional seconds, 'Z' or an offset such as +01:00.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace partcheck {

std::string iso8601_utc(std::chrono::system_clock::time_point time);

// Empty when `text` is not an RFC 3339 date-time (a time without its offset
// is refused: it would mean different instants on different machines).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace partcheck
