#pragma once
// Where bytes live. The store decides WHAT is kept (contract policy, state,
// metadata); a backend only keeps bytes of uploads and files, and says when
// they are durable. Backends: disk (files under --data-dir), memory (small
// tests), null (keeps nothing but sizes; downloads are refused).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace partcheck::mock {

struct StorageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Out of file descriptors (EMFILE, ENFILE): the disk is fine and the
// condition passes, so clients hear 503 and may retry.
struct DescriptorsExhausted : StorageError {
  using StorageError::StorageError;
};

// What memory storage holds at most unless --max-memory says otherwise.
inline constexpr std::uint64_t kDefaultMaxMemory = std::uint64_t{1} << 30;  // 1 GiB

// The storage's configured capacity would be exceeded (memory storage's
// --max-memory): the mock's limit, not a broken disk; answered 507.
struct CapacityExceeded : StorageError {
  using StorageError::StorageError;
};

// One part on its way in. Destroyed without commit(): nothing of it is kept,
// and the acknowledged bytes of the upload are as they were.
class PartWriter {
 public:
  virtual ~PartWriter() = default;
  virtual void write(std::span<const std::byte> data) = 0;
  // Makes the part visible, and durable no later than the store's next
  // metadata save (FsyncPolicy::Always): disk storage flushes what it must
  // order itself (a staged part before its rename) and leaves the rest to
  // the save's group flush, which the store makes before answering.
  virtual void commit() = 0;
  // Staged writers only (opened with overwrites=true): land the bytes at
  // another offset than the one given to open_part. A body of unknown length
  // is staged before its place in the file is decided.
  virtual void retarget(std::uint64_t offset) = 0;
};

class ContentReader {
 public:
  virtual ~ContentReader() = default;
  virtual std::uint64_t size() const = 0;
  // Reads up to out.size() bytes at offset; returns the count (0 at the end).
  virtual std::size_t read(std::uint64_t offset, std::span<std::byte> out) = 0;
};

class StorageBackend {
 public:
  virtual ~StorageBackend() = default;
  virtual std::string_view name() const = 0;
  virtual bool keeps_content() const = 0;  // false for null storage

  // Bytes for upload `hash` at `offset`. `overwrites` says the range holds
  // acknowledged bytes (a retry): they must survive until commit() succeeds.
  virtual std::unique_ptr<PartWriter> open_part(const std::string& hash, std::uint64_t offset,
                                                bool overwrites) = 0;
  // Drops any bytes past `acknowledged` (after a crash or an aborted part).
  virtual void trim_upload(const std::string& hash, std::uint64_t acknowledged) = 0;
  virtual void remove_upload(const std::string& hash) = 0;
  virtual std::unique_ptr<ContentReader> open_upload(const std::string& hash) = 0;

  // A complete upload becomes the file `file_id` (a rename, never a copy).
  virtual void promote(const std::string& hash, const std::string& file_id) = 0;
  virtual std::unique_ptr<ContentReader> open_file(const std::string& file_id) = 0;  // null if not kept
  virtual void remove_file(const std::string& file_id) = 0;
  virtual void remove_all() = 0;  // admin reset

  // Deliberately broken behaviour (mock `--deviate`): MOVE-1 flips the last
  // byte of a moved file, MOVE-8 copies a file instead of moving it.
  virtual void flip_last_byte(const std::string& file_id) = 0;
  virtual void copy_file(const std::string& from_file_id, const std::string& to_file_id) = 0;

  // What is stored, for recovery after a restart: the store drops whatever
  // its metadata does not know.
  virtual std::vector<std::string> stored_uploads() const = 0;
  virtual std::vector<std::string> stored_files() const = 0;
};

}  // namespace partcheck::mock
