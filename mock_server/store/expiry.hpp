#pragma once
// What TTL expiry needs beyond the upload table: the uploads ordered by
// deadline, so a sweep touches only the due ones, and the hashes that expired
// lately (tombstones), remembered for a bounded time and number
// (docs/contract.md, decision 28).
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "mock_server/store/clock.hpp"
#include "mock_server/storage/uuid_key.hpp"

namespace partcheck::mock {

// (deadline, upload key) pairs, earliest first. Entries are never updated
// in place: a changed deadline gets a new entry, and the sweep skips an entry
// whose upload is gone or not due (an older entry of a re-created hash).
// Deadlines nearly always come in order (now + TTL), so they queue in a
// deque, which grows block by block, never by copying all of it; the rest
// (an admin expire, a clock turned back) go to a small heap.
class DeadlineQueue {
 public:
  void push(Clock::time_point deadline, const UuidKey& key);
  // The key of the earliest entry when it is due at `now`, taken out.
  std::optional<UuidKey> pop_due(Clock::time_point now);
  std::size_t size() const { return in_order_.size() + out_of_order_.size(); }
  void clear();

 private:
  struct Entry {
    Clock::time_point deadline;
    UuidKey key;
  };
  std::deque<Entry> in_order_;
  std::vector<Entry> out_of_order_;  // a min-heap
};

// Expired hashes by key, each with when it expired. One is forgotten a TTL
// after it expired, or earlier, oldest first, when more than `capacity` are
// remembered (a steady load must not grow memory without end).
class Tombstones {
 public:
  static constexpr std::size_t kDefaultCapacity = 1'000'000;
  explicit Tombstones(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  void add(const UuidKey& key, Clock::time_point expired);
  bool contains(const UuidKey& key) const { return expired_.contains(key); }
  // Forgets those that expired before `cutoff`.
  void forget_before(Clock::time_point cutoff);
  std::size_t size() const { return expired_.size(); }
  void clear();

  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const auto& [key, when] : expired_) visit(key, when);
  }

 private:
  void forget_oldest();

  struct Added {
    Clock::time_point when;
    UuidKey key;
  };
  std::size_t capacity_;
  boost::unordered_flat_map<UuidKey, Clock::time_point, UuidKeyHash> expired_;
  // In the order added: nearly always by time (the admin API can turn the
  // clock back), so forgetting takes from the front. An entry whose time no
  // longer matches expired_ was replaced or forgotten already.
  std::deque<Added> order_;
};

}  // namespace partcheck::mock
