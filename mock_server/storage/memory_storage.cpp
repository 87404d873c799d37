#include "mock_server/storage/memory_storage.hpp"

#include <algorithm>
#include <cstring>

namespace partcheck::mock {
namespace {

// A part is gathered in its own buffer and copied in at commit, so an aborted
// part never touches the upload (memory storage is for small tests only).
class MemoryPartWriter final : public PartWriter {
 public:
  MemoryPartWriter(MemoryStorage& storage, std::string hash, std::uint64_t offset)
      : storage_(storage), hash_(std::move(hash)), offset_(offset) {}
  ~MemoryPartWriter() override { storage_.release(buffer_.size()); }

  void write(std::span<const std::byte> data) override {
    if (committed_) throw StorageError("memory storage: write after commit");
    storage_.reserve(data.size());  // throws CapacityExceeded before the buffer grows
    buffer_.insert(buffer_.end(), data.begin(), data.end());
  }
  void commit() override {
    if (committed_) return;
    const auto size = buffer_.size();
    storage_.store_part(hash_, offset_, std::move(buffer_));
    committed_ = true;
    storage_.release(size);
    MemoryStorage::Bytes().swap(buffer_);
  }
  void retarget(std::uint64_t offset) override { offset_ = offset; }

 private:
  MemoryStorage& storage_;
  std::string hash_;
  std::uint64_t offset_;
  MemoryStorage::Bytes buffer_;
  bool committed_ = false;
};

class MemoryReader final : public ContentReader {
 public:
  MemoryReader(ShortMutex& mutex, std::shared_ptr<MemoryStorage::Bytes> bytes)
      : mutex_(mutex), bytes_(std::move(bytes)) {}
  std::uint64_t size() const override {
    std::lock_guard lock(mutex_);
    return bytes_->size();
  }
  std::size_t read(std::uint64_t offset, std::span<std::byte> out) override {
    std::lock_guard lock(mutex_);
    if (offset >= bytes_->size()) return 0;
    auto n = std::min<std::uint64_t>(out.size(), bytes_->size() - offset);
    std::memcpy(out.data(), bytes_->data() + offset, n);
    return static_cast<std::size_t>(n);
  }

 private:
  ShortMutex& mutex_;
  std::shared_ptr<MemoryStorage::Bytes> bytes_;
};

}  // namespace

std::unique_ptr<PartWriter> MemoryStorage::open_part(const std::string& hash, std::uint64_t offset,
                                                     bool /*overwrites*/) {
  return std::make_unique<MemoryPartWriter>(*this, hash, offset);
}

std::string MemoryStorage::over_budget(std::uint64_t more) const {
  return "NotEnoughSpace: memory storage holds at most " + std::to_string(max_bytes_) + " bytes (--max-memory); " +
         std::to_string(held_) + " are held and this part needs " + std::to_string(more) + " more";
}

void MemoryStorage::reserve(std::uint64_t n) {
  std::lock_guard lock(mutex_);
  if (n > max_bytes_ - std::min(held_, max_bytes_)) throw CapacityExceeded(over_budget(n));
  held_ += n;
}

void MemoryStorage::release(std::uint64_t n) {
  std::lock_guard lock(mutex_);
  held_ -= std::min(held_, n);
}

void MemoryStorage::store_part(const std::string& hash, std::uint64_t offset, Bytes&& bytes) {
  std::lock_guard lock(mutex_);
  auto& slot = uploads_[hash];
  if (!slot) slot = std::make_shared<Bytes>();
  if (slot->size() < offset + bytes.size()) {
    // A part far past the bytes held (lenient profile) fills the hole with
    // zeros: that memory counts too, and is refused before it is taken.
    const auto growth = offset + bytes.size() - slot->size();
    if (growth > max_bytes_ - std::min(held_, max_bytes_)) throw CapacityExceeded(over_budget(growth));
    held_ += growth;
    // An upload's first bytes (a whole small file, most often) take the
    // part's buffer instead of a copy, unless it has much more room than
    // bytes: it is kept for the upload's whole TTL.
    if (slot->empty() && offset == 0 && bytes.capacity() - bytes.size() <= bytes.size() / 4) {
      *slot = std::move(bytes);
      return;
    }
    slot->resize(offset + bytes.size());
  }
  std::copy(bytes.begin(), bytes.end(), slot->begin() + static_cast<std::ptrdiff_t>(offset));
}

void MemoryStorage::trim_upload(const std::string& hash, std::uint64_t acknowledged) {
  std::lock_guard lock(mutex_);
  auto* bytes = uploads_.find(hash);
  if (bytes && (*bytes)->size() > acknowledged) {
    held_ -= std::min(held_, (*bytes)->size() - acknowledged);
    (*bytes)->resize(acknowledged);
  }
}

void MemoryStorage::remove_upload(const std::string& hash) {
  std::lock_guard lock(mutex_);
  if (auto* bytes = uploads_.find(hash)) {
    held_ -= std::min(held_, (*bytes)->size());
    uploads_.erase(hash);
  }
}

std::unique_ptr<ContentReader> MemoryStorage::reader_for(std::shared_ptr<Bytes> bytes) {
  return std::make_unique<MemoryReader>(mutex_, std::move(bytes));
}

std::unique_ptr<ContentReader> MemoryStorage::open_upload(const std::string& hash) {
  std::lock_guard lock(mutex_);
  auto* bytes = uploads_.find(hash);
  return bytes ? reader_for(*bytes) : nullptr;
}

void MemoryStorage::promote(const std::string& hash, const std::string& file_id) {
  std::lock_guard lock(mutex_);
  auto* bytes = uploads_.find(hash);
  auto moved = bytes ? std::move(*bytes) : std::make_shared<Bytes>();
  if (bytes) uploads_.erase(hash);
  files_[file_id] = std::move(moved);
}

std::unique_ptr<ContentReader> MemoryStorage::open_file(const std::string& file_id) {
  std::lock_guard lock(mutex_);
  auto* bytes = files_.find(file_id);
  return bytes ? reader_for(*bytes) : nullptr;
}

void MemoryStorage::remove_file(const std::string& file_id) {
  std::lock_guard lock(mutex_);
  if (auto* bytes = files_.find(file_id)) {
    held_ -= std::min(held_, (*bytes)->size());
    files_.erase(file_id);
  }
}

void MemoryStorage::remove_all() {
  std::lock_guard lock(mutex_);
  for (const auto* map : {&uploads_, &files_})
    map->for_each([&](const std::shared_ptr<Bytes>& bytes) { held_ -= std::min(held_, bytes->size()); });
  uploads_.clear();
  files_.clear();
}

void MemoryStorage::flip_last_byte(const std::string& file_id) {
  std::lock_guard lock(mutex_);
  auto* bytes = files_.find(file_id);
  if (bytes && !(*bytes)->empty()) (*bytes)->back() ^= std::byte{0xff};
}

void MemoryStorage::copy_file(const std::string& from_file_id, const std::string& to_file_id) {
  std::lock_guard lock(mutex_);
  const auto* from = files_.find(from_file_id);
  if (!from) throw StorageError("memory storage: no file " + from_file_id + " to copy");
  const auto& bytes = **from;
  if (bytes.size() > max_bytes_ - std::min(held_, max_bytes_)) throw CapacityExceeded(over_budget(bytes.size()));
  held_ += bytes.size();
  auto copy = std::make_shared<Bytes>(bytes);
  files_[to_file_id] = std::move(copy);  // may move the table's slots: `from` is not used after
}

std::vector<std::string> MemoryStorage::stored_uploads() const {
  std::lock_guard lock(mutex_);
  return uploads_.names();
}

std::vector<std::string> MemoryStorage::stored_files() const {
  std::lock_guard lock(mutex_);
  return files_.names();
}

}  // namespace partcheck::mock
