#pragma once
// A file descriptor that closes itself, with the few POSIX calls the disk
// backend needs, each throwing StorageError with the path and errno text.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

namespace partcheck::mock {

class PosixFile {
 public:
  PosixFile() = default;
  PosixFile(const std::filesystem::path& path, int flags, bool missing_ok = false);
  // A new file, O_CREAT | O_EXCL, for writing: not open (is_open() false)
  // when one is there already, so a caller needs no stat first.
  static PosixFile create_new(const std::filesystem::path& path);
  ~PosixFile();
  PosixFile(PosixFile&& other) noexcept;
  PosixFile& operator=(PosixFile&& other) noexcept;
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }

  void write_at(std::uint64_t offset, std::span<const std::byte> data);
  std::size_t read_at(std::uint64_t offset, std::span<std::byte> out);
  std::uint64_t size() const;
  void truncate(std::uint64_t size);
  void sync();  // fdatasync
  // syncfs: every dirty page and inode of the file system holding this file,
  // and its journal, reach the disk (SyncGroup's flush).
  void sync_filesystem();
  // Starts writeback of the dirty pages in [offset, offset + length) without
  // waiting for it (sync_file_range), so a later sync() has less left to do.
  void start_writeback(std::uint64_t offset, std::uint64_t length);

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

// Copies `length` bytes of `from` (at 0) into `to` at `offset`, 1 MiB at a time.
void copy_range(PosixFile& from, PosixFile& to, std::uint64_t offset, std::uint64_t length);

}  // namespace partcheck::mock
