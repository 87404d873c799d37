#include "mock_server/store/persistence.hpp"

#include <fcntl.h>

#include <fstream>
#include <sstream>

#include "contract/uuid.hpp"
#include "mock_server/failure.hpp"
#include "mock_server/storage/posix_file.hpp"
#include "mock_server/storage/storage_backend.hpp"
#include "mock_server/storage/sync_group.hpp"

namespace partcheck::mock {
namespace fs = std::filesystem;

namespace {

// Replaces the file atomically: after a crash it is the old or the new
// version, never half of one.
void write_json_atomic(const fs::path& path, const nlohmann::json& value, SyncGroup* sync) {
  const auto text = dump_json(value);
  auto temp = path;
  temp += "." + contract::new_uuid() + ".tmp";
  {
    PosixFile file(temp, O_WRONLY | O_CREAT | O_TRUNC);
    file.write_at(0, std::as_bytes(std::span(text.data(), text.size())));
  }
  // Two group flushes (SyncGroup), shared with every concurrent writer on
  // the file system: the temp file's bytes must be on disk before the rename
  // publishes them, and the rename before the caller answers.
  try {
    if (sync) sync->barrier();
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw StorageError("cannot replace " + path.string());
  }
  if (sync) sync->barrier();
}

// The first version of a file that is not there yet, in place (see
// VersionedJsonFile::Torn): false when a file is there after all.
bool write_json_new(const fs::path& path, const nlohmann::json& value, SyncGroup* sync) {
  {
    auto file = PosixFile::create_new(path);
    if (!file.is_open()) return false;
    const auto text = dump_json(value);
    file.write_at(0, std::as_bytes(std::span(text.data(), text.size())));
  }
  // Its bytes and its directory entry, with whatever else was written
  // before: for an upload's first part, the part's own bytes.
  if (sync) sync->barrier();
  return true;
}

}  // namespace

std::optional<nlohmann::json> read_json(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  auto value = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) throw StorageError(path.string() + " is not valid JSON");
  return value;
}

void VersionedJsonFile::write(std::uint64_t version, const nlohmann::json& value) {
  std::lock_guard lock(mutex_);
  if (version <= written_) return;
  if (torn_ == Torn::MeansAbsent && written_ == 0 && write_json_new(path_, value, sync_)) {
    written_ = version;
    return;
  }
  write_json_atomic(path_, value, sync_);
  written_ = version;
}

void VersionedJsonFile::remove(std::uint64_t version) {
  std::lock_guard lock(mutex_);
  written_ = std::max(written_, version);
  std::error_code ignored;
  fs::remove(path_, ignored);
}

}  // namespace partcheck::mock
