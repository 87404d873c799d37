#include "runner/target_api.hpp"

#include <algorithm>
#include <stdexcept>

#include "contract/uuid.hpp"
#include "runner/judge.hpp"

namespace partcheck::runner {
namespace {

using nlohmann::json;

void set_body(HttpRequest& req, std::string body) {
  req.body_size = body.size();
  req.body = [body = std::move(body)](std::uint64_t at, std::span<char> out) {
    std::copy_n(body.data() + at, out.size(), out.data());
  };
}

std::string replace_all(std::string text, const std::string& what, const std::string& with) {
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
  return text;
}

bool holds_value(const json& node, const std::string& value) {
  if (node.is_string()) return node.get_ref<const std::string&>() == value;
  if (node.is_structured())
    return std::any_of(node.begin(), node.end(), [&](const json& child) { return holds_value(child, value); });
  return false;
}

// The innermost object that has `value` as one of its own fields.
const json* object_with_value(const json& node, const std::string& value) {
  if (node.is_object())
    for (const auto& [key, child] : node.items())
      if (child.is_string() && child.get_ref<const std::string&>() == value) return &node;
  if (node.is_structured())
    for (const auto& child : node)
      if (const json* found = object_with_value(child, value)) return found;
  return nullptr;
}

void collect_uuids(const json& node, const std::string& path, std::vector<std::pair<std::string, std::string>>& out) {
  if (node.is_string()) {
    if (contract::is_uuid(node.get_ref<const std::string&>())) out.emplace_back(path, node.get<std::string>());
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      collect_uuids(node[i], path + (path.empty() ? "" : ".") + std::to_string(i), out);
  } else if (node.is_object()) {
    for (const auto& [key, child] : node.items()) collect_uuids(child, path + (path.empty() ? "" : ".") + key, out);
  }
}

}  // namespace

void add_auth(Headers& headers, const std::string& mode, const std::string& api_key) {
  if (mode == "bearer") headers.emplace_back("Authorization", "Bearer " + api_key);
  else if (mode == "x-token") headers.emplace_back("X-Token", api_key);
  else if (mode == "wrong") headers.emplace_back("Authorization", "Bearer wrong-" + contract::new_uuid());
  else if (mode == "wrong-x-token") headers.emplace_back("X-Token", "wrong-" + contract::new_uuid());
  else if (mode != "none")
    throw std::invalid_argument("auth: expected bearer, x-token, none, wrong or wrong-x-token, not '" + mode + "'");
}

HttpRequest json_request(const std::string& target, const std::string& body) {
  HttpRequest req;
  req.target = target;
  req.headers.emplace_back("Content-Type", "application/json");
  set_body(req, body);
  return req;
}

HttpRequest move_request(const Target& target, const std::string& directory, const json& files) {
  auto req = json_request(target.base_path + "/disk/file/move?directoryID=" + directory, json{{"files", files}}.dump());
  add_auth(req.headers, target.api.default_auth, target.api_key);
  return req;
}

HttpRequest get_link_request(const Target& target, const std::string& id, const std::string& method) {
  HttpRequest req;
  req.method = method;
  req.target = target.base_path + "/disk/file/" + id + "/get-link";
  add_auth(req.headers, target.api.default_auth, target.api_key);
  return req;
}

HttpRequest list_request(const Target& target, const std::string& directory) {
  auto req = json_request(target.base_path + "/disk/directory/list", replace_all(target.api.list_body, "${dir}", directory));
  add_auth(req.headers, target.api.default_auth, target.api_key);
  return req;
}

Listed listing_shows(const std::string& body, const std::string& name) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return Listed::Unknown;
  if (holds_value(doc, name)) return Listed::Yes;
  const json* entries = json_at(doc, "result.result");
  const json* total = json_at(doc, "result.total");
  if (entries && entries->is_array() && total && total->is_number_unsigned() &&
      total->get<std::uint64_t>() > entries->size())
    return Listed::Unknown;  // a page of a longer listing
  return Listed::No;
}

std::optional<std::string> id_in_listing(const std::string& body, const std::string& name) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  const json* entry = object_with_value(doc, name);
  if (!entry) return std::nullopt;
  for (const char* key : {"__id", "id"})
    if (entry->contains(key) && (*entry)[key].is_string()) return (*entry)[key].get<std::string>();
  return std::nullopt;
}

std::optional<std::string> id_from_move(const Target& target, const std::string& body, std::size_t index) {
  if (target.api.move_id_path.empty()) return std::nullopt;
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  const json* node = json_at(doc, replace_all(target.api.move_id_path, "${i}", std::to_string(index)));
  if (!node || !node->is_string()) return std::nullopt;
  return node->get<std::string>();
}

std::vector<std::pair<std::string, std::string>> uuid_values(const json& doc) {
  std::vector<std::pair<std::string, std::string>> out;
  collect_uuids(doc, "", out);
  return out;
}

}  // namespace partcheck::runner
