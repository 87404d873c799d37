// Store::begin_part and the PartUpload it hands out: one part from headers
// to durable bytes and saved state. The contract decides (decide_part /
// apply_part); this file only checks busy writers, streams, commits, saves.
#include "contract/file_name.hpp"
#include "contract/uuid.hpp"
#include "mock_server/store/store_impl.hpp"

namespace partcheck::mock {
namespace {

using contract::ContentRange;
using contract::ErrorCode;

std::optional<Refusal> busy_refusal(const std::string& hash) {
  return refuse(ErrorCode::UploadBusy, "another request is writing upload " + hash + " right now");
}

class PartUploadImpl final : public PartUpload {
 public:
  struct Start {
    std::string hash;  // canonical, as the answers spell it
    std::shared_ptr<UploadRecord> record;
    std::uint64_t part_id = 0;
    std::optional<ContentRange> range;
    contract::PartDecision decision;
    PartTarget target;
    std::optional<contract::Digest> digest;  // continues the upload's digest, when in order
    std::uint64_t digest_base = 0;
  };
  PartUploadImpl(StoreCore& store, Start start, std::unique_ptr<PartWriter> writer)
      : s_(store), p_(std::move(start)), writer_(std::move(writer)) {}
  ~PartUploadImpl() override { abort(); }

  void write(std::span<const std::byte> data) override {
    if (finished_) throw StorageError("part already finished");
    auto keep = data;
    if (p_.range && !s_.deviates("RANGE-2")) {  // past the declared end is only counted (RANGE-2 at finish)
      const auto room = written_ >= p_.range->length() ? 0 : p_.range->length() - written_;
      if (keep.size() > room) keep = keep.first(static_cast<std::size_t>(room));
    }
    if (!keep.empty()) {
      writer_->write(keep);
      if (p_.digest) p_.digest->update(keep);
    }
    written_ += data.size();
  }
  std::uint64_t bytes_written() const override { return written_; }
  PartResult finish() override;

 private:
  std::optional<Refusal> decide_locked(const ContentRange& range);
  void apply_locked(const ContentRange& range, Clock::time_point now);
  PartResult refused(const Refusal& refusal);
  void abort() noexcept;
  void release_locked();

  StoreCore& s_;
  Start p_;
  std::unique_ptr<PartWriter> writer_;
  std::uint64_t written_ = 0;
  bool finished_ = false;
  bool released_ = false;
};

void PartUploadImpl::release_locked() {
  p_.record->remove_part(p_.part_id);
  released_ = true;
}

// Whether the part may still be stored, judged against the state as it is
// now (a parallel part may have landed, or the upload was reset or moved).
std::optional<Refusal> PartUploadImpl::decide_locked(const ContentRange& range) {
  auto& record = *p_.record;
  if (s_.catalog.file_for_hash(p_.hash))
    return refuse(ErrorCode::UploadComplete, "upload " + p_.hash + " was moved into a file", "PART-4");
  if (record.removed || !s_.uploads.holds(record))
    return refuse(ErrorCode::NoSuchUpload, "upload " + p_.hash + " expired or was removed", "TTL-1");
  const bool expired = !record.state && s_.catalog.tombstones.contains(record.key);
  p_.decision = contract::decide_part(record.state ? &*record.state : nullptr, expired, range, s_.config.policy);
  if (auto bad = refusal_of(p_.decision)) return bad;
  if (p_.decision.completes && p_.target.directory_id)
    return s_.check_directory_locked(*p_.target.directory_id, range.total);
  return std::nullopt;
}

void PartUploadImpl::apply_locked(const ContentRange& range, Clock::time_point now) {
  auto& record = *p_.record;
  const auto& d = p_.decision;
  const bool first = !record.state;
  if (first) {
    record.created = now;
    record.deadline = now + s_.config.ttl;  // from the first accepted part, never extended
  }
  record.state = contract::apply_part(record.state ? &*record.state : nullptr, range, d);
  if (first) s_.track_deadline_locked(record);
  // Keep the running digest only while parts arrive in order (or a retry
  // replaces the last one); otherwise it is computed from the bytes at the end.
  bool in_order = p_.digest && written_ == range.length() && d.write_offset == p_.digest_base;
  if (in_order && d.replaces) {
    in_order = record.before_last_at(p_.digest_base) != nullptr;
  } else if (in_order) {
    in_order = record.digest_at(p_.digest_base) != nullptr;
    if (in_order) {
      auto& progress = *record.progress;
      progress.before_last = std::move(progress.digest);
      progress.before_last_end = progress.digest_end;
    }
  }
  if (in_order) {
    auto& progress = record.progress_for_update();
    progress.digest = std::move(p_.digest);
    progress.digest_end = d.write_offset + range.length();
  } else {
    record.forget_digests();
  }
  if (d.completes) {  // a retry of the completing part may bring other bytes: digest anew
    const auto* digest = record.digest_at(record.state->total);
    record.set_xxh3(digest ? digest->hex() : std::string());
    // A complete upload keeps its 16-byte digest, not two running states of
    // ~600 bytes each: a retry of the completing part (rare) digests the
    // stored bytes instead (finish(), needs_digest).
    if (digest) record.forget_digests();
  }
  ++record.version;
}

PartResult PartUploadImpl::finish() {
  if (finished_) throw StorageError("part finished twice");
  finished_ = true;
  if (p_.range && written_ != p_.range->length() && !s_.deviates("RANGE-2"))
    return refused(refuse(ErrorCode::LengthMismatch,
                          "the body has " + std::to_string(written_) + " bytes; Content-Range " +
                              contract::format_content_range(*p_.range) + " declares " +
                              std::to_string(p_.range->length()),
                          "RANGE-2"));
  const ContentRange range = p_.range ? *p_.range : ContentRange{0, written_, written_};
  {
    std::unique_lock lock(s_.mutex);
    if (auto bad = decide_locked(range)) {
      lock.unlock();
      return refused(*bad);
    }
  }
  try {
    if (!p_.range && p_.decision.write_offset != 0) writer_->retarget(p_.decision.write_offset);
    writer_->commit();
  } catch (...) {
    abort();
    throw;
  }
  PartResult result;
  bool needs_digest = false;
  {
    std::unique_lock lock(s_.mutex);
    if (auto bad = decide_locked(range)) {  // reset, moved or raced meanwhile
      lock.unlock();
      return refused(*bad);
    }
    apply_locked(range, s_.clock.now());
    const auto& state = *p_.record->state;
    result.status = p_.decision.status;
    result.received = state.contiguous_end();
    result.total = state.total;
    result.complete = p_.decision.completes;
    needs_digest = result.complete && p_.record->xxh3().empty();
  }
  if (needs_digest) {  // parts came out of order or the server restarted meanwhile
    auto hex = s_.digest_of_upload(*p_.record, result.total);
    std::lock_guard lock(s_.mutex);
    p_.record->set_xxh3(hex);
    ++p_.record->version;
  }
  s_.save_upload(*p_.record);  // durable before the answer
  bool into_directory = false;
  {
    std::lock_guard lock(s_.mutex);
    result.xxh3 = p_.record->xxh3();
    release_locked();
    into_directory = result.complete && p_.target.directory_id && !p_.record->busy();
    if (into_directory) {
      p_.record->moving = true;
      p_.record->set_target(p_.target);  // the request that completes it says where it goes
    } else if (!p_.target.directory_id) {
      s_.uploads.compact(*p_.record);  // a complete temporary upload waits for its move in 56 bytes
    }
  }
  if (result.complete && p_.target.directory_id) {
    if (!into_directory) return refused(*busy_refusal(p_.hash));
    auto placed = s_.complete_into_directory(p_.record);
    if (auto* file = std::get_if<FileInfo>(&placed)) {
      result.file = *file;
    } else {
      result.refusal = std::get<Refusal>(placed);
      result.status = result.refusal->status;
    }
  }
  return result;
}

PartResult PartUploadImpl::refused(const Refusal& refusal) {
  abort();
  PartResult result;
  result.status = refusal.status;
  result.refusal = refusal;
  std::lock_guard lock(s_.mutex);
  if (p_.record->state) {
    result.received = p_.record->state->contiguous_end();
    result.total = p_.record->state->total;
    result.complete = p_.record->state->complete;
  }
  return result;
}

// Nothing of the part is kept: the writer drops its stage, and bytes written
// in place past the acknowledged end are cut off. While that happens the part
// stays registered, marked exclusive, so no new writer starts under the cut.
void PartUploadImpl::abort() noexcept {
  if (released_) return;
  writer_.reset();
  auto& record = *p_.record;
  bool drop = false, trim = false;
  std::uint64_t acknowledged = 0;
  {
    std::lock_guard lock(s_.mutex);
    if (auto* only = record.only_part_in_flight(); only && !record.removed) {
      only->exclusive = true;
      drop = !record.state;
      trim = !drop;
      acknowledged = record.acknowledged_end();
    }
  }
  try {
    if (drop) s_.storage->remove_upload(record.storage_key());
    if (trim) s_.storage->trim_upload(record.storage_key(), acknowledged);
  } catch (const std::exception&) {
    // Unacknowledged bytes only: the next part overwrites them, a restart trims them.
  }
  std::lock_guard lock(s_.mutex);
  release_locked();
  if (!record.state && !record.busy()) s_.erase_upload_locked(record);
  else s_.uploads.compact(record);  // a refused retry of a complete upload
}

}  // namespace

std::variant<std::unique_ptr<PartUpload>, Refusal> Store::begin_part(
    const std::string& hash_as_sent, const std::optional<ContentRange>& range, const PartTarget& target) {
  auto& s = *impl_;
  const auto hash = contract::canonical_uuid(hash_as_sent);
  if (!contract::is_uuid(hash) && (hash.empty() || !s.deviates("HASH-1")))
    return refuse(ErrorCode::InvalidHash, "hash '" + hash + "' is not a uuid", "HASH-1");
  if (target.directory_id && !contract::is_uuid(*target.directory_id))
    return refuse(ErrorCode::NoSuchDirectory, "directory id '" + *target.directory_id + "' is not a uuid", "DIR-1");
  if (target.name)
    if (auto problem = contract::name_problem(*target.name); !problem.empty())
      return refuse(ErrorCode::InvalidName, "file name: " + problem);
  if (auto refusal = s.refuse_if_read_only()) return *refusal;
  s.maybe_sweep();

  PartUploadImpl::Start start;
  start.hash = hash;
  start.range = range;
  start.target = target;
  std::vector<std::shared_ptr<UploadRecord>> expired_now;
  {
    std::lock_guard lock(s.mutex);
    const auto now = s.clock.now();
    if (s.catalog.file_for_hash(hash))
      return refuse(ErrorCode::UploadComplete, "upload " + hash + " was moved into a file", "PART-4");
    auto record = s.find_upload_locked(hash);
    if (record && s.due(*record, now) && s.expire_locked(record, now, expired_now)) record.reset();
    std::optional<std::pair<std::uint64_t, std::uint64_t>> span;
    if (range) span.emplace(range->start, range->end);
    if (record && record->conflicts(span, s.parallel_parts())) return *busy_refusal(hash);
    if (range) {
      const bool expired = !(record && record->state) && s.expired_hash_locked(hash);
      start.decision = contract::decide_part(record && record->state ? &*record->state : nullptr, expired, *range,
                                             s.config.policy);
      if (auto bad = refusal_of(start.decision)) return *bad;
    }
    if (target.directory_id)  // at the first part and every later one; again at completion
      if (auto bad = s.check_directory_locked(*target.directory_id, range ? range->total : 0)) return *bad;
    if (!record) {
      record = std::make_shared<UploadRecord>(hash);
      record->progress_for_update().digest.emplace(contract::DigestAlgorithm::Xxh3_128);  // of no bytes yet
      s.attach_metadata(*record);
      s.insert_upload_locked(record);
    }
    if (!record->state) record->set_target(target);
    const auto offset = range ? start.decision.write_offset : 0;
    start.part_id = record->add_part(offset, offset + (range ? range->length() : 0), !range.has_value());
    start.digest_base = offset;
    const auto* continued = !range                     ? nullptr
                            : start.decision.replaces ? record->before_last_at(offset)
                                                      : record->digest_at(offset);
    if (!range)
      start.digest.emplace(contract::DigestAlgorithm::Xxh3_128);  // valid if it lands at 0 (checked at finish)
    else if (continued)
      start.digest = *continued;
    start.record = record;
  }
  s.drop_removed(expired_now, {});

  std::unique_ptr<PartWriter> writer;
  const auto key = start.record->storage_key();
  try {
    writer = range ? s.storage->open_part(key, start.decision.write_offset, start.decision.replaces)
                   : s.storage->open_part(key, 0, /*overwrites=*/true);
  } catch (...) {
    std::lock_guard lock(s.mutex);
    auto& record = *start.record;
    record.remove_part(start.part_id);
    if (!record.state && !record.busy()) s.erase_upload_locked(record);
    throw;
  }
  return std::unique_ptr<PartUpload>(std::make_unique<PartUploadImpl>(s, std::move(start), std::move(writer)));
}

}  // namespace partcheck::mock
