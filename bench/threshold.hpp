#pragma once
// CI gates: `--threshold 'throughput_MiBps>=800'`, `'p99_part_s<=4'`,
// `'errors==0'`. A gate names a metric of the results, a comparison and a number.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace partcheck::bench {

enum class Comparison { Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual };

struct Threshold {
  std::string text;    // as the user wrote it
  std::string metric;  // "throughput_MiBps"
  Comparison comparison = Comparison::GreaterEqual;
  double limit = 0;
};

struct ThresholdParse {
  std::optional<Threshold> threshold;
  std::string error;
  explicit operator bool() const { return threshold.has_value(); }
};

ThresholdParse parse_threshold(std::string_view text);

struct GateResult {
  Threshold threshold;
  std::optional<double> actual;  // empty: the metric is unknown or was not measured
  bool passed = false;
};

// Metrics by name, as the results expose them (bench/results.hpp).
std::vector<GateResult> evaluate_gates(const std::vector<Threshold>& gates,
                                       const std::map<std::string, double>& metrics);

}  // namespace partcheck::bench
