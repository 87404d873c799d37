// The Store's start (directories, recovery of the data dir) and the admin
// operations. Part uploads: part_upload.cpp; files, moves, links: store_files.cpp.
#include <algorithm>
#include <set>
#include <stdexcept>

#include "contract/file_name.hpp"
#include "contract/uuid.hpp"
#include "mock_server/failure.hpp"
#include "mock_server/store/store_impl.hpp"

namespace partcheck::mock {
namespace fs = std::filesystem;
using contract::ErrorCode;

namespace {

void remove_temp_files(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".tmp") fs::remove(entry.path(), ec);
}

// A config the store cannot honour is refused at start, with the option named.
void check_config(const ServerConfig& config) {
  if (config.root_dir_id && !contract::is_uuid(*config.root_dir_id))
    throw std::invalid_argument("--root-dir-id '" + *config.root_dir_id + "' is not a uuid");
  std::set<std::string> names;
  for (const auto& spec : config.directories) {
    if (auto problem = contract::name_problem(spec.name); !problem.empty())
      throw std::invalid_argument("--directory '" + spec.name + "': " + problem);
    if (!names.insert(spec.name).second)
      throw std::invalid_argument("--directory '" + spec.name + "' is given twice");
  }
}

void set_up_directories(StoreCore& s) {
  auto& catalog = s.catalog;
  const auto wanted_root = s.config.root_dir_id.value_or(catalog.root_id.empty() ? contract::new_uuid() : catalog.root_id);
  if (catalog.root_id != wanted_root) {
    const auto old_root = catalog.root_id;
    catalog.add_directory(DirectoryInfo{wanted_root, "root", std::nullopt, false, 0}, true);
    if (!old_root.empty()) {  // --root-dir-id changed: the root's files follow it
      for (const auto& file : catalog.files_in(old_root)) catalog.rehome(file.id, wanted_root, file.name);
      catalog.remove_directory(old_root);
    }
    catalog.root_id = wanted_root;
  }
  for (const auto& spec : s.config.directories) {
    if (const auto* existing = catalog.directory_named(spec.name)) {
      catalog.update_directory(spec, existing->id);  // same name on restart: same directory
    } else {
      catalog.add_directory(DirectoryInfo{contract::new_uuid(), spec.name, spec.quota, spec.readonly, 0}, true);
    }
  }
}

// After a restart: finish interrupted moves, drop what no metadata names,
// and cut every upload back to its acknowledged bytes.
void recover(StoreCore& s) {
  auto stored_uploads = s.storage->stored_uploads();
  std::set<std::string> upload_bytes(stored_uploads.begin(), stored_uploads.end());
  auto stored_files = s.storage->stored_files();
  std::set<std::string> file_bytes(stored_files.begin(), stored_files.end());

  for (const auto& file : s.catalog.all_files()) {
    if (file_bytes.erase(file.id)) continue;
    const auto key = storage_key_for(file.hash);
    if (upload_bytes.erase(key)) {
      s.storage->promote(key, file.id);  // the move was saved, its rename not done yet
    } else if (file.size == 0) {
      s.storage->promote(key, file.id);  // an empty file never had bytes on disk
    } else {
      s.catalog.remove_file(file.id);  // bytes lost outside our control: do not pretend
    }
  }
  for (const auto& stray : file_bytes) s.storage->remove_file(stray);

  const auto uploads_dir = s.config.data_dir / "uploads";
  for (const auto& entry : fs::directory_iterator(uploads_dir)) {
    if (entry.path().extension() != ".json") continue;
    std::shared_ptr<UploadRecord> record;
    try {
      if (auto json = read_json(entry.path())) record = UploadRecord::from_json(*json);
    } catch (const std::exception&) {
      record.reset();
    }
    const auto key = record ? record->storage_key() : std::string();
    if (!record || key + ".json" != entry.path().filename().string() || s.catalog.file_for_hash(record->hash()) ||
        s.catalog.tombstones.contains(record->key)) {
      fs::remove(entry.path());  // unreadable, or its hash was moved or expired meanwhile
      if (record) s.storage->remove_upload(key);
      continue;
    }
    s.attach_metadata(*record);
    s.storage->trim_upload(key, record->acknowledged_end());
    upload_bytes.erase(key);
    s.insert_upload_locked(record);
    s.track_deadline_locked(*record);
  }
  for (const auto& stray : upload_bytes) s.storage->remove_upload(stray);  // no part acknowledged
}

}  // namespace

Store::Store(const ServerConfig& config, Clock& clock)
    : impl_((check_config(config), std::make_unique<Impl>(config, clock))) {
  auto& s = *impl_;
  std::optional<nlohmann::json> stored;
  if (s.persistent) {
    remove_temp_files(config.data_dir);
    remove_temp_files(config.data_dir / "uploads");
    s.catalog_file = std::make_unique<VersionedJsonFile>(config.data_dir / "catalog.json", s.sync);
    stored = read_json(s.catalog_file->path());
    if (stored) {
      try {
        s.catalog.load(*stored);
      } catch (const nlohmann::json::exception& e) {
        throw StorageError(s.catalog_file->path().string() + " is damaged: " + e.what());
      }
    }
  }
  set_up_directories(s);
  if (s.persistent) recover(s);
  // Written only when start-up changed something, so a server whose disk is
  // full still starts; when the write fails it starts read-only instead.
  if (stored && *stored == s.catalog.to_json()) return;
  try {
    s.save_catalog();
  } catch (const StorageError& e) {
    s.read_only = hide_data_dir(e.what(), config.data_dir);
  }
}

Store::~Store() = default;

const std::string& Store::root_directory_id() const { return impl_->catalog.root_id; }

std::optional<std::string> Store::read_only_reason() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->read_only;
}

const ServerConfig& Store::config() const { return impl_->config; }
Clock& Store::clock() { return impl_->clock; }

void Store::reset() {
  auto& s = *impl_;
  std::vector<std::shared_ptr<UploadRecord>> dropped;
  {
    std::lock_guard lock(s.mutex);
    dropped = s.uploads.take_all();
    for (const auto& record : dropped) record->removed = true;
    s.deadlines.clear();
    s.catalog.clear_runtime();
  }
  for (const auto& record : dropped) s.forget_upload_metadata(*record);
  s.storage->remove_all();
  if (s.persistent) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(s.config.data_dir / "uploads", ec))
      if (entry.path().extension() == ".json") fs::remove(entry.path(), ec);
  }
  s.save_catalog();
}

std::vector<UploadSummary> Store::uploads() const {
  std::vector<UploadSummary> list;
  {
    std::lock_guard lock(impl_->mutex);
    list = impl_->uploads.summaries();
  }
  std::ranges::sort(list, {}, &UploadSummary::hash);  // the table has no order of its own
  return list;
}

Store::UploadCounts Store::upload_counts() const {
  std::lock_guard lock(impl_->mutex);
  const auto [held, complete] = impl_->uploads.count_acknowledged_and_complete();
  return {held, complete};
}

std::optional<std::uint64_t> Store::part_size(const std::string& hash) const {
  std::lock_guard lock(impl_->mutex);
  auto record = impl_->view_upload_locked(contract::canonical_uuid(hash));
  if (!record || !record->state || record->state->part_size == 0) return std::nullopt;
  return record->state->part_size;
}

bool Store::expire(const std::string& hash_as_sent) {
  auto& s = *impl_;
  const auto hash = contract::canonical_uuid(hash_as_sent);
  std::vector<std::shared_ptr<UploadRecord>> removed;
  {
    std::lock_guard lock(s.mutex);
    auto record = s.find_upload_locked(hash);
    if (!record || !record->state) return false;
    const auto now = s.clock.now();
    record->deadline = std::min(record->deadline, now);
    ++record->version;
    // A busy one goes at a sweep once its writer is done.
    if (!s.due(*record, now) || !s.expire_locked(record, now, removed)) s.track_deadline_locked(*record);
  }
  s.drop_removed(removed, {});
  return true;
}

std::variant<DirectoryInfo, Refusal> Store::add_directory(const DirectorySpec& spec) {
  auto& s = *impl_;
  if (auto problem = contract::name_problem(spec.name); !problem.empty())
    return refuse(ErrorCode::InvalidName, "directory name: " + problem);
  DirectoryInfo info{contract::new_uuid(), spec.name, spec.quota, spec.readonly, 0};
  {
    std::lock_guard lock(s.mutex);
    if (s.catalog.directory_named(spec.name))
      return refuse(ErrorCode::NameConflict, "a directory named '" + spec.name + "' exists already");
    s.catalog.add_directory(info, /*configured=*/false);
  }
  s.save_catalog_or_undo([&] { s.catalog.remove_directory(info.id); });
  return info;
}

std::vector<DirectoryInfo> Store::directories() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->catalog.directories();
}

std::size_t Store::sweep_expired() {
  return impl_->sweep_all(impl_->clock.now());
}

}  // namespace partcheck::mock
