#pragma once
// Group commit for --fsync always. A thread that needs "everything I wrote
// so far is on disk" calls barrier(). One flush of the whole file system
// (syncfs: every dirty page and inode, then one journal commit) covers every
// caller that arrived before it started, so concurrent completions share one
// flush instead of queueing for an fdatasync and a directory fsync each.
//
// Classic leader/follower: the first caller to find no flush running leads
// the next one; callers arriving while a flush runs cannot know whether it
// saw their writes, so they wait for the following flush, which one of them
// leads. A flush that fails throws its error in every caller it covered.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>

namespace partcheck::mock {

class SyncGroup {
 public:
  // `flush` makes every write that completed before it was called durable,
  // or throws (StorageError).
  explicit SyncGroup(std::function<void()> flush);

  // The group of the file system holding `path` (an existing directory),
  // flushed with syncfs; one per file system in the process, since one
  // flush covers all of it. Throws StorageError when `path` cannot be opened.
  static SyncGroup& of_filesystem(const std::filesystem::path& path);

  // Returns once a flush that started after this call has completed.
  void barrier();

  // Diagnostics (and tests): flushes run so far, callers waiting for one.
  std::uint64_t flushes() const;
  std::size_t waiting() const;

 private:
  // One flush and the callers it covers. They wait on its own condition
  // variable, so a finished flush wakes its callers only, plus one caller of
  // the next flush to lead it, instead of every thread waiting in the group.
  struct Flush {
    bool done = false;
    std::exception_ptr error;
    std::condition_variable changed;
  };

  std::function<void()> flush_;
  mutable std::mutex mutex_;
  bool running_ = false;
  // The flush that covers callers arriving now: replaced when it starts.
  std::shared_ptr<Flush> next_ = std::make_shared<Flush>();
  std::uint64_t flushes_ = 0;
  std::size_t waiting_ = 0;
};

}  // namespace partcheck::mock
