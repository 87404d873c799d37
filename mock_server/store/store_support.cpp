// Store internals used by every request path: metadata persistence, expiry,
// directory checks and promotion of uploads into files.
#include <algorithm>
#include <array>

#include "contract/digest.hpp"
#include "mock_server/failure.hpp"
#include "mock_server/storage/make_storage.hpp"
#include "mock_server/storage/sync_group.hpp"
#include "mock_server/store/store_impl.hpp"

namespace partcheck::mock {
namespace fs = std::filesystem;
using contract::ErrorCode;

Refusal refuse(ErrorCode code, std::string message, std::string_view rule) {
  Refusal r;
  r.code = code;
  r.rule = rule;
  const auto name = contract::code_name(code);
  r.message = std::string_view(message).starts_with(name) ? std::move(message)
                                                           : std::string(name) + ": " + message;
  r.status = contract::default_status(code);
  return r;
}

std::optional<Refusal> refusal_of(const contract::PartDecision& decision) {
  if (decision.accepted) return std::nullopt;
  Refusal r;
  r.code = decision.code;
  r.rule = decision.rule;
  r.message = decision.message;
  r.status = decision.status;
  return r;
}

StoreCore::StoreCore(const ServerConfig& cfg, Clock& clk) : config(cfg), clock(clk), storage(make_storage(cfg)) {
  persistent = config.storage == StorageKind::Disk;
  // The storage made the data dir; one lookup here, not one per metadata write.
  if (persistent && config.fsync == FsyncPolicy::Always) sync = &SyncGroup::of_filesystem(config.data_dir);
}

void StoreCore::save_catalog() {
  if (!catalog_file) return;
  nlohmann::json snapshot;
  std::uint64_t version = 0;
  {
    std::lock_guard lock(mutex);
    snapshot = catalog.to_json();
    version = ++catalog_version;
  }
  catalog_file->write(version, snapshot);
  std::lock_guard lock(mutex);
  read_only.reset();
}

void StoreCore::save_catalog_or_undo(const std::function<void()>& undo) {
  try {
    save_catalog();
  } catch (...) {
    std::lock_guard lock(mutex);
    undo();
    throw;
  }
}

std::optional<Refusal> StoreCore::refuse_if_read_only() {
  {
    std::lock_guard lock(mutex);
    if (!read_only) return std::nullopt;
  }
  try {
    save_catalog();
    return std::nullopt;
  } catch (const StorageError& e) {
    return refuse(ErrorCode::ServiceUnavailable, "the server is read-only: its data dir cannot be written (" +
                                                     hide_data_dir(e.what(), config.data_dir) +
                                                     "); parts and moves work again once a write succeeds");
  }
}

std::shared_ptr<UploadRecord> StoreCore::find_upload_locked(const std::string& hash) {
  return uploads.find(upload_key_for(hash));
}

std::shared_ptr<const UploadRecord> StoreCore::view_upload_locked(const std::string& hash) const {
  return uploads.view(upload_key_for(hash));
}

void StoreCore::insert_upload_locked(const std::shared_ptr<UploadRecord>& record) {
  uploads.insert(record);
}

void StoreCore::erase_upload_locked(const UploadRecord& record) {
  uploads.erase(record);
}

bool StoreCore::expired_hash_locked(const std::string& hash) const {
  return catalog.tombstones.contains(upload_key_for(hash));
}

void StoreCore::track_deadline_locked(const UploadRecord& record) {
  if (record.state && !deviates("TTL-1")) deadlines.push(record.deadline, record.key);
}

fs::path StoreCore::upload_meta_path(const std::string& storage_key) const {
  return config.data_dir / "uploads" / (storage_key + ".json");
}

void StoreCore::attach_metadata(UploadRecord& record) const {
  // Recovery drops an upload whose metadata it cannot read (never acknowledged).
  if (persistent)
    record.meta = std::make_unique<VersionedJsonFile>(upload_meta_path(record.storage_key()), sync,
                                                      VersionedJsonFile::Torn::MeansAbsent);
}

void StoreCore::save_upload(UploadRecord& record) {
  if (!record.meta) return;
  nlohmann::json snapshot;
  std::uint64_t version = 0;
  {
    std::lock_guard lock(mutex);
    if (!record.state || record.removed) return;
    snapshot = record.to_json();
    version = record.version;
  }
  record.meta->write(version, snapshot);
}

void StoreCore::forget_upload_metadata(UploadRecord& record) {
  if (record.meta) record.meta->remove(UINT64_MAX);
}

bool StoreCore::due(const UploadRecord& record, Clock::time_point now) const {
  return record.state && !deviates("TTL-1") && now >= record.deadline;
}

bool StoreCore::expire_locked(const std::shared_ptr<UploadRecord>& record, Clock::time_point now,
                                std::vector<std::shared_ptr<UploadRecord>>& removed) {
  if (record->busy()) return false;  // swept once its writer is done
  removed.push_back(record);  // first: `record` may be the table's own pointer, erased below
  record->removed = true;
  catalog.tombstones.add(record->key, now);
  erase_upload_locked(*removed.back());
  return true;
}

bool StoreCore::collect_expired_uploads_locked(Clock::time_point now, std::size_t limit,
                                               std::vector<std::shared_ptr<UploadRecord>>& removed,
                                               std::vector<UuidKey>& busy) {
  for (std::size_t taken = 0; taken < limit; ++taken) {
    const auto key = deadlines.pop_due(now);
    if (!key) return false;
    // Gone already, or a newer upload of the hash whose own entry comes later.
    const auto deadline = uploads.deadline(*key);
    if (!deadline || now < *deadline || deviates("TTL-1")) continue;
    if (!expire_locked(uploads.find(*key), now, removed)) busy.push_back(*key);
  }
  return true;
}

void StoreCore::requeue_busy_locked(Clock::time_point now, std::vector<UuidKey>& busy) {
  for (const auto& key : busy) deadlines.push(now, key);
  busy.clear();
}

void StoreCore::collect_expired_others_locked(Clock::time_point now, std::vector<std::string>& removed_files) {
  catalog.forget_expired_links(now);
  // Decision 28: a tombstone is kept for one more TTL after its upload expired.
  catalog.tombstones.forget_before(now - config.ttl);
  if (deviates("TTL-2"))
    for (const auto& file : catalog.all_files())
      if (now >= file.created + config.ttl) {
        catalog.remove_file(file.id);
        removed_files.push_back(file.id);
      }
}

void StoreCore::drop_removed(const std::vector<std::shared_ptr<UploadRecord>>& removed,
                               const std::vector<std::string>& removed_files) {
  if (removed.empty() && removed_files.empty()) return;
  save_catalog();  // tombstones first: a crash now still knows the hashes expired
  for (const auto& record : removed) {
    storage->remove_upload(record->storage_key());
    forget_upload_metadata(*record);
  }
  for (const auto& id : removed_files) storage->remove_file(id);
}

std::size_t StoreCore::sweep_all(Clock::time_point now) {
  std::vector<std::string> removed_files;
  {
    std::lock_guard lock(mutex);
    collect_expired_others_locked(now, removed_files);
  }
  drop_removed({}, removed_files);
  std::size_t count = removed_files.size();
  std::vector<UuidKey> busy;  // due but being written: queued again once this sweep is done
  const auto requeue = [&] {
    std::lock_guard lock(mutex);
    requeue_busy_locked(now, busy);
  };
  try {
    for (bool more = true; more;) {
      std::vector<std::shared_ptr<UploadRecord>> removed;
      {
        std::lock_guard lock(mutex);
        more = collect_expired_uploads_locked(now, kSweepBatch, removed, busy);
      }
      drop_removed(removed, {});
      count += removed.size();
    }
  } catch (...) {
    requeue();
    throw;
  }
  requeue();
  return count;
}

void StoreCore::maybe_sweep() {
  std::vector<std::shared_ptr<UploadRecord>> removed;
  std::vector<std::string> removed_files;
  {
    std::lock_guard lock(mutex);
    const auto now = clock.now();
    // Also when the admin API turned the clock back past the planned sweep.
    if (now < next_sweep && next_sweep - now <= std::chrono::seconds(1)) return;
    next_sweep = now + std::chrono::seconds(1);
    collect_expired_others_locked(now, removed_files);
    std::vector<UuidKey> busy;
    collect_expired_uploads_locked(now, kRequestSweepBatch, removed, busy);
    requeue_busy_locked(now, busy);
  }
  drop_removed(removed, removed_files);
}

std::optional<Refusal> StoreCore::check_directory_locked(const std::string& directory_id,
                                                           std::uint64_t bytes) const {
  const auto* dir = catalog.directory(directory_id);
  if (!dir) return refuse(ErrorCode::NoSuchDirectory, "no directory " + directory_id, "MOVE-7");
  if (dir->readonly && !deviates("MOVE-5"))
    return refuse(ErrorCode::PermissionDenied, "directory '" + dir->name + "' is read-only", "MOVE-5");
  if (dir->quota && !deviates("MOVE-4") && dir->used + bytes > *dir->quota)
    return refuse(ErrorCode::NotEnoughSpace,
                  "directory '" + dir->name + "' holds " + std::to_string(dir->used) + " of its " +
                      std::to_string(*dir->quota) + " bytes; " + std::to_string(bytes) + " more do not fit",
                  "MOVE-4");
  return std::nullopt;
}

void StoreCore::carry_out(const std::vector<Promotion>& promotions, const std::vector<std::string>& overwritten,
                          const std::function<void()>& undo) {
  try {
    for (const auto& p : promotions)
      if (!p.copy_of.empty()) storage->copy_file(p.copy_of, p.file.id);
    save_catalog();  // the catalog names the files first: a crash from here on is redone at start
  } catch (...) {
    try {
      for (const auto& p : promotions)
        if (!p.copy_of.empty()) storage->remove_file(p.file.id);
    } catch (const std::exception&) {
      // A copy left behind has no catalog entry: the next start removes it.
    }
    std::lock_guard lock(mutex);
    undo();
    throw;
  }
  for (const auto& p : promotions) {
    if (!p.record) continue;
    const auto& state = p.record->state;
    const auto key = p.record->storage_key();
    if (state && !state->complete) storage->trim_upload(key, p.file.size);  // MOVE-6 deviated
    storage->promote(key, p.file.id);
    if (deviates("MOVE-1")) storage->flip_last_byte(p.file.id);
    forget_upload_metadata(*p.record);
  }
  for (const auto& id : overwritten) storage->remove_file(id);
  std::lock_guard lock(mutex);
  for (const auto& p : promotions)
    if (p.record) p.record->moving = false;
}

std::string StoreCore::digest_of_upload(UploadRecord& record, std::uint64_t size) {
  auto reader = storage->keeps_content() ? storage->open_upload(record.storage_key()) : nullptr;
  if (!reader) return {};
  contract::Digest digest(contract::DigestAlgorithm::Xxh3_128);
  std::vector<std::byte> buffer(1u << 20);
  std::uint64_t done = 0;
  while (done < size) {
    auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - done));
    auto got = reader->read(done, std::span(buffer.data(), want));
    if (got == 0) break;
    digest.update(std::span<const std::byte>(buffer.data(), got));
    done += got;
  }
  // A sparse hole past the stored end reads as zeros, like the file would.
  std::fill(buffer.begin(), buffer.end(), std::byte{0});
  while (done < size) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - done));
    digest.update(std::span<const std::byte>(buffer.data(), n));
    done += n;
  }
  return digest.hex();
}

}  // namespace partcheck::mock
