#pragma once
// Keeps nothing but sizes: for benchmarks, where the server's disk must not
// be the bottleneck. keeps_content() is false, so downloads are refused
// (409 ContentNotStored) and no bytes can be read back.
#include <mutex>

#include "common/short_mutex.hpp"
#include "mock_server/storage/storage_backend.hpp"
#include "mock_server/storage/uuid_key.hpp"

namespace partcheck::mock {

class NullStorage final : public StorageBackend {
 public:
  std::string_view name() const override { return "null"; }
  bool keeps_content() const override { return false; }

  std::unique_ptr<PartWriter> open_part(const std::string& hash, std::uint64_t offset,
                                        bool overwrites) override;
  void trim_upload(const std::string& hash, std::uint64_t acknowledged) override;
  void remove_upload(const std::string& hash) override;
  std::unique_ptr<ContentReader> open_upload(const std::string& hash) override;

  void promote(const std::string& hash, const std::string& file_id) override;
  std::unique_ptr<ContentReader> open_file(const std::string& file_id) override;
  void remove_file(const std::string& file_id) override;
  void remove_all() override;

  void flip_last_byte(const std::string& file_id) override;
  void copy_file(const std::string& from_file_id, const std::string& to_file_id) override;
  std::vector<std::string> stored_uploads() const override;
  std::vector<std::string> stored_files() const override;

  void grow_upload(const std::string& hash, std::uint64_t end);
  // The size an upload or file would have (for tests and listings).
  std::uint64_t upload_size(const std::string& hash) const;
  std::uint64_t file_size(const std::string& file_id) const;

 private:
  mutable ShortMutex mutex_;
  // A load test holds one entry per upload here: 24 bytes each, not a tree
  // node with a 36-character string.
  UuidKeyedMap<std::uint64_t> uploads_;
  UuidKeyedMap<std::uint64_t> files_;
};

}  // namespace partcheck::mock
