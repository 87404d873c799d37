#include <gtest/gtest.h>

#include "bench/latency_histogram.hpp"
#include "bench/results.hpp"
#include "bench/threshold.hpp"

using namespace partcheck::bench;

namespace {
BenchResult measured() {
  BenchResult r;
  r.totals.throughput_bytes_per_s = 900.0 * 1024 * 1024;
  r.totals.retries = 0;
  LatencyHistogram part;
  for (int i = 0; i < 100; ++i) part.record(i < 99 ? 1.0 : 8.0);
  r.histograms["part"] = part.data();
  return r;
}

std::vector<GateResult> gates(const std::vector<std::string>& texts, const BenchResult& r) {
  std::vector<Threshold> parsed;
  for (const auto& t : texts) {
    auto p = parse_threshold(t);
    EXPECT_TRUE(p) << t << ": " << p.error;
    if (p) parsed.push_back(*p.threshold);
  }
  return evaluate_gates(parsed, r.metrics());
}
}  // namespace

TEST(Gates, ThroughputAndTailLatencyGatesUseTheResultsMetrics) {
  auto results = gates({"throughput_MiBps>=800", "p99_part_s<=4", "max_part_s<=4", "errors==0"}, measured());
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].passed);
  EXPECT_TRUE(results[1].passed) << *results[1].actual;
  EXPECT_FALSE(results[2].passed);
  EXPECT_DOUBLE_EQ(*results[2].actual, 8.0);
  EXPECT_TRUE(results[3].passed);
}

TEST(Gates, AnUnknownOrUnmeasuredMetricBreaksTheGate) {
  auto results = gates({"efficiency>=0.8", "no_such_metric<1"}, measured());
  EXPECT_FALSE(results[0].passed);  // no --calibrate: efficiency not measured
  EXPECT_FALSE(results[0].actual.has_value());
  EXPECT_FALSE(results[1].passed);
}
