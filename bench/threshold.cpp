#include "bench/threshold.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace partcheck::bench {
namespace {

struct Operator {
  std::string_view text;
  Comparison comparison;
};

// Two-character operators first so `>=` is not read as `>`.
constexpr std::array kOperators{
    Operator{">=", Comparison::GreaterEqual}, Operator{"<=", Comparison::LessEqual},
    Operator{"==", Comparison::Equal},        Operator{"!=", Comparison::NotEqual},
    Operator{">", Comparison::Greater},       Operator{"<", Comparison::Less},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool holds(Comparison c, double actual, double limit) {
  switch (c) {
    case Comparison::Less: return actual < limit;
    case Comparison::LessEqual: return actual <= limit;
    case Comparison::Greater: return actual > limit;
    case Comparison::GreaterEqual: return actual >= limit;
    case Comparison::Equal: return actual == limit;
    case Comparison::NotEqual: return actual != limit;
  }
  return false;
}

}  // namespace

ThresholdParse parse_threshold(std::string_view text) {
  for (const auto& op : kOperators) {
    auto at = text.find(op.text);
    if (at == std::string_view::npos) continue;
    auto metric = trim(text.substr(0, at));
    auto number = trim(text.substr(at + op.text.size()));
    if (metric.empty())
      return {std::nullopt, "threshold '" + std::string(text) + "' names no metric before " + std::string(op.text)};
    double limit = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), limit);
    if (number.empty() || ec != std::errc{} || ptr != number.data() + number.size() || !std::isfinite(limit))
      return {std::nullopt, "threshold '" + std::string(text) + "': '" + std::string(number) + "' is not a number"};
    return {Threshold{std::string(text), std::string(metric), op.comparison, limit}, {}};
  }
  return {std::nullopt, "threshold '" + std::string(text) + "' has no comparison (use >=, <=, >, <, ==, !=)"};
}

std::vector<GateResult> evaluate_gates(const std::vector<Threshold>& gates,
                                       const std::map<std::string, double>& metrics) {
  std::vector<GateResult> results;
  for (const auto& gate : gates) {
    GateResult r{gate, std::nullopt, false};
    if (auto it = metrics.find(gate.metric); it != metrics.end()) {
      r.actual = it->second;
      r.passed = holds(gate.comparison, it->second, gate.limit);
    }
    results.push_back(r);
  }
  return results;
}

}  // namespace partcheck::bench
