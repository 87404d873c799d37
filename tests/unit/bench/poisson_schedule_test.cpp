#include <gtest/gtest.h>

#include <vector>

#include "bench/poisson_schedule.hpp"

using partcheck::bench::PoissonSchedule;

namespace {
std::vector<double> arrivals(double rate, std::uint64_t seed, int n) {
  PoissonSchedule s(rate, seed);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(s.next());
  return out;
}
}  // namespace

TEST(PoissonSchedule, TheSameSeedGivesTheSameArrivals) {
  EXPECT_EQ(arrivals(20, 42, 500), arrivals(20, 42, 500));
  EXPECT_NE(arrivals(20, 42, 50), arrivals(20, 43, 50));
}

TEST(PoissonSchedule, ArrivalsIncreaseAndAverageTheRate) {
  const auto a = arrivals(50, 7, 20000);
  for (std::size_t i = 1; i < a.size(); ++i) ASSERT_GT(a[i], a[i - 1]);
  const double observed_rate = static_cast<double>(a.size()) / a.back();
  EXPECT_NEAR(observed_rate, 50.0, 50.0 * 0.03);
  // Exponential gaps: about e^-1 of them exceed the mean gap.
  int longer = 0;
  for (std::size_t i = 1; i < a.size(); ++i) longer += (a[i] - a[i - 1]) > 1.0 / 50 ? 1 : 0;
  EXPECT_NEAR(static_cast<double>(longer) / static_cast<double>(a.size()), 0.3679, 0.02);
}

TEST(PoissonSchedule, RefusesANonPositiveRate) {
  EXPECT_THROW(PoissonSchedule(0, 1), std::invalid_argument);
  EXPECT_THROW(PoissonSchedule(-3, 1), std::invalid_argument);
}
