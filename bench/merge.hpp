#pragma once
// `partcheck report merge`: the results of the shards of one run
// (`partcheck bench --shard I/N`, one process per machine) as one result.
// Counts are summed and histograms merged bin by bin, so the merged
// percentiles are exactly those of one histogram fed every sample; segments
// are put on one wall clock (each shard's window_start_unix_s) before they are
// summed, so shards that began a little apart still add up slice by slice.
#include <istream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/results.hpp"
#include "bench/threshold.hpp"

namespace partcheck::bench {

// One result to merge and where it came from: "shard-0.json", or
// "pods.log:12" for a line picked out of a log.
struct MergeInput {
  std::string source;
  BenchResult result;
};

// Why the inputs are not the shards of one run: a result without `shard`, an
// already merged one, a `config`, shard count or run_id that differs from the
// first input's, an index given twice or missing, a window without its wall
// clock start. One line per problem, each naming its input (a missing index
// names the run's count instead). Empty: the inputs are one run's shards.
std::vector<std::string> check_merge_inputs(const std::vector<MergeInput>& inputs);

// The merged result: totals summed, measured_s
// from the earliest window start to the latest window end with the rates
// recomputed from it, wall_s the longest, histograms merged exactly, segments
// aligned and summed, errors combined by (status, code), client and server
// CPU summed with peak RSS the largest, verification summed, the timeline of
// all shards on the merged clock (at most kMaxTimelineUploads), one ShardRow
// per input, and `thresholds` judged on the merged metrics (the shards' own
// gates are not carried over). `config` and `environment` are the first
// shard's, with started_at the earliest. Inputs are merged as they are: check
// them first. Throws std::invalid_argument naming the input when there is
// none or when a histogram's axis differs from the others'.
BenchResult merge_shards(const std::vector<MergeInput>& inputs, const std::vector<Threshold>& thresholds);

// `--from-logs`: every line of `log` that holds a JSON object whose "schema"
// is partcheck.bench/1 (a Kubernetes pod's log of `bench --out -`). Text
// before the object's first '{' is taken for a log prefix (a timestamp, a
// pod name) and skipped; other lines are ignored. A line that carries the
// schema name but is not such a result throws LogInputError naming name:line.
struct LogInputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
std::vector<MergeInput> pick_results_from_log(std::istream& log, const std::string& name);

// A shard is slow when its throughput is below this share of the shards'
// median: the worker (machine, network path) to look at first.
inline constexpr double kSlowShardFactor = 0.8;
// One flag per row, in the rows' order.
std::vector<bool> slow_shards(const std::vector<ShardRow>& rows);

}  // namespace partcheck::bench
