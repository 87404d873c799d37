#include "mock_server/admin/admin_api.hpp"

#include "mock_server/http/router.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/text_escape.hpp"
#include "contract/error_code.hpp"
#include "contract/utf8.hpp"
#include "contract/uuid.hpp"
#include "common/iso_time.hpp"
#include "mock_server/admin/probe.hpp"
#include "mock_server/admin/store_views.hpp"
#include "mock_server/failure.hpp"
#include "mock_server/http/request_target.hpp"

namespace partcheck::mock {
namespace {

using contract::ErrorCode;
using nlohmann::json;

// One advance may not move the clock more than this, nor may all of them
// together go past kMaxOffset: system_clock counts nanoseconds in 64 bits
// (about 292 years), and no TTL test needs more than a few days.
constexpr std::uint64_t kMaxAdvanceSeconds = 10ULL * 366 * 24 * 3600;
constexpr std::int64_t kMaxOffsetSeconds = 100LL * 366 * 24 * 3600;

AdminResponse ok(json body = json::object()) {
  json out{{"success", true}};
  out.update(body);
  return {200, "application/json", dump_json(out)};
}

AdminResponse refused(const Refusal& refusal) {
  return {refusal.status, "application/json", dump_json(json{{"success", false}, {"error", refusal.message}})};
}

AdminResponse fail(ErrorCode code, const std::string& sentence, std::optional<int> status = std::nullopt) {
  auto refusal = refuse(code, sentence);
  if (status) refusal.status = *status;
  return refused(refusal);
}

class BadRequest : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// --- query strings -------------------------------------------------------

// The parameters of `query`; any name outside `allowed` is a mistake the
// caller should hear about (a misspelt `seconds` must not advance by 0).
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query, std::string_view endpoint,
                                                             std::initializer_list<std::string_view> allowed) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    auto name = http::percent_decode(item.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::string{} : http::percent_decode(item.substr(eq + 1));
    if (!contract::is_valid_utf8(name) || !contract::is_valid_utf8(value))
      throw BadRequest("the query parameter '" + escape_invalid_utf8(name) + "=" + escape_invalid_utf8(value) +
                       "' is not UTF-8 once percent-decoded");
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string expected;
      for (const auto known : allowed) expected += (expected.empty() ? "" : ", ") + std::string(known);
      throw BadRequest("unknown query parameter '" + name + "' for " + std::string(endpoint) +
                       (expected.empty() ? " (it takes none)" : " (it takes " + expected + ")"));
    }
    params.emplace_back(std::move(name), std::move(value));
  }
  return params;
}

std::optional<std::string> find_param(const std::vector<std::pair<std::string, std::string>>& params,
                                      std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return std::nullopt;
}

// A non-negative decimal integer up to `max`, or BadRequest naming the parameter.
std::uint64_t parse_whole(const std::string& text, std::string_view name, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) {
    throw BadRequest(std::string(name) + " must be a non-negative whole number (got '" + text + "')");
  }
  if (value > max) throw BadRequest(std::string(name) + " must be at most " + std::to_string(max));
  return value;
}

json parse_body(const AdminRequest& request, std::string_view example) {
  if (request.body.empty()) throw BadRequest("a JSON body is needed, e.g. " + std::string(example));
  auto body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) throw BadRequest("the body is not valid JSON; expected e.g. " + std::string(example));
  return body;
}

// --- endpoints -----------------------------------------------------------

using Captures = std::vector<std::string>;

std::string_view storage_name(StorageKind kind) {
  switch (kind) {
    case StorageKind::Disk: return "disk";
    case StorageKind::Memory: return "memory";
    case StorageKind::Null: return "null";
  }
  return "unknown";
}

// GET /__mock/: where to start, for a script that found the prefix in the
// banner (GET /__mock without the slash is the dashboard, for a browser).
AdminResponse get_index(const AdminRequest& request, AdminContext&, const Captures&) {
  parse_query(request.query, "the admin index", {});
  json endpoints = json::array();
  for (const auto& route : admin_routes())
    endpoints.push_back({{"method", route.method}, {"path", "/__mock/" + std::string(route.pattern)}});
  return ok({{"endpoints", std::move(endpoints)},
             {"docs", "GET /__mock/openapi.yaml (OpenAPI 3); docs/admin-api.md in the partcheck sources"},
             {"dashboard", "/__mock/ui"}});
}

AdminResponse get_health(const AdminRequest& request, AdminContext& context, const Captures&) {
  parse_query(request.query, "health", {});
  const auto& config = context.config;
  return ok({
      {"status", "ok"},
      {"profile", contract::profile_name(config.policy.profile)},
      {"deviations", json(std::vector<std::string>(config.policy.deviations.begin(),
                                                   config.policy.deviations.end()))},
      {"storage", storage_name(config.storage)},
      {"ttl_s", config.ttl.count()},
      {"root_directory_id", context.store.root_directory_id()},
      {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(context.stats.uptime()).count()},
      {"clock_offset_s", context.store.clock().offset().count()},
      {"read_only", context.store.read_only_reason().has_value()},
  });
}

AdminResponse post_reset(const AdminRequest& request, AdminContext& context, const Captures&) {
  parse_query(request.query, "reset", {});
  context.store.reset();
  context.faults.clear();
  context.journal.clear();
  context.stats.clear();
  context.store.clock().reset();
  return ok();
}

json clock_json(Clock& clock) {
  return {{"offset_s", clock.offset().count()}, {"now", iso8601_utc(clock.now())}};
}

AdminResponse get_clock(const AdminRequest& request, AdminContext& context, const Captures&) {
  parse_query(request.query, "clock", {});
  return ok(clock_json(context.store.clock()));
}

AdminResponse post_clock_advance(const AdminRequest& request, AdminContext& context, const Captures&) {
  const auto params = parse_query(request.query, "clock/advance", {"seconds"});
  const auto text = find_param(params, "seconds");
  if (!text) throw BadRequest("seconds is missing: POST /__mock/clock/advance?seconds=3601");
  const auto seconds = parse_whole(*text, "seconds", kMaxAdvanceSeconds);
  Clock& clock = context.store.clock();
  if (clock.offset().count() + static_cast<std::int64_t>(seconds) > kMaxOffsetSeconds) {
    throw BadRequest("the clock may run at most " + std::to_string(kMaxOffsetSeconds) +
                     " s ahead; POST /__mock/reset sets it back");
  }
  clock.advance(std::chrono::seconds(seconds));
  const auto expired = context.store.sweep_expired();
  auto body = clock_json(clock);
  body["expired"] = expired;
  return ok(body);
}

AdminResponse get_faults(const AdminRequest& request, AdminContext& context, const Captures&) {
  parse_query(request.query, "faults", {});
  return ok({{"faults", context.faults.list()}});
}

AdminResponse post_fault(const AdminRequest& request, AdminContext& context, const Captures&) {
  parse_query(request.query, "faults", {});
  const auto body = parse_body(request, R"({"kind":"delay","ms":500})");
  auto added = context.faults.add(body);
  if (!added.fault) throw BadRequest(added.error);
  return ok({{"fault", *added.fault}});
}

AdminResponse delete_faults(const AdminRequest& request, AdminContext& context, const Captures&) {
  parse_query(request.query, "faults", {});
  const auto removed = context.faults.list().size();
  context.faults.clear();
  return ok({{"removed", removed}});
}

AdminResponse delete_fault(const AdminRequest& request, AdminContext& context, const Captures& captures) {
  parse_query(request.query, "faults/{id}", {});
  if (!context.faults.remove(captures.at(0))) {
    return fail(ErrorCode::NotFound, "no armed fault has id '" + captures[0] + "' (GET /__mock/faults lists them)");
  }
  return ok({{"removed", 1}});
}

bool parse_bool(const std::string& text, std::string_view name) {
  if (text == "true") return true;
  if (text == "false") return false;
  throw BadRequest(std::string(name) + " must be true or false (got '" + text + "')");
}

AdminResponse get_journal(const AdminRequest& request, AdminContext& context, const Captures&) {
  const auto params = parse_query(request.query, "journal", {"limit", "admin"});
  std::size_t limit = context.config.journal_capacity;
  if (const auto text = find_param(params, "limit")) limit = parse_whole(*text, "limit", std::numeric_limits<std::size_t>::max());
  const auto admin = find_param(params, "admin");
  if (!admin || parse_bool(*admin, "admin")) return ok(context.journal.to_json(limit));
  // admin=false: the newest `limit` requests outside /__mock, so a page that
  // polls the admin API still sees the traffic it is there to watch.
  auto body = context.journal.to_json(context.config.journal_capacity);
  auto& entries = body["entries"];
  json kept = json::array();
  for (auto it = entries.rbegin(); it != entries.rend() && kept.size() < limit; ++it) {
    const std::string_view target = (*it)["target"].get_ref<const std::string&>();
    if (!http::is_admin_path(target.substr(0, target.find('?')))) kept.push_back(std::move(*it));
  }
  std::reverse(kept.begin(), kept.end());  // oldest first, as always
  entries = std::move(kept);
  return ok(std::move(body));
}

AdminResponse delete_journal(const AdminRequest& request, AdminContext& context, const Captures&) {
  parse_query(request.query, "journal", {});
  context.journal.clear();
  return ok();
}

AdminResponse get_stats(const AdminRequest& request, AdminContext& context, const Captures&) {
  parse_query(request.query, "stats", {});
  auto body = context.stats.to_json();
  body["store"] = store_counts(context.store);
  return ok(body);
}

AdminResponse get_uploads(const AdminRequest& request, AdminContext& context, const Captures&) {
  parse_query(request.query, "uploads", {});
  auto uploads = context.store.uploads();
  std::sort(uploads.begin(), uploads.end(), [](const UploadSummary& a, const UploadSummary& b) {
    return std::tie(a.created, a.hash) < std::tie(b.created, b.hash);
  });
  const auto now = context.store.clock().now();
  json list = json::array();
  for (const auto& upload : uploads) list.push_back(upload_json(upload, now));
  return ok({{"uploads", std::move(list)}});
}

AdminResponse post_upload_expire(const AdminRequest& request, AdminContext& context, const Captures& captures) {
  parse_query(request.query, "uploads/{hash}/expire", {});
  const auto hash = contract::canonical_uuid(captures.at(0));
  if (!contract::is_uuid(hash)) {
    return fail(ErrorCode::InvalidHash, "'" + hash + "' is not a uuid in the 8-4-4-4-12 form");
  }
  if (!context.store.expire(hash)) {
    return fail(ErrorCode::NoSuchUpload, "no upload with hash " + hash + " (GET /__mock/uploads lists them)", 404);
  }
  return ok({{"hash", hash}, {"expired", true}});
}

AdminResponse get_directories(const AdminRequest& request, AdminContext& context, const Captures&) {
  parse_query(request.query, "directories", {});
  json list = json::array();
  for (const auto& directory : context.store.directories()) list.push_back(directory_json(directory));
  return ok({{"directories", std::move(list)}});
}

AdminResponse post_directory(const AdminRequest& request, AdminContext& context, const Captures&) {
  parse_query(request.query, "directories", {});
  const auto body = parse_body(request, R"({"name":"inbox","quota":"10MiB","readonly":false})");
  auto spec = directory_spec_from_json(body);
  if (const auto* error = std::get_if<std::string>(&spec)) throw BadRequest(*error);
  auto added = context.store.add_directory(std::get<DirectorySpec>(spec));
  if (const auto* refusal = std::get_if<Refusal>(&added)) return refused(*refusal);
  // The directory's fields at the top level, next to "success", like the
  // public API's answers: scripts read `.id` directly.
  return ok(directory_json(std::get<DirectoryInfo>(added)));
}

// Files per directory for the dashboard, which cannot page every listing.
AdminResponse get_files(const AdminRequest& request, AdminContext& context, const Captures&) {
  constexpr std::uint64_t kDefaultFilesPerDirectory = 100;
  constexpr std::uint64_t kMaxFilesPerDirectory = 10000;
  const auto params = parse_query(request.query, "files", {"limit"});
  std::uint64_t limit = kDefaultFilesPerDirectory;
  if (const auto text = find_param(params, "limit")) limit = parse_whole(*text, "limit", kMaxFilesPerDirectory);
  return ok({{"directories", files_by_directory(context.store, limit)}});
}

AdminResponse get_openapi(const AdminRequest& request, AdminContext&, const Captures&) {
  parse_query(request.query, "openapi.yaml", {});
  return {200, "application/yaml", std::string(openapi_yaml())};
}

AdminResponse get_dashboard(const AdminRequest& request, AdminContext&, const Captures&) {
  parse_query(request.query, "ui", {});
  AdminResponse page{200, "text/html; charset=utf-8", std::string(dashboard_html())};
  // The page is the mock's own; it may not be framed by, nor fetch from,
  // anything else, so a page elsewhere cannot drive it.
  page.headers = {{"Content-Security-Policy",
                   "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                   "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
                   "frame-ancestors 'none'"},
                  {"Cache-Control", "no-store"}};
  return page;
}

// GET /__mock (no slash): a browser typing the banner's prefix lands on the
// dashboard; scripts keep the JSON index at /__mock/.
AdminResponse redirect_to_dashboard() {
  AdminResponse moved{302, "application/json",
                      dump_json(json{{"success", true}, {"location", "/__mock/ui"}})};
  moved.headers = {{"Location", "/__mock/ui"}};
  return moved;
}

// --- routing -------------------------------------------------------------

using Handler = AdminResponse (*)(const AdminRequest&, AdminContext&, const Captures&);

struct Route {
  std::string_view method;
  std::string_view pattern;  // segments; "{name}" matches any one segment
  Handler handler;
};

constexpr std::array kRoutes{
    Route{"GET", "", get_index},
    Route{"GET", "health", get_health},
    Route{"GET", "ready", [](const AdminRequest&, AdminContext&, const Captures&) { return ready_response(); }},
    Route{"POST", "reset", post_reset},
    Route{"GET", "clock", get_clock},
    Route{"POST", "clock/advance", post_clock_advance},
    Route{"GET", "faults", get_faults},
    Route{"POST", "faults", post_fault},
    Route{"DELETE", "faults", delete_faults},
    Route{"DELETE", "faults/{id}", delete_fault},
    Route{"GET", "journal", get_journal},
    Route{"DELETE", "journal", delete_journal},
    Route{"GET", "stats", get_stats},
    Route{"GET", "uploads", get_uploads},
    Route{"POST", "uploads/{hash}/expire", post_upload_expire},
    Route{"GET", "directories", get_directories},
    Route{"POST", "directories", post_directory},
    Route{"GET", "openapi.yaml", get_openapi},
    Route{"GET", "files", get_files},
    Route{"GET", "ui", get_dashboard},
};

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  while (!path.empty()) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return segments;
}

// Fills `captures` when `path` fits `pattern`.
bool path_matches(std::string_view pattern, const std::vector<std::string_view>& path, Captures& captures) {
  const auto want = split_path(pattern);
  if (want.size() != path.size()) return false;
  Captures found;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].starts_with('{')) {
      if (path[i].empty()) return false;
      found.emplace_back(path[i]);
    } else if (want[i] != path[i]) {
      return false;
    }
  }
  captures = std::move(found);
  return true;
}

// Compares every byte whatever the first difference, so the answer time
// says nothing about how much of a guessed key was right.
bool same_key(std::string_view given, std::string_view expected) {
  if (expected.empty() || given.size() != expected.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ expected[i]);
  }
  return difference == 0;
}

std::optional<AdminResponse> refuse_access(const AdminRequest& request, const ServerConfig& config) {
  if (is_public_probe(request.method, "/__mock/" + request.path)) return std::nullopt;  // anyone: probe.hpp
  if (config.admin_key) {
    const auto url_path = request.without_slash ? std::string("/__mock") : "/__mock/" + request.path;
    if (admin_page_without_key(request.method, url_path)) return std::nullopt;
    if (same_key(request.admin_key, *config.admin_key)) return std::nullopt;
    return fail(ErrorCode::Unauthorized,
                request.admin_key.empty() ? "the admin API needs the key: send X-Admin-Key: <key>"
                                          : "wrong admin key");
  }
  if (request.from_loopback) return std::nullopt;
  return fail(ErrorCode::Unauthorized,
              "the admin API answers loopback clients only; start the server with --admin-key to allow others");
}

}  // namespace

std::vector<AdminRoute> admin_routes() {
  std::vector<AdminRoute> routes;
  for (const auto& route : kRoutes) routes.push_back({route.method, route.pattern});
  return routes;
}

bool admin_page_without_key(std::string_view method, std::string_view path) {
  return method == "GET" && (path == "/__mock" || path == "/__mock/ui" || path == "/__mock/ui/");
}

AdminResponse handle_admin(const AdminRequest& request, AdminContext& context) {
  if (auto refusal = refuse_access(request, context.config)) return *refusal;
  if (request.without_slash) {
    if (request.method == "GET") return redirect_to_dashboard();
    return fail(ErrorCode::MethodNotAllowed, "/__mock does not take " + request.method +
                                                 " (GET redirects to the dashboard; the index is GET /__mock/)");
  }

  if (!contract::is_valid_utf8(request.path))
    return fail(ErrorCode::InvalidRequest, "the path /__mock/" + escape_invalid_utf8(request.path) + " is not UTF-8");
  std::string_view path = request.path;
  while (path.starts_with('/')) path.remove_prefix(1);
  if (path.ends_with('/')) path.remove_suffix(1);  // "health/" is "health"
  const auto segments = split_path(path);

  std::string allowed;
  for (const auto& route : kRoutes) {
    Captures captures;
    if (!path_matches(route.pattern, segments, captures)) continue;
    if (route.method != request.method) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(route.method);
      continue;
    }
    try {
      return route.handler(request, context, captures);
    } catch (const BadRequest& error) {
      return fail(ErrorCode::InvalidRequest, error.what());
    } catch (const std::exception& error) {
      // A storage failure is the server's, not the client's: 5xx, still in
      // the envelope so clients parse it like any other error.
      return refused(failure_refusal(error, context.config.data_dir));
    }
  }
  if (!allowed.empty()) {
    return fail(ErrorCode::MethodNotAllowed,
                "/__mock/" + std::string(path) + " does not take " + request.method + " (it takes " + allowed + ")");
  }
  return fail(ErrorCode::NotFound, "no admin endpoint /__mock/" + std::string(path) +
                                       " (GET /__mock/openapi.yaml describes them all)");
}

}  // namespace partcheck::mock
