#pragma once
// How a file of `total` bytes is cut into parts: all parts but the last have
// `part_size` bytes, which the contract bounds to [5 MiB, 5 GiB].
#include <cstdint>
#include <vector>

#include "contract/byte_size.hpp"
#include "contract/content_range.hpp"

namespace partcheck::contract {

inline constexpr std::uint64_t kMinPartSize = 5 * MiB;  // 5 242 880
inline constexpr std::uint64_t kMaxPartSize = 5 * GiB;  // 5 368 709 120

// The ranges a well-behaved client sends, in order. A zero total gives the
// single empty range `0-0/0`; part_size must be > 0 (a part_size >= total
// gives one whole-file range).
std::vector<ContentRange> plan_parts(std::uint64_t total, std::uint64_t part_size);

}  // namespace partcheck::contract
