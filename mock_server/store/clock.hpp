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
  void advance(std::chrono::seconds by) { offset_seconds_ += by.count(); }
  void reset() { offset_seconds_ = 0; }
  std::chrono::seconds offset() const { return std::chrono::seconds(offset_seconds_.load()); }

 private:
  std::atomic<long long> offset_seconds_{0};
};

}  // namespace partcheck::mock
