#pragma once
// The store: uploads (part state by contract::decide_part, TTL, one writer at
// a time per hash), files and directories (move, names, quota, permissions,
// links), all persisted so a restart on the same --data-dir loses nothing
// acknowledged. The HTTP handlers call only this facade; bytes go through a
// StorageBackend. Thread-safe: called from every io thread at once.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/content_range.hpp"
#include "contract/error_code.hpp"
#include "contract/upload_policy.hpp"
#include "mock_server/server_config.hpp"
#include "mock_server/storage/storage_backend.hpp"
#include "mock_server/store/clock.hpp"

namespace partcheck::mock {

// Why a request is refused: the code names it in the JSON error message.
struct Refusal {
  contract::ErrorCode code = contract::ErrorCode::InvalidRequest;
  std::string_view rule;  // the rule id enforced, when there is one
  std::string message;    // starts with the code name
  int status = 400;
};
Refusal refuse(contract::ErrorCode code, std::string message, std::string_view rule = {});

struct FileInfo {
  std::string id;  // __id
  std::string hash;
  std::string name;
  std::string directory_id;
  std::uint64_t size = 0;
  std::string xxh3;  // XXH3-128 hex; empty when unknown
  Clock::time_point created;
};

struct DirectoryInfo {
  std::string id;
  std::string name;
  std::optional<std::uint64_t> quota;
  bool readonly = false;
  std::uint64_t used = 0;  // bytes of the files in it
};

struct ListEntry {
  std::string type;  // "file" | "directory"
  std::string id;
  std::string name;
  std::uint64_t size = 0;
  std::string hash;  // files only
};

// Where the file goes when its last part arrives: nowhere yet (temporary
// upload, waiting for a move) or straight into a directory (directory upload).
struct PartTarget {
  std::optional<std::string> directory_id;
  std::optional<std::string> name;  // the file name for a directory upload
};

struct PartResult {
  int status = 206;                  // 200, 206, or the refusal's status
  std::optional<Refusal> refusal;
  std::uint64_t received = 0;        // contiguous bytes from 0
  std::uint64_t total = 0;
  bool complete = false;
  std::string xxh3;                  // when complete
  std::optional<FileInfo> file;      // directory uploads, when complete
};

// A part being received. Holds the upload's writer lock for its lifetime;
// destroyed without finish(): aborted, nothing of it kept.
class PartUpload {
 public:
  virtual ~PartUpload() = default;
  virtual void write(std::span<const std::byte> data) = 0;  // throws StorageError
  virtual std::uint64_t bytes_written() const = 0;
  // Checks the length (RANGE-2), commits durably, updates the upload.
  virtual PartResult finish() = 0;
};

struct UploadSummary {
  std::string hash;
  contract::UploadState state;
  Clock::time_point created;
  Clock::time_point deadline;
  bool busy = false;
};

class Store {
 public:
  // Opens (and for disk storage recovers) the data dir; creates the root and
  // the configured directories on first start.
  Store(const ServerConfig& config, Clock& clock);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& root_directory_id() const;
  const ServerConfig& config() const;
  Clock& clock();
  // Set when the catalog could not be written (a full disk at start): part
  // uploads and moves are refused with 503 until a catalog write succeeds.
  std::optional<std::string> read_only_reason() const;

  // The headers are known, the body not read: a PartUpload to stream the
  // body into, or why not. `range` empty: a whole-file body of unknown length
  // (no Content-Range and no Content-Length), judged at finish(). Hashes are
  // taken in any case, and kept lower-case (contract::canonical_uuid), here
  // and in every call below. Storage failures throw StorageError.
  std::variant<std::unique_ptr<PartUpload>, Refusal> begin_part(
      const std::string& hash, const std::optional<contract::ContentRange>& range,
      const PartTarget& target);

  struct MoveItem {
    std::string hash;
    std::string name;
  };
  // All or nothing (docs/contract.md, decision 6).
  std::variant<std::vector<FileInfo>, Refusal> move(const std::string& directory_id,
                                                    const std::vector<MoveItem>& items);

  // A token for GET /pub/v1/disk/download/{token}; by file id or by hash.
  std::variant<std::string, Refusal> link_for_file(const std::string& file_id);
  std::variant<std::string, Refusal> link_for_hash(const std::string& hash);

  struct Download {
    FileInfo file;
    std::unique_ptr<ContentReader> reader;
  };
  std::variant<Download, Refusal> open_download(const std::string& token);

  struct Listing {
    std::vector<ListEntry> entries;
    std::uint64_t total = 0;
  };
  // Subdirectories first (the root's: every other directory, in the order
  // they were made), then files by name. `limit` 0: no limit.
  std::variant<Listing, Refusal> list_directory(const std::string& directory_id, std::uint64_t offset,
                                                std::uint64_t limit);

  // Admin API.
  void reset();  // everything gone but the root and the configured directories
  std::vector<UploadSummary> uploads() const;
  struct UploadCounts {
    std::size_t held = 0;      // what uploads() lists
    std::size_t complete = 0;  // of those, complete and not moved yet
  };
  UploadCounts upload_counts() const;  // without listing them
  bool expire(const std::string& hash);  // as if its TTL ran out now
  // The size of the upload's non-final parts, once a part shows it (for
  // faults aimed at a part's index); nullopt for an unknown upload.
  std::optional<std::uint64_t> part_size(const std::string& hash) const;
  std::variant<DirectoryInfo, Refusal> add_directory(const DirectorySpec& spec);
  std::vector<DirectoryInfo> directories() const;
  std::size_t sweep_expired();  // removes uploads past their deadline; returns how many

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace partcheck::mock
