#pragma once
// `partcheck bench` as the user asked for it, after flag parsing and before
// the run: the CLI fills it, run_bench() executes it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bench/shard_plan.hpp"
#include "bench/threshold.hpp"
#include "net/client_settings.hpp"

namespace partcheck::bench {

enum class VerifyMode { None, Digest, Download };

struct BenchOptions {
  std::optional<std::string> target;         // --target URL; empty: the embedded mock
  std::optional<std::string> target_config;  // --target-config FILE
  std::string api_key;                       // --api-key (or from the config file)
  std::string directory_id;                  // move destination; the embedded mock's root by default
  // Lays the transport flags (--cacert, --proxy, --header, ...) over the
  // target config's `tls`/`proxy`/`headers` once that is read; may throw
  // std::invalid_argument. Empty: the config's settings as they are.
  std::function<void(net::ClientSettings&)> transport_flags;
  bool parallel_parts_allowed = false;       // the target's profile accepts parts in parallel
  std::uint64_t file_size = 1ull << 30;
  std::uint64_t part_size = 256ull << 20;
  std::optional<std::uint64_t> files;        // --files N
  std::optional<double> duration_s;          // --duration T
  unsigned concurrency = 1;
  unsigned part_concurrency = 1;
  std::optional<double> rate_per_s;          // --rate: open model
  double warmup_s = 0;
  bool move = false;
  VerifyMode verify = VerifyMode::None;
  unsigned compressible_percent = 0;
  std::optional<std::string> source_file;    // --source FILE
  std::uint64_t seed = 1;
  std::optional<std::string> out_json;       // "-": one compact JSON line on stdout
  std::optional<std::string> out_html;
  std::vector<Threshold> thresholds;
  std::optional<std::string> junit;
  bool calibrate = false;
  unsigned retries = 2;
  double timeout_s = 60;                     // per network operation (connect, write, read)
  std::size_t io_buffer = 1ull << 20;        // body bytes per write
  bool progress_tty = false;                 // redraw one line instead of printing lines
  // One shard of a larger run (--shard I/N, --shards N): files, concurrency
  // and rate above are then the WHOLE run's totals; empty: not sharded.
  std::optional<ShardSpec> shard;
  std::optional<SystemTime> start_at;        // --start-at: the load begins then, after the target check
  std::string run_id;                        // --run-id, else the --start-at text as given
  std::optional<std::string> samples_file;   // --samples FILE
  bool quiet = false;
};

const char* verify_name(VerifyMode mode);

}  // namespace partcheck::bench
