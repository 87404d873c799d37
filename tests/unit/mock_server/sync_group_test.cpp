// SyncGroup (group commit for --fsync always): a barrier returns only after a
// flush that started after it was called, concurrent callers share flushes,
// and a failed flush fails every caller it covered.
#include "mock_server/storage/sync_group.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "mock_server/storage/storage_backend.hpp"
#include "store_test_support.hpp"

namespace partcheck::mock {
namespace {

using namespace std::chrono_literals;

// A flush that counts itself and, while `held`, blocks until released, so a
// test can gather callers behind a running flush.
class GatedFlush {
 public:
  void operator()() {
    std::unique_lock lock(mutex_);
    const int number = ++started_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !held_; });
    if (number == failing_) throw StorageError("flush failed");
    ++completed_;
  }
  void hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    std::lock_guard lock(mutex_);
    held_ = false;
    changed_.notify_all();
  }
  void fail_flush(int number) {
    std::lock_guard lock(mutex_);
    failing_ = number;
  }
  void wait_started(int count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return started_ >= count; });
  }
  int completed() {
    std::lock_guard lock(mutex_);
    return completed_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int started_ = 0;
  int completed_ = 0;
  bool held_ = false;
  int failing_ = 0;
};

void wait_until_waiting(const SyncGroup& group, std::size_t count) {
  while (group.waiting() < count) std::this_thread::sleep_for(1ms);
}

TEST(SyncGroup, ALoneCallerLeadsOneFlush) {
  GatedFlush flush;
  SyncGroup group([&] { flush(); });
  group.barrier();
  group.barrier();
  EXPECT_EQ(group.flushes(), 2u);  // nothing is carried over: each barrier needs a flush of its own
  EXPECT_EQ(flush.completed(), 2);
}

TEST(SyncGroup, CallersArrivingDuringAFlushShareTheNextOne) {
  GatedFlush flush;
  SyncGroup group([&] { flush(); });
  flush.hold();
  std::thread leader([&] { group.barrier(); });
  flush.wait_started(1);

  // These arrive while flush 1 runs: it may have missed their writes, so
  // none may return before flush 2 has completed, and all share flush 2.
  constexpr int kFollowers = 16;
  std::vector<int> seen(kFollowers, -1);
  std::vector<std::thread> followers;
  for (int i = 0; i < kFollowers; ++i)
    followers.emplace_back([&, i] {
      group.barrier();
      seen[static_cast<std::size_t>(i)] = flush.completed();
    });
  wait_until_waiting(group, kFollowers);
  flush.release();
  leader.join();
  for (auto& t : followers) t.join();

  EXPECT_EQ(group.flushes(), 2u);
  for (int completed : seen) EXPECT_EQ(completed, 2);
}

TEST(SyncGroup, AFailedFlushFailsEveryCallerItCoveredAndTheNextFlushRuns) {
  GatedFlush flush;
  SyncGroup group([&] { flush(); });
  flush.hold();
  bool first_failed = false;
  std::thread first([&] {
    try {
      group.barrier();
    } catch (const StorageError&) {
      first_failed = true;
    }
  });
  flush.wait_started(1);

  constexpr int kFollowers = 8;
  std::atomic<int> failures = 0;
  std::vector<std::thread> followers;
  for (int i = 0; i < kFollowers; ++i)
    followers.emplace_back([&] {
      try {
        group.barrier();
      } catch (const StorageError&) {
        ++failures;
      }
    });
  wait_until_waiting(group, kFollowers);
  flush.fail_flush(2);  // the followers' flush, not the first caller's
  flush.release();
  first.join();
  for (auto& t : followers) t.join();
  EXPECT_FALSE(first_failed);
  EXPECT_EQ(failures.load(), kFollowers);

  group.barrier();  // the error belonged to that flush only
  EXPECT_EQ(group.flushes(), 3u);
}

TEST(SyncGroup, ManyCallersAllReturnAndShareFlushes) {
  std::atomic<int> flushes = 0;
  SyncGroup group([&] {
    ++flushes;
    std::this_thread::sleep_for(200us);
  });
  constexpr int kThreads = 32, kRounds = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int r = 0; r < kRounds; ++r) group.barrier();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(group.flushes(), static_cast<std::uint64_t>(flushes.load()));
  EXPECT_LT(flushes.load(), kThreads * kRounds);
}

TEST(SyncGroup, OneGroupPerFileSystem) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path / "a");
  std::filesystem::create_directories(dir.path / "b");
  auto& a = SyncGroup::of_filesystem(dir.path / "a");
  auto& b = SyncGroup::of_filesystem(dir.path / "b");
  EXPECT_EQ(&a, &b);
  const auto before = a.flushes();
  a.barrier();  // a real syncfs
  EXPECT_GT(a.flushes(), before);
  EXPECT_THROW(SyncGroup::of_filesystem(dir.path / "missing"), StorageError);
}

}  // namespace
}  // namespace partcheck::mock
