#include "mock_server/admin/fault_injector.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include "contract/uuid.hpp"

namespace partcheck::mock {
namespace {

using nlohmann::json;

// The admin API itself is never faulted: a test that armed "unavailable for
// every request" must still be able to disarm it.
constexpr std::string_view kAdminPrefix = "/__mock/";
// A delay longer than this is a typo, and would outlive any client timeout.
constexpr std::uint64_t kMaxDelayMs = 10 * 60 * 1000;
// The same bound as one POST /__mock/clock/advance: ten years.
constexpr std::uint64_t kMaxAdvanceSeconds = 10ull * 366 * 24 * 3600;

struct KindInfo {
  std::string_view name;
  std::string_view amount_field;  // empty: the kind takes no amount
  std::uint64_t min_amount;
  std::uint64_t max_amount;
};

// Indexed by FaultInjector::Kind.
constexpr std::array<KindInfo, 7> kKinds{{
    {"delay", "ms", 1, kMaxDelayMs},
    {"reset_after_bytes", "bytes", 0, std::numeric_limits<std::uint64_t>::max()},
    {"unavailable", "", 0, 0},
    {"slow_read", "bytes_per_second", 1, std::numeric_limits<std::uint64_t>::max()},
    {"status", "status", 400, 599},  // an error answer: 500, 403 for a revoked key, 402 for a full disk...
    {"drop_response", "", 0, 0},     // the request is carried out, its answer lost (a reset instead)
    {"advance_clock", "seconds", 1, kMaxAdvanceSeconds},
}};

constexpr std::array<std::string_view, 5> kAmountFields{"ms", "bytes", "bytes_per_second", "status", "seconds"};

std::string kind_list() {
  std::string out;
  for (const auto& kind : kKinds) {
    if (!out.empty()) out += ", ";
    out += kind.name;
  }
  return out;
}

// A non-negative whole JSON number, or why not.
std::optional<std::uint64_t> whole_number(const json& value, std::string_view field, std::string& error) {
  // A parsed "5" is unsigned, but a json built in code from int 5 is signed.
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) return value.get<std::uint64_t>();
  if (value.is_number_integer()) {
    error = std::string(field) + " must not be negative (got " + value.dump() + ")";
  } else {
    error = std::string(field) + " must be a whole number (got " + value.dump() + ")";
  }
  return std::nullopt;
}

bool valid_method(std::string_view method) {
  return !method.empty() && method.size() <= 16 &&
         std::all_of(method.begin(), method.end(), [](unsigned char c) { return std::isalpha(c) != 0; });
}

}  // namespace

std::string FaultInjector::parse_match(const json& match, Fault& fault) {
  constexpr const char* kFields = "method, path_prefix, hash, part_start, part_index, api_key";
  if (!match.is_object()) return std::string("match must be an object with any of ") + kFields;
  for (const auto& [key, value] : match.items()) {
    std::string error;
    if (key == "method") {
      if (!value.is_string() || !valid_method(value.get<std::string>()))
        return "match.method must be an HTTP method name such as \"POST\" (got " + value.dump() + ")";
      fault.method = value.get<std::string>();
      std::transform(fault.method.begin(), fault.method.end(), fault.method.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    } else if (key == "path_prefix") {
      if (!value.is_string() || value.get<std::string>().empty() || value.get<std::string>().front() != '/')
        return "match.path_prefix must be a path starting with '/' (got " + value.dump() + ")";
      fault.path_prefix = value.get<std::string>();
      if (fault.path_prefix.starts_with(kAdminPrefix))
        return "match.path_prefix may not point into /__mock/: the admin API is never faulted";
    } else if (key == "hash") {
      if (!value.is_string() || value.get<std::string>().empty())
        return "match.hash must be an upload's hash (got " + value.dump() + ")";
      const auto text = value.get<std::string>();
      fault.hash = contract::is_uuid(text) ? contract::canonical_uuid(text) : text;
    } else if (key == "part_start" || key == "part_index") {
      const auto number = whole_number(value, "match." + key, error);
      if (!number) return error;
      (key == "part_start" ? fault.part_start : fault.part_index) = *number;
    } else if (key == "api_key") {
      if (!value.is_string() || value.get<std::string>().empty())
        return "match.api_key must be the key as clients send it (got " + value.dump() + ")";
      fault.api_key = value.get<std::string>();
    } else {
      return "unknown field 'match." + key + "' (fields: " + kFields + ")";
    }
  }
  return {};
}

FaultInjector::AddResult FaultInjector::add(const json& spec) {
  auto fail = [](std::string message) { return AddResult{std::nullopt, std::move(message)}; };
  if (!spec.is_object()) return fail("a fault is a JSON object, e.g. {\"kind\":\"delay\",\"ms\":500}");

  for (const auto& [key, value] : spec.items()) {
    const bool known = key == "kind" || key == "match" || key == "count" || key == "times" || key == "after" ||
                       std::find(kAmountFields.begin(), kAmountFields.end(), key) != kAmountFields.end();
    if (!known) {
      if (key == "id") return fail("id is given by the server; leave it out");
      return fail("unknown field '" + key +
                  "' (fields: kind, ms, bytes, bytes_per_second, status, seconds, match, after, count or times)");
    }
  }

  const auto kind_it = spec.find("kind");
  if (kind_it == spec.end()) return fail("kind is missing (one of " + kind_list() + ")");
  if (!kind_it->is_string()) return fail("kind must be a string (one of " + kind_list() + ")");
  const auto kind_name = kind_it->get<std::string>();
  const auto kind_pos = std::find_if(kKinds.begin(), kKinds.end(),
                                     [&](const KindInfo& info) { return info.name == kind_name; });
  if (kind_pos == kKinds.end()) return fail("unknown kind '" + kind_name + "' (one of " + kind_list() + ")");
  const KindInfo& info = *kind_pos;

  Fault fault;
  fault.kind = static_cast<Kind>(kind_pos - kKinds.begin());

  for (const auto field : kAmountFields) {
    if (field != info.amount_field && spec.contains(field)) {
      std::string message = std::string(field) + " does not apply to kind " + kind_name;
      if (!info.amount_field.empty()) message += " (it takes " + std::string(info.amount_field) + ")";
      return fail(message);
    }
  }
  if (!info.amount_field.empty()) {
    const std::string field(info.amount_field);
    const auto it = spec.find(field);
    if (it == spec.end()) return fail("kind " + kind_name + " needs " + field);
    std::string error;
    const auto amount = whole_number(*it, field, error);
    if (!amount) return fail(error);
    if (*amount < info.min_amount || *amount > info.max_amount) {
      std::string message = field + " must be at least " + std::to_string(info.min_amount);
      if (info.max_amount != std::numeric_limits<std::uint64_t>::max()) {
        message += " and at most " + std::to_string(info.max_amount);
      }
      return fail(message + " (got " + std::to_string(*amount) + ")");
    }
    fault.amount = *amount;
  }

  if (spec.contains("count") && spec.contains("times")) return fail("give count or times (the same thing), not both");
  for (const char* field : {"count", "times"}) {
    if (const auto it = spec.find(field); it != spec.end()) {
      std::string error;
      const auto count = whole_number(*it, field, error);
      if (!count) return fail(error + "; 0 means until removed");
      fault.count = *count;
    }
  }
  if (const auto it = spec.find("after"); it != spec.end()) {
    std::string error;
    const auto after = whole_number(*it, "after", error);
    if (!after) return fail(error + "; after N lets N matching requests through first");
    fault.after = *after;
  }
  if (const auto it = spec.find("match"); it != spec.end()) {
    if (auto error = parse_match(*it, fault); !error.empty()) return fail(error);
  }

  std::lock_guard lock(mutex_);
  fault.id = "f" + std::to_string(next_id_++);
  faults_.push_back(fault);
  armed_.store(true, std::memory_order_release);
  return AddResult{to_json(fault), {}};
}

bool FaultInjector::matches(const Fault& fault, const FaultRequest& request) {
  if (!fault.method.empty() && fault.method != request.method) return false;
  if (!request.path.substr(0, request.path.find('?')).starts_with(fault.path_prefix)) return false;
  if (fault.hash && fault.hash != request.hash) return false;
  if (fault.part_start && fault.part_start != request.part_start) return false;
  if (fault.part_index && fault.part_index != request.part_index) return false;
  return !fault.api_key || *fault.api_key == request.api_key;
}

FaultPlan FaultInjector::plan_for(const FaultRequest& request) {
  FaultPlan plan;
  if (request.path.starts_with(kAdminPrefix)) return plan;

  std::lock_guard lock(mutex_);
  for (auto& fault : faults_) {
    if (!matches(fault, request)) continue;
    if (++fault.seen <= fault.after) continue;  // let through: not its turn yet
    ++fault.fired;
    plan.fault_ids.push_back(fault.id);
    switch (fault.kind) {
      case Kind::Delay:
        plan.delay += std::chrono::milliseconds(fault.amount);  // two armed delays add up
        break;
      case Kind::ResetAfterBytes:
        plan.reset_after_body_bytes = std::min(plan.reset_after_body_bytes.value_or(fault.amount), fault.amount);
        break;
      case Kind::Unavailable:
        plan.status = 503;
        break;
      case Kind::Status:
        plan.status = static_cast<int>(fault.amount);  // the last armed one wins
        break;
      case Kind::DropResponse:
        plan.drop_response = true;
        break;
      case Kind::AdvanceClock:
        plan.advance_clock += std::chrono::seconds(fault.amount);
        break;
      case Kind::SlowRead:
        plan.read_bytes_per_second = plan.read_bytes_per_second == 0
                                         ? fault.amount
                                         : std::min(plan.read_bytes_per_second, fault.amount);
        break;
    }
  }
  std::erase_if(faults_, [](const Fault& fault) { return fault.count != 0 && fault.fired >= fault.count; });
  armed_.store(!faults_.empty(), std::memory_order_release);
  return plan;
}

json FaultInjector::to_json(const Fault& fault) {
  const KindInfo& info = kKinds[static_cast<std::size_t>(fault.kind)];
  json out{{"id", fault.id}, {"kind", info.name}};
  if (!info.amount_field.empty()) out[std::string(info.amount_field)] = fault.amount;
  json match = json::object();
  if (!fault.method.empty()) match["method"] = fault.method;
  if (!fault.path_prefix.empty()) match["path_prefix"] = fault.path_prefix;
  if (fault.hash) match["hash"] = *fault.hash;
  if (fault.part_start) match["part_start"] = *fault.part_start;
  if (fault.part_index) match["part_index"] = *fault.part_index;
  if (fault.api_key) match["api_key"] = "<redacted>";  // the admin API never shows a key
  out["match"] = match;
  out["after"] = fault.after;
  out["seen"] = fault.seen;
  out["count"] = fault.count;
  out["fired"] = fault.fired;
  out["remaining"] = fault.count == 0 ? json(nullptr) : json(fault.count - fault.fired);
  return out;
}

json FaultInjector::list() const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& fault : faults_) out.push_back(to_json(fault));
  return out;
}

bool FaultInjector::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  const bool removed = std::erase_if(faults_, [&](const Fault& fault) { return fault.id == id; }) > 0;
  armed_.store(!faults_.empty(), std::memory_order_release);
  return removed;
}

void FaultInjector::clear() {
  std::lock_guard lock(mutex_);
  faults_.clear();
  armed_.store(false, std::memory_order_release);
}

}  // namespace partcheck::mock
