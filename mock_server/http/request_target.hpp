#pragma once
// The request target split into path segments and decoded query parameters.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace partcheck::mock::http {

struct RequestTarget {
  std::string path;   // as sent, without the query
  std::string query;  // raw, without '?'
  std::vector<std::pair<std::string, std::string>> params;  // percent-decoded, in order

  // The first value of `name`, decoded; nullopt when absent.
  std::optional<std::string> param(std::string_view name) const;
};

RequestTarget parse_target(std::string_view target);
// %XX and '+' decoded; a malformed escape is kept as it is.
std::string percent_decode(std::string_view text);

}  // namespace partcheck::mock::http
