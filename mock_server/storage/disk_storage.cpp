#include "mock_server/storage/disk_storage.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <charconv>
#include <system_error>

#include "contract/uuid.hpp"
#include "mock_server/storage/posix_file.hpp"

namespace partcheck::mock {
namespace fs = std::filesystem;
namespace {

const std::string& checked_id(const std::string& id, const char* what) {
  if (!contract::is_uuid(id)) throw StorageError(std::string("disk storage: invalid ") + what + " '" + id + "'");
  return id;
}

// With fsync on, a part's bytes are pushed towards the disk while the rest of
// the body is still arriving: every kWriteBehindBytes written start their
// writeback (without waiting for it), so the sync at commit only waits for
// the tail. Without it the page cache holds the whole part (up to 5 GiB)
// dirty until commit, and receiving and writing back never overlap: a 1 GiB
// part cost its transfer time plus its full writeback time.
class WriteBehind {
 public:
  static constexpr std::uint64_t kWriteBehindBytes = 8u << 20;

  explicit WriteBehind(bool enabled) : enabled_(enabled) {}
  // `end` is the file offset just past the bytes written so far.
  void wrote(PosixFile& file, std::uint64_t begin, std::uint64_t end) {
    if (!enabled_) return;
    if (!started_) {
      flushed_ = begin;
      started_ = true;
    }
    if (end - flushed_ < kWriteBehindBytes) return;
    file.start_writeback(flushed_, end - flushed_);
    flushed_ = end;
  }

 private:
  bool enabled_;
  bool started_ = false;
  std::uint64_t flushed_ = 0;
};

// Writes straight into uploads/<hash>.data at its offset: the range holds no
// acknowledged byte, so an aborted part leaves only unacknowledged bytes that
// the store trims or the next part overwrites.
class InPlaceWriter final : public PartWriter {
 public:
  InPlaceWriter(const DiskStorage& storage, const std::string& hash, std::uint64_t offset)
      : offset_(offset), write_behind_(storage.fsync_enabled()) {
    file_ = PosixFile(storage.upload_path(hash), O_WRONLY | O_CREAT);  // the upload's first part creates it
  }

  void write(std::span<const std::byte> data) override {
    file_.write_at(offset_ + written_, data);
    written_ += data.size();
    write_behind_.wrote(file_, offset_, offset_ + written_);
  }
  // Nothing to flush here, even with fsync on: the store saves the upload's
  // metadata after every committed part and before answering it, and that
  // save's first group flush starts after these bytes were written, so it
  // covers them and, for a file this part created, its directory entry
  // (syncfs flushes the whole file system). A separate flush here would make
  // every part wait for one flush more. A part refused
  // after commit is not acknowledged, so it needs no flush at all.
  void commit() override {}
  void retarget(std::uint64_t) override {
    throw StorageError("disk storage: an in-place part cannot move to another offset");
  }

 private:
  PosixFile file_;
  std::uint64_t offset_;
  std::uint64_t written_ = 0;
  WriteBehind write_behind_;
};

// Collects a part that replaces acknowledged bytes in a stage file, so the
// old bytes stay intact until commit.
class StagedWriter final : public PartWriter {
 public:
  StagedWriter(DiskStorage& storage, std::string hash, std::uint64_t offset)
      : storage_(storage), hash_(std::move(hash)), offset_(offset), write_behind_(storage.fsync_enabled()) {
    stage_path_ = storage.uploads_dir() / (hash_ + ".stage-" + contract::new_uuid());
    stage_ = PosixFile(stage_path_, O_RDWR | O_CREAT | O_EXCL);
  }
  ~StagedWriter() override {
    if (!committed_) {
      std::error_code ignored;
      fs::remove(stage_path_, ignored);
    }
  }

  void write(std::span<const std::byte> data) override {
    stage_.write_at(written_, data);
    written_ += data.size();
    write_behind_.wrote(stage_, 0, written_);
  }
  void retarget(std::uint64_t offset) override { offset_ = offset; }

  void commit() override {
    if (committed_) return;
    storage_.make_durable();  // the stage's bytes, before any name points at them
    const auto target = storage_.upload_path(hash_);
    PosixFile existing(target, O_RDONLY, /*missing_ok=*/true);
    if (offset_ == 0 && !existing.is_open()) {
      // No upload file yet (a body staged before its range was known): the
      // stage simply becomes it. With a file, an in-place writer of another
      // range may hold it open, so the bytes are copied in instead.
      fs::rename(stage_path_, target);
      committed_ = true;
      storage_.make_durable();
      return;
    }
    // Otherwise the stage becomes a redo record before the copy starts, so a
    // crash mid-copy is finished on the next start instead of mixing bytes.
    auto redo = storage_.uploads_dir() / (hash_ + ".redo-" + std::to_string(offset_));
    stage_ = PosixFile();
    fs::rename(stage_path_, redo);
    committed_ = true;
    storage_.make_durable();
    storage_.apply_redo(redo, hash_, offset_);
  }

 private:
  DiskStorage& storage_;
  std::string hash_;
  std::uint64_t offset_;
  fs::path stage_path_;
  PosixFile stage_;
  std::uint64_t written_ = 0;
  bool committed_ = false;
  WriteBehind write_behind_;
};

class FileReader final : public ContentReader {
 public:
  explicit FileReader(PosixFile file) : file_(std::move(file)), size_(file_.size()) {}
  std::uint64_t size() const override { return size_; }
  std::size_t read(std::uint64_t offset, std::span<std::byte> out) override {
    if (offset >= size_) return 0;
    if (out.size() > size_ - offset) out = out.first(static_cast<std::size_t>(size_ - offset));
    return file_.read_at(offset, out);
  }

 private:
  PosixFile file_;
  std::uint64_t size_;
};

std::unique_ptr<ContentReader> reader_if_exists(const fs::path& path) {
  PosixFile file(path, O_RDONLY, /*missing_ok=*/true);
  if (!file.is_open()) return nullptr;
  return std::make_unique<FileReader>(std::move(file));
}

std::vector<std::string> ids_with_data(const fs::path& dir) {
  std::vector<std::string> ids;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".data" && contract::is_uuid(entry.path().stem().string()))
      ids.push_back(entry.path().stem().string());
  }
  return ids;
}

}  // namespace

DiskStorage::DiskStorage(fs::path data_dir, FsyncPolicy fsync)
    : uploads_dir_(data_dir / "uploads"), files_dir_(data_dir / "files") {
  fs::create_directories(uploads_dir_);
  fs::create_directories(files_dir_);
  if (fsync == FsyncPolicy::Always) sync_ = &SyncGroup::of_filesystem(data_dir);
  lock_ = PosixFile(data_dir / "lock", O_RDWR | O_CREAT);
  if (::flock(lock_.fd(), LOCK_EX | LOCK_NB) != 0)
    throw StorageError("data dir " + data_dir.string() + " is in use by another server");
  recover_stages();
}

fs::path DiskStorage::upload_path(const std::string& hash) const {
  return uploads_dir_ / (checked_id(hash, "upload hash") + ".data");
}

fs::path DiskStorage::file_path(const std::string& file_id) const {
  return files_dir_ / (checked_id(file_id, "file id") + ".data");
}

void DiskStorage::recover_stages() {
  for (const auto& entry : fs::directory_iterator(uploads_dir_)) {
    const auto name = entry.path().filename().string();
    if (name.size() < 37 || !contract::is_uuid(name.substr(0, 36))) continue;
    const auto rest = std::string_view(name).substr(36);
    if (rest.starts_with(".stage-")) {
      fs::remove(entry.path());  // a part that never committed
    } else if (rest.starts_with(".redo-")) {
      std::uint64_t offset = 0;
      auto digits = rest.substr(6);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
      if (ec != std::errc{} || end != digits.data() + digits.size()) {
        fs::remove(entry.path());
        continue;
      }
      apply_redo(entry.path(), name.substr(0, 36), offset);
    }
  }
}

void DiskStorage::apply_redo(const fs::path& redo, const std::string& hash, std::uint64_t offset) {
  {
    PosixFile from(redo, O_RDONLY);
    PosixFile to(upload_path(hash), O_WRONLY | O_CREAT);
    copy_range(from, to, offset, from.size());
  }
  make_durable();  // before the redo goes: replaying it after a crash is harmless, losing it is not
  fs::remove(redo);
}

std::unique_ptr<PartWriter> DiskStorage::open_part(const std::string& hash, std::uint64_t offset,
                                                   bool overwrites) {
  checked_id(hash, "upload hash");
  if (overwrites) return std::make_unique<StagedWriter>(*this, hash, offset);
  return std::make_unique<InPlaceWriter>(*this, hash, offset);
}

void DiskStorage::trim_upload(const std::string& hash, std::uint64_t acknowledged) {
  PosixFile file(upload_path(hash), O_WRONLY, /*missing_ok=*/true);
  if (!file.is_open() || file.size() <= acknowledged) return;
  file.truncate(acknowledged);
  make_durable();
}

void DiskStorage::remove_upload(const std::string& hash) {
  std::error_code ignored;
  fs::remove(upload_path(hash), ignored);
}

std::unique_ptr<ContentReader> DiskStorage::open_upload(const std::string& hash) {
  return reader_if_exists(upload_path(hash));
}

void DiskStorage::promote(const std::string& hash, const std::string& file_id) {
  const auto from = upload_path(hash);
  const auto to = file_path(file_id);
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec && !fs::exists(to)) {
    if (fs::exists(from)) throw StorageError("cannot move " + from.string() + ": " + ec.message());
    PosixFile empty(to, O_WRONLY | O_CREAT);  // an upload with no byte is the empty file
  }
  make_durable();  // both directory entries (files/ and uploads/) in one flush
}

std::unique_ptr<ContentReader> DiskStorage::open_file(const std::string& file_id) {
  return reader_if_exists(file_path(file_id));
}

void DiskStorage::remove_file(const std::string& file_id) {
  std::error_code ignored;
  fs::remove(file_path(file_id), ignored);
}

void DiskStorage::remove_all() {
  for (const auto& dir : {uploads_dir_, files_dir_})
    for (const auto& entry : fs::directory_iterator(dir)) {
      const auto name = entry.path().filename().string();
      if (name.ends_with(".json")) continue;  // the store's metadata: the store removes it
      std::error_code ignored;
      fs::remove(entry.path(), ignored);
    }
  make_durable();
}

void DiskStorage::flip_last_byte(const std::string& file_id) {
  PosixFile file(file_path(file_id), O_RDWR, /*missing_ok=*/true);
  if (!file.is_open() || file.size() == 0) return;
  std::byte last{};
  file.read_at(file.size() - 1, std::span(&last, 1));
  last ^= std::byte{0xff};
  file.write_at(file.size() - 1, std::span(&last, 1));
  make_durable();
}

void DiskStorage::copy_file(const std::string& from_file_id, const std::string& to_file_id) {
  const auto target = file_path(to_file_id);
  const auto temp = fs::path(target).concat(".tmp");
  {
    PosixFile from(file_path(from_file_id), O_RDONLY);
    PosixFile to(temp, O_WRONLY | O_CREAT | O_TRUNC);
    copy_range(from, to, 0, from.size());
  }
  make_durable();  // the copy's bytes before the name that publishes them
  fs::rename(temp, target);
  make_durable();
}

std::vector<std::string> DiskStorage::stored_uploads() const { return ids_with_data(uploads_dir_); }
std::vector<std::string> DiskStorage::stored_files() const { return ids_with_data(files_dir_); }

}  // namespace partcheck::mock
