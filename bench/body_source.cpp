#include "bench/body_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace partcheck::bench {

BodySource::BodySource(std::uint64_t seed, unsigned compressible_percent)
    : seed_(seed), compressible_percent_(compressible_percent) {}

BodySource::BodySource(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error("--source " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("--source " + path + ": not a regular file");
  }
  file_size_ = static_cast<std::uint64_t>(st.st_size);
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

BodySource::~BodySource() {
  if (fd_ >= 0) ::close(fd_);
}

void BodySource::fill(std::uint64_t file_index, std::uint64_t offset, std::span<char> out) const {
  if (fd_ < 0) {
    generator_for(file_index).fill(offset, out);
    return;
  }
  std::size_t done = 0;
  while (done < out.size()) {
    auto n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("--source " + path_ + ": read failed at offset " + std::to_string(offset + done));
    done += static_cast<std::size_t>(n);
  }
}

std::optional<std::uint64_t> BodySource::first_mismatch(std::uint64_t file_index, std::uint64_t offset,
                                                        std::span<const char> data) const {
  if (fd_ < 0) return generator_for(file_index).first_mismatch(offset, std::as_bytes(data));
  std::vector<char> expected(data.size());
  fill(file_index, offset, expected);
  for (std::size_t i = 0; i < data.size(); ++i)
    if (expected[i] != data[i]) return offset + i;
  return std::nullopt;
}

}  // namespace partcheck::bench
