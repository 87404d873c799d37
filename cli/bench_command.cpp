// `partcheck bench`: flags -> BenchOptions -> run_bench -> summary, JSON,
// HTML, JUnit and the exit code (0 ok, 1 gate broken or bytes differ,
// 2 usage error, 3 target unreachable).
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include "bench/bench_run.hpp"
#include "bench/report_html.hpp"
#include "bench/summary.hpp"
#include "cli/commands.hpp"
#include "cli/transport_flags.hpp"
#include "contract/byte_size.hpp"

namespace partcheck::cli {

namespace {

struct RawFlags {
  std::string target, target_config, api_key, directory_id;
  std::string file_size = "1GiB", part_size = "256MiB";
  std::uint64_t files = 0;
  std::string duration, rate, warmup = "0", verify = "none", source, out, html, junit, timeout = "60s";
  std::string io_buffer = "1MiB";
  unsigned concurrency = 1, part_concurrency = 1, compressible = 0, retries = 2;
  bool move = false, calibrate = false, quiet = false;
  std::uint64_t seed = 1;
  std::vector<std::string> thresholds;
  TransportFlags transport;
  std::string shard, start_at, run_id, samples;
  unsigned shards = 0;
  bool shards_given = false;  // --shards was on the command line (0 is refused, not ignored)
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "partcheck bench: " << message << "\n";
  throw CLI::RuntimeError(kExitUsage);
}

std::uint64_t size_flag(const std::string& flag, const std::string& text) {
  auto parsed = contract::parse_byte_size(text);
  if (!parsed) usage_error(flag + " " + text + ": " + parsed.error);
  return *parsed.bytes;
}

double number(const std::string& flag, std::string_view text) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(value) || value < 0)
    usage_error(flag + ": '" + std::string(text) + "' is not a non-negative number");
  return value;
}

// "90", "90s", "500ms", "2m", "1h".
double seconds_flag(const std::string& flag, const std::string& text) {
  std::string_view t = text;
  double scale = 1;
  if (t.ends_with("ms")) {
    scale = 1e-3;
    t.remove_suffix(2);
  } else if (t.ends_with("s")) {
    t.remove_suffix(1);
  } else if (t.ends_with("m")) {
    scale = 60;
    t.remove_suffix(1);
  } else if (t.ends_with("h")) {
    scale = 3600;
    t.remove_suffix(1);
  }
  return number(flag + " (a duration such as 30s, 500ms, 2m)", t) * scale;
}

// "20/s", "20", "1200/m".
double rate_flag(const std::string& text) {
  std::string_view t = text;
  double per = 1;
  if (t.ends_with("/s")) {
    t.remove_suffix(2);
  } else if (t.ends_with("/m")) {
    per = 60;
    t.remove_suffix(2);
  }
  return number("--rate (uploads per second, e.g. 20/s)", t) / per;
}

bench::BenchOptions to_options(const RawFlags& f) {
  bench::BenchOptions o;
  if (!f.target.empty()) o.target = f.target;
  if (!f.target_config.empty()) o.target_config = f.target_config;
  o.api_key = f.api_key;
  o.directory_id = f.directory_id;
  o.file_size = size_flag("--file-size", f.file_size);
  o.part_size = size_flag("--part-size", f.part_size);
  if (f.files) o.files = f.files;
  if (!f.duration.empty()) o.duration_s = seconds_flag("--duration", f.duration);
  o.concurrency = f.concurrency;
  o.part_concurrency = f.part_concurrency;
  if (!f.rate.empty()) o.rate_per_s = rate_flag(f.rate);
  o.warmup_s = seconds_flag("--warmup", f.warmup);
  o.move = f.move;
  if (f.verify == "none") o.verify = bench::VerifyMode::None;
  else if (f.verify == "digest") o.verify = bench::VerifyMode::Digest;
  else if (f.verify == "download") o.verify = bench::VerifyMode::Download;
  else usage_error("--verify " + f.verify + ": use none, digest or download");
  o.compressible_percent = f.compressible;
  if (!f.source.empty()) o.source_file = f.source;
  o.seed = f.seed;
  if (!f.out.empty()) o.out_json = f.out;
  if (!f.html.empty()) o.out_html = f.html;
  if (!f.junit.empty()) o.junit = f.junit;
  for (const auto& text : f.thresholds) {
    auto parsed = bench::parse_threshold(text);
    if (!parsed) usage_error("--threshold: " + parsed.error);
    o.thresholds.push_back(*parsed.threshold);
  }
  o.calibrate = f.calibrate;
  o.retries = f.retries;
  o.timeout_s = seconds_flag("--timeout", f.timeout);
  if (o.timeout_s <= 0) usage_error("--timeout must be positive");
  o.io_buffer = size_flag("--io-buffer", f.io_buffer);
  if (o.io_buffer < 4096 || o.io_buffer > (64u << 20)) usage_error("--io-buffer must be between 4 KiB and 64 MiB");
  // A bad --header is a usage error now, before a mock is started or a target reached.
  try {
    net::ClientSettings probe;
    apply_transport_flags(f.transport, probe);
  } catch (const std::invalid_argument& e) {
    usage_error(e.what());
  }
  o.transport_flags = [transport = f.transport](net::ClientSettings& s) { apply_transport_flags(transport, s); };
  o.quiet = f.quiet;
  o.progress_tty = ::isatty(STDERR_FILENO) == 1;
  if (!f.shard.empty() && f.shards_given)
    usage_error("--shard and --shards exclude each other: --shard I/N names the index, --shards N reads it from "
                "JOB_COMPLETION_INDEX");
  try {
    if (!f.shard.empty()) o.shard = bench::parse_shard(f.shard);
    else if (f.shards_given) o.shard = bench::shard_from_job_index(f.shards, std::getenv("JOB_COMPLETION_INDEX"));
    if (!f.start_at.empty()) o.start_at = bench::parse_start_at(f.start_at, std::chrono::system_clock::now());
  } catch (const std::invalid_argument& e) {
    usage_error(e.what());
  }
  o.run_id = f.run_id.empty() ? f.start_at : f.run_id;
  if (!f.samples.empty()) o.samples_file = f.samples;
  return o;
}

// `--out -`: the results are one compact JSON line on stdout (a pod's log
// carries it to `report merge --from-logs`), and people's text goes to stderr.
bool json_on_stdout(const bench::BenchOptions& o) { return o.out_json && *o.out_json == "-"; }

void write_outputs(const bench::BenchOptions& o, const bench::BenchResult& result) {
  if (json_on_stdout(o)) {
    std::cout << bench::to_json(result).dump() << "\n" << std::flush;
    if (!std::cout) throw std::runtime_error("--out -: cannot write to stdout");
  } else if (o.out_json) {
    std::ofstream out(*o.out_json);
    out << bench::to_json(result).dump(2) << "\n";
    if (!out) throw std::runtime_error("--out " + *o.out_json + ": cannot write the file");
  }
  if (o.out_html) bench::write_html_report(result, *o.out_html);
  if (o.junit) bench::write_junit(result, *o.junit);
}

void run(const RawFlags& flags) {
  const auto options = to_options(flags);
  bench::BenchResult result;
  try {
    result = bench::run_bench(options, std::cerr);
  } catch (const bench::UsageError& e) {
    usage_error(e.what());
  } catch (const bench::TargetUnreachable& e) {
    std::cerr << "partcheck bench: " << e.what() << "\n";
    throw CLI::RuntimeError(kExitUnreachable);
  } catch (const std::exception& e) {
    std::cerr << "partcheck bench: " << e.what() << "\n";
    throw CLI::RuntimeError(kExitFailed);
  }
  bench::print_summary(result, json_on_stdout(options) ? std::cerr : std::cout);
  try {
    write_outputs(options, result);
  } catch (const std::exception& e) {
    std::cerr << "partcheck bench: " << e.what() << "\n";
    throw CLI::RuntimeError(kExitUsage);
  }
  if (!bench::run_passed(result)) {
    bench::print_failures(result, std::cerr);
    throw CLI::RuntimeError(kExitFailed);
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto flags = std::make_shared<RawFlags>();
  auto* cmd = app.add_subcommand("bench", "Measure how fast a target ingests multi-gigabyte part streams");
  auto* target = cmd->add_option("--target", flags->target,
                                 "Target URL, http(s)://HOST[:PORT][/MOUNT] (default: an embedded mock with null storage)");
  cmd->add_option("--target-config", flags->target_config,
                  "YAML file: url, api_key|api_key_env, directory_id, parallel_parts, tls, proxy, headers")
      ->check(CLI::ExistingFile)
      ->excludes(target);
  cmd->add_option("--api-key", flags->api_key, "API key sent as Authorization: Bearer");
  cmd->add_option("--directory-id", flags->directory_id, "Directory to move files into (external targets)");
  cmd->add_option("--file-size", flags->file_size, "Bytes per file (e.g. 4GiB)")->capture_default_str();
  cmd->add_option("--part-size", flags->part_size, "Bytes per part, 5 MiB .. 5 GiB")->capture_default_str();
  auto* files = cmd->add_option("--files", flags->files, "Number of uploads (default: max(4, concurrency))");
  cmd->add_option("--duration", flags->duration, "Run for this long after the warm-up (30s, 2m) instead of --files")
      ->excludes(files);
  cmd->add_option("--concurrency", flags->concurrency, "Uploads in flight (closed model) or lanes (open model)")
      ->capture_default_str();
  cmd->add_option("--part-concurrency", flags->part_concurrency, "Parts of one upload in parallel")->capture_default_str();
  cmd->add_option("--rate", flags->rate, "Open model: Poisson arrivals, uploads per second (20/s)");
  cmd->add_option("--warmup", flags->warmup, "Leave this first stretch out of the figures (10s)")->capture_default_str();
  cmd->add_flag("--move", flags->move, "Move every completed upload into the directory (timed)");
  cmd->add_option("--verify", flags->verify, "none | digest (server xxh3) | download (read files back)")
      ->capture_default_str();
  cmd->add_option("--compressible", flags->compressible, "Percent of every 4 KiB page that is zeros")->capture_default_str();
  cmd->add_option("--source", flags->source, "Send this file's bytes instead of generated ones");
  cmd->add_option("--seed", flags->seed, "Seed of the generated bytes and of the arrival schedule")->capture_default_str();
  cmd->add_option("--out", flags->out, "Write the results as JSON; '-': one JSON line on stdout (the summary goes to stderr)");
  cmd->add_option("--html", flags->html, "Write an HTML report");
  cmd->add_option("--threshold", flags->thresholds, "Gate such as 'throughput_MiBps>=800' or 'p99_part_s<=4' (repeatable)");
  cmd->add_option("--junit", flags->junit, "Write the gates as JUnit test cases");
  cmd->add_flag("--calibrate", flags->calibrate, "Measure this machine's ceilings and report efficiency");
  cmd->add_option("--retries", flags->retries, "Retries of a part after a connection error or 503")->capture_default_str();
  cmd->add_option("--timeout", flags->timeout, "Timeout of each network step")->capture_default_str();
  cmd->add_option("--io-buffer", flags->io_buffer, "Body bytes per socket write")->capture_default_str();
  cmd->add_flag("--quiet", flags->quiet, "No progress output");
  cmd->add_option("--shard", flags->shard,
                                "Run shard I of N (0-based, e.g. 0/4); --files, --concurrency and --rate are the whole run's")
                    ->type_name("I/N");
  auto* shards = cmd->add_option("--shards", flags->shards,
                                 "Run one of N shards, its index from JOB_COMPLETION_INDEX (Kubernetes Indexed Job)")
                     ->type_name("N");
  cmd->add_option("--start-at", flags->start_at,
                  "Check the target, then start the load at this time: RFC 3339 (2026-12-01T06:00:00Z) or +Ns from now")
      ->type_name("TIME");
  cmd->add_option("--run-id", flags->run_id, "Label shared by the shards of one run (default: the --start-at text)")->type_name("ID");
  cmd->add_option("--samples", flags->samples, "Write every latency sample, '<histogram> <seconds>' per line, to FILE")
      ->type_name("FILE");
  add_transport_flags(*cmd, flags->transport);
  cmd->callback([flags, shards] {
    flags->shards_given = shards->count() > 0;
    run(*flags);
  });
}

}  // namespace partcheck::cli
