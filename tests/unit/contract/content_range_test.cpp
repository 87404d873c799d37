#include "contract/content_range.hpp"

#include <gtest/gtest.h>

using namespace partcheck::contract;

TEST(ContentRange, DocumentedExamplesUseExclusiveEnd) {
  auto whole = parse_content_range("bytes 0-1000/1000");
  ASSERT_TRUE(whole) << whole.error;
  EXPECT_EQ(whole.range->length(), 1000u);
  EXPECT_TRUE(whole.range->is_whole());

  auto first = parse_content_range("bytes 0-5242880/7340032");
  auto second = parse_content_range("bytes 5242880-7340032/7340032");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first.range->length(), 5242880u);
  EXPECT_FALSE(first.range->is_final());
  EXPECT_EQ(second.range->length(), 2097152u);
  EXPECT_TRUE(second.range->is_final());
}

TEST(ContentRange, EmptyFileIsAcceptedOnlyAsZeroZeroZero) {
  EXPECT_TRUE(parse_content_range("bytes 0-0/0"));
  EXPECT_FALSE(parse_content_range("bytes 0-0/10"));
  EXPECT_FALSE(parse_content_range("bytes 5-5/10"));
}

TEST(ContentRange, MalformedHeadersAreRefusedWithAReason) {
  for (const char* bad : {"", "bytes", "bytes 0-10", "bytes 0-10/", "bytes -1-10/10", "bytes 10-5/20",
                          "bytes 0-11/10", "bits 0-10/10", "bytes 0 -10/10", "bytes a-10/10",
                          "bytes 0-10/1x", "bytes */10", "bytes 0-99999999999999999999/1",
                          "bytes +0-10/10", "bytes=0-10/10"}) {
    auto parsed = parse_content_range(bad);
    EXPECT_FALSE(parsed) << bad;
    EXPECT_FALSE(parsed.error.empty()) << bad;
  }
}

TEST(ContentRange, SurroundingBlanksAreIgnored) { EXPECT_TRUE(parse_content_range("  bytes 0-1/1 \t")); }

TEST(ContentRange, InclusiveConventionIsExplicit) {
  auto parsed = parse_content_range("bytes 0-999/1000", RangeConvention::InclusiveEnd);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed.range->end, 1000u);
  EXPECT_FALSE(parse_content_range("bytes 0-1000/1000", RangeConvention::InclusiveEnd));
  EXPECT_EQ(format_content_range(*parsed.range, RangeConvention::InclusiveEnd), "bytes 0-999/1000");
}

TEST(ContentRange, FormatRoundTrips) {
  ContentRange r{5242880, 7340032, 7340032};
  EXPECT_EQ(format_content_range(r), "bytes 5242880-7340032/7340032");
  EXPECT_EQ(*parse_content_range(format_content_range(r)).range, r);
}
