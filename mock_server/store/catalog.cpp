#include "mock_server/store/catalog.hpp"

#include <algorithm>

#include "mock_server/store/uploads.hpp"

namespace partcheck::mock {

using nlohmann::json;

std::int64_t to_millis(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Clock::time_point from_millis(std::int64_t ms) {
  return Clock::time_point(std::chrono::duration_cast<Clock::time_point::duration>(std::chrono::milliseconds(ms)));
}

void Catalog::add_link(const std::string& token, const Link& link) {
  links[token] = link;
  earliest_link_expiry_ = std::min(earliest_link_expiry_, link.expires);
}

void Catalog::forget_expired_links(Clock::time_point now) {
  if (now < earliest_link_expiry_) return;
  std::erase_if(links, [&](const auto& entry) { return now >= entry.second.expires; });
  earliest_link_expiry_ = Clock::time_point::max();
  for (const auto& [token, link] : links) earliest_link_expiry_ = std::min(earliest_link_expiry_, link.expires);
}

const DirectoryInfo* Catalog::directory(const std::string& id) const {
  auto it = directories_.find(id);
  return it == directories_.end() ? nullptr : &it->second.info;
}

const DirectoryInfo* Catalog::directory_named(const std::string& name) const {
  for (const auto& [id, record] : directories_)
    if (id != root_id && record.info.name == name) return &record.info;
  return nullptr;
}

void Catalog::add_directory(const DirectoryInfo& info, bool configured) {
  if (!directories_.contains(info.id)) order_.push_back(info.id);
  auto& record = directories_[info.id];
  record.info = info;
  record.info.used = 0;
  for (const auto& [id, file] : files_)
    if (file.directory_id == info.id) record.info.used += file.size;
  record.configured = configured;
}

void Catalog::update_directory(const DirectorySpec& spec, const std::string& id) {
  auto& record = directories_.at(id);
  record.info.quota = spec.quota;
  record.info.readonly = spec.readonly;
  record.configured = true;
}

void Catalog::remove_directory(const std::string& id) {
  for (const auto& file : files_in(id)) remove_file(file.id);
  directories_.erase(id);
  std::erase(order_, id);
}

std::vector<DirectoryInfo> Catalog::directories() const {
  std::vector<DirectoryInfo> list;
  for (const auto& id : order_) list.push_back(directories_.at(id).info);
  return list;
}

bool Catalog::is_configured(const std::string& id) const {
  auto it = directories_.find(id);
  return it != directories_.end() && it->second.configured;
}

const FileInfo* Catalog::file(const std::string& id) const {
  auto it = files_.find(id);
  return it == files_.end() ? nullptr : &it->second;
}

const FileInfo* Catalog::file_for_hash(const std::string& hash) const {
  auto it = by_hash_.find(hash);
  return it == by_hash_.end() ? nullptr : file(it->second);
}

std::optional<std::string> Catalog::file_named(const std::string& directory_id, const std::string& name) const {
  auto dir = names_.find(directory_id);
  if (dir == names_.end()) return std::nullopt;
  auto it = dir->second.find(name);
  if (it == dir->second.end()) return std::nullopt;
  return it->second;
}

std::vector<FileInfo> Catalog::files_in(const std::string& directory_id) const {
  std::vector<FileInfo> list;
  auto dir = names_.find(directory_id);
  if (dir == names_.end()) return list;
  for (const auto& [name, id] : dir->second) list.push_back(files_.at(id));
  return list;
}

std::vector<FileInfo> Catalog::all_files() const {
  std::vector<FileInfo> list;
  for (const auto& [id, file] : files_) list.push_back(file);
  return list;
}

void Catalog::add_file(const FileInfo& file) {
  files_[file.id] = file;
  names_[file.directory_id][file.name] = file.id;
  by_hash_.try_emplace(file.hash, file.id);
  if (auto it = directories_.find(file.directory_id); it != directories_.end()) it->second.info.used += file.size;
}

void Catalog::remove_file(const std::string& id) {
  auto it = files_.find(id);
  if (it == files_.end()) return;
  const FileInfo& file = it->second;
  if (auto dir = names_.find(file.directory_id); dir != names_.end()) {
    dir->second.erase(file.name);
    if (dir->second.empty()) names_.erase(dir);
  }
  if (auto bound = by_hash_.find(file.hash); bound != by_hash_.end() && bound->second == id) by_hash_.erase(bound);
  if (auto d = directories_.find(file.directory_id); d != directories_.end()) d->second.info.used -= file.size;
  files_.erase(it);
}

void Catalog::rehome(const std::string& id, const std::string& directory_id, const std::string& name) {
  FileInfo file = files_.at(id);
  const auto found = by_hash_.find(file.hash);
  const bool bound = found != by_hash_.end() && found->second == id;
  remove_file(id);
  file.directory_id = directory_id;
  file.name = name;
  add_file(file);
  if (bound) by_hash_[file.hash] = id;
}

void Catalog::clear_runtime() {
  files_.clear();
  names_.clear();
  by_hash_.clear();
  tombstones.clear();
  links.clear();
  earliest_link_expiry_ = Clock::time_point::max();
  std::erase_if(order_, [&](const std::string& id) { return id != root_id && !is_configured(id); });
  std::erase_if(directories_, [&](const auto& entry) { return entry.first != root_id && !entry.second.configured; });
  for (auto& [id, record] : directories_) record.info.used = 0;
}

json Catalog::to_json() const {
  json dirs = json::array();
  for (const auto& id : order_) {
    const auto& r = directories_.at(id);
    dirs.push_back({{"id", id},
                    {"name", r.info.name},
                    {"quota", r.info.quota ? json(*r.info.quota) : json(nullptr)},
                    {"readonly", r.info.readonly},
                    {"configured", r.configured}});
  }
  json files = json::array();
  for (const auto& [id, f] : files_)
    files.push_back({{"id", id}, {"hash", f.hash}, {"name", f.name}, {"directory_id", f.directory_id},
                     {"size", f.size}, {"xxh3", f.xxh3}, {"created_ms", to_millis(f.created)},
                     {"bound", file_for_hash(f.hash) == &f}});
  json dead = json::object();
  tombstones.for_each([&](const UuidKey& key, Clock::time_point when) { dead[format_uuid_key(key)] = to_millis(when); });
  json link_list = json::object();
  for (const auto& [token, link] : links)
    link_list[token] = {{"file_id", link.file_id}, {"hash", link.hash}, {"expires_ms", to_millis(link.expires)}};
  return {{"version", 1}, {"root_id", root_id}, {"directories", dirs}, {"files", files},
          {"tombstones", dead}, {"links", link_list}};
}

void Catalog::load(const json& j) {
  root_id = j.at("root_id").get<std::string>();
  for (const auto& d : j.at("directories")) {
    DirectoryInfo info;
    info.id = d.at("id").get<std::string>();
    info.name = d.at("name").get<std::string>();
    if (!d.at("quota").is_null()) info.quota = d.at("quota").get<std::uint64_t>();
    info.readonly = d.at("readonly").get<bool>();
    add_directory(info, d.at("configured").get<bool>());
  }
  // Bound files first, so each hash keeps pointing at the file it was moved into.
  for (bool bound : {true, false})
    for (const auto& f : j.at("files")) {
      if (f.value("bound", true) != bound) continue;
      FileInfo file;
      file.id = f.at("id").get<std::string>();
      file.hash = f.at("hash").get<std::string>();
      file.name = f.at("name").get<std::string>();
      file.directory_id = f.at("directory_id").get<std::string>();
      file.size = f.at("size").get<std::uint64_t>();
      file.xxh3 = f.at("xxh3").get<std::string>();
      file.created = from_millis(f.at("created_ms").get<std::int64_t>());
      add_file(file);
    }
  // Oldest first, so the oldest are forgotten first again.
  std::vector<std::pair<std::int64_t, UuidKey>> dead;
  for (const auto& [hash, when] : j.at("tombstones").items())
    dead.emplace_back(when.get<std::int64_t>(), upload_key_for(hash));
  std::ranges::stable_sort(dead, {}, &std::pair<std::int64_t, UuidKey>::first);
  for (const auto& [when, key] : dead) tombstones.add(key, from_millis(when));
  for (const auto& [token, l] : j.at("links").items())
    add_link(token, Link{l.at("file_id").get<std::string>(), l.at("hash").get<std::string>(),
                         from_millis(l.at("expires_ms").get<std::int64_t>())});
}

}  // namespace partcheck::mock
