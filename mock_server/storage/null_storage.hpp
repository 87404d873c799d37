#pragma once
// Keeps nothing but sizes: for benchmarks, where the server's disk must not
// be the bottleneck. keeps_content() is false, so downloads are refused
// (409 ContentNotStored) and no bytes can be read back.
#include <map>
#include <mutex>

#include "mock_server/storage/storage_backend.hpp"

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
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> uploads_;
  std::map<std::string, std::uint64_t, std::less<>> files_;
};

}  // namespace partcheck::mock
