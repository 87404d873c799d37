#pragma once
// `Content-Range: bytes <start>-<end>/<total>`. The contract's documented
// convention makes `end` EXCLUSIVE (`bytes 0-1000/1000` is the whole file);
// RFC 9110's inclusive convention is available for targets that use it.
// Internally a ContentRange is always half-open: [start, end).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace partcheck::contract {

enum class RangeConvention { ExclusiveEnd, InclusiveEnd };

struct ContentRange {
  std::uint64_t start = 0;
  std::uint64_t end = 0;  // exclusive
  std::uint64_t total = 0;

  std::uint64_t length() const { return end - start; }
  bool is_final() const { return end == total; }
  bool is_whole() const { return start == 0 && end == total; }
  friend bool operator==(const ContentRange&, const ContentRange&) = default;
};

struct RangeParse {
  std::optional<ContentRange> range;
  std::string error;  // why the header is malformed, when range is empty
  explicit operator bool() const { return range.has_value(); }
};

// Accepts exactly `bytes s-e/n` (surrounding blanks ignored), decimal integers
// without sign, 0 <= s < e <= n. The empty file `bytes 0-0/0` is accepted with
// the exclusive convention (it has no inclusive spelling).
RangeParse parse_content_range(std::string_view header,
                               RangeConvention convention = RangeConvention::ExclusiveEnd);

std::string format_content_range(const ContentRange& range,
                                 RangeConvention convention = RangeConvention::ExclusiveEnd);

}  // namespace partcheck::contract
