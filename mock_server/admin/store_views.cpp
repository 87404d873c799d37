#include "mock_server/admin/store_views.hpp"

#include <functional>

#include "contract/byte_size.hpp"
#include "common/iso_time.hpp"

namespace partcheck::mock {

using nlohmann::json;

json upload_json(const UploadSummary& upload, Clock::time_point now) {
  const auto& state = upload.state;
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(upload.deadline - now).count();
  return {
      {"hash", upload.hash},
      {"total", state.total},
      {"received", state.contiguous_end()},
      {"stored_bytes", state.stored_bytes()},
      {"parts", state.parts.size()},
      {"part_size", state.part_size},
      {"complete", state.complete},
      {"busy", upload.busy},
      {"created", iso8601_utc(upload.created)},
      {"deadline", iso8601_utc(upload.deadline)},
      // Past the deadline but not swept yet: 0, never negative.
      {"seconds_left", left > 0 ? left : 0},
  };
}

json directory_json(const DirectoryInfo& directory) {
  return {
      {"id", directory.id},
      {"name", directory.name},
      {"quota", directory.quota ? json(*directory.quota) : json(nullptr)},
      {"readonly", directory.readonly},
      {"used", directory.used},
  };
}

namespace {

// Calls `visit` with every file of a directory, paging through its listing
// (the root lists every other directory before its files). The store keeps
// no global count, and the admin API is not on any hot path.
void for_each_file(Store& store, const std::string& directory_id, const std::function<void(const ListEntry&)>& visit) {
  constexpr std::uint64_t kPage = 1000;
  for (std::uint64_t offset = 0;; offset += kPage) {
    auto listing = store.list_directory(directory_id, offset, kPage);
    const auto* page = std::get_if<Store::Listing>(&listing);
    if (page == nullptr) break;  // removed meanwhile
    for (const auto& entry : page->entries)
      if (entry.type == "file") visit(entry);
    if (page->entries.size() < kPage || offset + kPage >= page->total) break;
  }
}

std::uint64_t count_files(Store& store, const std::string& directory_id) {
  std::uint64_t files = 0;
  for_each_file(store, directory_id, [&](const ListEntry&) { ++files; });
  return files;
}

}  // namespace

json files_by_directory(Store& store, std::uint64_t limit) {
  json directories = json::array();
  for (const auto& directory : store.directories()) {
    json files = json::array();
    std::uint64_t files_total = 0;
    for_each_file(store, directory.id, [&](const ListEntry& entry) {
      if (files_total++ < limit)
        files.push_back({{"id", entry.id}, {"name", entry.name}, {"size", entry.size}, {"hash", entry.hash}});
    });
    auto item = directory_json(directory);
    item["files_total"] = files_total;
    item["files"] = std::move(files);
    directories.push_back(std::move(item));
  }
  return directories;
}

json store_counts(Store& store) {
  const auto uploads = store.upload_counts();
  const auto directories = store.directories();
  std::uint64_t files = 0, file_bytes = 0;
  for (const auto& directory : directories) {
    files += count_files(store, directory.id);
    file_bytes += directory.used;
  }
  return {
      {"uploads", uploads.held},
      {"uploads_complete", uploads.complete},
      {"files", files},
      {"directories", directories.size()},
      {"file_bytes", file_bytes},
  };
}

std::variant<DirectorySpec, std::string> directory_spec_from_json(const json& body) {
  if (!body.is_object()) return std::string("the body must be a JSON object such as {\"name\":\"inbox\"}");
  DirectorySpec spec;
  bool has_name = false;
  for (const auto& [key, value] : body.items()) {
    if (key == "name") {
      if (!value.is_string() || value.get<std::string>().empty()) {
        return "name must be a non-empty string (got " + value.dump() + ")";
      }
      spec.name = value.get<std::string>();
      has_name = true;
    } else if (key == "quota") {
      if (value.is_null()) continue;
      if (value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
        spec.quota = value.get<std::uint64_t>();
      } else if (value.is_string()) {
        const auto parsed = contract::parse_byte_size(value.get<std::string>());
        if (!parsed) return "quota " + value.dump() + " is not a size: " + parsed.error;
        spec.quota = *parsed.bytes;
      } else {
        return "quota must be a byte count or a size such as \"10MiB\" (got " + value.dump() + ")";
      }
    } else if (key == "readonly") {
      if (!value.is_boolean()) return "readonly must be true or false (got " + value.dump() + ")";
      spec.readonly = value.get<bool>();
    } else {
      return "unknown field '" + key + "' (fields: name, quota, readonly)";
    }
  }
  if (!has_name) return std::string("name is missing");
  return spec;
}

}  // namespace partcheck::mock
