#pragma once
// What people read: the one-screen summary after a run, the live progress
// line during it, and the gates as JUnit test cases for CI.
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "bench/results.hpp"

namespace partcheck::bench {

// A merged result (`report merge`) also gets print_shard_table.
void print_summary(const BenchResult& result, std::ostream& out);

// One line per shard (host, throughput, uploads, failures, late start, CPU,
// RSS, p99 part latency), the slow ones marked SLOW (bench/merge.hpp).
void print_shard_table(const std::vector<ShardRow>& rows, std::ostream& out);

// Why a run did not pass (bench_run.hpp run_passed): each broken gate with
// its actual value, and the count of files that differ. Nothing when it passed.
void print_failures(const BenchResult& result, std::ostream& out);

// "TLSv1.3 TLS_AES_256_GCM_SHA384, 4 handshakes; proxy http://p:3128", or
// "plain HTTP, direct": the summary's and the HTML report's words.
std::string describe_transport(const TransportFacts& transport);

// One progress line: bytes, rate, ETA (when the size of the run is known), errors.
std::string progress_line(std::uint64_t bytes, double rate_bytes_per_s, double elapsed_s,
                          std::optional<std::uint64_t> total_bytes, std::optional<double> total_s,
                          std::uint64_t uploads, std::uint64_t errors);

// Throws std::runtime_error naming the file when it cannot be written.
void write_junit(const BenchResult& result, const std::string& path);

}  // namespace partcheck::bench
