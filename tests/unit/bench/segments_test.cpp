#include <gtest/gtest.h>

#include "bench/segments.hpp"

using partcheck::bench::SegmentAccumulator;

TEST(Segments, AWriteSpanningSlicesIsSplitByTime) {
  SegmentAccumulator acc(0.0);
  acc.add_bytes(0.5, 2.5, 2000);  // 1000 B/s over two and a bit slices
  auto s = acc.segments(3.0);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].bytes, 500u);
  EXPECT_EQ(s[1].bytes, 1000u);
  EXPECT_EQ(s[2].bytes, 500u);
  EXPECT_DOUBLE_EQ(s[1].bytes_per_s(), 1000.0);
}

TEST(Segments, WarmUpBytesAreDroppedAndTheRestCountsFromTheWindowStart) {
  SegmentAccumulator acc(2.0);
  acc.add_bytes(1.0, 3.0, 2000);  // half before the window
  acc.add_bytes(0.0, 1.0, 999);   // wholly in the warm-up
  acc.add_part_done(1.5);         // in the warm-up: not counted
  acc.add_part_done(2.5);
  auto s = acc.segments(3.0);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_DOUBLE_EQ(s[0].start_s, 0.0);
  EXPECT_EQ(s[0].bytes, 1000u);
  EXPECT_EQ(s[0].parts_done, 1u);
}

TEST(Segments, TheLastSliceIsShortenedToTheWindowEnd) {
  SegmentAccumulator acc(0.0);
  acc.add_bytes(0.0, 1.5, 1500);
  auto s = acc.segments(1.5);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s[1].length_s, 0.5);
  EXPECT_EQ(s[1].bytes, 500u);
  EXPECT_DOUBLE_EQ(s[1].bytes_per_s(), 1000.0);
}

TEST(Segments, SplittingKeepsEveryByte) {
  SegmentAccumulator acc(0.0);
  std::uint64_t total = 0;
  for (int i = 0; i < 1000; ++i) {
    const double t0 = i * 0.0137;
    acc.add_bytes(t0, t0 + 0.0291, 1u << 20);
    total += 1u << 20;
  }
  std::uint64_t sum = 0;
  for (const auto& seg : acc.segments(20.0)) sum += seg.bytes;
  EXPECT_NEAR(static_cast<double>(sum), static_cast<double>(total), 20.0);  // rounding per slice only
}

TEST(Segments, InstantWritesAndMergesLandInTheirSlice) {
  SegmentAccumulator a(0.0), b(0.0);
  a.add_bytes(1.2, 1.2, 10);
  b.add_bytes(3.7, 3.7, 5);
  b.add_part_done(3.7);
  a.merge(b);
  auto s = a.segments(4.0);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[1].bytes, 10u);
  EXPECT_EQ(s[3].bytes, 5u);
  EXPECT_EQ(s[3].parts_done, 1u);
  EXPECT_EQ(s[0].bytes + s[2].bytes, 0u);
}
