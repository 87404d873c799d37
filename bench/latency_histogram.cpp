#include "bench/latency_histogram.hpp"

#include <algorithm>

namespace partcheck::bench {

LatencyHistogram::LatencyHistogram()
    : histogram_(boost::histogram::make_histogram(Axis(kBins, kLower, kUpper))) {}

void LatencyHistogram::record(double seconds) {
  seconds = std::max(seconds, 0.0);
  histogram_(seconds);
  min_ = count_ == 0 ? seconds : std::min(min_, seconds);
  max_ = count_ == 0 ? seconds : std::max(max_, seconds);
  ++count_;
  sum_ += seconds;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  histogram_ += other.histogram_;
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = count_ == 0 ? other.max_ : std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

HistogramData LatencyHistogram::data() const {
  HistogramData d;
  d.bins = kBins;
  d.lower = kLower;
  d.upper = kUpper;
  d.counts.reserve(kBins + 2);
  // Boost orders underflow (-1) first with coverage::all, then the bins, then overflow.
  for (auto&& cell : boost::histogram::indexed(histogram_, boost::histogram::coverage::all))
    d.counts.push_back(static_cast<std::uint64_t>(*cell));
  d.count = count_;
  d.sum = sum_;
  d.min = min_;
  d.max = max_;
  return d;
}

}  // namespace partcheck::bench
