#include "bench/segments.hpp"

#include <algorithm>
#include <cmath>

namespace partcheck::bench {

SegmentAccumulator::SegmentAccumulator(double window_start, double segment_length)
    : window_start_(window_start), length_(segment_length > 0 ? segment_length : 1.0) {}

SegmentAccumulator::Slot& SegmentAccumulator::slot(std::size_t index) {
  if (index >= slots_.size()) slots_.resize(index + 1);
  return slots_[index];
}

void SegmentAccumulator::add_bytes(double t0, double t1, std::uint64_t bytes) {
  if (bytes == 0) return;
  if (t1 < t0) std::swap(t0, t1);
  const double span = t1 - t0;
  if (span <= 0) {  // an instantaneous write belongs to the slice it happened in
    if (t1 >= window_start_) slot(static_cast<std::size_t>((t1 - window_start_) / length_)).bytes += static_cast<double>(bytes);
    return;
  }
  const double rate = static_cast<double>(bytes) / span;
  double from = std::max(t0, window_start_);
  while (from < t1) {
    const auto index = static_cast<std::size_t>((from - window_start_) / length_);
    const double slice_end = window_start_ + static_cast<double>(index + 1) * length_;
    const double to = std::min(t1, slice_end);
    slot(index).bytes += rate * (to - from);
    // Guard against a boundary that rounding puts at `from` again.
    from = to > from ? to : std::nextafter(slice_end, slice_end + 1);
  }
}

void SegmentAccumulator::add_part_done(double t) {
  if (t < window_start_) return;
  ++slot(static_cast<std::size_t>((t - window_start_) / length_)).parts;
}

void SegmentAccumulator::merge(const SegmentAccumulator& other) {
  if (other.slots_.size() > slots_.size()) slots_.resize(other.slots_.size());
  for (std::size_t i = 0; i < other.slots_.size(); ++i) {
    slots_[i].bytes += other.slots_[i].bytes;
    slots_[i].parts += other.slots_[i].parts;
  }
}

std::vector<Segment> SegmentAccumulator::segments(double window_end) const {
  std::vector<Segment> out;
  if (window_end <= window_start_) return out;
  const auto count = static_cast<std::size_t>(std::ceil((window_end - window_start_) / length_ - 1e-9));
  for (std::size_t i = 0; i < count; ++i) {
    const double start = static_cast<double>(i) * length_;
    const double length = std::min(length_, window_end - window_start_ - start);
    const Slot s = i < slots_.size() ? slots_[i] : Slot{};
    out.push_back({start, length, static_cast<std::uint64_t>(std::llround(s.bytes)), s.parts});
  }
  return out;
}

}  // namespace partcheck::bench
