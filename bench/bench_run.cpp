#include "bench/bench_run.hpp"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <ostream>
#include <thread>

#include "bench/body_source.hpp"
#include "bench/calibration.hpp"
#include "bench/download_check.hpp"
#include "bench/embedded_target.hpp"
#include "bench/load_driver.hpp"
#include "bench/request_head.hpp"
#include "bench/samples_file.hpp"
#include "bench/shard_plan.hpp"
#include "bench/summary.hpp"
#include "bench/units.hpp"
#include "common/iso_time.hpp"
#include "contract/part_plan.hpp"
#include "net/connector.hpp"

namespace partcheck::bench {

namespace asio = boost::asio;

const char* verify_name(VerifyMode mode) {
  switch (mode) {
    case VerifyMode::None: return "none";
    case VerifyMode::Digest: return "digest";
    case VerifyMode::Download: return "download";
  }
  return "none";
}

namespace {

constexpr std::size_t kDownloadSample = 4;
constexpr std::uint64_t kMemoryStorageLimit = 2ull << 30;  // beyond this the embedded mock keeps files on disk
constexpr double kReachTimeout_s = 10;  // per step of the first connection: a dead address fails fast
constexpr double kLateShardStart_s = 0.5;  // a shard starting later than this after --start-at is late

void check_options(const BenchOptions& o, std::uint64_t file_size) {
  using contract::format_byte_size;
  if (o.part_size == 0) throw UsageError("--part-size must be greater than zero");
  if (o.part_size > contract::kMaxPartSize)
    throw UsageError("--part-size " + format_byte_size(o.part_size) + " is over the contract's 5 GiB limit");
  if (o.part_size < file_size && o.part_size < contract::kMinPartSize)
    throw UsageError("--part-size " + format_byte_size(o.part_size) +
                     " is under the contract's 5 MiB minimum for non-final parts (use a part size >= the file size to send it whole)");
  if (o.files && o.duration_s) throw UsageError("--files and --duration exclude each other");
  if (o.files && *o.files == 0) throw UsageError("--files must be at least 1");
  if (o.duration_s && !(*o.duration_s > 0)) throw UsageError("--duration must be positive");
  if (o.concurrency == 0 || o.part_concurrency == 0) throw UsageError("--concurrency and --part-concurrency must be at least 1");
  if (o.rate_per_s && !(*o.rate_per_s > 0)) throw UsageError("--rate must be a positive number of uploads per second");
  if (o.compressible_percent > 100) throw UsageError("--compressible must be between 0 and 100");
  if (o.verify == VerifyMode::Digest && o.part_concurrency > 1)
    throw UsageError("--verify digest hashes the bytes in order as they are sent; it needs --part-concurrency 1");
  if (o.warmup_s < 0) throw UsageError("--warmup must not be negative");
}

struct Reached {
  bool loopback = false;     // the first hop (the target, or the proxy) is this machine
  TransportFacts transport;  // TLS version and cipher of this first connection, the proxy
};

// Resolves once, then makes one whole connection (proxy CONNECT and TLS
// handshake included) before any load: a CA not trusted or a refused CONNECT
// is then one message with its fix, not a run of failed parts.
Reached reach(net::Connector& connector, const HttpTarget& target, double timeout_s) {
  const auto timeout = std::chrono::milliseconds(static_cast<long>(std::min(timeout_s, kReachTimeout_s) * 1000));
  asio::io_context io;  // outlives the stream made on it
  std::unique_ptr<net::AnyStream> stream;
  try {
    connector.resolve(timeout);
    stream = connector.connect_blocking(io, timeout);
  } catch (const net::TransportError& e) {
    throw TargetUnreachable("target " + target.url() + ": " + e.full());
  }
  Reached r;
  boost::system::error_code ec;
  const auto peer = stream->tcp().socket().remote_endpoint(ec);
  r.loopback = !ec && peer.address().is_loopback();
  if (SSL* ssl = stream->ssl()) {
    r.transport.tls = true;
    r.transport.tls_version = SSL_get_version(ssl);
    r.transport.tls_cipher = SSL_get_cipher_name(ssl);
  }
  if (connector.proxy()) r.transport.proxy = connector.proxy()->origin();
  return r;
}

// The config's transport settings with the flags laid over them.
net::ClientSettings transport_settings(const BenchOptions& o, const HttpTarget& target, bool embedded) {
  net::ClientSettings settings = target.transport;
  // The embedded mock is on loopback: an HTTP_PROXY in the environment is not
  // meant for it (an explicit --proxy still is).
  if (embedded) settings.proxy = "none";
  try {
    if (o.transport_flags) o.transport_flags(settings);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  return settings;
}

// This process's slice of the run (the whole run when not sharded).
ShardPlan plan_of(const BenchOptions& o) {
  try {
    return plan_shard({planned_files(o), o.concurrency, o.rate_per_s, o.seed}, o.shard.value_or(ShardSpec{}));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

// Sleeps until --start-at, so every shard's load (and warm-up) begins at the
// same wall-clock instant. Returns how late the load begins when that is
// more than kLateShardStart_s (a shard that was slow to get here), else 0.
double wait_for_start(SystemTime start_at, bool quiet, std::ostream& log) {
  const auto now = std::chrono::system_clock::now();
  if (start_at > now && !quiet)
    log << "waiting until " << iso8601_utc(start_at) << " (--start-at, "
        << format_fixed(std::chrono::duration<double>(start_at - now).count(), 1) << " s) to start the load\n"
        << std::flush;
  std::this_thread::sleep_until(start_at);
  const double late_s = std::chrono::duration<double>(std::chrono::system_clock::now() - start_at).count();
  if (late_s <= kLateShardStart_s) return 0;
  log << "warning: the load starts " << format_fixed(late_s, 3) << " s after --start-at " << iso8601_utc(start_at)
      << "; this shard's window is not aligned with the others' (start the shards earlier, or set --start-at later)\n";
  return late_s;
}

ShardInfo shard_info(const BenchOptions& o, const ShardPlan& plan, double late_start_s) {
  ShardInfo s;
  s.index = plan.shard.index;
  s.count = plan.shard.count;
  s.run_id = o.run_id;
  s.files = plan.files;
  s.concurrency = plan.concurrency;
  s.rate_per_s = plan.rate_per_s;
  s.first_file_index = plan.file_index(0);
  if (o.start_at) s.start_at = iso8601_utc(*o.start_at);
  s.late_start_s = late_start_s;
  return s;
}

}  // namespace

bool run_passed(const BenchResult& result) {
  for (const auto& g : result.gates)
    if (!g.passed) return false;
  return result.verification.mismatches == 0;
}

BenchResult run_bench(const BenchOptions& options, std::ostream& log) {
  BenchOptions o = options;
  if (o.verify == VerifyMode::Download) o.move = true;  // downloads go through moved files
  std::unique_ptr<BodySource> source;
  try {
    source = o.source_file ? std::make_unique<BodySource>(*o.source_file)
                           : std::make_unique<BodySource>(o.seed, o.compressible_percent);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  const std::uint64_t file_size = source->is_file() ? std::min(o.file_size, source->file_size()) : o.file_size;
  if (source->is_file() && o.file_size > source->file_size())
    log << "note: --source holds " << contract::format_byte_size(source->file_size()) << "; files are that size\n";
  check_options(o, file_size);
  const ShardPlan plan = plan_of(o);
  std::unique_ptr<SampleLog> samples;  // created now: a path that cannot be written is refused before the run
  try {
    if (o.samples_file) samples = std::make_unique<SampleLog>(*o.samples_file);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }

  // The target.
  BenchResult result;
  result.environment = describe_environment();
  std::unique_ptr<EmbeddedServer> embedded;
  HttpTarget target;
  std::string kind = "external";
  if (o.target_config) {
    try {
      target = load_target_config(*o.target_config);
    } catch (const std::exception& e) {
      throw UsageError(e.what());
    }
  } else if (o.target) {
    try {
      target = parse_target_url(*o.target);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  } else {
    const auto planned = plan.files;  // what this process uploads, not the whole run
    std::string storage = "null";
    if (o.verify == VerifyMode::Download)
      storage = planned && *planned * file_size <= kMemoryStorageLimit ? "memory" : "disk";
    std::vector<std::string> extra;
    if (o.part_concurrency > 1) extra = {"--profile", "lenient"};  // the profile that takes parts in parallel
    embedded = std::make_unique<EmbeddedServer>(storage, extra);
    target = parse_target_url(embedded->url());
    target.api_key = embedded->api_key();
    target.directory_id = embedded->root_directory();
    target.parallel_parts_allowed = o.part_concurrency > 1;
    kind = "embedded-" + storage;
  }
  if (!o.api_key.empty()) target.api_key = o.api_key;
  if (!o.directory_id.empty()) target.directory_id = o.directory_id;
  if (o.move && target.directory_id.empty())
    throw UsageError("--move needs the destination directory: set directory_id in --target-config");
  if (o.part_concurrency > 1 && !target.parallel_parts_allowed)
    log << "note: sending parts in parallel; the target must accept parts out of order (set parallel_parts: true in the target config to silence this)\n";
  std::unique_ptr<net::Connector> connector;
  std::unique_ptr<RequestHeads> heads;
  try {
    connector = std::make_unique<net::Connector>(target.origin, transport_settings(o, target, embedded != nullptr));
    heads = std::make_unique<RequestHeads>(target, *connector);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const auto reached = reach(*connector, target, o.timeout_s);
  result.transport = reached.transport;

  auto& c = result.config;
  c.target = target.url();
  c.target_kind = kind;
  c.file_size = file_size;
  c.part_size = o.part_size;
  c.files = planned_files(o);
  c.duration_s = o.duration_s;
  c.concurrency = o.concurrency;
  c.part_concurrency = o.part_concurrency;
  c.rate_per_s = o.rate_per_s;
  c.warmup_s = o.warmup_s;
  c.move = o.move;
  c.verify = verify_name(o.verify);
  c.compressible_percent = o.compressible_percent;
  c.source = o.source_file.value_or("");
  c.seed = o.seed;
  c.retries = o.retries;
  c.calibrate = o.calibrate;
  result.verification.mode = c.verify;

  if (o.calibrate) {
    if (!o.quiet) log << "calibrating this machine's ceilings...\n";
    CalibrationPlan ceilings;
    ceilings.connections = plan.concurrency * o.part_concurrency;
    ceilings.io_buffer = o.io_buffer;
    ceilings.part_size = std::min<std::uint64_t>(o.part_size, 1ull << 30);
    ceilings.loopback_target = reached.loopback;
    if (embedded && embedded->data_dir()) ceilings.disk_dir = *embedded->data_dir();
    ceilings.generator_relevant = !source->is_file();
    ceilings.digest_relevant = o.verify == VerifyMode::Digest;
    result.calibration = calibrate(ceilings);
  }

  // The load.
  const double late_start_s = o.start_at ? wait_for_start(*o.start_at, o.quiet, log) : 0;
  if (o.shard || o.start_at || !o.run_id.empty()) result.shard = shard_info(o, plan, late_start_s);
  const auto client_before = self_usage();
  const auto server_before = embedded ? embedded->usage() : ProcessUsage{};
  // The recorder's origin on both clocks: steady for every duration, the wall
  // clock to place this window beside other shards' (report merge).
  const auto wall_origin = std::chrono::system_clock::now();
  Recorder recorder(Clock::now(), o.warmup_s, {}, samples.get());
  result.window_start_unix_s = unix_seconds(wall_origin) + o.warmup_s;
  const auto handshakes_before = connector->handshakes();  // the up-front check's is not the load's
  LoadDriver driver(o, plan, target, *connector, *heads, *source);
  const auto total_bytes = plan.files ? std::optional<std::uint64_t>(*plan.files * file_size) : std::nullopt;
  const auto total_s = o.duration_s ? std::optional<double>(o.warmup_s + *o.duration_s) : std::nullopt;
  std::uint64_t last_bytes = 0;
  double last_time = 0, next_plain = 0;
  const auto tick = [&](const Recorder& r, double elapsed) {
    const auto bytes = r.live_bytes();
    const double rate = elapsed > last_time ? static_cast<double>(bytes - last_bytes) / (elapsed - last_time) : 0;
    last_bytes = bytes;
    last_time = elapsed;
    if (o.quiet) return;
    const auto line = progress_line(bytes, rate, elapsed, total_bytes, total_s, r.live_uploads(), r.live_errors());
    if (o.progress_tty) {
      log << "\r\033[K" << line << std::flush;
    } else if (elapsed >= next_plain) {
      log << line << "\n" << std::flush;
      next_plain = elapsed + 5;
    }
  };
  const auto drive = driver.run(recorder, std::chrono::milliseconds(o.progress_tty ? 250 : 1000), tick);
  if (o.progress_tty && !o.quiet) log << "\r\033[K" << std::flush;
  result.client = usage_difference(self_usage(), client_before);
  result.transport.tls_handshakes = connector->handshakes() - handshakes_before;
  if (embedded) result.server = usage_difference(embedded->usage(), server_before);

  recorder.export_to(result, drive.window_end_s);
  auto& t = result.totals;
  t.wall_s = drive.wall_s;
  t.measured_s = std::max(0.0, drive.window_end_s - o.warmup_s);
  if (t.measured_s > 0) {
    t.throughput_bytes_per_s = static_cast<double>(t.bytes) / t.measured_s;
    t.uploads_per_s = static_cast<double>(t.uploads) / t.measured_s;
    t.parts_per_s = static_cast<double>(t.parts) / t.measured_s;
  } else if (o.warmup_s > 0) {
    log << "note: the run ended inside the warm-up; nothing was measured (lower --warmup or raise --files)\n";
  }
  if (result.calibration) judge_efficiency(*result.calibration, t.throughput_bytes_per_s);

  if (o.verify == VerifyMode::Download)
    verify_downloads(*connector, *heads, *source, recorder.moved_files(), kDownloadSample, o.timeout_s,
                     result.verification);

  if (samples) {
    try {
      samples->write();
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());
    }
  }

  const auto metrics = result.metrics();
  for (const auto& g : evaluate_gates(o.thresholds, metrics))
    result.gates.push_back({g.threshold.text, g.threshold.metric, g.actual, g.passed});
  return result;
}

}  // namespace partcheck::bench
