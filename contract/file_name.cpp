#include "contract/file_name.hpp"

#include "contract/utf8.hpp"

namespace partcheck::contract {

std::string name_problem(std::string_view name) {
  if (name.empty()) return "the name is empty";
  if (name.size() > kMaxNameBytes) return "the name is longer than 255 bytes";
  if (name == "." || name == "..") return "the name may not be '.' or '..'";
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\') return "the name may not contain '/' or '\\'";
    if (u == 0) return "the name may not contain NUL";
    if (u < 0x20 || u == 0x7f) return "the name may not contain control characters";
  }
  if (!is_valid_utf8(name)) return "the name is not valid UTF-8";
  return {};
}

std::string name_with_postfix(std::string_view name, unsigned n) {
  if (n == 0) return std::string(name);
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) dot = name.size();
  return std::string(name.substr(0, dot)) + " (" + std::to_string(n) + ")" + std::string(name.substr(dot));
}

std::optional<std::string> first_free_name(std::string_view name,
                                           const std::function<bool(std::string_view)>& taken,
                                           unsigned max_postfix) {
  for (unsigned n = 0; n <= max_postfix; ++n) {
    auto candidate = name_with_postfix(name, n);
    if (candidate.size() <= kMaxNameBytes && !taken(candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace partcheck::contract
