// The regression rule of `report compare`: a change counts only when it is
// beyond both the allowed regression and the noise of the two runs.
#include <gtest/gtest.h>

#include <cmath>

#include "bench/compare.hpp"

using namespace partcheck::bench;

namespace {

// Segments around `center` with a relative jitter of about `jitter`
// (alternating above and below, deterministic).
std::vector<double> segments(double center, double jitter, int count = 20) {
  std::vector<double> s;
  for (int i = 0; i < count; ++i) {
    double sign = i % 2 ? 1.0 : -1.0;
    double amount = jitter * (0.5 + 0.5 * ((i * 7) % 5) / 4.0);  // 0.5..1.0 x jitter
    s.push_back(center * (1 + sign * amount));
  }
  return s;
}

RunFigures run(const char* name, double center, double jitter, double p99_part_s = 1.0) {
  RunFigures f;
  f.source = name;
  f.segment_MiBps = segments(center, jitter);
  f.throughput_MiBps = median(f.segment_MiBps);
  f.latencies.push_back({"p99_part_s", Better::Lower, p99_part_s});
  return f;
}

const MetricComparison& row(const CompareReport& report, const std::string& metric) {
  for (const auto& r : report.rows)
    if (r.metric == metric) return r;
  throw std::runtime_error("no row " + metric);
}

}  // namespace

TEST(CompareStatistics, MedianAndMad) {
  EXPECT_DOUBLE_EQ(median({}), 0);
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  // deviations from 3: 2 1 0 1 97 -> median 1; one wild point does not move it
  EXPECT_DOUBLE_EQ(median_absolute_deviation({1, 2, 3, 4, 100}), 1);
}

TEST(CompareNoise, QuietRunsShowATenPercentDrop) {
  auto report = compare_runs(run("base", 1000, 0.01), run("new", 900, 0.01), {0.05, 2.0});
  ASSERT_TRUE(report.noise.has_value());
  EXPECT_LT(*report.noise, 0.05);
  const auto& throughput = row(report, "throughput_MiBps");
  EXPECT_EQ(throughput.verdict, Verdict::Regression);
  EXPECT_NEAR(throughput.change, -0.10, 0.01);
  EXPECT_TRUE(report.regressed());
}

TEST(CompareNoise, NoisyRunsHideTheSameDrop) {
  // Segments swing by about 25 %: a 10 % lower median is not evidence.
  auto report = compare_runs(run("base", 1000, 0.25), run("new", 900, 0.25), {0.05, 2.0});
  ASSERT_TRUE(report.noise.has_value());
  EXPECT_GT(*report.noise, 0.10);
  EXPECT_EQ(row(report, "throughput_MiBps").verdict, Verdict::WithinNoise);
  EXPECT_FALSE(report.regressed());
}

TEST(CompareNoise, SmallChangeUnderThresholdIsNotARegression) {
  auto report = compare_runs(run("base", 1000, 0.001), run("new", 970, 0.001), {0.05, 2.0});
  EXPECT_EQ(row(report, "throughput_MiBps").verdict, Verdict::WithinNoise);
  EXPECT_FALSE(report.regressed());
}

TEST(CompareNoise, FasterRunIsBetter) {
  auto report = compare_runs(run("base", 1000, 0.01), run("new", 1300, 0.01), {0.05, 2.0});
  EXPECT_EQ(row(report, "throughput_MiBps").verdict, Verdict::Better);
  EXPECT_FALSE(report.regressed());
}

TEST(CompareNoise, LatencyRiseBeyondNoiseIsARegression) {
  auto report = compare_runs(run("base", 1000, 0.01, 1.0), run("new", 1000, 0.01, 1.4), {0.05, 2.0});
  EXPECT_EQ(row(report, "throughput_MiBps").verdict, Verdict::Same);
  const auto& p99 = row(report, "p99_part_s");
  EXPECT_EQ(p99.verdict, Verdict::Regression);
  EXPECT_NEAR(p99.worse_by, 0.4, 1e-9);
  EXPECT_TRUE(report.regressed());
}

TEST(CompareNoise, LowerLatencyIsBetter) {
  auto report = compare_runs(run("base", 1000, 0.01, 1.0), run("new", 1000, 0.01, 0.5), {0.05, 2.0});
  EXPECT_EQ(row(report, "p99_part_s").verdict, Verdict::Better);
}

TEST(CompareNoise, WithoutSegmentsTheThresholdAloneDecides) {
  RunFigures base{"base", {}, 1000, {}, 0};
  RunFigures slower{"new", {}, 960, {}, 0};
  RunFigures much_slower{"new", {}, 900, {}, 0};
  CompareOptions options{0.05, 2.0};
  auto within = compare_runs(base, slower, options);
  EXPECT_FALSE(within.noise.has_value());
  EXPECT_FALSE(within.regressed());
  EXPECT_TRUE(compare_runs(base, much_slower, options).regressed());
  auto table = format_compare_table(within, options);
  EXPECT_NE(table.find("noise band unknown"), std::string::npos) << table;
}

TEST(CompareNoise, LatencyMissingInOneRunIsNotComparable) {
  auto base = run("base", 1000, 0.01);
  auto candidate = run("new", 1000, 0.01);
  candidate.latencies.clear();
  auto report = compare_runs(base, candidate, {0.05, 2.0});
  EXPECT_EQ(row(report, "p99_part_s").verdict, Verdict::NotComparable);
  EXPECT_FALSE(report.regressed());
}

TEST(CompareTable, NamesEveryMetricAndTheVerdict) {
  auto options = CompareOptions{0.05, 2.0};
  auto report = compare_runs(run("a.json", 1000, 0.01), run("b.json", 800, 0.01), options);
  auto table = format_compare_table(report, options);
  for (const char* text : {"a.json", "b.json", "throughput_MiBps", "p99_part_s", "REGRESSION", "-20.0%", "noise band"})
    EXPECT_NE(table.find(text), std::string::npos) << text << " missing in\n" << table;
}

TEST(ComparePercentage, ParsesPercentagesOnly) {
  EXPECT_DOUBLE_EQ(*parse_percentage("5%"), 0.05);
  EXPECT_DOUBLE_EQ(*parse_percentage("2.5"), 0.025);
  EXPECT_DOUBLE_EQ(*parse_percentage(" 0% "), 0.0);
  EXPECT_FALSE(parse_percentage(""));
  EXPECT_FALSE(parse_percentage("%"));
  EXPECT_FALSE(parse_percentage("-5%"));
  EXPECT_FALSE(parse_percentage("five"));
  EXPECT_FALSE(parse_percentage("5%%"));
}
