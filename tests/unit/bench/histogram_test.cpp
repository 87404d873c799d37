#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "bench/latency_histogram.hpp"

using partcheck::bench::HistogramData;
using partcheck::bench::LatencyHistogram;

TEST(LatencyHistogram, PercentilesOfAUniformSpreadAreWithinOneBin) {
  LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.record(i * 0.001);  // 1 ms .. 1 s
  auto d = h.data();
  EXPECT_EQ(d.count, 1000u);
  EXPECT_EQ(d.counts.size(), LatencyHistogram::kBins + 2);
  EXPECT_NEAR(d.quantile(0.5), 0.5, 0.5 * 0.06);
  EXPECT_NEAR(d.quantile(0.9), 0.9, 0.9 * 0.06);
  EXPECT_NEAR(d.quantile(0.99), 0.99, 0.99 * 0.06);
  EXPECT_DOUBLE_EQ(d.quantile(1.0), 1.0);
  EXPECT_DOUBLE_EQ(d.min, 0.001);
  EXPECT_DOUBLE_EQ(d.max, 1.0);
  EXPECT_NEAR(d.mean(), 0.5005, 1e-9);
}

TEST(LatencyHistogram, ATailShowsInP999ButNotInP50) {
  LatencyHistogram h;
  for (int i = 0; i < 9990; ++i) h.record(0.010);
  for (int i = 0; i < 10; ++i) h.record(5.0);
  auto d = h.data();
  EXPECT_NEAR(d.quantile(0.5), 0.010, 0.001);
  EXPECT_NEAR(d.quantile(0.99), 0.010, 0.001);
  EXPECT_NEAR(d.quantile(0.9995), 5.0, 0.3);
  EXPECT_DOUBLE_EQ(d.max, 5.0);
}

TEST(LatencyHistogram, OutOfAxisValuesLandInUnderAndOverflowAndKeepExactExtremes) {
  LatencyHistogram h;
  h.record(1e-7);
  h.record(0.0);
  h.record(2e4);
  auto d = h.data();
  EXPECT_EQ(d.counts.front(), 2u);
  EXPECT_EQ(d.counts.back(), 1u);
  EXPECT_DOUBLE_EQ(d.quantile(0.1), 0.0);
  EXPECT_DOUBLE_EQ(d.quantile(1.0), 2e4);
}

TEST(LatencyHistogram, MergingRecordersEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(-3, 1);
  LatencyHistogram a, b, all;
  for (int i = 0; i < 5000; ++i) {
    double v = dist(rng);
    (i % 3 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  auto merged = a.data();
  auto expected = all.data();
  EXPECT_EQ(merged.counts, expected.counts);
  EXPECT_EQ(merged.count, expected.count);
  EXPECT_DOUBLE_EQ(merged.min, expected.min);
  EXPECT_DOUBLE_EQ(merged.max, expected.max);
  EXPECT_DOUBLE_EQ(merged.quantile(0.99), expected.quantile(0.99));

  // The same through the saved form, as `report compare` merges runs.
  auto da = LatencyHistogram().data();
  da.merge(expected);
  EXPECT_EQ(da.counts, expected.counts);
}

TEST(HistogramData, MergeRefusesADifferentAxis) {
  LatencyHistogram h;
  h.record(1);
  auto a = h.data();
  auto b = a;
  b.bins = 10;
  b.counts.assign(12, 0);
  b.counts[5] = 1;
  EXPECT_THROW(a.merge(b), std::invalid_argument);
}

TEST(HistogramData, EmptyHistogramHasZeroQuantiles) {
  auto d = LatencyHistogram().data();
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(d.quantile(0.99), 0.0);
}
