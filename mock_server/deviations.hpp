#pragma once
// `partcheck serve --deviate RULE-ID`: break one contract rule on purpose, so
// that a scenario suite (or a client's own tests) can prove it notices. The
// part-sequence rules are broken inside contract::decide_part; the rest by the
// handler that owns the rule. Every MUST rule has a switch.
#include <optional>
#include <span>
#include <string_view>

namespace partcheck::mock {

struct Deviation {
  std::string_view rule;  // a rule id of contract/rules.hpp
  std::string_view effect;
};

std::span<const Deviation> all_deviations();
std::optional<Deviation> find_deviation(std::string_view rule);

}  // namespace partcheck::mock
