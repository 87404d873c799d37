// Fuzz target: the /__mock/ admin API (mock_server/admin/admin_api.hpp:
// handle_admin) with the journal, stats, faults and a Store on memory storage
// behind it, fed arbitrary methods, paths, queries, bodies and keys.
//
// Input: records separated by a line "%%" (tests/fuzz/fuzz_check.hpp); a
// record is its first line and a body:
//   METHOD PATH[?QUERY] [KEY]   an admin request (PATH after /__mock/), the
//                               body as its body; METHOD "@GET": not from loopback
//   LOG METHOD TARGET           a request the session finished, recorded in the
//                               journal and the stats; body lines "name: value"
//                               are its headers ("status: N" its status)
//   PART HASH START END TOTAL   a part stored with that (any) hash
//   !key K, !journal N, !profile P, !deviate RULE   server options
//
// Beyond "does not crash":
//  - handle_admin never throws;
//  - every answer has a 2xx-4xx status (memory storage never fails, so a
//    5xx is a client error answered as the server's, or an exception caught
//    at the edge) and a JSON object body that parses,
//    with success true exactly on 200 and else an error "<Code>: ..." with a
//    known code; only GET openapi.yaml answers YAML and only GET ui HTML;
//  - access: without the admin key (when one is set) or from a non-loopback
//    client (when none is), the answer is 403 whatever the path, but for the
//    dashboard page with a key set (a browser cannot send one to load it);
//  - no poisoning: after every recorded request GET journal and stats, and
//    after the last record also health, clock, uploads, directories and
//    faults, still answer 200 with JSON;
//  - the journal never shows a secret header's credentials;
//  - POST reset empties the journal, the faults and the uploads.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/error_code.hpp"
#include "mock_server/admin/admin_api.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/fuzz_mock_config.hpp"

using namespace partcheck;
using namespace partcheck::mock;
using fuzz::check;
using fuzz::number;
using nlohmann::json;

namespace {

bool is_secret(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name == "authorization" || name == "proxy-authorization" || name == "x-token" || name == "x-admin-key";
}

struct World {
  ServerConfig config;
  Clock clock;
  std::unique_ptr<Store> store;
  FaultInjector faults;
  std::unique_ptr<Journal> journal;
  Stats stats;
  std::unique_ptr<AdminContext> context;

  // Checks the answer's form; `body` gets its JSON (null for the YAML document).
  AdminResponse call(AdminRequest request, const std::string& what, json* parsed = nullptr) {
    AdminResponse response;
    try {
      response = handle_admin(request, *context);
    } catch (const std::exception& error) {
      fuzz::broken("an exception escaped handle_admin", what + ": " + error.what());
    } catch (...) {
      fuzz::broken("a non-standard exception escaped handle_admin", what);
    }
    const std::string where = what + " -> " + std::to_string(response.status) + " " + response.body.substr(0, 300);
    check(response.status >= 200 && response.status <= 599, "an impossible status", where);
    // Memory storage cannot fail: a 5xx here is a client's mistake answered
    // as the server's, or an exception that reached the handler's edge.
    check(response.status < 500, "a request answered 5xx (memory storage never fails)", where);
    if (response.content_type != "application/json") {
      const bool page = response.content_type.starts_with("text/html") && request.path.ends_with("ui");
      check((response.content_type == "application/yaml" || page) && response.status == 200 && request.method == "GET",
            "a non-JSON answer other than the OpenAPI document and the dashboard", where);
      return response;
    }
    auto body = json::parse(response.body, nullptr, false);
    check(!body.is_discarded() && body.is_object(), "an answer that is not a JSON object", where);
    check(body.contains("success") && body["success"].is_boolean(), "an answer without a boolean `success`", where);
    check(body["success"].get<bool>() == (response.status == 200), "`success` disagrees with the status", where);
    if (response.status != 200) {
      check(body.contains("error") && body["error"].is_string(), "an error without an `error` string", where);
      const auto message = body["error"].get<std::string>();
      const auto colon = message.find(": ");
      check(colon != std::string::npos && contract::code_from_name(message.substr(0, colon)).has_value(),
            "an error message not led by a known code", where);
    }
    if (parsed) *parsed = std::move(body);
    return response;
  }

  AdminRequest trusted(std::string method, std::string path) const {
    AdminRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.admin_key = config.admin_key.value_or("");
    return request;
  }

  json probe(const std::string& path, const std::string& after) {
    json body;
    const auto response = call(trusted("GET", path), "GET " + path + " after " + after, &body);
    check(response.status == 200, "the admin API is poisoned: GET " + path + " fails", after + " -> " + response.body);
    return body;
  }

  // The journal and the stats after every recorded request (they keep what
  // requests carried); every read-only endpoint after the last record.
  void check_health(const std::string& after, bool everything) {
    if (everything)
      for (const char* path : {"health", "clock", "uploads", "directories", "faults"}) probe(path, after);
    probe("stats", after);
    const auto entries = probe("journal", after);
    for (const auto& entry : entries.value("entries", json::array())) {
      if (!entry.contains("headers") || !entry["headers"].is_object()) continue;
      for (const auto& [name, value] : entry["headers"].items())
        if (is_secret(name))
          check(value.is_string() && value.get<std::string>().ends_with("<redacted>"),
                "the journal shows a secret header", name + ": " + value.dump());
    }
  }
};

void admin_request(World& w, const fuzz::Record& record) {
  const auto word = fuzz::words(record.line, 3);
  AdminRequest request;
  request.method = word[0];
  if (request.method.starts_with("@")) {
    request.method.erase(0, 1);
    request.from_loopback = false;
  }
  const std::string target = word.size() > 1 ? word[1] : std::string();
  const auto question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos) request.query = target.substr(question + 1);
  request.body = record.body;
  request.admin_key = word.size() > 2 ? word[2] : w.config.admin_key.value_or("");

  const auto response = w.call(request, record.line);
  const bool allowed = w.config.admin_key ? request.admin_key == *w.config.admin_key ||
                                                admin_page_without_key(request.method, "/__mock/" + request.path)
                                          : request.from_loopback;
  if (!allowed) {
    check(response.status == 403, "the admin API answers a client without access (docs/admin-api.md: 403)", record.line);
    return;
  }
  std::string_view path = request.path;
  while (path.starts_with('/')) path.remove_prefix(1);
  if (response.status == 200 && request.method == "POST" && (path == "reset" || path == "reset/")) {
    const auto journal = w.probe("journal", "reset");
    check(journal.value("entries", json::array()).empty(), "the journal survives a reset", journal.dump());
    check(w.probe("uploads", "reset")["uploads"].empty(), "uploads survive a reset");
    check(w.probe("faults", "reset")["faults"].empty(), "faults survive a reset");
  }
}

void log_request(World& w, const fuzz::Record& record) {
  const auto word = fuzz::words(record.line, 3);
  RequestRecord logged;
  logged.started = std::chrono::system_clock::now();
  logged.remote = "127.0.0.1:40000";
  logged.method = word.size() > 1 ? word[1] : "GET";
  logged.target = word.size() > 2 ? word[2] : "/";
  logged.status = 200;
  std::string_view rest = record.body;
  while (!rest.empty()) {
    const auto eol = rest.find('\n');
    const auto line = rest.substr(0, eol);
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
    const auto colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    const auto name = line.substr(0, colon), value = line.substr(colon + 2);
    if (name == "status") {
      logged.status = static_cast<int>(std::clamp<std::uint64_t>(number(value), 100, 599));
      if (logged.status >= 400) logged.code = "InvalidRequest";
      continue;
    }
    logged.headers.emplace_back(std::string(name), kept_header_value(name, value));
  }
  w.journal->record(logged);
  w.stats.record(logged);
}

void store_part(World& w, const fuzz::Record& record) {
  const auto word = fuzz::words(record.line, 5);
  if (word.size() < 5) return;
  const auto start = number(word[2]), end = number(word[3]), total = number(word[4]);
  if (total > (1 << 16) || end > total || start >= end) return;
  auto begun = w.store->begin_part(word[1], contract::ContentRange{start, end, total}, PartTarget{});
  if (auto* part = std::get_if<std::unique_ptr<PartUpload>>(&begun)) {
    const std::vector<std::byte> bytes(end - start, std::byte{'x'});
    (*part)->write(bytes);
    (*part)->finish();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;
  const auto records = fuzz::split_records(std::string_view(reinterpret_cast<const char*>(data), size), 48);
  World w;
  w.config = fuzz::memory_config({{"inbox", std::nullopt, false}, {"small", 10, false}});
  w.config.journal_capacity = 16;
  for (const auto& record : records) {
    const auto word = fuzz::words(record.line, 2);
    if (word.size() < 2) continue;
    if (word[0] == "!key" && !word[1].empty()) w.config.admin_key = word[1];  // partcheck serve refuses an empty one
    if (word[0] == "!journal") w.config.journal_capacity = std::clamp<std::uint64_t>(number(word[1]), 1, 64);
    fuzz::apply_policy_directive(w.config, word);
  }
  try {
    w.store = std::make_unique<Store>(w.config, w.clock);
    w.journal = std::make_unique<Journal>(w.config.journal_capacity);
    w.context = std::make_unique<AdminContext>(AdminContext{*w.store, w.faults, *w.journal, w.stats, w.config});
    for (const auto& record : records) {
      if (record.line.starts_with("!")) continue;
      if (record.line.starts_with("LOG ")) {
        log_request(w, record);
        w.check_health(record.line, false);
      } else if (record.line.starts_with("PART ")) {
        store_part(w, record);
      } else {
        admin_request(w, record);
      }
    }
    w.check_health("the last record", true);
  } catch (const std::exception& error) {
    fuzz::broken("an exception escaped", error.what());
  }
  return 0;
}
