#include "tests/integration/support/bodies.hpp"

#include <span>

#include "contract/data_source.hpp"

namespace partcheck::testing {

std::string file_bytes(std::uint64_t seed, std::uint64_t offset, std::uint64_t length) {
  std::string out(length, '\0');
  contract::DataSource(seed).fill(offset, std::span<char>(out.data(), out.size()));
  return out;
}

std::string content_range(std::uint64_t start, std::uint64_t end, std::uint64_t total) {
  return "bytes " + std::to_string(start) + "-" + std::to_string(end) + "/" + std::to_string(total);
}

long long first_mismatch(std::uint64_t seed, std::uint64_t offset, const std::string& data) {
  auto bytes = std::as_bytes(std::span<const char>(data.data(), data.size()));
  auto at = contract::DataSource(seed).first_mismatch(offset, bytes);
  return at ? static_cast<long long>(*at - offset) : -1;
}

}  // namespace partcheck::testing
