// `report merge`: shards of one run merged exactly, refused when they are not
// one run's, and picked out of logs.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "bench/latency_histogram.hpp"
#include "bench/merge.hpp"
#include "bench/report_html.hpp"
#include "bench/summary.hpp"

using namespace partcheck::bench;

namespace {

constexpr double kStart = 1'800'000'000.0;  // a window start, Unix seconds

// Shard `index` of `count`: config of the whole run, one segment per second
// of `bytes_per_s`, its window starting `offset_s` after kStart.
BenchResult shard(unsigned index, unsigned count, double offset_s = 0, std::uint64_t bytes_per_s = 1000,
                  int seconds = 4) {
  BenchResult r;
  r.config.target = "http://mock:8080";
  r.config.target_kind = "external";
  r.config.file_size = 1000;
  r.config.part_size = 500;
  r.config.files = 40;
  r.config.concurrency = 8;
  r.environment = {"partcheck 0.1.0", "2026-12-01T06:00:0" + std::to_string(index) + "Z", "bench-" + std::to_string(index),
                   "Linux", "cpu", 2};
  r.shard = ShardInfo{};
  r.shard->index = index;
  r.shard->count = count;
  r.shard->run_id = "run-1";
  r.shard->files = 10;
  r.shard->concurrency = 2;
  r.window_start_unix_s = kStart + offset_s;
  for (int s = 0; s < seconds; ++s) r.segments.push_back({double(s), 1.0, bytes_per_s, 2});
  auto& t = r.totals;
  t.measured_s = seconds;
  t.wall_s = seconds + 1.0 + index;
  t.bytes = bytes_per_s * static_cast<std::uint64_t>(seconds);
  t.uploads = 5;
  t.parts = 2u * static_cast<unsigned>(seconds);
  t.failed_uploads = index;
  t.retries = 1;
  t.throughput_bytes_per_s = static_cast<double>(t.bytes) / t.measured_s;
  r.client = {1.0 + index, 0.5, (100u + index) << 20};
  r.gates = {{"uploads>=100", "uploads", 5.0, false}};  // a shard's own gate: not carried over
  return r;
}

std::vector<MergeInput> inputs_of(std::vector<BenchResult> results) {
  std::vector<MergeInput> inputs;
  for (std::size_t i = 0; i < results.size(); ++i)
    inputs.push_back({"shard-" + std::to_string(i) + ".json", std::move(results[i])});
  return inputs;
}

std::vector<MergeInput> four_shards() { return inputs_of({shard(0, 4), shard(1, 4), shard(2, 4), shard(3, 4)}); }

bool mentions(const std::vector<std::string>& problems, const std::string& a, const std::string& b = "") {
  for (const auto& p : problems)
    if (p.find(a) != std::string::npos && p.find(b) != std::string::npos) return true;
  return false;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST(Merge, HistogramsAreThoseOfOneHistogramFedEverySample) {
  std::mt19937_64 random(12);
  std::lognormal_distribution<double> latency(-3.0, 1.2);  // ~50 ms, a long tail
  auto inputs = four_shards();
  LatencyHistogram all_parts, all_moves;
  for (auto& input : inputs) {
    LatencyHistogram part, move;
    const int samples = 500 + 300 * static_cast<int>(input.result.shard->index);
    for (int i = 0; i < samples; ++i) {
      const double s = latency(random);
      part.record(s);
      all_parts.record(s);
    }
    input.result.histograms["part"] = part.data();
    if (input.result.shard->index == 2) {  // a histogram only one shard has
      for (int i = 0; i < 50; ++i) {
        const double s = latency(random) / 10;
        move.record(s);
        all_moves.record(s);
      }
      input.result.histograms["move"] = move.data();
    }
  }
  const auto merged = merge_shards(inputs, {});
  for (const auto& [name, expected] : {std::pair{"part", all_parts.data()}, std::pair{"move", all_moves.data()}}) {
    ASSERT_TRUE(merged.histograms.count(name)) << name;
    const auto& got = merged.histograms.at(name);
    EXPECT_EQ(got.counts, expected.counts) << name;
    EXPECT_EQ(got.count, expected.count) << name;
    EXPECT_EQ(got.min, expected.min) << name;
    EXPECT_EQ(got.max, expected.max) << name;
    EXPECT_NEAR(got.sum, expected.sum, 1e-9 * expected.sum) << name;  // the order of the additions differs
    for (double q : {0.5, 0.9, 0.99, 0.999, 1.0}) EXPECT_EQ(got.quantile(q), expected.quantile(q)) << name << " q" << q;
  }
  // The per-shard rows keep each shard's own p99.
  ASSERT_EQ(merged.shards.size(), 4u);
  EXPECT_EQ(merged.shards[1].p99_part_s, inputs[1].result.histograms.at("part").quantile(0.99));
}

TEST(Merge, TotalsAreSumsAndRatesComeFromTheUnionOfTheWindows) {
  auto inputs = four_shards();
  inputs[1].result.errors = {{503, "ServiceUnavailable", 2}, {0, "timeout", 1}};
  inputs[3].result.errors = {{503, "ServiceUnavailable", 3}};
  inputs[2].result.verification = {"digest", 5, 1, {"upload 3: digest differs"}};
  inputs[0].result.verification = {"digest", 5, 0, {}};
  inputs[0].result.server = ProcessUsage{2, 1, 50u << 20};
  inputs[2].result.server = ProcessUsage{3, 1, 70u << 20};
  inputs[3].result.window_start_unix_s = kStart + 0.5;  // its window ends 0.5 s after the others'
  const auto m = merge_shards(inputs, {});
  EXPECT_EQ(m.totals.bytes, 16000u);
  EXPECT_EQ(m.totals.uploads, 20u);
  EXPECT_EQ(m.totals.parts, 32u);
  EXPECT_EQ(m.totals.failed_uploads, 0u + 1 + 2 + 3);
  EXPECT_EQ(m.totals.retries, 4u);
  EXPECT_DOUBLE_EQ(m.totals.measured_s, 4.5);
  EXPECT_DOUBLE_EQ(m.totals.throughput_bytes_per_s, 16000 / 4.5);
  EXPECT_DOUBLE_EQ(m.totals.uploads_per_s, 20 / 4.5);
  EXPECT_DOUBLE_EQ(m.totals.wall_s, 8.0);  // the longest
  EXPECT_DOUBLE_EQ(m.client.user_s, 1 + 2 + 3 + 4);
  EXPECT_DOUBLE_EQ(m.client.sys_s, 2.0);
  EXPECT_EQ(m.client.peak_rss_bytes, 103u << 20);  // the largest, not a sum
  ASSERT_TRUE(m.server);
  EXPECT_DOUBLE_EQ(m.server->cpu_s(), 7.0);
  EXPECT_EQ(m.server->peak_rss_bytes, 70u << 20);
  ASSERT_EQ(m.errors.size(), 2u);
  EXPECT_EQ(m.error_count(), 6u);
  for (const auto& e : m.errors) EXPECT_EQ(e.count, e.status == 503 ? 5u : 1u) << e.code;
  EXPECT_EQ(m.verification.checked, 10u);
  EXPECT_EQ(m.verification.mismatches, 1u);
  ASSERT_EQ(m.verification.failures.size(), 1u);
  EXPECT_EQ(m.verification.failures[0], "shard 2: upload 3: digest differs");
  EXPECT_FALSE(m.shard);
  EXPECT_TRUE(m.gates.empty()) << "a shard's own gates are not the merged run's";
  EXPECT_EQ(m.config.files, 40u);
  EXPECT_EQ(m.environment.hostname, "bench-0");
  EXPECT_EQ(m.environment.started_at, "2026-12-01T06:00:00Z");
  EXPECT_DOUBLE_EQ(m.window_start_unix_s, kStart);
  ASSERT_EQ(m.shards.size(), 4u);
  EXPECT_EQ(m.shards[3].hostname, "bench-3");
  EXPECT_DOUBLE_EQ(m.shards[3].window_offset_s, 0.5);
  EXPECT_EQ(m.shards[1].errors, 3u);
  EXPECT_EQ(m.shards[2].totals.failed_uploads, 2u);
  EXPECT_DOUBLE_EQ(m.shards[2].client.user_s, 3.0);
}

TEST(Merge, SegmentsAreAlignedOnTheWallClockAndSplitByOverlap) {
  // Shard 1 began its window 0.5 s after shard 0, at twice the rate.
  auto inputs = inputs_of({shard(0, 2, 0.0, 1000), shard(1, 2, 0.5, 2000)});
  const auto m = merge_shards(inputs, {});
  ASSERT_EQ(m.segments.size(), 5u);
  const std::uint64_t expected[] = {1000 + 1000, 1000 + 2000, 1000 + 2000, 1000 + 2000, 1000};
  std::uint64_t bytes = 0, parts = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_DOUBLE_EQ(m.segments[i].start_s, double(i));
    EXPECT_EQ(m.segments[i].bytes, expected[i]) << "slot " << i;
    bytes += m.segments[i].bytes;
    parts += m.segments[i].parts_done;
  }
  EXPECT_DOUBLE_EQ(m.segments[4].length_s, 0.5);
  EXPECT_EQ(bytes, m.totals.bytes);
  EXPECT_EQ(parts, 16u);  // split by overlap too, none lost
  EXPECT_EQ(m.segments[0].parts_done, 3u);

  // An odd byte count split in two still adds up to the byte.
  inputs = inputs_of({shard(0, 2, 0.0, 1001), shard(1, 2, 0.3, 777)});
  const auto odd = merge_shards(inputs, {});
  bytes = 0;
  for (const auto& s : odd.segments) bytes += s.bytes;
  EXPECT_EQ(bytes, 4u * 1001 + 4u * 777);

  // Runs shorter than a segment: one cut-off segment each, merged into one slot of the usual second.
  inputs = inputs_of({shard(0, 2, 0.0, 1000, 1), shard(1, 2, 0.25, 1000, 1)});
  for (auto& input : inputs) {
    input.result.segments[0].length_s = 0.5;
    input.result.totals.measured_s = 0.5;
  }
  const auto short_run = merge_shards(inputs, {});
  ASSERT_EQ(short_run.segments.size(), 1u);
  EXPECT_DOUBLE_EQ(short_run.segments[0].length_s, 0.75);
  EXPECT_EQ(short_run.segments[0].bytes, 2000u);
}

TEST(Merge, TimelinesMoveToTheMergedClockWithinTheLimit) {
  auto inputs = inputs_of({shard(0, 2), shard(1, 2, 0.5)});
  inputs[0].result.timeline = {{.start_s = 0.2, .end_s = 1.0, .bytes = 1000, .part_ends_s = {0.6, 1.0}, .ok = true}};
  inputs[1].result.timeline = {{.start_s = 0.1, .end_s = 0.3, .bytes = 1000, .part_ends_s = {0.3}, .ok = true,
                                .intended_s = 0.0}};
  inputs[1].result.timeline_dropped = 3;
  auto m = merge_shards(inputs, {});
  ASSERT_EQ(m.timeline.size(), 2u);
  EXPECT_DOUBLE_EQ(m.timeline[0].start_s, 0.6);  // shard 1's, on the merged clock, ended first
  EXPECT_DOUBLE_EQ(m.timeline[0].part_ends_s[0], 0.8);
  EXPECT_DOUBLE_EQ(*m.timeline[0].intended_s, 0.5);
  EXPECT_EQ(m.timeline_dropped, 3u);

  inputs[0].result.timeline.assign(kMaxTimelineUploads, inputs[0].result.timeline[0]);
  m = merge_shards(inputs, {});
  EXPECT_EQ(m.timeline.size(), kMaxTimelineUploads);
  EXPECT_EQ(m.timeline_dropped, 3u + 1u);
}

TEST(Merge, GatesAreJudgedOnTheMergedMetrics) {
  std::vector<Threshold> gates;
  for (const char* text : {"uploads>=20", "throughput_Bps>=3999", "failed_uploads==0"})
    gates.push_back(*parse_threshold(text).threshold);
  const auto m = merge_shards(four_shards(), gates);
  ASSERT_EQ(m.gates.size(), 3u);
  EXPECT_TRUE(m.gates[0].passed);  // no shard has 20 uploads: only the sum does
  EXPECT_EQ(*m.gates[0].actual, 20.0);
  EXPECT_TRUE(m.gates[1].passed) << *m.gates[1].actual;
  EXPECT_FALSE(m.gates[2].passed);
  EXPECT_EQ(*m.gates[2].actual, 6.0);
}

TEST(MergeCheck, TheShardsOfOneRunPass) {
  EXPECT_TRUE(check_merge_inputs(four_shards()).empty()) << joined(check_merge_inputs(four_shards()));
  auto reversed = four_shards();
  std::reverse(reversed.begin(), reversed.end());
  EXPECT_TRUE(check_merge_inputs(reversed).empty());
  EXPECT_EQ(merge_shards(reversed, {}).shards.front().index, 0u);
}

TEST(MergeCheck, ADifferentConfigIsRefusedNamingTheFileAndTheField) {
  auto inputs = four_shards();
  inputs[2].result.config.file_size = 1;
  const auto problems = check_merge_inputs(inputs);
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_TRUE(mentions(problems, "shard-2.json", "file_size is 1 here, 1000 in shard-0.json")) << problems[0];
}

TEST(MergeCheck, AMissingOrRepeatedIndexIsRefused) {
  auto inputs = four_shards();
  inputs.erase(inputs.begin() + 2);
  auto problems = check_merge_inputs(inputs);
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_TRUE(mentions(problems, "shard index 2 of 4", "missing")) << problems[0];

  inputs = four_shards();
  inputs.push_back({"again.json", shard(1, 4)});
  problems = check_merge_inputs(inputs);
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_TRUE(mentions(problems, "again.json: shard index 1 again", "shard-1.json")) << problems[0];
}

TEST(MergeCheck, MixedRunsAndCountsAreRefused) {
  auto inputs = four_shards();
  inputs[3].result.shard->run_id = "run-2";
  inputs[1].result.shard->count = 5;
  const auto problems = check_merge_inputs(inputs);
  EXPECT_TRUE(mentions(problems, "shard-3.json: run_id 'run-2'", "'run-1'")) << joined(problems);
  EXPECT_TRUE(mentions(problems, "shard-1.json: a shard of 5", "shard-0.json is a shard of 4")) << joined(problems);
}

TEST(MergeCheck, InputsThatAreNotShardsAreRefused) {
  auto inputs = four_shards();
  inputs[1].result.shard.reset();
  inputs[2].result.shards = {ShardRow{}};
  inputs[3].result.window_start_unix_s = 0;
  const auto problems = check_merge_inputs(inputs);
  EXPECT_TRUE(mentions(problems, "shard-1.json: not a shard's result")) << joined(problems);
  EXPECT_TRUE(mentions(problems, "shard-2.json: already a merged result")) << joined(problems);
  EXPECT_TRUE(mentions(problems, "shard-3.json: no window_start_unix_s")) << joined(problems);
  EXPECT_TRUE(mentions(problems, "shard index 1 of 4", "missing")) << joined(problems);
  EXPECT_EQ(check_merge_inputs({}), std::vector<std::string>{"no results to merge"});
}

TEST(MergeCheck, ForceMergesWhatTheCheckRefused) {
  auto inputs = four_shards();
  inputs.erase(inputs.begin() + 1);
  inputs[1].result.config.concurrency = 3;
  inputs[2].result.window_start_unix_s = 0;  // taken to start with the earliest
  ASSERT_FALSE(check_merge_inputs(inputs).empty());
  const auto m = merge_shards(inputs, {});
  EXPECT_EQ(m.totals.uploads, 15u);
  EXPECT_EQ(m.config.concurrency, 8u);  // the first shard's
  ASSERT_EQ(m.shards.size(), 3u);
  EXPECT_EQ(m.shards[2].window_offset_s, 0.0);
  EXPECT_DOUBLE_EQ(m.totals.measured_s, 4.0);
}

TEST(MergeCheck, HistogramsWithAnotherAxisCannotBeMerged) {
  auto inputs = four_shards();
  LatencyHistogram h;
  h.record(0.1);
  inputs[0].result.histograms["part"] = h.data();
  auto other = h.data();
  other.upper = 1e3;
  inputs[3].result.histograms["part"] = other;
  try {
    merge_shards(inputs, {});
    FAIL() << "merged histograms of different axes";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("shard-3.json: histogram 'part'"), std::string::npos) << e.what();
  }
}

TEST(MergeLogs, PicksEveryResultLineAndIgnoresTheRest) {
  std::ostringstream log;
  log << "partcheck bench: waiting until 2026-12-01T06:00:00Z\n"
      << to_json(shard(0, 2)).dump() << "\n"
      << "  throughput 12.3 MiB/s\n"
      << "{\"level\":\"info\",\"msg\":\"no result here\"}\n"
      << "{\"schema\":\"partcheck.run/1\",\"note\":\"partcheck.bench/1 mentioned\"}\n"
      << "2026-12-01T06:01:00.123Z stdout F " << to_json(shard(1, 2)).dump() << "\r\n";
  std::istringstream in(log.str());
  const auto picked = pick_results_from_log(in, "pods.log");
  ASSERT_EQ(picked.size(), 2u);
  EXPECT_EQ(picked[0].source, "pods.log:2");
  EXPECT_EQ(picked[1].source, "pods.log:6");
  EXPECT_EQ(picked[1].result.shard->index, 1u);
  EXPECT_TRUE(check_merge_inputs(picked).empty()) << joined(check_merge_inputs(picked));
}

TEST(MergeLogs, AResultLineThatDoesNotParseIsAnErrorNamingFileAndLine) {
  const auto line = to_json(shard(0, 2)).dump();
  std::istringstream cut("starting\n" + line.substr(0, line.size() / 2) + "\n");
  try {
    pick_results_from_log(cut, "pod-0.log");
    FAIL() << "a cut-off result was taken";
  } catch (const LogInputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("pod-0.log:2: ", 0), 0u) << e.what();
  }
  auto incomplete = to_json(shard(0, 2));
  incomplete.erase("totals");
  std::istringstream wrong("x\ny\n" + incomplete.dump() + "\n");
  try {
    pick_results_from_log(wrong, "pod-1.log");
    FAIL() << "a result without totals was taken";
  } catch (const LogInputError& e) {
    EXPECT_NE(std::string(e.what()).find("pod-1.log:3: bench results: $.totals"), std::string::npos) << e.what();
  }
}

TEST(MergeReport, ASlowShardIsMarkedInTheSummaryAndThePage) {
  auto inputs = inputs_of({shard(0, 4, 0, 1000), shard(1, 4, 0, 1000), shard(2, 4, 0, 700), shard(3, 4, 0, 1100)});
  const auto m = merge_shards(inputs, {});
  EXPECT_EQ(slow_shards(m.shards), (std::vector<bool>{false, false, true, false}));  // 700 < 0.8 x 1000
  std::ostringstream summary;
  print_summary(m, summary);
  const auto text = summary.str();
  EXPECT_NE(text.find("4 merged; 1 SLOW"), std::string::npos) << text;
  const auto slow_line = text.find("bench-2");
  ASSERT_NE(slow_line, std::string::npos) << text;
  EXPECT_NE(text.substr(slow_line, text.find('\n', slow_line) - slow_line).find("SLOW"), std::string::npos) << text;

  const auto html = render_html_report(m);
  EXPECT_NE(html.find("aria-label=\"Throughput per shard\""), std::string::npos);
  for (const char* shown : {"shard 0", "shard 1", "shard 2", "shard 3", "bench-3", "class=\"fail\">slow</td>"})
    EXPECT_NE(html.find(shown), std::string::npos) << shown;
  EXPECT_NE(html.find("SLOW</title>"), std::string::npos) << "the slow bar says so";

  const auto single = render_html_report(inputs[0].result);
  EXPECT_EQ(single.find("Throughput per shard"), std::string::npos);
  EXPECT_EQ(single.find("<h2>Shards</h2>"), std::string::npos);
}
