#pragma once
// Bytes as files under --data-dir:
//   uploads/<hash>.data             the upload, written in place at each part's offset (sparse)
//   uploads/<hash>.stage-<random>   a part that overwrites acknowledged bytes, until commit
//   uploads/<hash>.redo-<offset>    a committed stage being copied in (replayed after a crash)
//   files/<file id>.data            a moved file (renamed from its upload, never copied)
// Every name is built from a uuid checked here, so nothing is ever written
// outside the data dir. The store keeps its JSON metadata next to these.
//
// With fsync on, every flush is a group flush (SyncGroup) shared with all
// concurrent writers, the store's metadata included. An in-place part's
// commit() does not flush by itself: the metadata save that the store makes
// after it, before answering, flushes its bytes along (see InPlaceWriter).
#include <filesystem>
#include <string>

#include "mock_server/server_config.hpp"
#include "mock_server/storage/posix_file.hpp"
#include "mock_server/storage/storage_backend.hpp"
#include "mock_server/storage/sync_group.hpp"

namespace partcheck::mock {

class DiskStorage final : public StorageBackend {
 public:
  // Creates the layout, takes the data dir's lock (StorageError when another
  // server holds it), removes stages of parts that never committed and
  // finishes copying committed ones (a crash mid-commit).
  DiskStorage(std::filesystem::path data_dir, FsyncPolicy fsync);

  std::string_view name() const override { return "disk"; }
  bool keeps_content() const override { return true; }

  std::unique_ptr<PartWriter> open_part(const std::string& hash, std::uint64_t offset,
                                        bool overwrites) override;
  void trim_upload(const std::string& hash, std::uint64_t acknowledged) override;
  void remove_upload(const std::string& hash) override;
  std::unique_ptr<ContentReader> open_upload(const std::string& hash) override;

  void promote(const std::string& hash, const std::string& file_id) override;
  std::unique_ptr<ContentReader> open_file(const std::string& file_id) override;
  void remove_file(const std::string& file_id) override;
  void remove_all() override;

  void flip_last_byte(const std::string& file_id) override;
  void copy_file(const std::string& from_file_id, const std::string& to_file_id) override;
  std::vector<std::string> stored_uploads() const override;
  std::vector<std::string> stored_files() const override;

  const std::filesystem::path& uploads_dir() const { return uploads_dir_; }
  const std::filesystem::path& files_dir() const { return files_dir_; }
  bool fsync_enabled() const { return sync_ != nullptr; }
  // With fsync on: returns once everything written so far (bytes, new and
  // renamed directory entries) is durable, in one flush shared with every
  // concurrent caller on this file system (SyncGroup). Without: nothing.
  void make_durable() const {
    if (sync_) sync_->barrier();
  }

  std::filesystem::path upload_path(const std::string& hash) const;
  std::filesystem::path file_path(const std::string& file_id) const;
  // Copies a committed stage into the upload and removes it (commit and recovery).
  void apply_redo(const std::filesystem::path& redo, const std::string& hash, std::uint64_t offset);

 private:
  void recover_stages();

  PosixFile lock_;  // flock()ed: one server per data dir
  std::filesystem::path uploads_dir_;
  std::filesystem::path files_dir_;
  SyncGroup* sync_ = nullptr;  // set with FsyncPolicy::Always
};

}  // namespace partcheck::mock
