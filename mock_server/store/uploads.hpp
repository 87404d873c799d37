#pragma once
// One upload in progress: its contract state, deadline, target, the running
// XXH3 digest, and which byte ranges requests are writing right now. The
// Store's mutex guards every field but the metadata file, which has its own
// lock so a slow fsync never blocks other uploads.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/digest.hpp"
#include "mock_server/store/persistence.hpp"
#include "mock_server/store/store.hpp"

namespace partcheck::mock {

// A request writing [start, end) of the upload; `exclusive` when its range is
// not known yet (a body of unknown length), which conflicts with everything.
struct InFlightPart {
  std::uint64_t id = 0;
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  bool exclusive = false;
};

struct UploadRecord {
  explicit UploadRecord(std::string upload_hash, std::string key)
      : hash(std::move(upload_hash)), storage_key(std::move(key)) {}

  std::string hash;
  std::string storage_key;  // the uuid the backend files it under (== hash unless HASH-1 is deviated)
  std::optional<contract::UploadState> state;  // empty until the first part is acknowledged
  Clock::time_point created{};
  Clock::time_point deadline{};
  PartTarget target;
  std::string xxh3;  // once complete

  // The digest of bytes [0, digest_end), while every part so far was appended
  // in order, and the one before the last part (a retry of it rolls back to
  // that). Empty once parts came out of order: the digest is then computed
  // from the stored bytes at completion.
  std::optional<contract::Digest> digest{contract::Digest(contract::DigestAlgorithm::Xxh3_128)};
  std::uint64_t digest_end = 0;
  std::optional<contract::Digest> before_last;
  std::uint64_t before_last_end = 0;

  std::vector<InFlightPart> in_flight;
  std::uint64_t next_part_id = 1;
  bool moving = false;   // a move or a directory completion is promoting it
  bool removed = false;  // expired, reset or moved: finishing parts are refused

  std::uint64_t version = 0;  // bumped with every change persisted below
  std::unique_ptr<VersionedJsonFile> meta;  // null without persistence

  bool busy() const { return !in_flight.empty() || moving; }
  // Whether a new part writing [start, end) (or an unknown range) may run now.
  bool conflicts(std::optional<std::pair<std::uint64_t, std::uint64_t>> range, bool parallel_allowed) const;
  std::uint64_t acknowledged_end() const;  // end of the highest acknowledged part
  UploadSummary summary() const;

  nlohmann::json to_json() const;
  // Restores the persisted fields; the digest is gone (computed at completion).
  static std::shared_ptr<UploadRecord> from_json(const nlohmann::json& json);
};

// The uuid an upload's bytes are filed under. A non-uuid hash (accepted only
// with HASH-1 deviated) maps to a uuid derived from its XXH3 digest.
std::string storage_key_for(const std::string& hash);

}  // namespace partcheck::mock
