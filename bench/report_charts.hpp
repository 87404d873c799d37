#pragma once
// The inline SVG charts of the bench HTML report, drawn from the results
// alone (no scripts): each function returns one <svg> element sized by a
// viewBox so it scales with the page. Text inside is escaped.
#include <string>
#include <string_view>
#include <vector>

#include "bench/results.hpp"

namespace partcheck::bench::charts {

// Bars per 1 s segment, the median as a dashed line.
std::string throughput_chart(const std::vector<Segment>& segments);

// Histogram bars on a log time axis, with p50/p90/p99/p99.9 markers.
std::string latency_chart(const HistogramData& histogram);

// A merged run's shards side by side: one bar per shard's throughput, the
// shards' median dashed, the slow line (kSlowShardFactor x the median) dotted
// and the bars below it red. `slow` has one flag per row (slow_shards).
std::string shard_throughput_chart(const std::vector<ShardRow>& rows, const std::vector<bool>& slow);

// One row per upload (Gantt-like): a line for the wait from the intended to
// the actual start, a bar from start to the last part with ticks at part
// boundaries, the move after it in its own colour; failed uploads red, ones
// cut off by the end of the run grey; the warm-up shaded. At most `max_rows`.
std::string timeline_chart(const std::vector<UploadSpan>& uploads, std::size_t max_rows = 400);

}  // namespace partcheck::bench::charts
