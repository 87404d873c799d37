#include "contract/file_name.hpp"

namespace partcheck::contract {
namespace {

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : 9;
    if (extra == 9 || i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace

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
  if (!valid_utf8(name)) return "the name is not valid UTF-8";
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
