#include "mock_server/store/expiry.hpp"

#include <algorithm>

namespace partcheck::mock {
namespace {

// std::push_heap keeps the largest first: "later" makes it the earliest.
struct Later {
  template <class Entry>
  bool operator()(const Entry& a, const Entry& b) const {
    return a.deadline > b.deadline;
  }
};

}  // namespace

void DeadlineQueue::push(Clock::time_point deadline, const UuidKey& key) {
  if (in_order_.empty() || in_order_.back().deadline <= deadline) {
    in_order_.push_back(Entry{deadline, key});
    return;
  }
  out_of_order_.push_back(Entry{deadline, key});
  std::push_heap(out_of_order_.begin(), out_of_order_.end(), Later{});
}

std::optional<UuidKey> DeadlineQueue::pop_due(Clock::time_point now) {
  const bool from_heap = !out_of_order_.empty() &&
                         (in_order_.empty() || out_of_order_.front().deadline < in_order_.front().deadline);
  if (from_heap) {
    if (out_of_order_.front().deadline > now) return std::nullopt;
    std::pop_heap(out_of_order_.begin(), out_of_order_.end(), Later{});
    const auto key = out_of_order_.back().key;
    out_of_order_.pop_back();
    return key;
  }
  if (in_order_.empty() || in_order_.front().deadline > now) return std::nullopt;
  const auto key = in_order_.front().key;
  in_order_.pop_front();
  return key;
}

void DeadlineQueue::clear() {
  in_order_ = decltype(in_order_)();
  out_of_order_ = decltype(out_of_order_)();
}

void Tombstones::add(const UuidKey& key, Clock::time_point expired) {
  expired_[key] = expired;
  order_.push_back(Added{expired, key});
  while (expired_.size() > capacity_ && !order_.empty()) forget_oldest();
}

void Tombstones::forget_before(Clock::time_point cutoff) {
  while (!order_.empty() && order_.front().when < cutoff) {
    const auto [when, key] = order_.front();
    order_.pop_front();
    if (auto it = expired_.find(key); it != expired_.end() && it->second == when) expired_.erase(it);
  }
}

void Tombstones::forget_oldest() {
  while (!order_.empty()) {
    const auto [when, key] = order_.front();
    order_.pop_front();
    if (auto it = expired_.find(key); it != expired_.end() && it->second == when) {
      expired_.erase(it);
      return;
    }
  }
}

void Tombstones::clear() {
  expired_ = decltype(expired_)();
  order_ = decltype(order_)();
}

}  // namespace partcheck::mock
