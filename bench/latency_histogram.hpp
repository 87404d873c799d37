#pragma once
// Latency recorder on Boost.Histogram with a log-scaled axis: constant
// relative resolution (about 6 % per bin) from 10 us to 10 000 s, so one axis
// serves 200 us moves and 30 s gigabyte parts, and recorders merge by adding.
#include <boost/histogram.hpp>

#include "bench/results.hpp"

namespace partcheck::bench {

class LatencyHistogram {
 public:
  static constexpr unsigned kBins = 360;  // 40 per decade over 9 decades
  static constexpr double kLower = 1e-5;
  static constexpr double kUpper = 1e4;

  LatencyHistogram();
  void record(double seconds);
  void merge(const LatencyHistogram& other);
  std::uint64_t count() const { return count_; }
  HistogramData data() const;

 private:
  using Axis = boost::histogram::axis::regular<double, boost::histogram::axis::transform::log>;
  using Histogram = boost::histogram::histogram<std::tuple<Axis>>;
  Histogram histogram_;
  std::uint64_t count_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
};

}  // namespace partcheck::bench
