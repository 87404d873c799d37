#pragma once
// Collects what the uploads report while the run goes on: bytes per segment,
// latency histograms, errors and counters. Events before the end of the
// warm-up are dropped. Thread-safe; the live counters are lock-free for the
// progress line.
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench/latency_histogram.hpp"
#include "bench/part_connection.hpp"
#include "bench/results.hpp"
#include "bench/samples_file.hpp"
#include "bench/segments.hpp"

namespace partcheck::bench {

struct MovedFile {
  std::uint64_t file_index = 0;
  std::string file_id;
  std::uint64_t size = 0;
};

// How one upload went, on the steady clock, for the per-upload timeline.
// The driver fills it as the upload runs (one upload is on one strand) and
// hands it over once, when the upload is over.
struct UploadTimes {
  enum class Outcome { Ok, Failed, Stopped };
  Clock::time_point intended, started, finished;  // finished: the upload was over
  std::vector<Clock::time_point> part_ends;       // acknowledged parts, in answer order
  std::optional<Clock::time_point> move_finished;
  std::uint64_t bytes = 0;                        // body bytes acknowledged
  Outcome outcome = Outcome::Ok;
};

// Limits for the timeline; the defaults keep a long run's memory bounded.
struct TimelineLimits {
  std::size_t uploads = kMaxTimelineUploads;
  std::size_t part_ends = kMaxTimelinePartEnds;
};

class Recorder {
 public:
  // With `samples` (--samples FILE, outlives the recorder) every value put
  // into a histogram is also kept there under the histogram's name.
  Recorder(Clock::time_point origin, double warmup_s, TimelineLimits timeline_limits = {},
           SampleLog* samples = nullptr);

  double seconds(Clock::time_point t) const { return std::chrono::duration<double>(t - origin_).count(); }
  bool in_window(Clock::time_point t) const { return seconds(t) >= window_start_; }

  void bytes_written(std::uint64_t bytes, Clock::time_point from, Clock::time_point to);
  void part_done(const Answer& answer);
  void retry();
  void error(int status, const std::string& code);
  void late_start();
  void move_done(const Answer& answer);
  // intended: when the upload should have started (open model), started: when it did.
  void upload_done(Clock::time_point intended, Clock::time_point started, Clock::time_point finished);
  void upload_failed(Clock::time_point at);
  void digest_checked(bool matched, const std::string& failure);
  void moved(MovedFile file);
  // Keeps the span while there is room; an upload over before the window is
  // not part of the run's figures and is left out, not counted as dropped.
  void upload_timeline(const UploadTimes& times);

  // Live figures for the progress line.
  std::uint64_t live_bytes() const { return live_bytes_.load(std::memory_order_relaxed); }
  std::uint64_t live_uploads() const { return live_uploads_.load(std::memory_order_relaxed); }
  std::uint64_t live_errors() const { return live_errors_.load(std::memory_order_relaxed); }

  // Fills segments, histograms, errors, totals (not the rates), verification
  // and the timeline.
  void export_to(BenchResult& result, double window_end_s) const;
  std::vector<MovedFile> moved_files() const;

 private:
  Clock::time_point origin_;
  double window_start_;
  mutable std::mutex mutex_;
  SegmentAccumulator segments_;
  // A histogram and, with --samples, the list of every value it took (one
  // pointer test per value when there is none).
  struct Series {
    LatencyHistogram histogram;
    std::vector<double>* samples = nullptr;
    void record(double seconds);
  };
  Series part_, ttfb_, upload_, upload_uncorrected_, move_;
  std::map<std::pair<int, std::string>, std::uint64_t> errors_;
  std::uint64_t uploads_ = 0, parts_ = 0, failed_ = 0, retries_ = 0, late_ = 0;
  Verification verification_;
  std::vector<MovedFile> moved_;
  TimelineLimits timeline_limits_;
  std::vector<UploadSpan> timeline_;
  std::size_t timeline_part_ends_ = 0;
  std::uint64_t timeline_dropped_ = 0;
  std::atomic<std::uint64_t> live_bytes_{0}, live_uploads_{0}, live_errors_{0};
};

}  // namespace partcheck::bench
