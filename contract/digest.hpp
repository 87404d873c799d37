#pragma once
// Streaming digests of uploaded bytes: SHA-256 (OpenSSL) for reports people
// compare with sha256sum, XXH3-128 (xxHash) where speed matters (null storage,
// benchmarks). Both are copyable so a store can snapshot the state before a
// part and roll back when that part is retried or refused.
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace partcheck::contract {

enum class DigestAlgorithm { Sha256, Xxh3_128 };
std::string_view digest_name(DigestAlgorithm algorithm);  // "sha256" | "xxh3-128"
std::optional<DigestAlgorithm> digest_from_name(std::string_view name);

class Digest {
 public:
  explicit Digest(DigestAlgorithm algorithm);
  Digest(const Digest& other);
  Digest& operator=(const Digest& other);
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;
  ~Digest();

  void update(std::span<const std::byte> data);
  void update(std::string_view data) { update(std::as_bytes(std::span(data.data(), data.size()))); }
  // Lower-case hex of the digest so far; the state stays usable.
  std::string hex() const;
  DigestAlgorithm algorithm() const { return algorithm_; }

 private:
  struct State;
  DigestAlgorithm algorithm_;
  std::unique_ptr<State> state_;
};

// One-shot helper.
std::string digest_hex(DigestAlgorithm algorithm, std::span<const std::byte> data);

}  // namespace partcheck::contract
