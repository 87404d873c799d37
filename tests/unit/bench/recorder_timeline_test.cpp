// The per-upload timeline the recorder keeps: spans on the segments' clock
// (seconds from the end of the warm-up), a bounded number of them, and the
// JSON form that carries them to the HTML report.
#include <gtest/gtest.h>

#include <thread>

#include "bench/recorder.hpp"
#include "bench/results.hpp"

using namespace partcheck::bench;

namespace {

const Clock::time_point kOrigin = Clock::now();

Clock::time_point at(double seconds) {
  return kOrigin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

UploadTimes upload(double started, std::vector<double> part_ends, UploadTimes::Outcome outcome = UploadTimes::Outcome::Ok) {
  UploadTimes t;
  t.intended = at(started);
  t.started = at(started);
  for (double end : part_ends) t.part_ends.push_back(at(end));
  t.finished = at(part_ends.empty() ? started : part_ends.back());
  t.bytes = part_ends.size() * 1000;
  t.outcome = outcome;
  return t;
}

BenchResult exported(const Recorder& recorder) {
  BenchResult r;
  recorder.export_to(r, 10);
  return r;
}

}  // namespace

TEST(RecorderTimeline, SpansAreOnTheMeasuredClock) {
  Recorder recorder(kOrigin, 1.0);
  UploadTimes t;
  t.intended = at(0.4);
  t.started = at(0.5);
  t.part_ends = {at(0.9), at(1.5), at(2.0)};
  t.move_finished = at(2.25);
  t.finished = at(2.25);
  t.bytes = 3 << 20;
  recorder.upload_timeline(t);

  auto r = exported(recorder);
  ASSERT_EQ(r.timeline.size(), 1u);
  const auto& span = r.timeline[0];
  EXPECT_NEAR(span.start_s, -0.5, 1e-6);  // began during the warm-up
  EXPECT_NEAR(span.end_s, 1.25, 1e-6);
  ASSERT_TRUE(span.intended_s && span.move_end_s);
  EXPECT_NEAR(*span.intended_s, -0.6, 1e-6);
  EXPECT_NEAR(*span.move_end_s, 1.25, 1e-6);
  ASSERT_EQ(span.part_ends_s.size(), 3u);
  EXPECT_NEAR(span.part_ends_s[0], -0.1, 1e-6);
  EXPECT_NEAR(span.part_ends_s[2], 1.0, 1e-6);
  EXPECT_EQ(span.bytes, 3u << 20);
  EXPECT_TRUE(span.ok);
  EXPECT_FALSE(span.stopped);
  EXPECT_EQ(r.timeline_dropped, 0u);
}

TEST(RecorderTimeline, OutcomesAreKeptApart) {
  Recorder recorder(kOrigin, 0);
  recorder.upload_timeline(upload(0.1, {0.2}, UploadTimes::Outcome::Failed));
  recorder.upload_timeline(upload(0.3, {}, UploadTimes::Outcome::Stopped));
  auto r = exported(recorder);
  ASSERT_EQ(r.timeline.size(), 2u);
  EXPECT_FALSE(r.timeline[0].ok);
  EXPECT_FALSE(r.timeline[0].stopped);
  EXPECT_FALSE(r.timeline[1].ok);
  EXPECT_TRUE(r.timeline[1].stopped);
  EXPECT_FALSE(r.timeline[1].move_end_s);
}

TEST(RecorderTimeline, UploadsOverBeforeTheWindowAreLeftOut) {
  Recorder recorder(kOrigin, 2.0);
  recorder.upload_timeline(upload(0.0, {0.5, 1.9}));  // all in the warm-up
  recorder.upload_timeline(upload(1.0, {1.5, 2.5}));  // ends in the window
  auto r = exported(recorder);
  ASSERT_EQ(r.timeline.size(), 1u);
  EXPECT_NEAR(r.timeline[0].start_s, -1.0, 1e-6);
  EXPECT_EQ(r.timeline_dropped, 0u);
}

TEST(RecorderTimeline, KeepsTheFirstUploadsAndCountsTheRest) {
  Recorder recorder(kOrigin, 0, {.uploads = 3, .part_ends = 100});
  for (int i = 0; i < 5; ++i) recorder.upload_timeline(upload(i, {i + 0.5}));
  auto r = exported(recorder);
  ASSERT_EQ(r.timeline.size(), 3u);
  EXPECT_NEAR(r.timeline.back().start_s, 2.0, 1e-6);
  EXPECT_EQ(r.timeline_dropped, 2u);
}

TEST(RecorderTimeline, PartEndsAreBoundedToo) {
  Recorder recorder(kOrigin, 0, {.uploads = 100, .part_ends = 5});
  recorder.upload_timeline(upload(0, {0.1, 0.2, 0.3}));
  recorder.upload_timeline(upload(1, {1.1, 1.2, 1.3}));  // 6 part ends: over
  recorder.upload_timeline(upload(2, {2.1}));            // would fit, but the timeline stays a prefix
  auto r = exported(recorder);
  ASSERT_EQ(r.timeline.size(), 1u);
  EXPECT_EQ(r.timeline_dropped, 2u);
}

TEST(RecorderTimeline, BoundHoldsUnderConcurrentUploads) {
  Recorder recorder(kOrigin, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&recorder, t] {
      for (int i = 0; i < 1000; ++i) recorder.upload_timeline(upload(t + i * 0.001, {t + i * 0.001 + 0.5}));
    });
  for (auto& thread : threads) thread.join();
  auto r = exported(recorder);
  EXPECT_EQ(r.timeline.size(), kMaxTimelineUploads);
  EXPECT_EQ(r.timeline.size() + r.timeline_dropped, 4000u);
}

TEST(RecorderTimeline, SurvivesTheJsonRoundTrip) {
  Recorder recorder(kOrigin, 0.5, {.uploads = 2, .part_ends = 100});
  auto moved = upload(0.2, {0.6, 0.9});
  moved.intended = at(0.1);
  moved.move_finished = at(1.0);
  moved.finished = at(1.0);
  recorder.upload_timeline(moved);
  recorder.upload_timeline(upload(1.0, {1.4}, UploadTimes::Outcome::Stopped));
  recorder.upload_timeline(upload(2.0, {2.4}));
  auto r = exported(recorder);

  auto back = bench_result_from_json(nlohmann::json::parse(to_json(r).dump()));
  ASSERT_EQ(back.timeline.size(), 2u);
  EXPECT_EQ(back.timeline_dropped, 1u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_DOUBLE_EQ(back.timeline[i].start_s, r.timeline[i].start_s);
    EXPECT_DOUBLE_EQ(back.timeline[i].end_s, r.timeline[i].end_s);
    EXPECT_EQ(back.timeline[i].part_ends_s, r.timeline[i].part_ends_s);
    EXPECT_EQ(back.timeline[i].intended_s, r.timeline[i].intended_s);
    EXPECT_EQ(back.timeline[i].move_end_s, r.timeline[i].move_end_s);
    EXPECT_EQ(back.timeline[i].ok, r.timeline[i].ok);
    EXPECT_EQ(back.timeline[i].stopped, r.timeline[i].stopped);
  }
  EXPECT_TRUE(back.timeline[0].move_end_s);
  EXPECT_TRUE(back.timeline[1].stopped);
}

TEST(RecorderTimeline, FilesFromBeforeTheNewFieldsStillRead) {
  Recorder recorder(kOrigin, 0);
  recorder.upload_timeline(upload(0.2, {0.6}));
  auto json = to_json(exported(recorder));
  json.erase("timeline_dropped");
  for (auto& span : json["timeline"]) {
    span.erase("intended_s");
    span.erase("move_end_s");
    span.erase("stopped");
  }
  auto back = bench_result_from_json(json);
  ASSERT_EQ(back.timeline.size(), 1u);
  EXPECT_FALSE(back.timeline[0].intended_s);
  EXPECT_FALSE(back.timeline[0].stopped);
  EXPECT_EQ(back.timeline_dropped, 0u);

  json["timeline"][0]["stopped"] = "yes";
  try {
    bench_result_from_json(json);
    ADD_FAILURE() << "read a string as a bool";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("stopped"), std::string::npos) << e.what();
  }
}
