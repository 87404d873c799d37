#pragma once
// One upload: its contract state, deadline, target, digest, and while it is
// written, which byte ranges requests are writing right now. The Store's
// mutex guards every field but the metadata file, which has its own lock so
// a slow fsync never blocks other uploads.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/digest.hpp"
#include "mock_server/store/persistence.hpp"
#include "mock_server/store/store.hpp"
#include "mock_server/storage/uuid_key.hpp"

namespace partcheck::mock {

// A request writing [start, end) of the upload; `exclusive` when its range is
// not known yet (a body of unknown length), which conflicts with everything.
struct InFlightPart {
  std::uint64_t id = 0;
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  bool exclusive = false;
};

// What only an upload that is being written or still expects parts needs:
// the requests writing it now, and the running XXH3 digests (~600 bytes
// each). Dropped once neither is left, so a complete upload keeps none.
struct UploadProgress {
  std::vector<InFlightPart> in_flight;
  std::uint64_t next_part_id = 1;
  // The digest of bytes [0, digest_end), while every part so far was appended
  // in order, and the one before the last part (a retry of it rolls back to
  // that). Empty once parts came out of order: the digest is then computed
  // from the stored bytes at completion.
  std::optional<contract::Digest> digest;
  std::uint64_t digest_end = 0;
  std::optional<contract::Digest> before_last;
  std::uint64_t before_last_end = 0;

  bool idle() const { return in_flight.empty() && !digest && !before_last; }
};

// A complete, idle temporary upload of a uuid hash whose parts follow one
// part size, in what little it takes to restore its UploadRecord.
struct CompactUpload {
  std::uint64_t total = 0;
  std::uint64_t part_size = 0;  // 0: one part [0, total)
  Clock::time_point created{};
  Clock::time_point deadline{};
  std::array<std::uint8_t, 16> xxh3{};
  bool has_xxh3 = false;
};

// One upload, while it is written or looked at (UploadTable keeps a complete,
// idle one as a CompactUpload), and for its whole TTL with disk storage, a
// target directory or a non-uuid hash. Small all the same: the hash is its
// 16-byte key unless it is not a uuid (HASH-1 deviated), the digest is 16
// bytes, the target and the progress are only allocated when there is one.
struct UploadRecord {
  // An upload of `hash` with nothing known yet (no running digest either).
  explicit UploadRecord(const std::string& upload_hash);

  UuidKey key;                                 // of storage_key()
  std::optional<contract::UploadState> state;  // empty until the first part is acknowledged
  Clock::time_point created{};
  Clock::time_point deadline{};
  std::unique_ptr<UploadProgress> progress;    // null when idle (see UploadProgress)
  std::uint64_t version = 0;                   // bumped with every change persisted below
  std::unique_ptr<VersionedJsonFile> meta;     // null without persistence
  bool moving = false;   // a move or a directory completion is promoting it
  bool removed = false;  // expired, reset or moved: finishing parts are refused

  std::string hash() const;
  // The uuid the backend files it under (== hash unless HASH-1 is deviated).
  std::string storage_key() const { return format_uuid_key(key); }
  const PartTarget& target() const;
  void set_target(const PartTarget& target);
  std::string xxh3() const;           // lower-case hex, empty while unknown
  void set_xxh3(std::string_view hex);  // empty: unknown

  // The kept running digest of bytes [0, offset), or null: the latest one,
  // or the one from before the last part (what a retry of it continues).
  const contract::Digest* digest_at(std::uint64_t offset) const;
  const contract::Digest* before_last_at(std::uint64_t offset) const;
  UploadProgress& progress_for_update();  // created when there is none
  void forget_digests();
  // Drops the progress once nothing is in flight and no digest is kept.
  void drop_idle_progress();

  std::uint64_t add_part(std::uint64_t start, std::uint64_t end, bool exclusive);  // its id
  void remove_part(std::uint64_t id);
  std::size_t parts_in_flight() const { return progress ? progress->in_flight.size() : 0; }
  InFlightPart* only_part_in_flight();

  bool busy() const { return parts_in_flight() > 0 || moving; }
  // Whether a new part writing [start, end) (or an unknown range) may run now.
  bool conflicts(std::optional<std::pair<std::uint64_t, std::uint64_t>> range, bool parallel_allowed) const;
  std::uint64_t acknowledged_end() const;  // end of the highest acknowledged part
  UploadSummary summary() const;

  // The compact form, when the record is complete, idle, has no metadata
  // file, no target and a uuid hash, and its parts follow its part size
  // (what from_compact restores exactly).
  std::optional<CompactUpload> compact() const;
  static std::shared_ptr<UploadRecord> from_compact(const UuidKey& key, const CompactUpload& compact);

  nlohmann::json to_json() const;
  // Restores the persisted fields; the digest is gone (computed at completion).
  static std::shared_ptr<UploadRecord> from_json(const nlohmann::json& json);

 private:
  std::unique_ptr<const std::string> odd_hash_;  // the hash when it is not a uuid
  std::unique_ptr<PartTarget> target_;           // null: a temporary upload
  std::array<std::uint8_t, 16> xxh3_{};
  bool has_xxh3_ = false;
};

// The uuid an upload's bytes are filed under. A non-uuid hash (accepted only
// with HASH-1 deviated) maps to a uuid derived from its XXH3 digest.
std::string storage_key_for(const std::string& hash);
// The key of storage_key_for(hash): what the store's tables know an upload,
// and an expired hash, by.
UuidKey upload_key_for(const std::string& hash);

}  // namespace partcheck::mock
