#pragma once
// Arrivals of the open model: `--rate R/s` uploads start at the instants of
// a Poisson process (exponential gaps with mean 1/R), from a seeded
// generator so two runs with the same seed offer exactly the same load.
#include <cstdint>
#include <random>

namespace partcheck::bench {

class PoissonSchedule {
 public:
  PoissonSchedule(double rate_per_s, std::uint64_t seed);
  // Offset in seconds from the run start of the next arrival; strictly increasing.
  double next();
  double rate() const { return rate_; }

 private:
  double rate_;
  std::mt19937_64 engine_;
  double at_ = 0;
};

}  // namespace partcheck::bench
