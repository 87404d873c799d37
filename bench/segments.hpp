#pragma once
// Throughput over time: bytes are credited to fixed one-second slices of the
// measured window as they are written. A write that took from t0 to t1 is
// spread evenly over [t0, t1], so a slow 64 MiB write shows as a plateau,
// not as a spike in the slice where it happened to finish. Time before the
// window start (the warm-up) is dropped.
#include <cstdint>
#include <vector>

#include "bench/results.hpp"

namespace partcheck::bench {

class SegmentAccumulator {
 public:
  // Times are seconds on any monotonic clock; window_start is where segment 0 begins.
  explicit SegmentAccumulator(double window_start, double segment_length = 1.0);

  void add_bytes(double t0, double t1, std::uint64_t bytes);
  void add_part_done(double t);
  void merge(const SegmentAccumulator& other);
  // Segments up to window_end; the last one is shortened to end there.
  std::vector<Segment> segments(double window_end) const;
  double window_start() const { return window_start_; }

 private:
  struct Slot {
    double bytes = 0;
    std::uint64_t parts = 0;
  };
  Slot& slot(std::size_t index);

  double window_start_;
  double length_;
  std::vector<Slot> slots_;
};

}  // namespace partcheck::bench
