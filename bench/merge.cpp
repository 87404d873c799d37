// Merging the shards of one run: sums, exact histograms, one wall clock.
#include "bench/merge.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "bench/compare.hpp"

namespace partcheck::bench {
namespace {

// As many failures as one run keeps (bench/recorder.cpp): enough for people.
constexpr std::size_t kMaxFailuresKept = 10;

// Slots of the merged window, in whole bytes and parts.
struct Slot {
  std::uint64_t bytes = 0;
  std::uint64_t parts = 0;
};

// Credits one shard segment covering [from, to) of the merged clock to the
// slots it overlaps, each by its share of the time. Shares are rounded
// cumulatively so the slots get exactly the segment's bytes and parts, which
// SegmentAccumulator (doubles, rounded per slot) would not promise.
void spread(std::vector<Slot>& slots, double slot_length, double from, double to, const Segment& segment) {
  if (slots.empty()) return;
  const auto slot_of = [&](double t) {
    return std::min(slots.size() - 1, t > 0 ? static_cast<std::size_t>(t / slot_length) : std::size_t{0});
  };
  const std::size_t first = slot_of(from);
  const std::size_t last = to > from ? slot_of(std::nextafter(to, from)) : first;
  std::uint64_t bytes_given = 0, parts_given = 0;
  for (std::size_t k = first; k < last; ++k) {
    const double share = std::clamp((static_cast<double>(k + 1) * slot_length - from) / (to - from), 0.0, 1.0);
    const auto bytes = static_cast<std::uint64_t>(std::llround(share * static_cast<double>(segment.bytes)));
    const auto parts = static_cast<std::uint64_t>(std::llround(share * static_cast<double>(segment.parts_done)));
    slots[k].bytes += bytes - bytes_given;
    slots[k].parts += parts - parts_given;
    bytes_given = bytes;
    parts_given = parts;
  }
  slots[last].bytes += segment.bytes - bytes_given;
  slots[last].parts += segment.parts_done - parts_given;
}

void add_usage(ProcessUsage& sum, const ProcessUsage& one) {
  sum.user_s += one.user_s;
  sum.sys_s += one.sys_s;
  sum.peak_rss_bytes = std::max(sum.peak_rss_bytes, one.peak_rss_bytes);  // machines do not share memory
}

UploadSpan shifted(UploadSpan span, double by) {
  span.start_s += by;
  span.end_s += by;
  for (double& end : span.part_ends_s) end += by;
  if (span.intended_s) *span.intended_s += by;
  if (span.move_end_s) *span.move_end_s += by;
  return span;
}

// The first uploads to end over all shards, within the limits one run keeps,
// as a single run chooses them (recorder.cpp); the rest are counted as dropped.
void keep_timeline(BenchResult& merged, std::vector<UploadSpan> spans) {
  std::stable_sort(spans.begin(), spans.end(), [](const auto& a, const auto& b) { return a.end_s < b.end_s; });
  std::size_t part_ends = 0;
  for (auto& span : spans) {
    if (merged.timeline.size() >= kMaxTimelineUploads || part_ends + span.part_ends_s.size() > kMaxTimelinePartEnds) {
      ++merged.timeline_dropped;
      continue;
    }
    part_ends += span.part_ends_s.size();
    merged.timeline.push_back(std::move(span));
  }
}

ShardRow row_of(const MergeInput& input, std::size_t position, double window_offset_s) {
  const auto& r = input.result;
  ShardRow row;
  row.index = r.shard ? r.shard->index : static_cast<unsigned>(position);
  row.hostname = r.environment.hostname;
  row.late_start_s = r.shard ? r.shard->late_start_s : 0;
  row.window_offset_s = window_offset_s;
  row.totals = r.totals;
  row.errors = r.error_count();
  row.client = r.client;
  if (auto it = r.histograms.find("part"); it != r.histograms.end() && !it->second.empty())
    row.p99_part_s = it->second.quantile(0.99);
  return row;
}

}  // namespace

BenchResult merge_shards(const std::vector<MergeInput>& inputs, const std::vector<Threshold>& thresholds) {
  if (inputs.empty()) throw std::invalid_argument("no results to merge");
  // Shard order, so "the first shard" is shard 0 whatever order the files came in.
  std::vector<const MergeInput*> order;
  for (const auto& input : inputs) order.push_back(&input);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) {
    return (a->result.shard ? a->result.shard->index : 0u) < (b->result.shard ? b->result.shard->index : 0u);
  });

  // The merged clock starts at the earliest window start. A window without its
  // wall-clock start (an older file, merged with --force) is taken to start then.
  double origin = std::numeric_limits<double>::infinity();
  for (auto* input : order)
    if (input->result.window_start_unix_s > 0) origin = std::min(origin, input->result.window_start_unix_s);
  if (!std::isfinite(origin)) origin = 0;
  const auto offset_of = [origin](const BenchResult& r) {
    return r.window_start_unix_s > 0 ? r.window_start_unix_s - origin : 0.0;
  };

  const BenchResult& head = order.front()->result;
  BenchResult merged;
  merged.config = head.config;
  merged.environment = head.environment;
  merged.transport = head.transport;
  merged.transport.tls_handshakes = 0;
  merged.verification.mode = head.verification.mode;
  merged.window_start_unix_s = origin;
  // Each machine's own ceilings are not the ceiling of their sum: no calibration.

  auto& t = merged.totals;
  double slot_length = 0;
  std::map<std::pair<int, std::string>, std::uint64_t> errors;
  std::vector<UploadSpan> spans;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto& input = *order[i];
    const auto& r = input.result;
    const double offset = offset_of(r);
    if (!r.environment.started_at.empty() &&
        (merged.environment.started_at.empty() || r.environment.started_at < merged.environment.started_at))
      merged.environment.started_at = r.environment.started_at;  // ISO 8601 UTC sorts as text
    t.measured_s = std::max(t.measured_s, offset + r.totals.measured_s);
    t.wall_s = std::max(t.wall_s, r.totals.wall_s);
    t.bytes += r.totals.bytes;
    t.uploads += r.totals.uploads;
    t.parts += r.totals.parts;
    t.failed_uploads += r.totals.failed_uploads;
    t.retries += r.totals.retries;
    t.late_starts += r.totals.late_starts;
    for (const auto& [name, histogram] : r.histograms) {
      try {
        merged.histograms[name].merge(histogram);
      } catch (const std::invalid_argument&) {
        throw std::invalid_argument(input.source + ": histogram '" + name +
                                    "' has another axis than the other inputs' (bins, lower, upper or unit)");
      }
    }
    for (const auto& e : r.errors) errors[{e.status, e.code}] += e.count;
    add_usage(merged.client, r.client);
    if (r.server) add_usage(merged.server ? *merged.server : merged.server.emplace(), *r.server);
    merged.transport.tls_handshakes += r.transport.tls_handshakes;
    merged.verification.checked += r.verification.checked;
    merged.verification.mismatches += r.verification.mismatches;
    for (const auto& failure : r.verification.failures)
      if (merged.verification.failures.size() < kMaxFailuresKept)
        merged.verification.failures.push_back("shard " + std::to_string(r.shard ? r.shard->index : i) + ": " + failure);
    for (const auto& span : r.timeline) spans.push_back(shifted(span, offset));
    merged.timeline_dropped += r.timeline_dropped;
    // A shard's last segment is cut at its window's end: the others have the nominal length.
    for (std::size_t k = 0; k + 1 < r.segments.size(); ++k) slot_length = std::max(slot_length, r.segments[k].length_s);
    merged.shards.push_back(row_of(input, i, offset));
  }
  if (t.measured_s > 0) {
    t.throughput_bytes_per_s = static_cast<double>(t.bytes) / t.measured_s;
    t.uploads_per_s = static_cast<double>(t.uploads) / t.measured_s;
    t.parts_per_s = static_cast<double>(t.parts) / t.measured_s;
  }
  for (const auto& [key, count] : errors) merged.errors.push_back({key.first, key.second, count});

  // Segments: every shard's slices moved by its offset and summed into slots
  // as long as the shards' own (1 s, SegmentAccumulator's default, when no shard ran a whole one).
  // Offsets are differences of Unix times (about 0.2 us apart as doubles): a
  // window end that far past a slot boundary gets no sliver of a slot.
  if (slot_length <= 0) slot_length = 1;
  const auto slot_count = t.measured_s > 0 ? static_cast<std::size_t>(std::ceil(t.measured_s / slot_length - 1e-6)) : 0;
  std::vector<Slot> slots(slot_count);
  for (auto* input : order) {
    const double offset = offset_of(input->result);
    for (const auto& s : input->result.segments)
      spread(slots, slot_length, offset + s.start_s, offset + s.start_s + s.length_s, s);
  }
  for (std::size_t k = 0; k < slots.size(); ++k) {
    const double start = static_cast<double>(k) * slot_length;
    merged.segments.push_back({start, std::min(slot_length, t.measured_s - start), slots[k].bytes, slots[k].parts});
  }

  keep_timeline(merged, std::move(spans));
  for (const auto& g : evaluate_gates(thresholds, merged.metrics()))
    merged.gates.push_back({g.threshold.text, g.threshold.metric, g.actual, g.passed});
  return merged;
}

std::vector<bool> slow_shards(const std::vector<ShardRow>& rows) {
  std::vector<double> rates;
  for (const auto& row : rows) rates.push_back(row.totals.throughput_bytes_per_s);
  const double bar = kSlowShardFactor * median(rates);
  std::vector<bool> slow;
  for (double rate : rates) slow.push_back(bar > 0 && rate < bar);
  return slow;
}

}  // namespace partcheck::bench
