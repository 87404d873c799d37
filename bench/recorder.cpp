#include "bench/recorder.hpp"

#include <algorithm>

namespace partcheck::bench {

namespace {
double between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}
constexpr std::size_t kMaxFailuresKept = 10;
}  // namespace

void Recorder::Series::record(double seconds) {
  seconds = std::max(seconds, 0.0);  // as the histogram keeps it, so the samples match its counts
  histogram.record(seconds);
  if (samples) samples->push_back(seconds);
}

Recorder::Recorder(Clock::time_point origin, double warmup_s, TimelineLimits timeline_limits, SampleLog* samples)
    : origin_(origin), window_start_(warmup_s), segments_(warmup_s), timeline_limits_(timeline_limits) {
  verification_.mode = "none";
  if (samples) {
    // The names the histograms have in the results.
    part_.samples = &samples->series("part");
    ttfb_.samples = &samples->series("ttfb");
    upload_.samples = &samples->series("upload");
    upload_uncorrected_.samples = &samples->series("upload_uncorrected");
    move_.samples = &samples->series("move");
  }
}

void Recorder::bytes_written(std::uint64_t bytes, Clock::time_point from, Clock::time_point to) {
  live_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  segments_.add_bytes(seconds(from), seconds(to), bytes);
}

void Recorder::part_done(const Answer& answer) {
  if (!in_window(answer.finished)) return;
  std::lock_guard lock(mutex_);
  ++parts_;
  segments_.add_part_done(seconds(answer.finished));
  part_.record(between(answer.started, answer.finished));
  ttfb_.record(between(answer.body_sent, answer.first_byte));
}

void Recorder::retry() {
  std::lock_guard lock(mutex_);
  ++retries_;
}

void Recorder::error(int status, const std::string& code) {
  live_errors_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  ++errors_[{status, code.empty() ? std::string("(no code)") : code}];
}

void Recorder::late_start() {
  std::lock_guard lock(mutex_);
  ++late_;
}

void Recorder::move_done(const Answer& answer) {
  if (!in_window(answer.finished)) return;
  std::lock_guard lock(mutex_);
  move_.record(between(answer.started, answer.finished));
}

void Recorder::upload_done(Clock::time_point intended, Clock::time_point started, Clock::time_point finished) {
  live_uploads_.fetch_add(1, std::memory_order_relaxed);
  if (!in_window(finished)) return;
  std::lock_guard lock(mutex_);
  ++uploads_;
  upload_.record(between(intended, finished));
  upload_uncorrected_.record(between(started, finished));
}

void Recorder::upload_failed(Clock::time_point at) {
  if (!in_window(at)) return;
  std::lock_guard lock(mutex_);
  ++failed_;
}

void Recorder::digest_checked(bool matched, const std::string& failure) {
  std::lock_guard lock(mutex_);
  ++verification_.checked;
  if (matched) return;
  ++verification_.mismatches;
  if (verification_.failures.size() < kMaxFailuresKept) verification_.failures.push_back(failure);
}

void Recorder::moved(MovedFile file) {
  std::lock_guard lock(mutex_);
  moved_.push_back(std::move(file));
}

void Recorder::upload_timeline(const UploadTimes& times) {
  if (!in_window(times.finished)) return;
  // Spans are on the segments' clock: seconds from the end of the warm-up.
  auto measured = [this](Clock::time_point t) { return seconds(t) - window_start_; };
  std::lock_guard lock(mutex_);
  // Once one upload did not fit, later ones are dropped too: the timeline is
  // always a prefix of the run, never one with holes.
  if (timeline_dropped_ > 0 || timeline_.size() >= timeline_limits_.uploads ||
      timeline_part_ends_ + times.part_ends.size() > timeline_limits_.part_ends) {
    ++timeline_dropped_;
    return;
  }
  UploadSpan span;
  span.start_s = measured(times.started);
  span.end_s = measured(times.finished);
  span.bytes = times.bytes;
  span.part_ends_s.reserve(times.part_ends.size());
  for (auto t : times.part_ends) span.part_ends_s.push_back(measured(t));
  span.ok = times.outcome == UploadTimes::Outcome::Ok;
  span.stopped = times.outcome == UploadTimes::Outcome::Stopped;
  span.intended_s = measured(times.intended);
  if (times.move_finished) span.move_end_s = measured(*times.move_finished);
  timeline_part_ends_ += span.part_ends_s.size();
  timeline_.push_back(std::move(span));
}

std::vector<MovedFile> Recorder::moved_files() const {
  std::lock_guard lock(mutex_);
  return moved_;
}

void Recorder::export_to(BenchResult& result, double window_end_s) const {
  std::lock_guard lock(mutex_);
  result.segments = segments_.segments(window_end_s);
  auto put = [&](const char* name, const Series& s) {
    if (s.histogram.count() > 0) result.histograms[name] = s.histogram.data();
  };
  put("part", part_);
  put("ttfb", ttfb_);
  put("upload", upload_);
  put("upload_uncorrected", upload_uncorrected_);
  put("move", move_);
  result.errors.clear();
  for (const auto& [key, count] : errors_) result.errors.push_back({key.first, key.second, count});
  auto& t = result.totals;
  t.bytes = 0;
  for (const auto& s : result.segments) t.bytes += s.bytes;
  t.uploads = uploads_;
  t.parts = parts_;
  t.failed_uploads = failed_;
  t.retries = retries_;
  t.late_starts = late_;
  result.timeline = timeline_;
  result.timeline_dropped = timeline_dropped_;
  const auto mode = result.verification.mode;
  result.verification = verification_;
  result.verification.mode = mode;
}

}  // namespace partcheck::bench
