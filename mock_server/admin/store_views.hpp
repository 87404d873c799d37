#pragma once
// The admin API's JSON views of store objects, and the one store object it
// builds from JSON (a directory spec). Kept apart from the routing so each
// reads on its own.
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "mock_server/store/store.hpp"

namespace partcheck::mock {

// One entry of GET /__mock/uploads; times on the mock clock (`now`).
nlohmann::json upload_json(const UploadSummary& upload, Clock::time_point now);

nlohmann::json directory_json(const DirectoryInfo& directory);

// GET /__mock/files: every directory (directory_json) with "files", its
// first `limit` files by name ({"id", "name", "size", "hash"}), and
// "files_total", so a page can show what was moved where without paging.
nlohmann::json files_by_directory(Store& store, std::uint64_t limit);

// {"uploads", "uploads_complete", "files", "directories", "file_bytes"}: what
// the store holds right now.
nlohmann::json store_counts(Store& store);

// The body of POST /__mock/directories: {"name": "...", "quota": "10MiB" or
// bytes or null, "readonly": bool}. The spec, or why the body is wrong.
std::variant<DirectorySpec, std::string> directory_spec_from_json(const nlohmann::json& body);

}  // namespace partcheck::mock
