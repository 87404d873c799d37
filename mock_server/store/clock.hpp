#pragma once
// The mock's notion of "now": real time plus an offset the admin API can
// advance (`POST /__mock/clock/advance?seconds=N`), so TTL tests take no hour.
#include <atomic>
#include <chrono>

namespace partcheck::mock {

class Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;

  time_point now() const { return std::chrono::system_clock::now() + offset(); }
  // system_clock counts nanoseconds in 64 bits (about 292 years): the
  // offset stays within a century so now() cannot overflow.
  static constexpr long long kMaxOffsetSeconds = 100LL * 366 * 24 * 3600;

  void advance(std::chrono::seconds by) { offset_seconds_ += by.count(); }
  // Advances unless that would take the offset past kMaxOffsetSeconds.
  bool try_advance(std::chrono::seconds by) {
    auto current = offset_seconds_.load();
    do {
      if (by.count() < 0 || current + by.count() > kMaxOffsetSeconds) return false;
    } while (!offset_seconds_.compare_exchange_weak(current, current + by.count()));
    return true;
  }
  void reset() { offset_seconds_ = 0; }
  std::chrono::seconds offset() const { return std::chrono::seconds(offset_seconds_.load()); }

 private:
  std::atomic<long long> offset_seconds_{0};
};

}  // namespace partcheck::mock
