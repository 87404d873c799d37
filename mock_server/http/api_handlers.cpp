#include "mock_server/http/api_handlers.hpp"

#include <algorithm>
#include <limits>

namespace partcheck::mock::http {
namespace {

using contract::ErrorCode;
using nlohmann::json;

constexpr std::uint64_t kDefaultListLimit = 100;
constexpr std::uint64_t kMaxListLimit = 10000;

Reply refused(const ApiCall& call, ErrorCode code, std::string_view sentence, std::string_view rule = {}) {
  return error_reply(http_refusal(code, sentence, rule), call.config.policy);
}

// The body as a JSON object; an empty body is an empty object.
std::variant<json, Reply> parse_object(const ApiCall& call) {
  if (call.body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
  json value = json::parse(call.body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return refused(call, ErrorCode::InvalidRequest, "the request body is not valid JSON");
  if (!value.is_object()) return refused(call, ErrorCode::InvalidRequest, "the request body must be a JSON object");
  return value;
}

std::string link_url(const ApiCall& call, const std::string& token) {
  return call.base_url + "/pub/v1/disk/download/" + token;
}

// A non-negative integer field, or `fallback` when absent.
std::optional<std::uint64_t> count_field(const json& body, const char* name, std::uint64_t fallback) {
  if (!body.contains(name) || body[name].is_null()) return fallback;
  const auto& v = body[name];
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
  return std::nullopt;
}

// The answer to a part (but a directory upload's last), the API's most
// frequent: written directly rather than built as a JSON tree and
// serialised, which was a fifth of a small upload's time in the handlers.
// The same bytes nlohmann writes: keys in sorted order, a hash that needs
// escaping escaped by it.
std::string part_progress_body(const PartResult& result, const std::string& hash) {
  const bool plain = std::all_of(hash.begin(), hash.end(), [](unsigned char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  std::string body = "{\"hash\":";
  body += plain ? "\"" + hash + "\"" : dump_json(json(hash));
  if (result.complete)
    return body + ",\"size\":" + std::to_string(result.total) + ",\"success\":true,\"xxh3\":\"" + result.xxh3 + "\"}";
  return body + ",\"received\":" + std::to_string(result.received) + ",\"success\":true,\"total\":" +
         std::to_string(result.total) + "}";
}

}  // namespace

json file_json(const FileInfo& file) {
  return json{{"__id", file.id}, {"hash", file.hash}, {"name", file.name}, {"directoryID", file.directory_id},
              {"size", file.size}};
}

Reply handle_move(const ApiCall& call) {
  auto directory = call.target.param("directoryID");
  if (!directory || directory->empty())
    return refused(call, ErrorCode::InvalidRequest, "the `directoryID` query parameter is missing", "MOVE-7");
  auto parsed = parse_object(call);
  if (auto* reply = std::get_if<Reply>(&parsed)) return *reply;
  const json& body = std::get<json>(parsed);
  if (!body.contains("files") || !body["files"].is_array() || body["files"].empty())
    return refused(call, ErrorCode::InvalidRequest, "the body needs a non-empty array `files` of {hash, name}");
  std::vector<Store::MoveItem> items;
  for (const auto& item : body["files"]) {
    if (!item.is_object() || !item.contains("hash") || !item["hash"].is_string() || !item.contains("name") ||
        !item["name"].is_string())
      return refused(call, ErrorCode::InvalidRequest, "each entry of `files` needs string fields `hash` and `name`");
    items.push_back({item["hash"].get<std::string>(), item["name"].get<std::string>()});
  }
  auto result = call.store.move(*directory, items);
  if (auto* refusal = std::get_if<Refusal>(&result)) return error_reply(*refusal, call.config.policy);
  json files = json::array();
  for (const auto& file : std::get<std::vector<FileInfo>>(result)) files.push_back(file_json(file));
  return json_reply(200, json{{"success", true}, {"files", files}});
}

Reply handle_get_link(const ApiCall& call, const std::string& file_id) {
  auto result = call.store.link_for_file(file_id);
  if (auto* refusal = std::get_if<Refusal>(&result)) return error_reply(*refusal, call.config.policy);
  return json_reply(200, json{{"success", true}, {"Link", link_url(call, std::get<std::string>(result))}});
}

Reply handle_links_download(const ApiCall& call) {
  auto parsed = parse_object(call);
  if (auto* reply = std::get_if<Reply>(&parsed)) return *reply;
  const json& body = std::get<json>(parsed);
  if (!body.contains("hashesList") || !body["hashesList"].is_array())
    return refused(call, ErrorCode::InvalidRequest, "the body needs an array `hashesList` of hashes");
  json items = json::array();
  for (const auto& entry : body["hashesList"]) {
    if (!entry.is_string()) return refused(call, ErrorCode::InvalidRequest, "`hashesList` must hold strings");
    auto hash = entry.get<std::string>();
    auto result = call.store.link_for_hash(hash);
    if (auto* refusal = std::get_if<Refusal>(&result))
      items.push_back(json{{"hash", hash}, {"error", refusal->message}});
    else
      items.push_back(json{{"hash", hash}, {"link", link_url(call, std::get<std::string>(result))}});
  }
  return json_reply(200, json{{"success", true}, {"items", items}});
}

Reply handle_directory_list(const ApiCall& call) {
  auto parsed = parse_object(call);
  if (auto* reply = std::get_if<Reply>(&parsed)) return *reply;
  const json& body = std::get<json>(parsed);
  std::string directory = call.store.root_directory_id();
  if (body.contains("directoryID") && !body["directoryID"].is_null()) {
    if (!body["directoryID"].is_string())
      return refused(call, ErrorCode::InvalidRequest, "`directoryID` must be a string");
    directory = body["directoryID"].get<std::string>();
  }
  auto limit = count_field(body, "limit", kDefaultListLimit);
  auto offset = count_field(body, "offset", 0);
  if (!limit || !offset) return refused(call, ErrorCode::InvalidRequest, "`limit` and `offset` must be integers >= 0");
  auto result = call.store.list_directory(directory, *offset, std::min(*limit, kMaxListLimit));
  if (auto* refusal = std::get_if<Refusal>(&result)) return error_reply(*refusal, call.config.policy);
  const auto& listing = std::get<Store::Listing>(result);
  json entries = json::array();
  for (const auto& entry : listing.entries) {
    json item{{"__id", entry.id}, {"name", entry.name}, {"type", entry.type}, {"size", entry.size}};
    if (entry.type == "file") item["hash"] = entry.hash;
    entries.push_back(std::move(item));
  }
  // The listed directory's own id rides along, so a client that knows no id
  // yet (partcheck's probe, a first-time user) can find the root.
  return json_reply(200, json{{"success", true},
                              {"result", {{"result", entries}, {"total", listing.total}, {"directoryID", directory}}}});
}

Reply part_reply(const PartResult& result, const std::string& hash, bool directory_upload,
                 const contract::PolicyOptions& policy) {
  if (result.refusal) return error_reply(*result.refusal, policy);
  if (!directory_upload || !result.complete) {
    Reply reply;
    reply.status = result.status;
    reply.body = part_progress_body(result, hash);
    return reply;
  }
  json body{{"success", true}, {"hash", hash}, {"size", result.total}, {"xxh3", result.xxh3}};
  if (result.file) {
    json file = file_json(*result.file);
    file.erase("hash");
    if (policy.deviates("DIR-1")) file.erase("__id");  // the deviation: no file.__id
    body["file"] = std::move(file);
  }
  return json_reply(result.status, body);
}

}  // namespace partcheck::mock::http
