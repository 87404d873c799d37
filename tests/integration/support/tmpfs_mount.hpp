#pragma once
// A small tmpfs mounted for the life of this object (root only): the one way
// a test can run a server out of disk space for real. mounted() is false
// (with why()) where mounting is not allowed; tests skip then. The
// destructor unmounts, lazily if something still holds it.
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

namespace partcheck::testing {

class TmpfsMount {
 public:
  TmpfsMount(const std::filesystem::path& dir, const std::string& size) : dir_(dir) {
    if (::geteuid() != 0) {
      why_ = "not root: mounting a tmpfs needs root (CI runs the integration tests as root)";
      return;
    }
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, ("size=" + size + ",mode=0700").c_str()) != 0) {
      why_ = "mount -t tmpfs -o size=" + size + " failed: " + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~TmpfsMount() { unmount(); }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }
  const std::filesystem::path& path() const { return dir_; }

  // mount -o remount,size=SIZE: more (or less) room without touching the files.
  bool resize(const std::string& size) {
    return mounted_ && ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT | MS_NOSUID | MS_NODEV,
                               ("size=" + size + ",mode=0700").c_str()) == 0;
  }

  void unmount() {
    if (!mounted_) return;
    if (::umount2(dir_.c_str(), 0) != 0) ::umount2(dir_.c_str(), MNT_DETACH);
    mounted_ = false;
  }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
  std::string why_;
};

}  // namespace partcheck::testing
