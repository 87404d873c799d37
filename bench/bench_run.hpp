#pragma once
// `partcheck bench` end to end: resolve the target (or start the embedded
// mock), calibrate, drive the load, verify, gather results and gates.
#include <iosfwd>
#include <stdexcept>

#include "bench/bench_options.hpp"
#include "bench/results.hpp"

namespace partcheck::bench {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct TargetUnreachable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Progress and notes go to `log`. Throws UsageError for options that cannot
// work together, TargetUnreachable when nothing answers at the target.
BenchResult run_bench(const BenchOptions& options, std::ostream& log);

// True when every gate held and verification found no difference.
bool run_passed(const BenchResult& result);

}  // namespace partcheck::bench
