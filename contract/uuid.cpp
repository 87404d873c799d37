#include "contract/uuid.hpp"

#include <boost/uuid/random_generator.hpp>
#include <cctype>
#include <boost/uuid/uuid_io.hpp>

namespace partcheck::contract {

bool is_uuid(std::string_view text) {
  // Canonical form only: Boost's string_generator also takes braces and
  // dash-less spellings, which the contract's clients never send.
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool dash_slot = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_slot ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string canonical_uuid(std::string_view text) {
  std::string out(text);
  if (is_uuid(text))
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string new_uuid() {
  thread_local boost::uuids::random_generator generator;
  return boost::uuids::to_string(generator());
}

}  // namespace partcheck::contract
