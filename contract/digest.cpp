#include "contract/digest.hpp"

#include <openssl/evp.h>
#include <xxhash.h>

#include <stdexcept>

namespace partcheck::contract {
namespace {

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0xf];
  }
  return out;
}

}  // namespace

struct Digest::State {
  EVP_MD_CTX* sha = nullptr;
  XXH3_state_t* xxh = nullptr;
  ~State() {
    if (sha) EVP_MD_CTX_free(sha);
    if (xxh) XXH3_freeState(xxh);
  }
};

std::string_view digest_name(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::Sha256 ? "sha256" : "xxh3-128";
}

std::optional<DigestAlgorithm> digest_from_name(std::string_view name) {
  if (name == "sha256") return DigestAlgorithm::Sha256;
  if (name == "xxh3-128" || name == "xxh3") return DigestAlgorithm::Xxh3_128;
  return std::nullopt;
}

Digest::Digest(DigestAlgorithm algorithm) : algorithm_(algorithm), state_(std::make_unique<State>()) {
  if (algorithm_ == DigestAlgorithm::Sha256) {
    state_->sha = EVP_MD_CTX_new();
    if (!state_->sha || EVP_DigestInit_ex(state_->sha, EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("OpenSSL: cannot start SHA-256");
  } else {
    state_->xxh = XXH3_createState();
    if (!state_->xxh || XXH3_128bits_reset(state_->xxh) != XXH_OK)
      throw std::runtime_error("xxHash: cannot start XXH3-128");
  }
}

Digest::Digest(const Digest& other) : algorithm_(other.algorithm_), state_(std::make_unique<State>()) {
  if (algorithm_ == DigestAlgorithm::Sha256) {
    state_->sha = EVP_MD_CTX_new();
    if (!state_->sha || EVP_MD_CTX_copy_ex(state_->sha, other.state_->sha) != 1)
      throw std::runtime_error("OpenSSL: cannot copy SHA-256 state");
  } else {
    state_->xxh = XXH3_createState();
    if (!state_->xxh) throw std::runtime_error("xxHash: cannot allocate state");
    XXH3_copyState(state_->xxh, other.state_->xxh);
  }
}

Digest& Digest::operator=(const Digest& other) {
  if (this != &other) *this = Digest(other);
  return *this;
}

Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;
Digest::~Digest() = default;

void Digest::update(std::span<const std::byte> data) {
  if (algorithm_ == DigestAlgorithm::Sha256)
    EVP_DigestUpdate(state_->sha, data.data(), data.size());
  else
    XXH3_128bits_update(state_->xxh, data.data(), data.size());
}

std::string Digest::hex() const {
  if (algorithm_ == DigestAlgorithm::Sha256) {
    EVP_MD_CTX* copy = EVP_MD_CTX_new();
    EVP_MD_CTX_copy_ex(copy, state_->sha);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(copy, out, &n);
    EVP_MD_CTX_free(copy);
    return to_hex(out, n);
  }
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state_->xxh));
  return to_hex(canonical.digest, sizeof canonical.digest);
}

std::string digest_hex(DigestAlgorithm algorithm, std::span<const std::byte> data) {
  Digest d(algorithm);
  d.update(data);
  return d.hex();
}

}  // namespace partcheck::contract
