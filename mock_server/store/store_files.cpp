// Files and directories: move (all or nothing), completion of directory
// uploads, names with ` (n)` postfixes, download links and listings.
#include <set>
#include <tuple>

#include "contract/file_name.hpp"
#include "contract/uuid.hpp"
#include "mock_server/store/store_impl.hpp"

namespace partcheck::mock {
namespace {

using contract::ErrorCode;

// A window of another reader: the served length, and LINK-1 deviated skips
// the first byte.
class SliceReader final : public ContentReader {
 public:
  SliceReader(std::unique_ptr<ContentReader> inner, std::uint64_t skip, std::uint64_t length)
      : inner_(std::move(inner)), skip_(skip), length_(length) {}
  std::uint64_t size() const override { return length_; }
  std::size_t read(std::uint64_t offset, std::span<std::byte> out) override {
    if (offset >= length_) return 0;
    if (out.size() > length_ - offset) out = out.first(static_cast<std::size_t>(length_ - offset));
    return inner_->read(skip_ + offset, out);
  }

 private:
  std::unique_ptr<ContentReader> inner_;
  std::uint64_t skip_;
  std::uint64_t length_;
};

struct NameChoice {
  std::string name;
  std::optional<std::string> overwrites;  // a file that loses its name (MOVE-2/MOVE-3 deviated)
};

// The name a file gets in `directory_id`: the wanted one, else the first free
// ` (n)` variant (MOVE-2), else 409 (MOVE-3). `self` is a file that is only
// re-homed (it does not conflict with itself); `batch` holds names given
// earlier in the same move.
std::variant<NameChoice, Refusal> choose_name(const StoreCore& s, const std::string& directory_id,
                                              const std::string& wanted, const std::string& self,
                                              const std::set<std::string>& batch) {
  const auto holder = [&](std::string_view name) -> std::optional<std::string> {
    auto id = s.catalog.file_named(directory_id, std::string(name));
    if (id && *id == self) return std::nullopt;
    return id;
  };
  const auto taken = [&](std::string_view name) { return batch.contains(std::string(name)) || holder(name); };
  if (s.deviates("MOVE-2") && !batch.contains(wanted)) return NameChoice{wanted, holder(wanted)};
  if (auto free = contract::first_free_name(wanted, taken, s.config.max_postfix)) return NameChoice{*free, {}};
  if (s.deviates("MOVE-3") && !batch.contains(wanted)) return NameChoice{wanted, holder(wanted)};
  return refuse(ErrorCode::NameConflict,
                "no unique name for '" + wanted + "' in directory " + directory_id + " (tried up to ' (" +
                    std::to_string(s.config.max_postfix) + ")' within 255 bytes)",
                "MOVE-3");
}

// What a move (or a directory upload's completion) changed in the catalog and
// the upload table, so it can be taken back when the catalog cannot be
// saved: a move answered 500 has not happened (decision 6, all or nothing).
struct MoveUndo {
  std::vector<std::string> added;  // file ids
  std::vector<std::tuple<std::string, std::string, std::string>> rehomed;  // id, directory and name before
  std::vector<FileInfo> dropped;                     // files that lost their name (MOVE-2/3 deviated)
  std::vector<std::shared_ptr<UploadRecord>> taken;  // uploads that became files

  void apply(StoreCore& s) const {  // under the mutex
    for (const auto& id : added) s.catalog.remove_file(id);
    for (const auto& [id, directory, name] : rehomed) s.catalog.rehome(id, directory, name);
    for (const auto& file : dropped) s.catalog.add_file(file);
    for (const auto& record : taken) {
      record->moving = false;
      record->removed = false;
      s.insert_upload_locked(record);
      s.track_deadline_locked(*record);  // its queue entry may have been passed over meanwhile
    }
  }
};

std::string new_token() {
  auto token = contract::new_uuid() + contract::new_uuid();
  std::erase(token, '-');
  return token;
}

}  // namespace

std::variant<FileInfo, Refusal> StoreCore::complete_into_directory(const std::shared_ptr<UploadRecord>& record) {
  FileInfo file;
  std::optional<std::string> overwritten;
  MoveUndo undo;
  {
    std::lock_guard lock(mutex);
    const auto hash = record->hash();
    const auto& dir = *record->target().directory_id;
    auto bad = check_directory_locked(dir, 0);
    auto choice = bad ? std::variant<NameChoice, Refusal>(*bad)
                      : choose_name(*this, dir, record->target().name.value_or(hash), {}, {});
    if (auto* refusal = std::get_if<Refusal>(&choice)) {
      record->moving = false;  // stays a complete temporary upload
      return *refusal;
    }
    auto& chosen = std::get<NameChoice>(choice);
    if (chosen.overwrites) {
      undo.dropped.push_back(*catalog.file(*chosen.overwrites));
      catalog.remove_file(*chosen.overwrites);
    }
    overwritten = chosen.overwrites;
    file = FileInfo{contract::new_uuid(), hash, chosen.name, dir, record->state->total, record->xxh3(), clock.now()};
    catalog.add_file(file);
    undo.added.push_back(file.id);
    record->removed = true;
    erase_upload_locked(*record);
    undo.taken.push_back(record);
  }
  std::vector<std::string> dropped;
  if (overwritten) dropped.push_back(*overwritten);
  carry_out({Promotion{record, file, {}}}, dropped, [&] { undo.apply(*this); });
  return file;
}

std::variant<std::vector<FileInfo>, Refusal> Store::move(const std::string& directory_id,
                                                         const std::vector<MoveItem>& items_as_sent) {
  auto& s = *impl_;
  if (items_as_sent.empty()) return refuse(ErrorCode::InvalidRequest, "the move names no files");
  if (auto refusal = s.refuse_if_read_only()) return *refusal;
  s.maybe_sweep();
  std::vector<MoveItem> items;
  for (const auto& item : items_as_sent) items.push_back({contract::canonical_uuid(item.hash), item.name});
  struct Planned {
    const MoveItem* item;
    std::shared_ptr<UploadRecord> record;  // a temporary upload, or else
    std::string file_id;                   // an initialised file (MOVE-8)
    std::uint64_t size = 0;
  };
  std::vector<Planned> plan;
  std::vector<StoreCore::Promotion> promotions;
  std::vector<std::string> overwritten;
  std::vector<FileInfo> moved;
  std::vector<std::shared_ptr<UploadRecord>> expired_now;
  MoveUndo undo;
  {
    std::lock_guard lock(s.mutex);
    const auto now = s.clock.now();
    std::string dir = directory_id;
    if (!contract::is_uuid(dir) || !s.catalog.directory(dir)) {
      if (s.deviates("MOVE-7")) dir = s.catalog.root_id;
      else if (!contract::is_uuid(dir))
        return refuse(ErrorCode::InvalidRequest, "directoryID '" + directory_id + "' is not a uuid", "MOVE-7");
    }
    if (auto bad = s.check_directory_locked(dir, 0)) return *bad;
    std::set<std::string> seen;
    std::uint64_t added = 0;
    for (const auto& item : items) {
      if (!contract::is_uuid(item.hash) && (item.hash.empty() || !s.deviates("HASH-1")))
        return refuse(ErrorCode::InvalidHash, "hash '" + item.hash + "' is not a uuid", "HASH-1");
      if (!seen.insert(item.hash).second)
        return refuse(ErrorCode::InvalidRequest, "hash " + item.hash + " is listed twice");
      if (auto problem = contract::name_problem(item.name); !problem.empty())
        return refuse(ErrorCode::InvalidName, "name for " + item.hash + ": " + problem);
      if (const auto* file = s.catalog.file_for_hash(item.hash)) {
        plan.push_back({&item, nullptr, file->id, file->size});
        if (file->directory_id != dir || s.deviates("MOVE-8")) added += file->size;
        continue;
      }
      auto record = s.find_upload_locked(item.hash);
      if (record && s.due(*record, now) && s.expire_locked(record, now, expired_now)) record.reset();
      if (!record || !record->state) {
        if (s.expired_hash_locked(item.hash))
          return refuse(ErrorCode::NoSuchUpload, "upload " + item.hash + " expired and was removed", "TTL-1");
        return refuse(ErrorCode::NoSuchUpload, "no upload " + item.hash, "MOVE-6");
      }
      if (record->busy())
        return refuse(ErrorCode::UploadBusy, "a part of upload " + item.hash + " is being written right now");
      const auto& state = *record->state;
      if (!state.complete && !s.deviates("MOVE-6"))
        return refuse(ErrorCode::InvalidPart,
                      "upload " + item.hash + " is incomplete: " + std::to_string(state.contiguous_end()) + " of " +
                          std::to_string(state.total) + " bytes received",
                      "MOVE-6");
      plan.push_back({&item, record, {}, state.complete ? state.total : state.contiguous_end()});
      added += plan.back().size;
    }
    if (auto bad = s.check_directory_locked(dir, added)) return *bad;
    std::set<std::string> batch;
    std::vector<NameChoice> names;
    for (const auto& p : plan) {
      const bool rehome_only = !p.file_id.empty() && !s.deviates("MOVE-8");
      auto choice = choose_name(s, dir, p.item->name, rehome_only ? p.file_id : std::string(), batch);
      if (auto* refusal = std::get_if<Refusal>(&choice)) return *refusal;
      batch.insert(std::get<NameChoice>(choice).name);
      names.push_back(std::get<NameChoice>(choice));
    }
    // Every check passed: from here on nothing is refused.
    for (std::size_t i = 0; i < plan.size(); ++i) {
      const auto& p = plan[i];
      const auto& choice = names[i];
      if (choice.overwrites && *choice.overwrites != p.file_id) {
        undo.dropped.push_back(*s.catalog.file(*choice.overwrites));
        s.catalog.remove_file(*choice.overwrites);
        overwritten.push_back(*choice.overwrites);
      }
      if (!p.file_id.empty() && s.deviates("MOVE-8")) {  // copied, the original stays
        FileInfo copy = *s.catalog.file(p.file_id);
        copy.id = contract::new_uuid();
        copy.directory_id = dir;
        copy.name = choice.name;
        copy.created = now;
        s.catalog.add_file(copy);
        undo.added.push_back(copy.id);
        promotions.push_back({nullptr, copy, p.file_id});
        moved.push_back(copy);
      } else if (!p.file_id.empty()) {
        const auto* before = s.catalog.file(p.file_id);
        undo.rehomed.emplace_back(p.file_id, before->directory_id, before->name);
        s.catalog.rehome(p.file_id, dir, choice.name);
        moved.push_back(*s.catalog.file(p.file_id));
      } else {
        FileInfo file{contract::new_uuid(), p.item->hash, choice.name, dir, p.size,
                      p.record->state->complete ? p.record->xxh3() : std::string(), now};
        s.catalog.add_file(file);
        undo.added.push_back(file.id);
        p.record->moving = true;
        p.record->removed = true;
        s.erase_upload_locked(*p.record);
        undo.taken.push_back(p.record);
        promotions.push_back({p.record, file, {}});
        moved.push_back(file);
      }
    }
  }
  s.carry_out(promotions, overwritten, [&] { undo.apply(s); });
  try {
    s.drop_removed(expired_now, {});
  } catch (const std::exception&) {
    // The move is saved, and with it these uploads' tombstones: the next
    // start removes what is left of their bytes.
  }
  return moved;
}

std::variant<std::string, Refusal> Store::link_for_file(const std::string& file_id) {
  auto& s = *impl_;
  s.maybe_sweep();
  auto token = new_token();
  {
    std::lock_guard lock(s.mutex);
    if (!s.catalog.file(file_id)) return refuse(ErrorCode::NoSuchFile, "no file " + file_id, "LINK-1");
    s.catalog.add_link(token, Link{file_id, {}, s.clock.now() + s.config.ttl});
  }
  s.save_catalog_or_undo([&] { s.catalog.links.erase(token); });
  return token;
}

std::variant<std::string, Refusal> Store::link_for_hash(const std::string& hash_as_sent) {
  auto& s = *impl_;
  const auto hash = contract::canonical_uuid(hash_as_sent);
  s.maybe_sweep();
  auto token = new_token();
  {
    std::lock_guard lock(s.mutex);
    Link link{{}, {}, s.clock.now() + s.config.ttl};
    if (const auto* file = s.catalog.file_for_hash(hash)) {
      link.file_id = file->id;
    } else {
      auto record = s.view_upload_locked(hash);
      if (!record || !record->state || !record->state->complete || s.due(*record, s.clock.now()))
        return refuse(ErrorCode::NoSuchFile, "no complete upload or file for hash " + hash, "LINK-1");
      link.hash = hash;
    }
    s.catalog.add_link(token, link);
  }
  s.save_catalog_or_undo([&] { s.catalog.links.erase(token); });
  return token;
}

std::variant<Store::Download, Refusal> Store::open_download(const std::string& token) {
  auto& s = *impl_;
  const auto missing = [] { return refuse(ErrorCode::NoSuchFile, "the link is unknown or expired", "LINK-1"); };
  FileInfo info;
  std::string upload_key;
  {
    std::lock_guard lock(s.mutex);
    auto it = s.catalog.links.find(token);
    if (it == s.catalog.links.end()) return missing();
    if (s.clock.now() >= it->second.expires) {
      s.catalog.links.erase(it);
      return missing();
    }
    const auto& link = it->second;
    const FileInfo* file = link.file_id.empty() ? s.catalog.file_for_hash(link.hash) : s.catalog.file(link.file_id);
    if (file) {
      info = *file;
    } else if (auto up = link.hash.empty() ? nullptr : s.view_upload_locked(link.hash);
               up && up->state && up->state->complete) {
      info = FileInfo{{}, link.hash, link.hash, {}, up->state->total, up->xxh3(), up->created};
      upload_key = up->storage_key();
    } else {
      return refuse(ErrorCode::NoSuchFile, "the file behind this link is gone", "LINK-1");
    }
  }
  if (!s.storage->keeps_content())
    return refuse(ErrorCode::ContentNotStored, "this server keeps sizes and digests only (null storage)");
  auto reader = upload_key.empty() ? s.storage->open_file(info.id) : s.storage->open_upload(upload_key);
  if (!reader) return refuse(ErrorCode::NoSuchFile, "the bytes of " + info.name + " are gone", "LINK-1");
  const std::uint64_t skip = s.deviates("LINK-1") ? 1 : 0;
  const auto stored = std::min(reader->size(), info.size);
  const auto served = stored > skip ? stored - skip : 0;
  info.size = served;
  return Download{info, std::make_unique<SliceReader>(std::move(reader), skip, served)};
}

std::variant<Store::Listing, Refusal> Store::list_directory(const std::string& directory_id, std::uint64_t offset,
                                                            std::uint64_t limit) {
  auto& s = *impl_;
  s.maybe_sweep();
  std::lock_guard lock(s.mutex);
  if (!s.catalog.directory(directory_id))
    return refuse(ErrorCode::NoSuchDirectory, "no directory " + directory_id, "MOVE-7");
  std::vector<ListEntry> all;
  if (directory_id == s.catalog.root_id)
    for (const auto& dir : s.catalog.directories())
      if (dir.id != s.catalog.root_id) all.push_back(ListEntry{"directory", dir.id, dir.name, dir.used, {}});
  for (const auto& file : s.catalog.files_in(directory_id))
    all.push_back(ListEntry{"file", file.id, file.name, file.size, file.hash});
  Listing listing;
  listing.total = all.size();
  const auto first = std::min<std::uint64_t>(offset, all.size());
  const auto last = limit == 0 ? all.size() : std::min<std::uint64_t>(all.size(), first + limit);
  listing.entries.assign(all.begin() + static_cast<std::ptrdiff_t>(first), all.begin() + static_cast<std::ptrdiff_t>(last));
  return listing;
}

}  // namespace partcheck::mock
