#pragma once
// Drives the workload: lanes of keep-alive connections, each carrying one
// upload at a time (its parts in sequence, or `part_concurrency` at once).
// Closed model: every lane starts its next upload as soon as the last one
// ends. Open model: uploads arrive on a seeded Poisson schedule and wait for
// a free lane; their latency counts from the intended start.
#include <functional>
#include <memory>

#include "bench/bench_options.hpp"
#include "bench/body_source.hpp"
#include "bench/http_target.hpp"
#include "bench/recorder.hpp"
#include "bench/request_head.hpp"
#include "bench/shard_plan.hpp"
#include "net/connector.hpp"

namespace partcheck::bench {

// An upload that starts more than this after its scheduled instant is late.
inline constexpr double kLateStartTolerance_s = 0.005;

struct DriveSummary {
  double wall_s = 0;        // from the first connection to the last answer
  double window_end_s = 0;  // end of the measured window, from the run start
};

class LoadDriver {
 public:
  // Every connection is made by `connector` (resolved already) and its
  // requests by `heads`; both outlive the driver. `plan` is what this process
  // runs: its files (by global index), lanes, rate and arrival seed; the
  // options' own files, concurrency and rate are the whole run's.
  LoadDriver(const BenchOptions& options, const ShardPlan& plan, const HttpTarget& target,
             const net::Connector& connector, const RequestHeads& heads, const BodySource& source);
  ~LoadDriver();

  // Runs to the end of the workload; `tick` is called about every
  // `tick_interval` from a driver thread with the recorder (for progress).
  DriveSummary run(Recorder& recorder, std::chrono::milliseconds tick_interval,
                   const std::function<void(const Recorder&, double elapsed_s)>& tick);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Files the whole run will upload when it is bounded by count (else nullopt).
std::optional<std::uint64_t> planned_files(const BenchOptions& options);

}  // namespace partcheck::bench
