#include "contract/part_plan.hpp"

#include <algorithm>
#include <stdexcept>

namespace partcheck::contract {

std::vector<ContentRange> plan_parts(std::uint64_t total, std::uint64_t part_size) {
  if (part_size == 0) throw std::invalid_argument("part size must be greater than zero");
  if (total == 0) return {ContentRange{0, 0, 0}};
  std::vector<ContentRange> parts;
  parts.reserve(static_cast<std::size_t>((total + part_size - 1) / part_size));
  for (std::uint64_t start = 0; start < total; start += part_size)
    parts.push_back({start, std::min(total, start + part_size), total});
  return parts;
}

}  // namespace partcheck::contract
