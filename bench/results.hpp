#pragma once
// What one `partcheck bench` run measured. The bench fills it; the text
// summary, `--out FILE.json`, the HTML report and `partcheck report compare`
// only read it. The JSON form is versioned (`schema`), and histograms keep
// their bins so runs can be merged and compared, not only their percentiles.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace partcheck::bench {

inline constexpr const char* kResultsSchema = "partcheck.bench/1";
inline constexpr int kResultsSchemaVersion = 1;

// The run as configured (after defaults were applied).
struct BenchConfig {
  std::string target;             // URL the client talked to
  std::string target_kind;        // "embedded-null" | "embedded-memory" | "embedded-disk" | "external"
  std::uint64_t file_size = 0;    // bytes
  std::uint64_t part_size = 0;    // bytes
  std::optional<std::uint64_t> files;       // --files N (closed run length)
  std::optional<double> duration_s;         // --duration T
  unsigned concurrency = 1;       // uploads in flight (closed model)
  unsigned part_concurrency = 1;  // parts of one upload in parallel
  std::optional<double> rate_per_s;         // --rate: open model (Poisson arrivals)
  double warmup_s = 0;
  bool move = false;
  std::string verify = "none";    // none | digest | download
  unsigned compressible_percent = 0;
  std::string source;             // --source FILE, empty: the seeded generator
  std::uint64_t seed = 0;
  unsigned retries = 0;           // allowed retries per part
  bool calibrate = false;
};

struct Environment {
  std::string tool_version;   // "partcheck 0.1.0"
  std::string started_at;     // ISO 8601 UTC
  std::string hostname;
  std::string kernel;         // uname -sr
  std::string cpu_model;
  unsigned cores = 0;
};

// Throughput over one fixed wall-clock slice of the measured window. Bytes of
// a write that spans two slices are split between them by time.
struct Segment {
  double start_s = 0;         // from the end of the warm-up
  double length_s = 1;
  std::uint64_t bytes = 0;
  std::uint64_t parts_done = 0;
  double bytes_per_s() const { return length_s > 0 ? static_cast<double>(bytes) / length_s : 0; }
};

// A latency histogram with a log-scaled axis: `bins` equal slices of
// log(value) between `lower` and `upper` seconds, plus underflow (counts[0])
// and overflow (counts.back()). Two histograms with the same axis merge by
// adding counts.
struct HistogramData {
  std::string unit = "s";
  unsigned bins = 0;
  double lower = 0;
  double upper = 0;
  std::vector<std::uint64_t> counts;  // bins + 2
  std::uint64_t count = 0;
  double sum = 0;
  double min = 0;  // exact, 0 when empty
  double max = 0;

  bool empty() const { return count == 0; }
  double mean() const { return count ? sum / static_cast<double>(count) : 0; }
  // q in [0, 1]; interpolated in log space within a bin, clamped to [min, max].
  double quantile(double q) const;
  double bin_lower(unsigned bin) const;  // bin in [0, bins)
  double bin_upper(unsigned bin) const;
  bool same_axis(const HistogramData& other) const;
  // Adds other's counts; throws std::invalid_argument when the axes differ.
  void merge(const HistogramData& other);
};

struct ErrorCount {
  int status = 0;         // 0: transport error (no response)
  std::string code;       // "InvalidPartOrder", "timeout", "connection reset", ...
  std::uint64_t count = 0;
};

struct ProcessUsage {
  double user_s = 0;
  double sys_s = 0;
  std::uint64_t peak_rss_bytes = 0;
  double cpu_s() const { return user_s + sys_s; }
};

// A machine ceiling measured by --calibrate.
struct Ceiling {
  std::string name;       // "tcp-loopback", "disk-write-fsync", "xxh3", "generator"
  double bytes_per_s = 0;
  std::string detail;     // "8 connections, 1 MiB buffers"
};

struct Calibration {
  std::vector<Ceiling> ceilings;
  std::string limiting;   // name of the lowest relevant ceiling
  double limiting_bytes_per_s = 0;
  double efficiency = 0;  // measured throughput / limiting ceiling
};

struct Gate {
  std::string expression;           // as written: "throughput_MiBps>=800"
  std::string metric;
  std::optional<double> actual;     // empty: unknown metric or not measured
  bool passed = false;
};

struct Verification {
  std::string mode = "none";
  std::uint64_t checked = 0;        // uploads (digest) or files (download) checked
  std::uint64_t mismatches = 0;
  std::vector<std::string> failures;  // first few, for people
};

// How the client reached the target. Older files lack it: plain HTTP, direct.
struct TransportFacts {
  bool tls = false;
  std::string tls_version;  // as OpenSSL names it, "TLSv1.3"; from the first connection
  std::string tls_cipher;   // "TLS_AES_256_GCM_SHA384"
  std::uint64_t tls_handshakes = 0;  // made by the load's connections: one per connection opened
  std::string proxy;        // "http://host:port" (never its credentials); "" when direct
};

struct Totals {
  double measured_s = 0;            // the window after warm-up
  double wall_s = 0;                // whole run including warm-up
  std::uint64_t bytes = 0;          // body bytes acknowledged in the window
  std::uint64_t uploads = 0;        // completed in the window
  std::uint64_t parts = 0;
  std::uint64_t failed_uploads = 0;
  std::uint64_t retries = 0;
  std::uint64_t late_starts = 0;    // open model: uploads started after their intended time
  double throughput_bytes_per_s = 0;
  double uploads_per_s = 0;
  double parts_per_s = 0;
};

// One upload on the measured clock (seconds from the end of the warm-up, the
// clock of the segments), for the per-upload timeline of the HTML report.
// A run keeps the first kMaxTimelineUploads uploads to end in the window
// (fewer when their part ends would pass kMaxTimelinePartEnds) and counts the
// rest in BenchResult::timeline_dropped, so a long --duration run stays small.
struct UploadSpan {
  double start_s = 0;                 // first request sent; negative: began during the warm-up
  double end_s = 0;                   // the upload was over: last answer (or the move's, with --move)
  std::uint64_t bytes = 0;            // body bytes acknowledged
  std::vector<double> part_ends_s;    // when each acknowledged part's response arrived
  bool ok = true;                     // completed (and moved, when asked)
  // Added later; older files lack them.
  std::optional<double> intended_s{};  // when it should have started (open model: its arrival)
  std::optional<double> move_end_s{};  // when the move's answer arrived (--move)
  bool stopped = false;               // cut off by the end of the run: neither ok nor failed
};
inline constexpr std::size_t kMaxTimelineUploads = 2000;
inline constexpr std::size_t kMaxTimelinePartEnds = 250000;  // 2 MB of part ends over all kept uploads

// Present in the result of one shard of a larger run (`bench --shard I/N`).
// `config` then holds the WHOLE run as configured (the same in every shard,
// which is how `report merge` knows the inputs belong together); this holds
// the slice this process ran.
struct ShardInfo {
  unsigned index = 0;                  // 0-based, < count
  unsigned count = 1;
  std::string run_id;                  // --run-id, else the agreed start as written; "" when neither
  std::optional<std::uint64_t> files;  // this shard's share of --files
  unsigned concurrency = 1;            // this shard's share of --concurrency
  std::optional<double> rate_per_s;    // this shard's share of --rate
  std::uint64_t first_file_index = 0;  // files i, i + count, i + 2*count ... of the whole run
  std::optional<std::string> start_at; // the agreed start (ISO 8601 UTC, ms); empty: none was given
  double late_start_s = 0;             // how long after start_at the load actually began; 0 when on time
};

// One shard as `report merge` keeps it: enough to see which worker was slow.
struct ShardRow {
  unsigned index = 0;
  std::string hostname;
  double late_start_s = 0;
  double window_offset_s = 0;          // its window start minus the merged window start
  Totals totals;
  std::uint64_t errors = 0;
  ProcessUsage client;
  std::optional<double> p99_part_s;    // from its own histogram
};

struct BenchResult {
  std::string schema = kResultsSchema;
  int schema_version = kResultsSchemaVersion;
  BenchConfig config;
  Environment environment;
  Totals totals;
  std::vector<Segment> segments;
  // "part", "ttfb", "upload" (from the intended start in the open model),
  // "upload_uncorrected" (from the actual start), "move".
  std::map<std::string, HistogramData> histograms;
  std::vector<ErrorCount> errors;
  ProcessUsage client;
  std::optional<ProcessUsage> server;  // only for the embedded mock
  std::optional<Calibration> calibration;
  Verification verification;
  TransportFacts transport;
  std::vector<Gate> gates;
  std::vector<UploadSpan> timeline;  // empty when not recorded (optional in the JSON)
  std::uint64_t timeline_dropped = 0;  // uploads that ended in the window but were not kept
  std::optional<ShardInfo> shard;      // this run was one shard of a larger one
  std::vector<ShardRow> shards;        // this result merges shards (`report merge`); empty otherwise
  // Wall clock (Unix seconds) where the measured window began; 0 in older files.
  double window_start_unix_s = 0;

  std::uint64_t error_count() const;
  // The metrics gates can name (throughput_MiBps, p99_part_s, ...); a metric
  // that was not measured (efficiency without --calibrate) is absent.
  std::map<std::string, double> metrics() const;
};

nlohmann::json to_json(const BenchResult& result);
// Throws std::runtime_error naming the missing or mistyped field, or an
// unsupported schema.
BenchResult bench_result_from_json(const nlohmann::json& json);

}  // namespace partcheck::bench
