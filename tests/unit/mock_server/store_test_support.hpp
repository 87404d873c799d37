#pragma once
// Shared helpers for the store and storage unit tests: temp data dirs,
// deterministic bytes, and one-call part uploads.
#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "contract/digest.hpp"
#include "contract/part_plan.hpp"
#include "contract/uuid.hpp"
#include "mock_server/store/store.hpp"

namespace partcheck::mock::testing {

using Bytes = std::vector<std::byte>;
inline constexpr std::uint64_t kPart = contract::kMinPartSize;

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("partcheck-store-test-" + contract::new_uuid());
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

inline Bytes pattern(std::size_t size, unsigned seed = 1) {
  Bytes bytes(size);
  std::uint32_t x = seed * 2654435761u + 12345u;
  for (auto& b : bytes) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<std::byte>(x & 0xff);
  }
  return bytes;
}

inline Bytes slice(const Bytes& bytes, std::uint64_t start, std::uint64_t end) {
  return Bytes(bytes.begin() + static_cast<std::ptrdiff_t>(start), bytes.begin() + static_cast<std::ptrdiff_t>(end));
}

inline std::string xxh3_of(const Bytes& bytes) {
  return contract::digest_hex(contract::DigestAlgorithm::Xxh3_128, bytes);
}

inline ServerConfig config_for(StorageKind kind, const std::filesystem::path& dir = {},
                               contract::Profile profile = contract::Profile::Strict,
                               std::initializer_list<const char*> deviations = {}) {
  ServerConfig config;
  config.storage = kind;
  config.data_dir = dir;
  config.fsync = FsyncPolicy::Never;
  config.policy.profile = profile;
  for (const auto* rule : deviations) config.policy.deviations.insert(rule);
  return config;
}

inline contract::ContentRange range(std::uint64_t start, std::uint64_t end, std::uint64_t total) {
  return contract::ContentRange{start, end, total};
}

// Begins, streams (in 64 KiB writes) and finishes one part; a refusal at
// begin_part comes back as a PartResult carrying it.
inline PartResult send(Store& store, const std::string& hash, const std::optional<contract::ContentRange>& r,
                       const Bytes& body, const PartTarget& target = {}) {
  auto begun = store.begin_part(hash, r, target);
  if (auto* refusal = std::get_if<Refusal>(&begun)) {
    PartResult result;
    result.status = refusal->status;
    result.refusal = *refusal;
    return result;
  }
  auto& part = *std::get<std::unique_ptr<PartUpload>>(begun);
  for (std::size_t at = 0; at < body.size(); at += 65536)
    part.write(std::span(body).subspan(at, std::min<std::size_t>(65536, body.size() - at)));
  return part.finish();
}

// Sends `bytes` as one upload in parts of `part_size`, in order.
inline PartResult upload_all(Store& store, const std::string& hash, const Bytes& bytes,
                             std::uint64_t part_size = kPart, const PartTarget& target = {}) {
  PartResult last;
  for (const auto& r : contract::plan_parts(bytes.size(), part_size)) {
    last = send(store, hash, r, slice(bytes, r.start, r.end), target);
    if (last.refusal) return last;
  }
  return last;
}

inline Bytes read_all(ContentReader& reader) {
  Bytes out(reader.size());
  std::uint64_t done = 0;
  while (done < out.size()) {
    auto n = reader.read(done, std::span(out).subspan(done));
    if (n == 0) break;
    done += n;
  }
  out.resize(done);
  return out;
}

inline std::string code_of(const PartResult& result) {
  return result.refusal ? std::string(contract::code_name(result.refusal->code)) : std::string("none");
}

template <class T>
std::string code_of(const std::variant<T, Refusal>& result) {
  if (auto* r = std::get_if<Refusal>(&result)) return std::string(contract::code_name(r->code));
  return "none";
}

// The bytes a download link serves for `file_id`.
inline std::optional<Bytes> download_file(Store& store, const std::string& file_id) {
  auto token = store.link_for_file(file_id);
  if (!std::holds_alternative<std::string>(token)) return std::nullopt;
  auto download = store.open_download(std::get<std::string>(token));
  if (!std::holds_alternative<Store::Download>(download)) return std::nullopt;
  return read_all(*std::get<Store::Download>(download).reader);
}

}  // namespace partcheck::mock::testing
