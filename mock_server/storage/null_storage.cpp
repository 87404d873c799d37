#include "mock_server/storage/null_storage.hpp"

#include <algorithm>

namespace partcheck::mock {
namespace {

class NullPartWriter final : public PartWriter {
 public:
  NullPartWriter(NullStorage& storage, std::string hash, std::uint64_t offset)
      : storage_(storage), hash_(std::move(hash)), offset_(offset) {}
  void write(std::span<const std::byte> data) override { written_ += data.size(); }
  void commit() override { storage_.grow_upload(hash_, offset_ + written_); }
  void retarget(std::uint64_t offset) override { offset_ = offset; }

 private:
  NullStorage& storage_;
  std::string hash_;
  std::uint64_t offset_;
  std::uint64_t written_ = 0;
};

std::uint64_t size_in(const UuidKeyedMap<std::uint64_t>& map, const std::string& name) {
  const auto* size = map.find(name);
  return size ? *size : 0;
}

}  // namespace

std::unique_ptr<PartWriter> NullStorage::open_part(const std::string& hash, std::uint64_t offset,
                                                   bool /*overwrites*/) {
  return std::make_unique<NullPartWriter>(*this, hash, offset);
}

void NullStorage::grow_upload(const std::string& hash, std::uint64_t end) {
  std::lock_guard lock(mutex_);
  auto& size = uploads_[hash];
  size = std::max(size, end);
}

void NullStorage::trim_upload(const std::string& hash, std::uint64_t acknowledged) {
  std::lock_guard lock(mutex_);
  if (auto* size = uploads_.find(hash)) *size = std::min(*size, acknowledged);
}

void NullStorage::remove_upload(const std::string& hash) {
  std::lock_guard lock(mutex_);
  uploads_.erase(hash);
}

std::unique_ptr<ContentReader> NullStorage::open_upload(const std::string& /*hash*/) { return nullptr; }

void NullStorage::promote(const std::string& hash, const std::string& file_id) {
  std::lock_guard lock(mutex_);
  files_[file_id] = size_in(uploads_, hash);
  uploads_.erase(hash);
}

std::unique_ptr<ContentReader> NullStorage::open_file(const std::string& /*file_id*/) { return nullptr; }

void NullStorage::remove_file(const std::string& file_id) {
  std::lock_guard lock(mutex_);
  files_.erase(file_id);
}

void NullStorage::remove_all() {
  std::lock_guard lock(mutex_);
  uploads_.clear();
  files_.clear();
}

void NullStorage::flip_last_byte(const std::string& /*file_id*/) {}  // no byte to flip

void NullStorage::copy_file(const std::string& from_file_id, const std::string& to_file_id) {
  std::lock_guard lock(mutex_);
  files_[to_file_id] = size_in(files_, from_file_id);
}

std::vector<std::string> NullStorage::stored_uploads() const {
  std::lock_guard lock(mutex_);
  return uploads_.names();
}

std::vector<std::string> NullStorage::stored_files() const {
  std::lock_guard lock(mutex_);
  return files_.names();
}

std::uint64_t NullStorage::upload_size(const std::string& hash) const {
  std::lock_guard lock(mutex_);
  return size_in(uploads_, hash);
}

std::uint64_t NullStorage::file_size(const std::string& file_id) const {
  std::lock_guard lock(mutex_);
  return size_in(files_, file_id);
}

}  // namespace partcheck::mock
