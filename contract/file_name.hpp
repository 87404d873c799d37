#pragma once
// Names of moved files: what is a legal name, and the ` (1)`, ` (2)` postfix
// the contract gives when a name is taken (MOVE-2, MOVE-3).
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace partcheck::contract {

inline constexpr std::size_t kMaxNameBytes = 255;

// Empty when the name is legal, else why not (no '/', '\\', NUL, control
// characters, '.' or '..', nor over 255 bytes; must be valid UTF-8).
std::string name_problem(std::string_view name);

// `report.pdf` + n -> `report (n).pdf`; a leading dot or no dot: postfix at the end.
std::string name_with_postfix(std::string_view name, unsigned n);

// The first of name, name (1), ... name (max_postfix) that `taken` says is
// free; nullopt when none is (409 NameConflict).
std::optional<std::string> first_free_name(std::string_view name,
                                           const std::function<bool(std::string_view)>& taken,
                                           unsigned max_postfix);

}  // namespace partcheck::contract
