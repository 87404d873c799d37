#include "bench/load_driver.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/poisson_schedule.hpp"
#include "contract/part_plan.hpp"
#include "contract/uuid.hpp"

namespace partcheck::bench {

namespace asio = boost::asio;

std::optional<std::uint64_t> planned_files(const BenchOptions& options) {
  if (options.files) return options.files;
  if (options.duration_s) return std::nullopt;
  return std::max<std::uint64_t>(4, options.concurrency);
}

namespace {

// One lane: the connections that carry one upload at a time.
struct Lane {
  explicit Lane(Strand s) : strand(s) {}
  Strand strand;
  std::vector<std::shared_ptr<PartConnection>> connections;
};

struct Arrival {
  std::uint64_t file_index;
  Clock::time_point intended;
};

}  // namespace

struct LoadDriver::Impl {
  const BenchOptions& options;
  const ShardPlan plan;
  const HttpTarget& target;
  const net::Connector& connector;
  const RequestHeads& heads;
  const BodySource& source;
  asio::io_context io;
  Recorder* recorder = nullptr;
  std::vector<std::unique_ptr<Lane>> lanes;
  std::optional<std::uint64_t> files;  // this process's run length by count
  Clock::time_point origin;

  std::mutex mutex;  // guards everything below
  std::uint64_t next_file = 0;  // this process's count; plan.file_index() makes it the run's
  std::deque<Arrival> pending;  // open model: arrived, waiting for a lane
  std::vector<Lane*> idle_lanes;
  unsigned busy_lanes = 0;
  bool arrivals_over = false;
  bool stopping = false;
  Clock::time_point last_finish;

  Impl(const BenchOptions& o, const ShardPlan& p, const HttpTarget& t, const net::Connector& c, const RequestHeads& h,
       const BodySource& s)
      : options(o), plan(p), target(t), connector(c), heads(h), source(s) {}

  bool open_model() const { return plan.rate_per_s.has_value(); }
  // The next file's arrival; the caller holds the mutex.
  Arrival next_arrival(Clock::time_point intended) { return {plan.file_index(next_file++), intended}; }

  std::uint64_t file_size() const { return source.is_file() ? std::min(options.file_size, source.file_size()) : options.file_size; }

  // ---- one upload ---------------------------------------------------------
  struct Upload : std::enable_shared_from_this<Upload> {
    Impl& d;
    Lane& lane;
    Arrival arrival;
    Clock::time_point started;
    std::string hash = contract::new_uuid();
    std::vector<contract::ContentRange> parts;
    std::size_t next_part = 0;
    unsigned in_flight = 0;
    bool failed = false, aborted = false, completed = false;
    std::optional<contract::Digest> digest, digest_before_part;
    std::string server_xxh3;
    UploadTimes times;  // for the timeline, handed to the recorder when the upload is over

    Upload(Impl& driver, Lane& l, Arrival a) : d(driver), lane(l), arrival(a), started(Clock::now()) {
      parts = contract::plan_parts(d.file_size(), d.options.part_size);
      times.intended = arrival.intended;
      times.started = started;
      times.part_ends.reserve(parts.size());
      if (d.options.verify == VerifyMode::Digest) digest.emplace(contract::DigestAlgorithm::Xxh3_128);
    }

    void start() {
      const auto width = std::min<std::size_t>(lane.connections.size(), parts.size());
      for (std::size_t c = 0; c < width; ++c) launch(c);
    }

    void launch(std::size_t connection) {
      if (failed || next_part == parts.size()) {
        if (in_flight == 0) finish();
        return;
      }
      send(connection, next_part++, 0);
    }

    void send(std::size_t connection, std::size_t part, unsigned attempt) {
      ++in_flight;
      if (digest) digest_before_part = *digest;  // a retried part is hashed again from here
      PartRequest request{hash, arrival.file_index, parts[part], digest ? &*digest : nullptr};
      lane.connections[connection]->send_part(
          request, [self = shared_from_this(), connection, part, attempt](Answer answer) {
            self->answered(connection, part, attempt, std::move(answer));
          });
    }

    void answered(std::size_t connection, std::size_t part, unsigned attempt, Answer answer) {
      --in_flight;
      if (answer.aborted) {
        failed = aborted = true;
      } else if (answer.status == 0 || answer.status == 503) {
        if (attempt < d.options.retries && !d.is_stopping()) {
          d.recorder->retry();
          if (digest) *digest = *digest_before_part;
          lane.connections[connection]->close();
          return send(connection, part, attempt + 1);
        }
        d.recorder->error(answer.status, answer.status == 0 ? answer.transport_error : error_code_of(answer.body));
        failed = true;
      } else if (answer.status == 200 || answer.status == 206) {
        d.recorder->part_done(answer);
        times.part_ends.push_back(answer.finished);
        times.bytes += parts[part].length();
        if (answer.status == 200) {
          completed = true;
          auto body = nlohmann::json::parse(answer.body, nullptr, false);
          if (body.is_object() && body.contains("xxh3") && body["xxh3"].is_string()) server_xxh3 = body["xxh3"];
        }
      } else {
        d.recorder->error(answer.status, error_code_of(answer.body));
        failed = true;
      }
      launch(connection);
    }

    void finish() {
      const auto now = Clock::now();
      if (!failed && !completed) {
        d.recorder->error(0, "NoCompletion: every part was accepted but none answered 200");
        failed = true;
      }
      if (failed) {
        if (!aborted) d.recorder->upload_failed(now);
        over(aborted ? UploadTimes::Outcome::Stopped : UploadTimes::Outcome::Failed, now);
        return d.lane_free(lane);
      }
      if (digest) {
        const auto expected = digest->hex();
        d.recorder->digest_checked(server_xxh3 == expected,
                                   "upload " + std::to_string(arrival.file_index) + " (" + hash + "): server xxh3 '" +
                                       server_xxh3 + "', sent bytes hash to '" + expected + "'");
      }
      if (!d.options.move) {
        d.recorder->upload_done(arrival.intended, started, now);
        over(UploadTimes::Outcome::Ok, now);
        return d.lane_free(lane);
      }
      move();
    }

    void over(UploadTimes::Outcome outcome, Clock::time_point at) {
      times.outcome = outcome;
      times.finished = at;
      d.recorder->upload_timeline(times);
    }

    void move() {
      nlohmann::json body = {{"files", {{{"hash", hash}, {"name", "bench-" + std::to_string(arrival.file_index) + ".bin"}}}}};
      lane.connections[0]->send_small(
          "POST", "/pub/v1/disk/file/move?directoryID=" + d.target.directory_id, body.dump(),
          [self = shared_from_this()](Answer answer) {
            auto& r = *self->d.recorder;
            self->times.move_finished = answer.finished;
            if (answer.status == 200) {
              r.move_done(answer);
              r.upload_done(self->arrival.intended, self->started, answer.finished);
              auto json = nlohmann::json::parse(answer.body, nullptr, false);
              if (json.is_object() && json.contains("files") && json["files"].is_array() && !json["files"].empty() &&
                  json["files"][0].contains("__id"))
                r.moved({self->arrival.file_index, json["files"][0]["__id"].get<std::string>(), self->d.file_size()});
            } else if (!answer.aborted) {
              r.error(answer.status, answer.status == 0 ? "move " + answer.transport_error : error_code_of(answer.body));
              r.upload_failed(answer.finished);
            }
            self->over(answer.status == 200 ? UploadTimes::Outcome::Ok
                       : answer.aborted     ? UploadTimes::Outcome::Stopped
                                            : UploadTimes::Outcome::Failed,
                       answer.finished);
            self->d.lane_free(self->lane);
          });
    }
  };

  bool is_stopping() {
    std::lock_guard lock(mutex);
    return stopping;
  }

  void start_upload(Lane& lane, Arrival arrival) {
    asio::post(lane.strand, [this, &lane, arrival] {
      auto upload = std::make_shared<Upload>(*this, lane, arrival);
      if (open_model() && std::chrono::duration<double>(upload->started - arrival.intended).count() > kLateStartTolerance_s)
        recorder->late_start();
      upload->start();
    });
  }

  // A lane finished an upload: give it the next one, or park it.
  void lane_free(Lane& lane) {
    std::unique_lock lock(mutex);
    last_finish = Clock::now();
    if (!stopping) {
      if (open_model()) {
        if (!pending.empty()) {
          auto arrival = pending.front();
          pending.pop_front();
          lock.unlock();
          return start_upload(lane, arrival);
        }
      } else if (!files || next_file < *files) {
        Arrival arrival = next_arrival(Clock::now());
        lock.unlock();
        return start_upload(lane, arrival);
      }
    }
    idle_lanes.push_back(&lane);
    --busy_lanes;
    maybe_end(lock);
  }

  void maybe_end(std::unique_lock<std::mutex>&) {
    const bool closed_done = !open_model() && (stopping || (files && next_file >= *files));
    const bool open_done = open_model() && (stopping || arrivals_over) && pending.empty();
    if (busy_lanes == 0 && (closed_done || open_done)) {
      for (auto& l : lanes)
        for (auto& c : l->connections) c->abort();
      io_stop_work();
    }
  }

  // Open model: the next arrival.
  void schedule_arrivals(std::shared_ptr<PoissonSchedule> schedule) {
    std::unique_lock lock(mutex);
    if (stopping || (files && next_file >= *files)) {
      arrivals_over = true;
      return maybe_end(lock);
    }
    Arrival arrival =
        next_arrival(origin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(schedule->next())));
    lock.unlock();
    arrivals.expires_at(arrival.intended);
    arrivals.async_wait([this, schedule, arrival](boost::system::error_code ec) {
      if (ec || ended) return;
      std::unique_lock guard(mutex);
      if (stopping) return;
      if (!idle_lanes.empty()) {
        Lane* lane = idle_lanes.back();
        idle_lanes.pop_back();
        ++busy_lanes;
        guard.unlock();
        start_upload(*lane, arrival);
      } else {
        pending.push_back(arrival);
      }
      if (guard.owns_lock()) guard.unlock();
      schedule_arrivals(schedule);
    });
  }

  void stop_now() {
    std::unique_lock lock(mutex);
    stopping = true;
    pending.clear();
    for (auto& l : lanes)
      for (auto& c : l->connections) c->abort();
    maybe_end(lock);
  }

  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  bool ended = false;  // on the control strand: io_stop_work ran, no timer may re-arm
  Strand control{asio::make_strand(io)};  // the timers' handlers run one at a time
  asio::steady_timer deadline{control};
  asio::steady_timer ticker{control};
  asio::steady_timer arrivals{control};
  // Everything is done: let io.run() return once the connections have closed.
  void io_stop_work() {
    asio::post(control, [this] {
      // A timer that had already fired has its handler queued behind this one
      // and cancel() cannot reach it: the flag keeps the ticker from re-arming
      // (which kept io.run() from ever returning).
      ended = true;
      work.reset();
      deadline.cancel();
      ticker.cancel();
      arrivals.cancel();
    });
  }
};

LoadDriver::LoadDriver(const BenchOptions& options, const ShardPlan& plan, const HttpTarget& target,
                       const net::Connector& connector, const RequestHeads& heads, const BodySource& source)
    : impl_(std::make_unique<Impl>(options, plan, target, connector, heads, source)) {}

LoadDriver::~LoadDriver() = default;

DriveSummary LoadDriver::run(Recorder& recorder, std::chrono::milliseconds tick_interval,
                             const std::function<void(const Recorder&, double)>& tick) {
  auto& d = *impl_;
  const auto& o = d.options;
  d.recorder = &recorder;
  d.files = d.plan.files;
  d.origin = Clock::now();
  d.last_finish = d.origin;
  auto timeout = std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000));
  const auto connections_per_lane = std::max(1u, o.part_concurrency);
  for (unsigned i = 0; i < std::max(1u, d.plan.concurrency); ++i) {
    auto lane = std::make_unique<Lane>(asio::make_strand(d.io));
    for (unsigned c = 0; c < connections_per_lane; ++c)
      lane->connections.push_back(std::make_shared<PartConnection>(
          lane->strand, d.connector, d.heads, d.source, o.io_buffer, timeout,
          [&recorder](std::uint64_t n, Clock::time_point from, Clock::time_point to) { recorder.bytes_written(n, from, to); }));
    d.idle_lanes.push_back(lane.get());
    d.lanes.push_back(std::move(lane));
  }
  d.work.emplace(d.io.get_executor());

  // Start: every lane at once (closed), or the arrival clock (open).
  if (d.open_model()) {
    d.schedule_arrivals(std::make_shared<PoissonSchedule>(*d.plan.rate_per_s, d.plan.schedule_seed));
  } else {
    std::unique_lock lock(d.mutex);
    while (!d.idle_lanes.empty() && (!d.files || d.next_file < *d.files)) {
      Lane* lane = d.idle_lanes.back();
      d.idle_lanes.pop_back();
      ++d.busy_lanes;
      d.start_upload(*lane, d.next_arrival(d.origin));
    }
    d.maybe_end(lock);
  }

  if (o.duration_s) {
    d.deadline.expires_at(d.origin + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(o.warmup_s + *o.duration_s)));
    d.deadline.async_wait([&d](boost::system::error_code ec) {
      if (!ec) d.stop_now();
    });
  }
  std::function<void()> arm_ticker = [&] {
    d.ticker.expires_after(tick_interval);
    d.ticker.async_wait([&](boost::system::error_code ec) {
      if (ec || d.ended) return;
      tick(recorder, recorder.seconds(Clock::now()));
      arm_ticker();
    });
  };
  if (tick) arm_ticker();

  // Lanes are strands, so threads beyond the number of connections would idle.
  const unsigned threads =
      std::clamp(d.plan.concurrency * connections_per_lane, 1u, std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&d] { d.io.run(); });
  d.io.run();
  for (auto& t : pool) t.join();

  DriveSummary summary;
  std::lock_guard lock(d.mutex);
  summary.wall_s = recorder.seconds(d.last_finish);
  summary.window_end_s = o.duration_s && d.stopping ? o.warmup_s + *o.duration_s : summary.wall_s;
  return summary;
}

}  // namespace partcheck::bench
