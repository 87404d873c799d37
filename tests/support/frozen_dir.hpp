#pragma once
// A directory made immutable (chattr +i) for the life of this object:
// nothing can be created, renamed or removed in it, even by root. The
// nearest a test can get to a full disk without mounting one, shared by the
// unit and the integration tests. frozen() is false where the file system or
// the process's capabilities do not allow it; tests skip then.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <filesystem>

namespace partcheck::testing {

class FrozenDir {
 public:
  explicit FrozenDir(const std::filesystem::path& dir) : dir_(dir) { frozen_ = set_immutable(true); }
  ~FrozenDir() { thaw(); }
  FrozenDir(const FrozenDir&) = delete;
  FrozenDir& operator=(const FrozenDir&) = delete;

  bool frozen() const { return frozen_; }
  void thaw() {
    if (frozen_) frozen_ = !set_immutable(false);
  }

 private:
  bool set_immutable(bool on) const {
    const int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    int flags = 0;
    bool done = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    done = done && ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    ::close(fd);
    return done;
  }

  std::filesystem::path dir_;
  bool frozen_ = false;
};

}  // namespace partcheck::testing
