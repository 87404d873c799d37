#include "mock_server/store/uploads.hpp"

#include "contract/uuid.hpp"
#include "mock_server/store/catalog.hpp"

namespace partcheck::mock {

using nlohmann::json;

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

// An upload that cannot be compacted (disk storage, a target, a non-uuid
// hash) holds this, its shared_ptr's control block and its part list for a
// whole TTL once complete: the budget is 256 bytes of heap.
static_assert(sizeof(UploadRecord) <= 184, "UploadRecord grew: check the memory per held upload");

UploadRecord::UploadRecord(const std::string& upload_hash) : key(upload_key_for(upload_hash)) {
  if (upload_hash != format_uuid_key(key)) odd_hash_ = std::make_unique<const std::string>(upload_hash);
}

std::string UploadRecord::hash() const { return odd_hash_ ? *odd_hash_ : format_uuid_key(key); }

const PartTarget& UploadRecord::target() const {
  static const PartTarget kTemporary;
  return target_ ? *target_ : kTemporary;
}

void UploadRecord::set_target(const PartTarget& target) {
  if (target.directory_id || target.name) target_ = std::make_unique<PartTarget>(target);
  else target_.reset();
}

std::string UploadRecord::xxh3() const {
  if (!has_xxh3_) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(xxh3_.size() * 2, '0');
  for (std::size_t i = 0; i < xxh3_.size(); ++i) {
    hex[2 * i] = kHex[xxh3_[i] >> 4];
    hex[2 * i + 1] = kHex[xxh3_[i] & 0xf];
  }
  return hex;
}

void UploadRecord::set_xxh3(std::string_view hex) {
  has_xxh3_ = false;
  if (hex.size() != xxh3_.size() * 2) return;  // empty: unknown (an XXH3-128 hex is always 32 digits)
  for (std::size_t i = 0; i < xxh3_.size(); ++i) {
    const int high = hex_digit(hex[2 * i]), low = hex_digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return;
    xxh3_[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  has_xxh3_ = true;
}

const contract::Digest* UploadRecord::digest_at(std::uint64_t offset) const {
  if (!progress || !progress->digest || progress->digest_end != offset) return nullptr;
  return &*progress->digest;
}

const contract::Digest* UploadRecord::before_last_at(std::uint64_t offset) const {
  if (!progress || !progress->before_last || progress->before_last_end != offset) return nullptr;
  return &*progress->before_last;
}

UploadProgress& UploadRecord::progress_for_update() {
  if (!progress) progress = std::make_unique<UploadProgress>();
  return *progress;
}

void UploadRecord::forget_digests() {
  if (!progress) return;
  progress->digest.reset();
  progress->before_last.reset();
  drop_idle_progress();
}

void UploadRecord::drop_idle_progress() {
  if (progress && progress->idle()) progress.reset();
}

std::uint64_t UploadRecord::add_part(std::uint64_t start, std::uint64_t end, bool exclusive) {
  auto& p = progress_for_update();
  const auto id = p.next_part_id++;
  p.in_flight.push_back(InFlightPart{id, start, end, exclusive});
  return id;
}

void UploadRecord::remove_part(std::uint64_t id) {
  if (!progress) return;
  std::erase_if(progress->in_flight, [&](const InFlightPart& part) { return part.id == id; });
  drop_idle_progress();
}

InFlightPart* UploadRecord::only_part_in_flight() {
  return parts_in_flight() == 1 ? &progress->in_flight.front() : nullptr;
}

bool UploadRecord::conflicts(std::optional<std::pair<std::uint64_t, std::uint64_t>> range,
                             bool parallel_allowed) const {
  if (moving) return true;
  if (parts_in_flight() == 0) return false;
  if (!parallel_allowed || !range) return true;
  for (const auto& part : progress->in_flight)
    if (part.exclusive || (part.start < range->second && range->first < part.end) ||
        (range->first == range->second && part.start == range->first))
      return true;
  return false;
}

std::uint64_t UploadRecord::acknowledged_end() const {
  std::uint64_t end = 0;
  if (state)
    for (const auto& p : state->parts) end = std::max(end, p.end);
  return end;
}

namespace {

// The parts of a file of `total` bytes cut at every `part_size` (0: one part).
std::vector<contract::StoredPart> parts_by_size(std::uint64_t total, std::uint64_t part_size) {
  if (part_size == 0) return {{0, total}};
  std::vector<contract::StoredPart> parts;
  parts.reserve(static_cast<std::size_t>((total + part_size - 1) / part_size));
  for (std::uint64_t start = 0; start < total; start += part_size)
    parts.push_back({start, std::min(total, start + part_size)});
  return parts;
}

}  // namespace

std::optional<CompactUpload> UploadRecord::compact() const {
  if (!state || !state->complete || busy() || removed || progress || meta || odd_hash_ || target_) return std::nullopt;
  // Only what from_compact gives back exactly: the last part is the final one.
  if (!state->last_part || state->last_part->end != state->total) return std::nullopt;
  const auto parts = parts_by_size(state->total, state->part_size);
  if (state->parts != parts || *state->last_part != parts.back()) return std::nullopt;
  return CompactUpload{state->total, state->part_size, created, deadline, xxh3_, has_xxh3_};
}

std::shared_ptr<UploadRecord> UploadRecord::from_compact(const UuidKey& key, const CompactUpload& compact) {
  auto record = std::make_shared<UploadRecord>(format_uuid_key(key));
  contract::UploadState state;
  state.total = compact.total;
  state.part_size = compact.part_size;
  state.parts = parts_by_size(compact.total, compact.part_size);
  state.last_part = state.parts.back();
  state.complete = true;
  record->state = std::move(state);
  record->created = compact.created;
  record->deadline = compact.deadline;
  record->xxh3_ = compact.xxh3;
  record->has_xxh3_ = compact.has_xxh3;
  return record;
}

UploadSummary UploadRecord::summary() const {
  UploadSummary s;
  s.hash = hash();
  if (state) s.state = *state;
  s.created = created;
  s.deadline = deadline;
  s.busy = busy();
  return s;
}

json UploadRecord::to_json() const {
  json parts = json::array();
  for (const auto& p : state->parts) parts.push_back({p.start, p.end});
  json j = {{"hash", hash()},
            {"total", state->total},
            {"part_size", state->part_size},
            {"parts", parts},
            {"complete", state->complete},
            {"created_ms", to_millis(created)},
            {"deadline_ms", to_millis(deadline)},
            {"xxh3", xxh3()}};
  if (state->last_part) j["last_part"] = {state->last_part->start, state->last_part->end};
  if (target_ && target_->directory_id) j["target_directory"] = *target_->directory_id;
  if (target_ && target_->name) j["target_name"] = *target_->name;
  return j;
}

std::shared_ptr<UploadRecord> UploadRecord::from_json(const json& j) {
  const auto hash = j.at("hash").get<std::string>();
  auto record = std::make_shared<UploadRecord>(hash);
  contract::UploadState state;
  state.total = j.at("total").get<std::uint64_t>();
  state.part_size = j.at("part_size").get<std::uint64_t>();
  for (const auto& p : j.at("parts")) state.parts.push_back({p.at(0).get<std::uint64_t>(), p.at(1).get<std::uint64_t>()});
  if (j.contains("last_part"))
    state.last_part = contract::StoredPart{j["last_part"].at(0).get<std::uint64_t>(), j["last_part"].at(1).get<std::uint64_t>()};
  state.complete = j.at("complete").get<bool>();
  record->state = std::move(state);
  record->created = from_millis(j.at("created_ms").get<std::int64_t>());
  record->deadline = from_millis(j.at("deadline_ms").get<std::int64_t>());
  record->set_xxh3(j.value("xxh3", ""));
  PartTarget target;
  if (j.contains("target_directory")) target.directory_id = j["target_directory"].get<std::string>();
  if (j.contains("target_name")) target.name = j["target_name"].get<std::string>();
  record->set_target(target);  // the running digest is not persisted: computed at completion
  return record;
}

std::string storage_key_for(const std::string& hash) {
  if (contract::is_uuid(hash)) return hash;
  auto hex = contract::digest_hex(contract::DigestAlgorithm::Xxh3_128,
                                  std::as_bytes(std::span(hash.data(), hash.size())));
  hex.resize(32, '0');
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

UuidKey upload_key_for(const std::string& hash) {
  if (auto key = parse_uuid_key(hash)) return *key;
  // An upper-case uuid (callers canonicalise, but the key must not depend on it) or a non-uuid hash.
  return parse_uuid_key(contract::canonical_uuid(storage_key_for(hash))).value_or(UuidKey{});
}

}  // namespace partcheck::mock
