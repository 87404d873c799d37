#include "mock_server/store/uploads.hpp"

#include "contract/uuid.hpp"
#include "mock_server/store/catalog.hpp"

namespace partcheck::mock {

using nlohmann::json;

bool UploadRecord::conflicts(std::optional<std::pair<std::uint64_t, std::uint64_t>> range,
                             bool parallel_allowed) const {
  if (moving) return true;
  if (in_flight.empty()) return false;
  if (!parallel_allowed || !range) return true;
  for (const auto& part : in_flight)
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

UploadSummary UploadRecord::summary() const {
  UploadSummary s;
  s.hash = hash;
  if (state) s.state = *state;
  s.created = created;
  s.deadline = deadline;
  s.busy = busy();
  return s;
}

json UploadRecord::to_json() const {
  json parts = json::array();
  for (const auto& p : state->parts) parts.push_back({p.start, p.end});
  json j = {{"hash", hash},
            {"total", state->total},
            {"part_size", state->part_size},
            {"parts", parts},
            {"complete", state->complete},
            {"created_ms", to_millis(created)},
            {"deadline_ms", to_millis(deadline)},
            {"xxh3", xxh3}};
  if (state->last_part) j["last_part"] = {state->last_part->start, state->last_part->end};
  if (target.directory_id) j["target_directory"] = *target.directory_id;
  if (target.name) j["target_name"] = *target.name;
  return j;
}

std::shared_ptr<UploadRecord> UploadRecord::from_json(const json& j) {
  const auto hash = j.at("hash").get<std::string>();
  auto record = std::make_shared<UploadRecord>(hash, storage_key_for(hash));
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
  record->xxh3 = j.value("xxh3", "");
  if (j.contains("target_directory")) record->target.directory_id = j["target_directory"].get<std::string>();
  if (j.contains("target_name")) record->target.name = j["target_name"].get<std::string>();
  record->digest.reset();  // the running state is not persisted
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

}  // namespace partcheck::mock
