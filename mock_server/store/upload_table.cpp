#include "mock_server/store/upload_table.hpp"

namespace partcheck::mock {

const UploadTable::Slot* UploadTable::slot_for(const UuidKey& key) const {
  auto it = slot_of_.find(key);
  return it == slot_of_.end() ? nullptr : &slot(it->second);
}

std::uint32_t UploadTable::new_slot() {
  if (!free_.empty()) {
    const auto index = free_.back();
    free_.pop_back();
    return index;
  }
  if (used_ == blocks_.size() * kBlockSlots) blocks_.push_back(std::make_unique<std::array<Slot, kBlockSlots>>());
  return used_++;
}

std::shared_ptr<UploadRecord> UploadTable::find(const UuidKey& key) {
  auto it = slot_of_.find(key);
  if (it == slot_of_.end()) return nullptr;
  auto& entry = slot(it->second);
  if (const auto* compact = std::get_if<CompactUpload>(&entry)) entry = UploadRecord::from_compact(key, *compact);
  return std::get<std::shared_ptr<UploadRecord>>(entry);
}

std::shared_ptr<const UploadRecord> UploadTable::view(const UuidKey& key) const {
  auto it = slot_of_.find(key);
  if (it == slot_of_.end()) return nullptr;
  const auto& entry = slot(it->second);
  if (const auto* compact = std::get_if<CompactUpload>(&entry)) return UploadRecord::from_compact(key, *compact);
  return std::get<std::shared_ptr<UploadRecord>>(entry);
}

std::optional<Clock::time_point> UploadTable::deadline(const UuidKey& key) const {
  const auto* entry = slot_for(key);
  if (!entry) return std::nullopt;
  if (const auto* compact = std::get_if<CompactUpload>(entry)) return compact->deadline;
  const auto& record = std::get<std::shared_ptr<UploadRecord>>(*entry);
  if (!record->state) return std::nullopt;
  return record->deadline;
}

bool UploadTable::holds(const UploadRecord& record) const {
  const auto* entry = slot_for(record.key);
  const auto* full = entry ? std::get_if<std::shared_ptr<UploadRecord>>(entry) : nullptr;
  return full && full->get() == &record;
}

void UploadTable::insert(const std::shared_ptr<UploadRecord>& record) {
  if (slot_of_.contains(record->key)) return;
  const auto index = new_slot();
  slot(index) = record;
  slot_of_.emplace(record->key, index);
}

void UploadTable::erase(const UploadRecord& record) {
  auto it = slot_of_.find(record.key);
  if (it == slot_of_.end()) return;
  auto& entry = slot(it->second);
  const auto* full = std::get_if<std::shared_ptr<UploadRecord>>(&entry);
  if (!full || full->get() != &record) return;
  entry = std::monostate{};
  free_.push_back(it->second);
  slot_of_.erase(it);
}

void UploadTable::compact(const UploadRecord& record) {
  if (!holds(record)) return;
  if (auto compact = record.compact()) slot(slot_of_.find(record.key)->second) = *compact;
}

std::vector<UploadSummary> UploadTable::summaries() const {
  std::vector<UploadSummary> list;
  list.reserve(slot_of_.size());
  for (const auto& [key, index] : slot_of_) {
    const auto& entry = slot(index);
    if (const auto* compact = std::get_if<CompactUpload>(&entry)) {
      list.push_back(UploadRecord::from_compact(key, *compact)->summary());
    } else if (const auto& record = std::get<std::shared_ptr<UploadRecord>>(entry); record->state) {
      list.push_back(record->summary());
    }
  }
  return list;
}

std::pair<std::size_t, std::size_t> UploadTable::count_acknowledged_and_complete() const {
  std::size_t acknowledged = 0, complete = 0;
  for (const auto& [key, index] : slot_of_) {
    const auto& entry = slot(index);
    if (std::holds_alternative<CompactUpload>(entry)) {  // compact only once complete
      ++acknowledged;
      ++complete;
    } else if (const auto& record = std::get<std::shared_ptr<UploadRecord>>(entry); record->state) {
      ++acknowledged;
      complete += record->state->complete ? 1 : 0;
    }
  }
  return {acknowledged, complete};
}

std::vector<std::shared_ptr<UploadRecord>> UploadTable::take_all() {
  std::vector<std::shared_ptr<UploadRecord>> full;
  for (const auto& [key, index] : slot_of_)
    if (auto* record = std::get_if<std::shared_ptr<UploadRecord>>(&slot(index))) full.push_back(std::move(*record));
  // Fresh members, so the memory goes back too.
  slot_of_ = decltype(slot_of_)();
  blocks_ = decltype(blocks_)();
  used_ = 0;
  free_ = decltype(free_)();
  return full;
}

}  // namespace partcheck::mock
