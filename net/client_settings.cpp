#include "net/client_settings.hpp"

#include <stdexcept>

namespace partcheck::net {

std::pair<std::string, std::string> parse_header_flag(const std::string& text) {
  const auto colon = text.find(':');
  auto fail = [&](const char* why) { throw std::invalid_argument("--header '" + text + "': " + why); };
  if (colon == std::string::npos || colon == 0) fail("expected 'Name: value'");
  std::string name = text.substr(0, colon);
  for (unsigned char c : name)
    if (c <= 32 || c >= 127 || std::string_view("()<>@,;:\\\"/[]?={}").find(static_cast<char>(c)) != std::string_view::npos)
      fail("the name has a character a header name cannot have");
  std::string value = text.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  value.erase(value.find_last_not_of(" \t") + 1);
  for (unsigned char c : value)
    if (c == '\r' || c == '\n' || c == 0) fail("the value has a line break or NUL");
  return {name, value};
}

}  // namespace partcheck::net
