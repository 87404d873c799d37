#pragma once
// The `hash` of an upload and every directory/file id are uuids in the
// canonical 8-4-4-4-12 hex form.
#include <string>
#include <string_view>

namespace partcheck::contract {

bool is_uuid(std::string_view text);
// The one spelling of a uuid the mock keys things by: lower case
// (docs/contract.md, decision 17). Text that is not a uuid comes back as it is.
std::string canonical_uuid(std::string_view text);
// A random (version 4) uuid, lower-case canonical form.
std::string new_uuid();

}  // namespace partcheck::contract
