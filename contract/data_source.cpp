#include "contract/data_source.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace partcheck::contract {
namespace {

// A 64-bit finaliser (the splitmix64 one): each output word is a bijective mix
// of its index, so words never repeat within a stream and seeds differ fully.
inline std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Word `index` of the stream keyed by `key`.
inline std::uint64_t stream_word(std::uint64_t index, std::uint64_t key) {
  return mix(index * 0x9e3779b97f4a7c15ULL + key);
}

// The hot loop on its own, built for several x86 levels and picked at load
// time: with AVX-512's 64-bit multiplies the mix runs eight words at once,
// which takes the generator from about 7 to about 15 GB/s per core (bench/micro),
// so that producing a part's bytes costs about what reading them from the page
// cache would. (Sanitizer builds leave it out: their runtimes are not set up
// when the loader picks the version.)
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(PARTCHECK_NO_TARGET_CLONES)
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#endif
void fill_mixed(std::byte* dst, std::size_t words, std::uint64_t index, std::uint64_t key) {
  for (std::size_t i = 0; i < words; ++i) {
    const std::uint64_t w = stream_word(index + i, key);
    std::memcpy(dst + i * 8, &w, 8);
  }
}

}  // namespace

DataSource::DataSource(std::uint64_t seed, unsigned compressible_percent)
    : seed_(seed),
      key_(mix(seed + 0x9e3779b97f4a7c15ULL)),
      zero_bytes_per_page_(std::min<std::uint64_t>(compressible_percent, 100) * kPage / 100) {}

std::uint64_t DataSource::word(std::uint64_t index) const { return stream_word(index, key_); }

void DataSource::fill_words(std::uint64_t offset, std::span<std::byte> out) const {
  std::size_t done = 0;
  // Head: the bytes before the next 8-byte boundary.
  if (auto skew = offset % 8; skew != 0 && !out.empty()) {
    auto w = word(offset / 8);
    auto n = std::min<std::size_t>(8 - skew, out.size());
    std::memcpy(out.data(), reinterpret_cast<const std::byte*>(&w) + skew, n);
    done = n;
  }
  // Body: whole words, the hot loop.
  auto index = (offset + done) / 8;
  const auto whole = (out.size() - done) / 8;
  fill_mixed(out.data() + done, whole, index, key_);
  done += whole * 8;
  // Tail.
  if (done < out.size()) {
    auto w = word(index + whole);
    std::memcpy(out.data() + done, &w, out.size() - done);
  }
}

void DataSource::fill(std::uint64_t offset, std::span<std::byte> out) const {
  fill_words(offset, out);
  if (zero_bytes_per_page_ == 0) return;
  // Zero the first zero_bytes_per_page_ bytes of every 4 KiB page of the stream.
  std::uint64_t pos = offset;
  const std::uint64_t end = offset + out.size();
  while (pos < end) {
    const auto in_page = pos % kPage;
    const auto page_end = pos - in_page + kPage;
    if (in_page < zero_bytes_per_page_) {
      const auto zero_end = std::min(end, pos - in_page + zero_bytes_per_page_);
      std::memset(out.data() + (pos - offset), 0, zero_end - pos);
    }
    pos = page_end;
  }
}

std::optional<std::uint64_t> DataSource::first_mismatch(std::uint64_t offset,
                                                        std::span<const std::byte> data) const {
  std::array<std::byte, 64 * 1024> expected;
  for (std::size_t done = 0; done < data.size();) {
    const auto n = std::min(expected.size(), data.size() - done);
    fill(offset + done, std::span(expected.data(), n));
    if (std::memcmp(expected.data(), data.data() + done, n) != 0) {
      for (std::size_t i = 0; i < n; ++i)
        if (expected[i] != data[done + i]) return offset + done + i;
    }
    done += n;
  }
  return std::nullopt;
}

}  // namespace partcheck::contract
