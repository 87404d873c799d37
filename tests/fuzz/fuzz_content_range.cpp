// Fuzz target: contract::parse_content_range / format_content_range
// (contract/content_range.hpp), both conventions.
//
// Beyond "does not crash", for every input and convention:
//  - differential: the parser accepts exactly what an independent, naive
//    reading of the grammar accepts (blanks, `bytes `, three unsigned decimal
//    64-bit numbers, the convention's ordering rule), with the same numbers;
//  - a refusal carries a message, an acceptance none;
//  - invariants of what is accepted: start < end <= total (exclusive: or the
//    empty file 0-0/0), length() == end - start, is_final()/is_whole();
//  - round trip: format(parse(x)) parses back to the same range, and
//    formatting that again gives the same text (a normal form);
//  - the two conventions agree: when both accept the text, the inclusive
//    reading is the exclusive one with end + 1.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "contract/content_range.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace partcheck;
using contract::ContentRange;
using contract::RangeConvention;
using fuzz::check;

namespace {

struct Numbers {
  std::uint64_t first = 0, second = 0, third = 0;
};

// Reads "<digits>" into value; false on no digit, a non-digit or an overflow.
bool naive_number(std::string_view text, std::uint64_t& value) {
  if (text.empty()) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    if (value > (std::numeric_limits<std::uint64_t>::max() - static_cast<unsigned>(c - '0')) / 10) return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

// The grammar read the simplest way: [ \t]* "bytes " N "-" N "/" N [ \t]*.
std::optional<Numbers> naive_read(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (!text.starts_with("bytes ")) return std::nullopt;
  text.remove_prefix(6);
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto slash = text.find('/', dash + 1);
  if (slash == std::string_view::npos) return std::nullopt;
  Numbers n;
  if (!naive_number(text.substr(0, dash), n.first) || !naive_number(text.substr(dash + 1, slash - dash - 1), n.second) ||
      !naive_number(text.substr(slash + 1), n.third))
    return std::nullopt;
  return n;
}

std::optional<ContentRange> naive_parse(std::string_view text, RangeConvention convention) {
  auto n = naive_read(text);
  if (!n) return std::nullopt;
  if (convention == RangeConvention::ExclusiveEnd) {
    if (n->first == 0 && n->second == 0 && n->third == 0) return ContentRange{0, 0, 0};
    if (n->first < n->second && n->second <= n->third) return ContentRange{n->first, n->second, n->third};
    return std::nullopt;
  }
  if (n->first <= n->second && n->second < n->third) return ContentRange{n->first, n->second + 1, n->third};
  return std::nullopt;
}

std::string describe(const ContentRange& r) {
  return "[" + std::to_string(r.start) + ", " + std::to_string(r.end) + ") of " + std::to_string(r.total);
}

std::optional<ContentRange> check_convention(std::string_view text, RangeConvention convention) {
  const auto parsed = contract::parse_content_range(text, convention);
  const auto expected = naive_parse(text, convention);
  check(parsed.range.has_value() == expected.has_value(),
        parsed ? "parse_content_range accepts what the grammar refuses"
               : "parse_content_range refuses what the grammar accepts",
        parsed ? describe(*parsed.range) : parsed.error);
  if (!parsed) {
    check(!parsed.error.empty(), "a refused Content-Range has no error message");
    return std::nullopt;
  }
  const ContentRange& r = *parsed.range;
  check(r == *expected, "parse_content_range reads other numbers than the grammar", describe(r) + " vs " + describe(*expected));
  check(parsed.error.empty(), "an accepted Content-Range has an error message", parsed.error);

  const bool empty_file = r == ContentRange{0, 0, 0};
  check(empty_file ? convention == RangeConvention::ExclusiveEnd : (r.start < r.end && r.end <= r.total),
        "accepted range breaks start < end <= total", describe(r));
  check(r.length() == r.end - r.start, "length() is not end - start");
  check(r.is_final() == (r.end == r.total), "is_final() is not end == total");
  check(r.is_whole() == (r.start == 0 && r.end == r.total), "is_whole() is not start == 0 && end == total");

  const std::string formatted = contract::format_content_range(r, convention);
  const auto again = contract::parse_content_range(formatted, convention);
  check(again.range.has_value(), "the formatted range does not parse back", formatted + ": " + again.error);
  check(*again.range == r, "the formatted range parses back to another range", formatted + " -> " + describe(*again.range));
  check(contract::format_content_range(*again.range, convention) == formatted, "formatting is not a normal form",
        formatted);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return -1;  // a header line; longer inputs only slow the search down
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto exclusive = check_convention(text, RangeConvention::ExclusiveEnd);
  const auto inclusive = check_convention(text, RangeConvention::InclusiveEnd);
  if (exclusive && inclusive) {
    check(inclusive->start == exclusive->start && inclusive->total == exclusive->total &&
              inclusive->end == exclusive->end + 1,
          "the inclusive reading is not the exclusive one shifted by one byte",
          describe(*exclusive) + " vs " + describe(*inclusive));
  }
  // The default argument is the documented convention.
  check(contract::parse_content_range(text).range == exclusive, "the default convention is not ExclusiveEnd");
  return 0;
}
