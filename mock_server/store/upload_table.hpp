#pragma once
// The store's uploads by key. An upload being written is a full UploadRecord
// (shared with the requests writing it); a complete, idle temporary upload,
// which a load test holds by the hundred thousand for a whole TTL, is kept
// as a CompactUpload of 56 bytes instead and becomes a full record again
// when a request touches it. Slots live in fixed blocks, found through a
// hash table of 16-byte keys and 4-byte slot numbers: no per-upload heap
// block, and no table of whole records to copy when the table grows.
#include <cstdint>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "mock_server/store/uploads.hpp"

namespace partcheck::mock {

class UploadTable {
 public:
  // The record filed under `key` (a compact upload is restored to one and
  // filed as such), or null.
  std::shared_ptr<UploadRecord> find(const UuidKey& key);
  // For a look only: a compact upload comes back restored but stays compact.
  std::shared_ptr<const UploadRecord> view(const UuidKey& key) const;
  // When the upload under `key` is due, without restoring it: empty when
  // there is none or it has no acknowledged part yet.
  std::optional<Clock::time_point> deadline(const UuidKey& key) const;
  // Whether `record` is the one filed under its key.
  bool holds(const UploadRecord& record) const;
  // Files the record under its key unless the key is taken.
  void insert(const std::shared_ptr<UploadRecord>& record);
  void erase(const UploadRecord& record);  // when it is the one filed
  // Keeps the record in compact form when it allows (UploadRecord::compact).
  void compact(const UploadRecord& record);

  std::size_t size() const { return slot_of_.size(); }
  std::vector<UploadSummary> summaries() const;  // uploads with an acknowledged part, in no order
  // How many summaries() would list, and how many of them are complete,
  // without building them (GET /__mock/stats, polled by the dashboard).
  std::pair<std::size_t, std::size_t> count_acknowledged_and_complete() const;
  // Empties the table; returns the full records (the compact ones have no
  // metadata or writer to tell).
  std::vector<std::shared_ptr<UploadRecord>> take_all();

 private:
  using Slot = std::variant<std::monostate, std::shared_ptr<UploadRecord>, CompactUpload>;
  static constexpr std::size_t kBlockSlots = 4096;

  Slot& slot(std::uint32_t index) { return (*blocks_[index / kBlockSlots])[index % kBlockSlots]; }
  const Slot& slot(std::uint32_t index) const { return (*blocks_[index / kBlockSlots])[index % kBlockSlots]; }
  const Slot* slot_for(const UuidKey& key) const;
  std::uint32_t new_slot();

  boost::unordered_flat_map<UuidKey, std::uint32_t, UuidKeyHash> slot_of_;
  std::vector<std::unique_ptr<std::array<Slot, kBlockSlots>>> blocks_;
  std::uint32_t used_ = 0;             // slots handed out from the blocks so far
  std::vector<std::uint32_t> free_;    // slots given back, used again first
};

}  // namespace partcheck::mock
