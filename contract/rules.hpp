#pragma once
// The rule catalogue: stable ids shared by scenarios, reports and the mock's
// --deviate switches. Text and levels follow docs/contract.md.
#include <optional>
#include <span>
#include <string_view>

namespace partcheck::contract {

enum class RuleLevel { Must, Should, Info };

struct Rule {
  std::string_view id;     // "RANGE-2"
  RuleLevel level;
  std::string_view text;
};

std::span<const Rule> all_rules();      // what a server is checked on (`partcheck run`)
std::span<const Rule> client_rules();   // CLIENT-*: what an upload client is graded on
std::optional<Rule> find_rule(std::string_view id);  // either kind
std::string_view level_name(RuleLevel level);  // "MUST" | "SHOULD" | "INFO"
std::optional<RuleLevel> level_from_name(std::string_view name);  // case-insensitive
// "RANGE-2" -> "RANGE": the family a report groups a rule under.
std::string_view rule_family(std::string_view id);

}  // namespace partcheck::contract
