#pragma once
// The `hash` of an upload and every directory/file id are uuids in the
// canonical 8-4-4-4-12 hex form.
#include <string>
#include <string_view>

namespace partcheck::contract {

bool is_uuid(std::string_view text);
// A random (version 4) uuid, lower-case canonical form.
std::string new_uuid();

}  // namespace partcheck::contract
