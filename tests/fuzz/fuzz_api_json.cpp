// Fuzz target: the JSON readers of the public API (mock_server/http/api_handlers.hpp:
// handle_move, handle_directory_list, handle_links_download, handle_get_link,
// part_reply), driven against a real Store on memory storage, so a reader
// that accepts a body also runs the store behind it.
//
// Input: records separated by a line "%%" (tests/fuzz/fuzz_check.hpp); a
// record is its first line and a body:
//   move <query>        POST /pub/v1/disk/file/move?<query> with the body
//   list                POST /pub/v1/disk/directory/list with the body
//   links               POST /pub/v1/disk/links/download with the body
//   link <file id>      GET  /pub/v1/disk/file/<id>/get-link
//   part <hash> <start> <end> <total>   a raw part, the body as its bytes
//   clock <seconds>     advance the clock and sweep expired uploads
//   reset               the admin reset of the store
//   !profile <name>, !deviate <RULE>, !maxpostfix <n>   server options (before the first request)
// In lines and bodies, $root, $inbox, $locked, $small name the directories and
// $f0..$f9 the ids of the files moved so far. The store starts with a root,
// "inbox", a read-only "locked", "small" (quota 10 bytes), two complete uploads
// (1111...: 5 bytes, 2222...: 20 bytes) and a partial one (3333...: 2 of 10).
//
// Beyond "does not crash":
//  - no exception leaves a handler (memory storage never fails);
//  - every reply is JSON that parses (or, under the ERR-1 deviation, a plain
//    500), with success true exactly when the status is 200/206 and an error
//    "<Code>: ..." naming the reply's code otherwise; no 5xx (memory storage
//    never fails: a 5xx is a client error answered as the server's);
//  - a move answers one file per item, each in the asked directory, with a
//    legal name; a listing holds at most `limit` entries and no more than
//    `total`; links answer one item per hash;
//  - after every request the store is consistent: each directory lists
//    files whose sizes add up to its `used` bytes, within its quota.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/error_code.hpp"
#include "contract/file_name.hpp"
#include "contract/uuid.hpp"
#include "mock_server/http/api_handlers.hpp"
#include "mock_server/http/request_target.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/fuzz_mock_config.hpp"

using namespace partcheck;
using namespace partcheck::mock;
using namespace partcheck::mock::http;
using fuzz::check;
using fuzz::number;
using nlohmann::json;

namespace {

constexpr std::string_view kRoot = "00000000-0000-4000-8000-000000000000";
constexpr std::uint64_t kMaxPartTotal = 1 << 20;  // memory storage: keep the fuzzer's RSS small

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

struct World {
  ServerConfig config;
  Clock clock;
  std::unique_ptr<Store> store;
  std::map<std::string, std::string> names;  // placeholder -> id
  std::vector<std::string> files;            // ids of moved files, in order
  const std::string base_url = "http://127.0.0.1:8080";

  std::string expand(std::string text) const {
    for (std::size_t i = 0; i < files.size() && i < 10; ++i) text = replace_all(text, "$f" + std::to_string(i), files[i]);
    for (const auto& [name, id] : names) text = replace_all(text, name, id);
    return text;
  }

  void put(const std::string& hash, std::uint64_t start, std::uint64_t end, std::uint64_t total, std::string_view bytes) {
    auto begun = store->begin_part(hash, contract::ContentRange{start, end, total}, PartTarget{});
    if (auto* refusal = std::get_if<Refusal>(&begun)) {
      check_reply(error_reply(*refusal, config.policy), "part");
      return;
    }
    auto& part = *std::get<std::unique_ptr<PartUpload>>(begun);
    std::string data(bytes.substr(0, end - start));
    data.resize(end - start, 'x');
    part.write(std::as_bytes(std::span(data.data(), data.size())));
    const PartResult result = part.finish();
    check_reply(part_reply(result, hash, false, config.policy), "part");
  }

  // The reply is well formed; returns its JSON body when it succeeded.
  std::optional<json> check_reply(const Reply& reply, std::string_view what) {
    const std::string where = std::string(what) + ": " + std::to_string(reply.status) + " " + reply.body;
    check(reply.status >= 200 && reply.status <= 599, "a reply with an impossible status", where);
    // Memory storage cannot fail: a 5xx is a client's mistake answered as the
    // server's (InternalError: an exception caught at the edge), unless the
    // ERR-1 deviation turns client errors into 500 on purpose.
    check(reply.status < 500 || (config.policy.deviates("ERR-1") && reply.content_type != "application/json"),
          "a request answered 5xx (memory storage never fails)", where);
    if (reply.content_type != "application/json") {
      check(config.policy.deviates("ERR-1") && reply.status == 500, "a reply that is not JSON", where);
      return std::nullopt;
    }
    const auto body = json::parse(reply.body, nullptr, false);
    check(!body.is_discarded() && body.is_object(), "a reply body that is not a JSON object", where);
    check(body.contains("success") && body["success"].is_boolean(), "a reply without a boolean `success`", where);
    const bool ok = reply.status == 200 || reply.status == 206;
    check(body["success"].get<bool>() == ok, "`success` disagrees with the status", where);
    if (ok) return body;
    check(body.contains("error") && body["error"].is_string(), "an error reply without an `error` string", where);
    check(!reply.code.empty() && contract::code_from_name(reply.code).has_value(), "an error reply without a known code", where);
    check(body["error"].get<std::string>().starts_with(reply.code + ": "), "an error message not led by its code", where);
    return std::nullopt;
  }

  void check_store() {
    for (const auto& directory : store->directories()) {
      auto listed = store->list_directory(directory.id, 0, 0);
      check(std::holds_alternative<Store::Listing>(listed), "an existing directory cannot be listed", directory.id);
      const auto& listing = std::get<Store::Listing>(listed);
      check(listing.total == listing.entries.size(), "an unlimited listing is not complete", directory.id);
      std::uint64_t used = 0;
      for (const auto& entry : listing.entries)
        if (entry.type == "file") used += entry.size;
      check(used == directory.used, "a directory's `used` is not the sum of its files",
            directory.name + ": " + std::to_string(used) + " vs " + std::to_string(directory.used));
      if (directory.quota) check(directory.used <= *directory.quota, "a directory holds more than its quota", directory.name);
    }
  }
};

void run(World& w, const fuzz::Record& record) {
  const auto line = w.expand(record.line);
  const auto body = w.expand(record.body);
  const auto word = fuzz::words(line, 6);
  const std::string& verb = word[0];
  const std::string arg = word.size() > 1 ? line.substr(verb.size() + 1) : std::string();

  if (verb == "move" || verb == "list" || verb == "links" || verb == "link") {
    const RequestTarget target = parse_target("/pub/v1/disk/x?" + (verb == "move" ? arg : std::string()));
    const ApiCall call{*w.store, w.config, target, body, w.base_url};
    if (verb == "move") {
      const auto reply = w.check_reply(handle_move(call), "move");
      if (!reply) return;
      const auto request = json::parse(body, nullptr, false);
      const auto& files = (*reply)["files"];
      check(files.is_array() && files.size() == request["files"].size(), "a move answers another number of files",
            reply->dump());
      for (const auto& file : files) {
        check(contract::canonical_uuid(file.value("directoryID", "")) ==
                  contract::canonical_uuid(target.param("directoryID").value_or("")),
              "a moved file is in another directory", file.dump());
        check(contract::name_problem(file.value("name", "")).empty(), "a moved file has an illegal name", file.dump());
        w.files.push_back(file.value("__id", ""));
      }
    } else if (verb == "list") {
      const auto reply = w.check_reply(handle_directory_list(call), "list");
      if (!reply) return;
      const auto& result = (*reply)["result"];
      check(result.is_object() && result["result"].is_array() && result["total"].is_number_unsigned(),
            "a listing without result.result and result.total", reply->dump());
      const auto request = json::parse(body.find_first_not_of(" \t\r\n") == std::string::npos ? "{}" : body);
      std::uint64_t limit = request.contains("limit") && request["limit"].is_number() ? request["limit"].get<std::uint64_t>() : 100;
      if (limit == 0 || limit > 10000) limit = 10000;
      check(result["result"].size() <= limit, "a listing holds more than `limit` entries", reply->dump());
      check(result["result"].size() <= result["total"].get<std::uint64_t>(), "a listing holds more than `total`",
            reply->dump());
    } else if (verb == "links") {
      const auto reply = w.check_reply(handle_links_download(call), "links");
      if (!reply) return;
      const auto request = json::parse(body);
      check((*reply)["items"].size() == request["hashesList"].size(), "links answers another number of items");
    } else {
      w.check_reply(handle_get_link(call, arg), "link");
    }
  } else if (verb == "part" && word.size() >= 5) {
    const auto start = number(word[2]), end = number(word[3]), total = number(word[4]);
    if (total > kMaxPartTotal || end > total || start >= end) return;
    w.put(word[1], start, end, total, body);
  } else if (verb == "clock") {
    w.clock.advance(std::chrono::seconds(std::min<std::uint64_t>(number(arg), 10LL * 366 * 24 * 3600)));
    w.store->sweep_expired();
  } else if (verb == "expire") {
    w.store->expire(arg);
  } else if (verb == "reset") {
    w.store->reset();
    w.files.clear();
  }
  w.check_store();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;
  const auto records = fuzz::split_records(std::string_view(reinterpret_cast<const char*>(data), size), 64);
  World w;
  w.config = fuzz::memory_config({{"inbox", std::nullopt, false}, {"locked", std::nullopt, true}, {"small", 10, false}});
  w.config.root_dir_id = std::string(kRoot);
  for (const auto& record : records) {
    const auto word = fuzz::words(record.line, 2);
    fuzz::apply_policy_directive(w.config, word);
    if (word[0] == "!maxpostfix" && word.size() == 2) w.config.max_postfix = static_cast<unsigned>(std::min<std::uint64_t>(number(word[1]), 1000));
  }
  try {
    w.store = std::make_unique<Store>(w.config, w.clock);
    w.names["$root"] = std::string(kRoot);
    for (const auto& directory : w.store->directories())
      if (directory.id != kRoot) w.names["$" + directory.name] = directory.id;
    w.put("11111111-1111-4111-8111-111111111111", 0, 5, 5, "hello");
    w.put("22222222-2222-4222-8222-222222222222", 0, 20, 20, "twenty bytes of text");
    w.put("33333333-3333-4333-8333-333333333333", 0, 2, 10, "ab");
    w.check_store();
    for (const auto& record : records)
      if (!record.line.starts_with("!")) run(w, record);
  } catch (const std::exception& error) {
    fuzz::broken("an exception escaped", error.what());
  }
  return 0;
}
