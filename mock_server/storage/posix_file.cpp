#include "mock_server/storage/posix_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "mock_server/storage/storage_backend.hpp"

namespace partcheck::mock {
namespace {

[[noreturn]] void fail(const char* what, const std::filesystem::path& path) {
  auto message = std::string(what) + " " + path.string() + ": " + std::strerror(errno);
  if (errno == EMFILE || errno == ENFILE) throw DescriptorsExhausted(message);
  throw StorageError(message);
}

}  // namespace

PosixFile::PosixFile(const std::filesystem::path& path, int flags, bool missing_ok) : path_(path) {
  fd_ = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd_ < 0 && !(missing_ok && errno == ENOENT)) fail("cannot open", path);
}

PosixFile PosixFile::create_new(const std::filesystem::path& path) {
  PosixFile file;
  file.path_ = path;
  file.fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (file.fd_ < 0 && errno != EEXIST) fail("cannot create", path);
  return file;
}

PosixFile::~PosixFile() {
  if (fd_ >= 0) ::close(fd_);
}

PosixFile::PosixFile(PosixFile&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

PosixFile& PosixFile::operator=(PosixFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

void PosixFile::write_at(std::uint64_t offset, std::span<const std::byte> data) {
  while (!data.empty()) {
    auto n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", path_);
    }
    data = data.subspan(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
}

std::size_t PosixFile::read_at(std::uint64_t offset, std::span<std::byte> out) {
  for (;;) {
    auto n = ::pread(fd_, out.data(), out.size(), static_cast<off_t>(offset));
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) fail("cannot read", path_);
  }
}

std::uint64_t PosixFile::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail("cannot stat", path_);
  return static_cast<std::uint64_t>(st.st_size);
}

void PosixFile::truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail("cannot truncate", path_);
}

void PosixFile::sync() {
  if (::fdatasync(fd_) != 0) fail("cannot fsync", path_);
}

void PosixFile::sync_filesystem() {
  if (::syncfs(fd_) != 0) fail("cannot sync the file system of", path_);
}

void PosixFile::start_writeback(std::uint64_t offset, std::uint64_t length) {
  // Only a hint: a file system without it still gets the full sync() later.
  if (length > 0)
    (void)::sync_file_range(fd_, static_cast<off64_t>(offset), static_cast<off64_t>(length), SYNC_FILE_RANGE_WRITE);
}

void copy_range(PosixFile& from, PosixFile& to, std::uint64_t offset, std::uint64_t length) {
  std::vector<std::byte> buffer(std::min<std::uint64_t>(length, 1u << 20));
  std::uint64_t done = 0;
  while (done < length) {
    auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - done));
    auto got = from.read_at(done, std::span(buffer.data(), want));
    if (got == 0) break;  // a short source: copy what there is
    to.write_at(offset + done, std::span(buffer.data(), got));
    done += got;
  }
}

}  // namespace partcheck::mock
