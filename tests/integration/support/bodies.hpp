#pragma once
// Deterministic request bodies for integration tests: the bytes of a test
// file are contract::DataSource's stream for a seed, so any part can be made
// again (and a download checked) without keeping the whole file around.
#include <cstdint>
#include <string>

#include "contract/byte_size.hpp"

namespace partcheck::testing {

inline constexpr std::uint64_t kMinPart = 5 * contract::MiB;  // 5 242 880

// Bytes [offset, offset + length) of the file with this seed.
std::string file_bytes(std::uint64_t seed, std::uint64_t offset, std::uint64_t length);

// "bytes s-e/n" with the contract's exclusive end.
std::string content_range(std::uint64_t start, std::uint64_t end, std::uint64_t total);

// Offset of the first byte of `data` that is not the file's byte at
// `offset + i`, or -1 when every byte matches. Gives a readable failure
// instead of a multi-megabyte string diff.
long long first_mismatch(std::uint64_t seed, std::uint64_t offset, const std::string& data);

}  // namespace partcheck::testing
