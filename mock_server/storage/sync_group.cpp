#include "mock_server/storage/sync_group.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>

#include "mock_server/storage/posix_file.hpp"
#include "mock_server/storage/storage_backend.hpp"

namespace partcheck::mock {

SyncGroup::SyncGroup(std::function<void()> flush) : flush_(std::move(flush)) {}

SyncGroup& SyncGroup::of_filesystem(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw StorageError("cannot stat " + path.string() + ": " + std::strerror(errno));
  // Groups live as long as the process: a handful of file systems at most,
  // and a thread of a server being stopped may still be inside a barrier.
  static std::mutex registry_mutex;
  static auto& groups = *new std::map<dev_t, std::unique_ptr<SyncGroup>>;
  std::lock_guard lock(registry_mutex);
  auto& group = groups[st.st_dev];
  if (!group) {
    // syncfs reports a write-back error once per open file description, so
    // one descriptor held for good hears each error exactly once: in the
    // barrier of the flush that ran into it (or the next one).
    auto handle = std::make_shared<PosixFile>(path, O_RDONLY | O_DIRECTORY);
    group = std::make_unique<SyncGroup>([handle] { handle->sync_filesystem(); });
  }
  return *group;
}

void SyncGroup::barrier() {
  std::unique_lock lock(mutex_);
  const auto mine = next_;
  while (!mine->done) {
    if (running_) {
      ++waiting_;
      mine->changed.wait(lock);
      --waiting_;
      continue;
    }
    // No flush running and ours not done: none has started since we came,
    // so `mine` is still next_ and this thread leads it.
    running_ = true;
    next_ = std::make_shared<Flush>();
    lock.unlock();
    std::exception_ptr error;
    try {
      flush_();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    mine->error = error;
    mine->done = true;
    running_ = false;
    ++flushes_;
    mine->changed.notify_all();
    next_->changed.notify_one();  // one of those who came meanwhile leads the next flush
  }
  if (mine->error) std::rethrow_exception(mine->error);
}

std::uint64_t SyncGroup::flushes() const {
  std::lock_guard lock(mutex_);
  return flushes_;
}

std::size_t SyncGroup::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace partcheck::mock
