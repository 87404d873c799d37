#include "bench/poisson_schedule.hpp"

#include <cmath>
#include <stdexcept>

namespace partcheck::bench {

PoissonSchedule::PoissonSchedule(double rate_per_s, std::uint64_t seed)
    : rate_(rate_per_s), engine_(seed ^ 0x6a09e667f3bcc909ULL) {
  if (!(rate_per_s > 0) || !std::isfinite(rate_per_s))
    throw std::invalid_argument("arrival rate must be a positive number of uploads per second");
}

double PoissonSchedule::next() {
  // Inverse transform by hand: std::exponential_distribution's algorithm is
  // not fixed by the standard, and the schedule must not change with the library.
  const double u = (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53;  // (0, 1)
  at_ += -std::log(u) / rate_;
  return at_;
}

}  // namespace partcheck::bench
