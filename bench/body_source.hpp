#pragma once
// Where upload bodies come from: the seeded generator (file i of a run uses
// seed + i, so every file is different and any byte can be re-derived for
// checking) or one real file sent for every upload (--source).
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "contract/data_source.hpp"

namespace partcheck::bench {

class BodySource {
 public:
  // Generator.
  BodySource(std::uint64_t seed, unsigned compressible_percent);
  // A file; throws std::runtime_error naming the file when it cannot be opened.
  explicit BodySource(const std::string& path);
  ~BodySource();
  BodySource(const BodySource&) = delete;
  BodySource& operator=(const BodySource&) = delete;

  bool is_file() const { return fd_ >= 0; }
  int file_descriptor() const { return fd_; }  // for sendfile(2)
  std::uint64_t file_size() const { return file_size_; }

  // Bytes [offset, offset + out.size()) of upload number `file_index`.
  void fill(std::uint64_t file_index, std::uint64_t offset, std::span<char> out) const;
  // First differing absolute offset, or nullopt.
  std::optional<std::uint64_t> first_mismatch(std::uint64_t file_index, std::uint64_t offset,
                                              std::span<const char> data) const;

 private:
  contract::DataSource generator_for(std::uint64_t file_index) const {
    return contract::DataSource(seed_ + file_index, compressible_percent_);
  }
  std::uint64_t seed_ = 0;
  unsigned compressible_percent_ = 0;
  int fd_ = -1;
  std::uint64_t file_size_ = 0;
  std::string path_;
};

}  // namespace partcheck::bench
