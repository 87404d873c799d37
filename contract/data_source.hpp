#pragma once
// Deterministic bytes: byte i of the stream for `seed` is a pure function of
// (seed, i). Any range of a multi-gigabyte file can be produced or checked
// without storing it, so uploads, downloads and verification never hold a
// whole part. Several GB/s per core (bench/micro measures it).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace partcheck::contract {

class DataSource {
 public:
  // compressible_percent: that share of every 4 KiB page is zero bytes, so
  // targets that compress see a realistic ratio instead of pure noise.
  explicit DataSource(std::uint64_t seed, unsigned compressible_percent = 0);

  void fill(std::uint64_t offset, std::span<std::byte> out) const;
  void fill(std::uint64_t offset, std::span<char> out) const {
    fill(offset, std::as_writable_bytes(out));
  }
  // Offset (absolute) of the first byte of `data` that differs from the
  // stream at `offset`, or nullopt when all match.
  std::optional<std::uint64_t> first_mismatch(std::uint64_t offset,
                                              std::span<const std::byte> data) const;

  std::uint64_t seed() const { return seed_; }
  unsigned compressible_percent() const { return zero_bytes_per_page_ * 100 / kPage; }

 private:
  static constexpr std::uint64_t kPage = 4096;
  std::uint64_t word(std::uint64_t index) const;
  void fill_words(std::uint64_t offset, std::span<std::byte> out) const;

  std::uint64_t seed_;
  std::uint64_t key_;
  std::uint64_t zero_bytes_per_page_;
};

}  // namespace partcheck::contract
