#pragma once
// `partcheck report compare BASE.json NEW.json --max-regression 5%`.
//
// One number per run says little: a second run on the same machine differs by
// a few percent anyway. So a change counts as a regression only when it is
// larger than BOTH the allowed regression and the noise of the two runs, where
// the noise comes from the spread of their per-second throughput segments:
//
//   spread(run) = MAD(segment throughputs) / median(segment throughputs)
//   noise       = noise_factor * sqrt(spread(base)^2 + spread(new)^2)
//   regression  <=> worse_by > max(max_regression, noise)
//
// Throughput is the median of the segments (robust to a slow first second or
// a stall); latencies are percentiles of the runs' histograms and are judged
// against the same relative noise (in a closed loop a part's latency is its
// size over the per-stream throughput, so it moves with the same spread).
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace partcheck::bench {

struct BenchResult;

// Bad input for a comparison: the message names the file and the field.
struct CompareInputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Better { Higher, Lower };

// What the comparison needs from one run, already pulled out of its results.
struct RunFigures {
  std::string source;                // the file, for messages and the table
  std::vector<double> segment_MiBps; // full per-second segments only
  double throughput_MiBps = 0;       // median of segment_MiBps (or the total when no segment)
  struct Figure {
    std::string metric;              // "p99_part_s"
    Better better = Better::Lower;
    double value = 0;
  };
  std::vector<Figure> latencies;     // only percentiles the run measured
  std::uint64_t errors = 0;
};

struct CompareOptions {
  double max_regression = 0.05;  // relative: 0.05 = 5 %
  double noise_factor = 2.0;     // k in the noise formula above
};

enum class Verdict { Same, WithinNoise, Better, Regression, NotComparable };

struct MetricComparison {
  std::string metric;
  Better better = Better::Higher;
  std::optional<double> base;
  std::optional<double> candidate;
  double change = 0;    // (new - base) / base, signed
  double worse_by = 0;  // the relative change in the bad direction (negative: improved)
  double allowed = 0;   // max(max_regression, noise)
  Verdict verdict = Verdict::NotComparable;
};

struct CompareReport {
  std::string base_source;
  std::string candidate_source;
  std::size_t base_segments = 0;
  std::size_t candidate_segments = 0;
  std::optional<double> base_spread;       // relative MAD, absent with < 3 segments
  std::optional<double> candidate_spread;
  std::optional<double> noise;             // absent when either spread is
  std::vector<MetricComparison> rows;
  std::uint64_t base_errors = 0;
  std::uint64_t candidate_errors = 0;

  bool regressed() const;
};

// Robust statistics (exposed for tests). Empty input: 0.
double median(std::vector<double> values);
double median_absolute_deviation(const std::vector<double>& values);

// Segments shorter than half the nominal length (the cut-off last one) are
// left out: their rate is measured over too little time.
RunFigures figures_of(const BenchResult& result, std::string source);

// Reads and validates a `partcheck bench --out` file.
// Throws CompareInputError("FILE: field 'x': ...").
RunFigures load_run_figures(const std::filesystem::path& path);

CompareReport compare_runs(const RunFigures& base, const RunFigures& candidate,
                           const CompareOptions& options);

// A fixed-width table for terminals, one row per metric, then the noise line
// and the overall verdict.
std::string format_compare_table(const CompareReport& report, const CompareOptions& options);

// "5%", "5", "2.5%": a percentage; returns the fraction (0.05), or nullopt
// for anything else (negative, not a number, over 1000 %).
std::optional<double> parse_percentage(std::string_view text);

std::string_view verdict_name(Verdict verdict);

}  // namespace partcheck::bench
