#pragma once
// One run split over many processes (`bench --shard I/N`): which slice of the
// whole run this process takes, and when the shards start together
// (`--start-at`). Pure: no clock is read here, `now` is passed in, so the
// splits and the time parsing are tested without processes.
//
// Every flag of the run means the whole run. Shard I of N takes the files
// with global indices I, I+N, I+2N, ... (their bodies derive from seed +
// global index, so the shards together send exactly the bytes of the
// unsharded run), concurrency C/N (+1 for I < C%N) and rate R/N, and seeds its
// arrival schedule from (seed, I) so the shards' arrivals are independent.
// Errors are std::invalid_argument with a message naming the flag.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace partcheck::bench {

struct ShardSpec {
  unsigned index = 0;  // 0-based, < count
  unsigned count = 1;
};

// "I/N" as given to --shard.
ShardSpec parse_shard(std::string_view text);

// --shards N without --shard: the index comes from the environment variable
// JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it). `index_text` is the
// variable's value, nullptr when it is not set.
ShardSpec shard_from_job_index(unsigned count, const char* index_text);

// The whole run as the user typed it: the totals.
struct RunTotals {
  std::optional<std::uint64_t> files;  // nullopt: bounded by --duration, files without end
  unsigned concurrency = 1;
  std::optional<double> rate_per_s;    // the open model
  std::uint64_t seed = 1;
};

// What one shard runs.
struct ShardPlan {
  ShardSpec shard;
  std::optional<std::uint64_t> files;  // this shard's count; nullopt with --duration
  unsigned concurrency = 1;
  std::optional<double> rate_per_s;
  std::uint64_t schedule_seed = 1;     // for PoissonSchedule; the run's seed when unsharded

  // The global index of this shard's `local`-th file (0-based).
  std::uint64_t file_index(std::uint64_t local) const { return shard.index + local * shard.count; }
};

// Throws std::invalid_argument naming the numbers when a shard would get no
// file or no concurrency. {0, 1} is the unsharded run, unchanged.
ShardPlan plan_shard(const RunTotals& totals, ShardSpec shard);

// The arrival schedule's seed of shard `index` of `count`: the run's seed
// itself for an unsharded run (its schedule stays what it always was), a
// mix of (seed, index) otherwise.
std::uint64_t shard_schedule_seed(std::uint64_t seed, ShardSpec shard);

using SystemTime = std::chrono::system_clock::time_point;

// --start-at: RFC 3339 ("2026-12-01T06:00:00Z", "2026-12-01T07:00:00.250+01:00")
// or "+N" / "+Ns" (N seconds after `now`, fractions allowed). A time more
// than 24 h from `now`, either way, is refused.
SystemTime parse_start_at(std::string_view text, SystemTime now);

// Unix seconds with the clock's full resolution.
double unix_seconds(SystemTime time);

}  // namespace partcheck::bench
