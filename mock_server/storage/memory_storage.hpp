#pragma once
// Bytes kept in process memory: for unit tests and small demos. Everything is
// lost when the process ends, so a restart starts empty.
#include <memory>
#include <mutex>
#include <vector>

#include "common/short_mutex.hpp"
#include "mock_server/storage/storage_backend.hpp"
#include "mock_server/storage/uuid_key.hpp"

namespace partcheck::mock {

class MemoryStorage final : public StorageBackend {
 public:
  using Bytes = std::vector<std::byte>;
  // Every byte held (uploads, files, parts still arriving) counts against
  // `max_bytes`; a part that would pass it is refused (CapacityExceeded).
  explicit MemoryStorage(std::uint64_t max_bytes = kDefaultMaxMemory) : max_bytes_(max_bytes) {}

  std::string_view name() const override { return "memory"; }
  bool keeps_content() const override { return true; }

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

  // Called by a writer's commit: the part's bytes land at `offset`.
  // Takes the part's buffer: an upload's first bytes keep it, without a copy.
  void store_part(const std::string& hash, std::uint64_t offset, Bytes&& bytes);
  // A writer's buffer grows by `n` (n may be "negative" through release).
  void reserve(std::uint64_t n);
  void release(std::uint64_t n);

 private:
  std::unique_ptr<ContentReader> reader_for(std::shared_ptr<Bytes> bytes);

  std::string over_budget(std::uint64_t more) const;

  const std::uint64_t max_bytes_;
  std::uint64_t held_ = 0;      // bytes in uploads_ and files_ plus buffered parts, under mutex_
  mutable ShortMutex mutex_;  // guards the maps and every Bytes in them
  UuidKeyedMap<std::shared_ptr<Bytes>> uploads_;
  UuidKeyedMap<std::shared_ptr<Bytes>> files_;
};

}  // namespace partcheck::mock
