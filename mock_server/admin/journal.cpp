#include "mock_server/admin/journal.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "common/text_escape.hpp"
#include "common/iso_time.hpp"

namespace partcheck::mock {
namespace {

constexpr std::string_view kRedacted = "<redacted>";
constexpr std::array<std::string_view, 4> kSecretHeaders{"authorization", "x-token", "x-admin-key",
                                                         "proxy-authorization"};

bool same_name(std::string_view name, std::string_view lower) {
  return name.size() == lower.size() && std::equal(name.begin(), name.end(), lower.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

bool is_secret_header(std::string_view name) {
  return std::any_of(kSecretHeaders.begin(), kSecretHeaders.end(),
                     [&](std::string_view secret) { return same_name(name, secret); });
}

void keep_as_utf8(std::string& text) {
  const bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii) text = escape_invalid_utf8(text);
}

nlohmann::json record_json(std::uint64_t seq, const RequestRecord& record) {
  // An object is what scripts want (`.headers["Content-Range"]`); a repeated
  // header is joined with ", " as HTTP allows.
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [name, value] : record.headers) {
    auto& slot = headers[name];
    slot = slot.is_null() ? value : slot.get<std::string>() + ", " + value;
  }
  return {
      {"seq", seq},
      {"time", iso8601_utc(record.started)},
      {"remote", record.remote},
      {"method", record.method},
      {"target", record.target},
      {"headers", std::move(headers)},
      {"status", record.status},
      {"code", record.code},
      {"withheld_status", record.withheld_status},
      {"bytes_in", record.bytes_in},
      {"bytes_out", record.bytes_out},
      {"duration_ms", record.duration_ms},
      {"first_byte_ms", record.first_byte_ms},
      {"part", record.part},
      {"completed_upload", record.completed_upload},
      {"faults", record.fault_ids},
  };
}

}  // namespace

std::string kept_header_value(std::string_view name, std::string_view value) {
  if (!is_secret_header(name)) return std::string(value);
  // Authorization schemes ("Bearer", "Basic") stay visible (useful when
  // checking AUTH-2); the credentials never. Idempotent.
  const auto space = value.find(' ');
  const bool has_scheme = same_name(name, "authorization") || same_name(name, "proxy-authorization");
  if (!has_scheme || space == std::string_view::npos) return std::string(kRedacted);
  return std::string(value.substr(0, space + 1)) + std::string(kRedacted);
}

Journal::Journal(std::size_t capacity) : capacity_(capacity) {}

void Journal::record(RequestRecord record) {
  // The session redacts already; a secret must not reach the journal even if
  // a new code path forgets to. Bytes that are not UTF-8 are kept as \xNN:
  // one odd request must not make every later GET journal fail. Both are
  // rare, so plain ASCII text is left as it is, without a copy.
  keep_as_utf8(record.method);
  keep_as_utf8(record.target);
  for (auto& [name, value] : record.headers) {
    keep_as_utf8(name);
    if (is_secret_header(name)) value = kept_header_value(name, value);
    keep_as_utf8(value);
  }
  RequestRecord evicted;  // freed after the lock: its strings are a dozen free() calls
  std::lock_guard lock(mutex_);
  ++sequence_;
  if (capacity_ == 0) return;
  if (entries_.size() == capacity_) {
    evicted = std::move(entries_.front());
    entries_.pop_front();
  }
  entries_.push_back(std::move(record));
}

nlohmann::json Journal::to_json(std::size_t limit) const {
  std::lock_guard lock(mutex_);
  // Entries are consecutive: the newest has seq == sequence_.
  const std::uint64_t first_seq = sequence_ - entries_.size() + 1;
  const std::size_t skip = entries_.size() > limit ? entries_.size() - limit : 0;
  nlohmann::json entries = nlohmann::json::array();
  for (std::size_t i = skip; i < entries_.size(); ++i) entries.push_back(record_json(first_seq + i, entries_[i]));
  return {
      {"capacity", capacity_},
      {"recorded", sequence_},  // since start or the last clear
      {"dropped", sequence_ - entries_.size()},
      {"entries", std::move(entries)},
  };
}

void Journal::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  sequence_ = 0;
}

}  // namespace partcheck::mock
