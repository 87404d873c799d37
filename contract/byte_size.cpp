#include "contract/byte_size.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace partcheck::contract {
namespace {

struct Unit {
  std::string_view name;
  std::uint64_t factor;
};

constexpr std::array kUnits{
    Unit{"", 1},          Unit{"B", 1},           Unit{"k", KiB},         Unit{"K", KiB},
    Unit{"KiB", KiB},     Unit{"M", MiB},         Unit{"MiB", MiB},       Unit{"G", GiB},
    Unit{"GiB", GiB},     Unit{"T", 1024 * GiB},  Unit{"TiB", 1024 * GiB}, Unit{"KB", 1000},
    Unit{"MB", 1000000},  Unit{"GB", 1000000000}, Unit{"TB", 1000000000000},
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// One term: digits with an optional fraction, then an optional unit.
std::optional<long double> parse_term(std::string_view term, std::string& error) {
  std::size_t i = 0;
  while (i < term.size() && (is_digit(term[i]) || term[i] == '.')) ++i;
  auto number = term.substr(0, i);
  auto unit = term.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  if (number.empty() || number.front() == '.' || number.find('.') != number.rfind('.')) {
    error = "'" + std::string(term) + "' is not a number with an optional unit";
    return std::nullopt;
  }
  long double value = std::strtold(std::string(number).c_str(), nullptr);
  for (const auto& u : kUnits)
    if (u.name == unit) return value * static_cast<long double>(u.factor);
  error = "unknown size unit '" + std::string(unit) + "' (use B, KiB, MiB, GiB, TiB, KB, MB, GB)";
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

SizeParse parse_byte_size(std::string_view text) {
  auto s = trim(text);
  if (s.empty()) return {std::nullopt, "empty size"};
  long double total = 0;
  int sign = 1;
  std::string error;
  while (true) {
    auto op = s.find_first_of("+-", 1);
    auto term = trim(s.substr(0, op));
    auto value = parse_term(term, error);
    if (!value) return {std::nullopt, error};
    total += sign * *value;
    if (op == std::string_view::npos) break;
    sign = s[op] == '+' ? 1 : -1;
    s = trim(s.substr(op + 1));
  }
  if (total < 0) return {std::nullopt, "size '" + std::string(text) + "' is negative"};
  if (total > static_cast<long double>(std::numeric_limits<std::uint64_t>::max()))
    return {std::nullopt, "size '" + std::string(text) + "' is too large"};
  long double rounded = std::round(total);
  if (std::fabs(total - rounded) > 1e-6L)
    return {std::nullopt, "size '" + std::string(text) + "' is not a whole number of bytes"};
  return {static_cast<std::uint64_t>(rounded), {}};
}

std::string format_byte_size(std::uint64_t bytes) {
  constexpr std::array names{"B", "KiB", "MiB", "GiB", "TiB"};
  long double value = static_cast<long double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < names.size()) {
    value /= 1024;
    ++unit;
  }
  char out[32];
  if (unit == 0 || value == std::floor(value))
    std::snprintf(out, sizeof out, "%.0Lf %s", value, names[unit]);
  else
    std::snprintf(out, sizeof out, "%.2Lf %s", value, names[unit]);
  return out;
}

}  // namespace partcheck::contract
