#pragma once
// Byte sizes as users write them: `5242880`, `5MiB`, `1.5GiB`, `64k`, and
// sums such as `5MiB-1` or `5GiB+1` (boundary cases in scenarios).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace partcheck::contract {

inline constexpr std::uint64_t KiB = 1024;
inline constexpr std::uint64_t MiB = 1024 * KiB;
inline constexpr std::uint64_t GiB = 1024 * MiB;

struct SizeParse {
  std::optional<std::uint64_t> bytes;
  std::string error;
  explicit operator bool() const { return bytes.has_value(); }
};

// Units: B, KiB/k/K, MiB/M, GiB/G, TiB/T (binary) and KB, MB, GB, TB (decimal).
// A negative result or an overflow is an error.
SizeParse parse_byte_size(std::string_view text);

// "5 MiB", "1.50 GiB", "999 B": for people, not for parsing back exactly.
std::string format_byte_size(std::uint64_t bytes);

}  // namespace partcheck::contract
