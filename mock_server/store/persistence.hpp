#pragma once
// Metadata on disk: each JSON file is replaced atomically (temp file, flush,
// rename, flush; durable flushes are shared group flushes, SyncGroup), so
// after a crash it is either the old or the new version, never half of one.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>

#include <nlohmann/json.hpp>

namespace partcheck::mock {

class SyncGroup;

// Empty when the file does not exist; throws StorageError when it is not JSON.
std::optional<nlohmann::json> read_json(const std::filesystem::path& path);

// One metadata file written by several threads: each writer brings the
// version of the state it serialised; an older version than the one already
// on disk is skipped, so the file never goes back in time and a caller that
// returns knows its state (or a newer one) is durable.
class VersionedJsonFile {
 public:
  // What a reader makes of the file torn by a crash (or left empty).
  // MeansAbsent: a file never written, as recovery takes an upload's
  // metadata it cannot read (an upload never acknowledged). The first
  // version, when no file is there yet, is then written in place: one flush
  // instead of two, no temp file and no rename, which is most of what a
  // small durable upload waits for. Fatal (catalog.json, which the server
  // needs to start): every version goes through write_json_atomic.
  enum class Torn { Fatal, MeansAbsent };
  // `sync`: the data dir's group flush with FsyncPolicy::Always (the store
  // looks it up once), null when nothing needs to reach the disk.
  VersionedJsonFile(std::filesystem::path path, SyncGroup* sync, Torn torn = Torn::Fatal)
      : path_(std::move(path)), sync_(sync), torn_(torn) {}
  void write(std::uint64_t version, const nlohmann::json& value);
  // Removes the file; later writes of versions up to `version` are skipped.
  void remove(std::uint64_t version);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  SyncGroup* sync_;
  Torn torn_;
  std::mutex mutex_;
  std::uint64_t written_ = 0;
};

}  // namespace partcheck::mock
