#pragma once
// UTF-8 validity, strict: no overlong forms, no surrogates, nothing above
// U+10FFFF. File names must be UTF-8 (contract), and reports replace what
// is not (a target's bytes are untrusted).
#include <cstddef>
#include <string_view>

namespace partcheck::contract {

// Length of the valid sequence starting at text[i] (1 to 4), or 0 when the
// bytes there are not valid UTF-8.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);
bool is_valid_utf8(std::string_view text);

}  // namespace partcheck::contract
