#include "contract/content_range.hpp"

#include <charconv>
#include <limits>

namespace partcheck::contract {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Reads a run of decimal digits (no sign, no blanks) ending at `stop`.
std::optional<std::uint64_t> take_number(std::string_view& s, char stop) {
  auto at = stop == '\0' ? s.size() : s.find(stop);
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  auto digits = s.substr(0, at);
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) return std::nullopt;
  s.remove_prefix(stop == '\0' ? at : at + 1);
  return value;
}

RangeParse fail(std::string why) { return RangeParse{std::nullopt, std::move(why)}; }

}  // namespace

RangeParse parse_content_range(std::string_view header, RangeConvention convention) {
  auto s = trim(header);
  constexpr std::string_view unit = "bytes ";
  if (s.substr(0, unit.size()) != unit) return fail("Content-Range must start with 'bytes '");
  s.remove_prefix(unit.size());
  auto start = take_number(s, '-');
  if (!start) return fail("Content-Range start is not a non-negative integer");
  auto last = take_number(s, '/');
  if (!last) return fail("Content-Range end is not a non-negative integer");
  auto total = take_number(s, '\0');
  if (!total) return fail("Content-Range total is not a non-negative integer");

  if (convention == RangeConvention::InclusiveEnd) {
    if (*last == std::numeric_limits<std::uint64_t>::max()) return fail("Content-Range end overflows");
    if (*start > *last || *last >= *total)
      return fail("Content-Range needs start <= end < total (inclusive end)");
    return RangeParse{ContentRange{*start, *last + 1, *total}, {}};
  }
  if (*start == 0 && *last == 0 && *total == 0) return RangeParse{ContentRange{0, 0, 0}, {}};
  if (*start >= *last) return fail("Content-Range needs start < end (end is exclusive)");
  if (*last > *total) return fail("Content-Range end is beyond the total size");
  return RangeParse{ContentRange{*start, *last, *total}, {}};
}

std::string format_content_range(const ContentRange& range, RangeConvention convention) {
  auto end = range.end;
  if (convention == RangeConvention::InclusiveEnd && end > range.start) end -= 1;
  return "bytes " + std::to_string(range.start) + "-" + std::to_string(end) + "/" +
         std::to_string(range.total);
}

}  // namespace partcheck::contract
