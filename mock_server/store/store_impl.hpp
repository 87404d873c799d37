#pragma once
// The Store's insides, shared by store.cpp (start, recovery, admin),
// part_upload.cpp (begin_part, PartUpload) and store_files.cpp (move, links,
// downloads, listings). One mutex guards the tables; it is never held while
// bytes are written, read or fsynced.
#include <functional>
#include <memory>
#include <mutex>

#include "common/short_mutex.hpp"
#include "mock_server/store/catalog.hpp"
#include "mock_server/store/expiry.hpp"
#include "mock_server/store/persistence.hpp"
#include "mock_server/store/store.hpp"
#include "mock_server/store/upload_table.hpp"
#include "mock_server/store/uploads.hpp"

namespace partcheck::mock {

struct StoreCore {
  StoreCore(const ServerConfig& cfg, Clock& clk);

  ServerConfig config;
  Clock& clock;
  std::unique_ptr<StorageBackend> storage;
  bool persistent = false;  // disk storage: metadata goes to the data dir too
  SyncGroup* sync = nullptr;  // FsyncPolicy::Always: the data dir's group flush, for the metadata

  mutable ShortMutex mutex;
  Catalog catalog;
  std::uint64_t catalog_version = 0;
  UploadTable uploads;  // by UploadRecord::key
  DeadlineQueue deadlines;  // every upload with a deadline; see track_deadline_locked
  Clock::time_point next_sweep{};
  std::unique_ptr<VersionedJsonFile> catalog_file;
  std::optional<std::string> read_only;  // why the catalog could not be saved (see Store::read_only_reason)

  bool deviates(std::string_view rule) const { return config.policy.deviates(rule); }
  bool parallel_parts() const { return config.policy.profile == contract::Profile::Lenient; }

  // --- persistence (call without the mutex) ---
  // Throws StorageError; a save that works ends read-only mode.
  void save_catalog();
  // save_catalog() for a change made under the mutex: when the save fails,
  // `undo` (called under the mutex) takes the change back before the throw,
  // so what the server answers 500 to has not happened.
  void save_catalog_or_undo(const std::function<void()>& undo);
  // While read-only: tries to save again; the refusal when that fails too.
  std::optional<Refusal> refuse_if_read_only();
  void save_upload(UploadRecord& record);  // its current state
  void forget_upload_metadata(UploadRecord& record);
  std::filesystem::path upload_meta_path(const std::string& storage_key) const;
  void attach_metadata(UploadRecord& record) const;

  // --- the upload table (under the mutex) ---
  // The record to change (a compact upload becomes a full record again), or null.
  std::shared_ptr<UploadRecord> find_upload_locked(const std::string& hash);
  std::shared_ptr<const UploadRecord> view_upload_locked(const std::string& hash) const;  // to read only
  // Takes the record into the table, unless its key is there already.
  void insert_upload_locked(const std::shared_ptr<UploadRecord>& record);
  void erase_upload_locked(const UploadRecord& record);
  bool expired_hash_locked(const std::string& hash) const;  // remembered by a tombstone
  // Queues the record's deadline, once set, so a sweep finds it when due.
  void track_deadline_locked(const UploadRecord& record);

  // --- expiry ---
  // How many due uploads a sweep takes out per hold of the mutex: requests
  // wait for one batch at most, never for a whole TTL's worth of uploads.
  static constexpr std::size_t kSweepBatch = 1024;
  static constexpr std::size_t kRequestSweepBatch = 256;  // maybe_sweep: the request waits for it
  // Under the mutex: takes a due, idle upload out of the table and leaves a
  // tombstone; the caller removes its bytes with drop_removed() afterwards.
  bool expire_locked(const std::shared_ptr<UploadRecord>& record, Clock::time_point now,
                     std::vector<std::shared_ptr<UploadRecord>>& removed);
  bool due(const UploadRecord& record, Clock::time_point now) const;
  // Up to `limit` due uploads, earliest deadline first; false once none is
  // left. The keys of due uploads being written go to `busy`, for
  // requeue_busy_locked once the sweep is done (so it never meets them twice).
  bool collect_expired_uploads_locked(Clock::time_point now, std::size_t limit,
                                      std::vector<std::shared_ptr<UploadRecord>>& removed,
                                      std::vector<UuidKey>& busy);
  void requeue_busy_locked(Clock::time_point now, std::vector<UuidKey>& busy);
  // Expired links, tombstones past their time and, with TTL-2 deviated, due files.
  void collect_expired_others_locked(Clock::time_point now, std::vector<std::string>& removed_files);
  void drop_removed(const std::vector<std::shared_ptr<UploadRecord>>& removed,
                    const std::vector<std::string>& removed_files);
  // Everything due, a batch at a time; how many uploads and files went.
  std::size_t sweep_all(Clock::time_point now);
  void maybe_sweep();  // at most once per clock second, one batch, from the request paths

  // --- directories ---
  // Why a file of `bytes` more may not land in the directory (exists,
  // writable, quota), honouring the MOVE-4/5/7 deviations.
  std::optional<Refusal> check_directory_locked(const std::string& directory_id, std::uint64_t bytes) const;

  // --- completion into files (move, directory uploads) ---
  struct Promotion {
    std::shared_ptr<UploadRecord> record;  // null when an existing file is only re-homed or copied
    FileInfo file;
    std::string copy_of;  // MOVE-8 deviated: the file this one copies
  };
  // Outside the mutex: saves the catalog, renames the uploads' bytes into
  // their files, drops what was overwritten, forgets the uploads' metadata.
  // A completed directory upload becomes a file of its target directory.
  // Called with the record marked `moving` and no part of it in flight.
  std::variant<FileInfo, Refusal> complete_into_directory(const std::shared_ptr<UploadRecord>& record);
  // `undo` as for save_catalog_or_undo; copies made for MOVE-8 are removed too.
  void carry_out(const std::vector<Promotion>& promotions, const std::vector<std::string>& overwritten,
                 const std::function<void()>& undo);
  std::string digest_of_upload(UploadRecord& record, std::uint64_t size);
};

// The Store keeps its state behind this name (declared, private, in store.hpp).
struct Store::Impl : StoreCore {
  using StoreCore::StoreCore;
};

std::optional<Refusal> refusal_of(const contract::PartDecision& decision);

}  // namespace partcheck::mock
