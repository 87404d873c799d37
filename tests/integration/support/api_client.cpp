#include "tests/integration/support/api_client.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <ostream>
#include <thread>
#include <stdexcept>

namespace partcheck::testing {
namespace {

constexpr int kTimeoutSeconds = 120;

Reply to_reply(const httplib::Result& result) {
  Reply reply;
  if (!result) return reply;
  reply.status = result->status;
  reply.body = result->body;
  reply.content_type = result->get_header_value("Content-Type");
  reply.json = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (reply.json.is_discarded()) reply.json = nullptr;
  return reply;
}

std::unique_ptr<httplib::Client> client_for(const std::string& host, int port) {
  auto client = std::make_unique<httplib::Client>(host, port);
  client->set_connection_timeout(10);
  client->set_read_timeout(kTimeoutSeconds);
  client->set_write_timeout(kTimeoutSeconds);
  return client;
}

httplib::Headers to_headers(const std::vector<std::pair<std::string, std::string>>& pairs) {
  httplib::Headers headers;
  for (const auto& [k, v] : pairs) headers.emplace(k, v);
  return headers;
}

}  // namespace

std::string Reply::code() const {
  if (!json.is_object() || !json.contains("error") || !json["error"].is_string()) return {};
  auto error = json["error"].get<std::string>();
  return error.substr(0, error.find(':'));
}

std::ostream& operator<<(std::ostream& out, const Reply& reply) {
  out << "HTTP " << reply.status << " ";
  if (reply.body.size() > 400)
    out << reply.body.substr(0, 400) << "... (" << reply.body.size() << " bytes)";
  else
    out << reply.body;
  return out;
}

ApiClient::ApiClient(const ServerProcess& server)
    : ApiClient(server.host(), server.port(), server.api_key()) {}

ApiClient::ApiClient(std::string host, int port, std::string api_key)
    : host_(std::move(host)), port_(port), key_(std::move(api_key)) {}

void ApiClient::set_key(std::string key, KeyStyle style) {
  key_ = std::move(key);
  style_ = style;
}

std::vector<std::pair<std::string, std::string>> ApiClient::auth_headers() const {
  switch (style_) {
    case KeyStyle::Bearer: return {{"Authorization", "Bearer " + key_}};
    case KeyStyle::XToken: return {{"X-Token", key_}};
    case KeyStyle::None: return {};
  }
  return {};
}

Reply ApiClient::post(const std::string& path, const std::string& body, const std::string& content_type,
                      bool with_key) {
  auto client = client_for(host_, port_);
  auto headers = with_key ? to_headers(auth_headers()) : httplib::Headers{};
  return to_reply(client->Post(path.c_str(), headers, body, content_type.c_str()));
}

Reply ApiClient::send_part(const std::string& path, const PartRequest& part) {
  auto client = client_for(host_, port_);
  auto headers = to_headers(auth_headers());
  if (part.range) headers.emplace("Content-Range", *part.range);
  if (part.form_field) {
    httplib::MultipartFormDataItems items{
        {*part.form_field, part.body, part.form_filename, "application/octet-stream"}};
    return to_reply(client->Post(path.c_str(), headers, items));
  }
  // An empty content type makes cpp-httplib leave the header out.
  return to_reply(client->Post(path.c_str(), headers, part.body, part.content_type.value_or("").c_str()));
}

Reply ApiClient::upload(const std::optional<std::string>& hash, const PartRequest& part) {
  std::string path = "/pub/v1/disk/file/upload";
  if (hash) path += "?hash=" + httplib::detail::encode_query_param(*hash);
  return send_part(path, part);
}

Reply ApiClient::upload(const std::string& hash, const std::string& range, const std::string& body) {
  PartRequest part;
  part.range = range;
  part.body = body;
  return upload(hash, part);
}

Reply ApiClient::dir_upload(const std::string& dir, const std::string& hash, const PartRequest& part,
                            const std::optional<std::string>& name) {
  std::string path = "/pub/v1/disk/directory/" + dir + "/upload?hash=" + hash;
  if (name) path += "&name=" + httplib::detail::encode_query_param(*name);
  return send_part(path, part);
}

Reply ApiClient::move(const std::optional<std::string>& directory_id,
                      const std::vector<std::pair<std::string, std::string>>& hash_and_name) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& [hash, name] : hash_and_name) files.push_back({{"hash", hash}, {"name", name}});
  std::string query = directory_id ? "directoryID=" + *directory_id : "";
  return move_raw(query, nlohmann::json{{"files", files}}.dump());
}

Reply ApiClient::move_raw(const std::string& query, const std::string& json_body) {
  std::string path = "/pub/v1/disk/file/move";
  if (!query.empty()) path += "?" + query;
  return post(path, json_body, "application/json");
}

Reply ApiClient::get_link(const std::string& file_id, bool use_post) {
  auto path = "/pub/v1/disk/file/" + file_id + "/get-link";
  if (use_post) return post(path, "", "application/json");
  auto client = client_for(host_, port_);
  return to_reply(client->Get(path.c_str(), to_headers(auth_headers())));
}

Reply ApiClient::links_download(const std::vector<std::string>& hashes) {
  return post("/pub/v1/disk/links/download", nlohmann::json{{"hashesList", hashes}}.dump(),
              "application/json");
}

Reply ApiClient::list(const std::string& directory_id, std::uint64_t limit) {
  nlohmann::json body{{"directoryID", directory_id}, {"limit", limit}, {"offset", 0}};
  return post("/pub/v1/disk/directory/list", body.dump(), "application/json");
}

Reply ApiClient::fetch(const std::string& url) {
  std::string host = host_, path = url;
  int port = port_;
  if (url.rfind("http://", 0) == 0) {
    auto rest = url.substr(7);
    auto slash = rest.find('/');
    auto hostport = rest.substr(0, slash);
    path = slash == std::string::npos ? "/" : rest.substr(slash);
    auto colon = hostport.rfind(':');
    host = hostport.substr(0, colon);
    port = colon == std::string::npos ? 80 : std::stoi(hostport.substr(colon + 1));
  }
  auto client = client_for(host, port);
  return to_reply(client->Get(path.c_str()));
}

std::string ApiClient::download_file(const std::string& file_id) {
  auto link = get_link(file_id);
  EXPECT_EQ(link.status, 200) << link;
  if (link.status != 200 || !link.json.is_object() || !link.json.contains("Link")) return {};
  auto bytes = fetch(link.json["Link"].get<std::string>());
  EXPECT_EQ(bytes.status, 200) << bytes;
  return bytes.body;
}

Reply ApiClient::get(const std::string& path) {
  auto client = client_for(host_, port_);
  return to_reply(client->Get(path.c_str(), to_headers(auth_headers())));
}

Reply ApiClient::admin_get(const std::string& path_and_query) {
  auto client = client_for(host_, port_);
  return to_reply(client->Get(("/__mock/" + path_and_query).c_str()));
}

Reply ApiClient::admin_post(const std::string& path_and_query, const std::string& json_body) {
  return post("/__mock/" + path_and_query, json_body, "application/json", /*with_key=*/false);
}

void ApiClient::advance_clock(long long seconds) {
  auto reply = admin_post("clock/advance?seconds=" + std::to_string(seconds));
  if (reply.status != 200) throw std::runtime_error("clock/advance failed: " + reply.body);
}

nlohmann::json ApiClient::upload_entry(const std::string& hash) {
  auto reply = admin_get("uploads");
  if (reply.status != 200) throw std::runtime_error("GET /__mock/uploads failed: " + reply.body);
  const nlohmann::json* list = &reply.json;
  if (reply.json.is_object() && reply.json.contains("uploads")) list = &reply.json["uploads"];
  if (!list->is_array()) throw std::runtime_error("GET /__mock/uploads: no list in " + reply.body);
  for (const auto& entry : *list)
    if (entry.value("hash", "") == hash) return entry;
  return nullptr;
}

bool ApiClient::wait_busy(const std::string& hash, bool busy, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto entry = upload_entry(hash);
    if (entry.is_object() && entry.value("busy", !busy) == busy) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string ApiClient::add_directory(const std::string& name, std::optional<std::uint64_t> quota,
                                     bool readonly) {
  nlohmann::json body{{"name", name}, {"readonly", readonly}};
  if (quota) body["quota"] = *quota;
  auto reply = admin_post("directories", body.dump());
  if ((reply.status != 200 && reply.status != 201) || !reply.json.is_object() || !reply.json.contains("id"))
    throw std::runtime_error("POST /__mock/directories failed: " + reply.body);
  return reply.json["id"].get<std::string>();
}

std::vector<std::string> ApiClient::file_names(const std::string& directory_id) {
  auto reply = list(directory_id);
  if (reply.status != 200) throw std::runtime_error("directory/list failed: " + reply.body);
  std::vector<std::string> names;
  for (const auto& entry : reply.json["result"]["result"])
    if (entry.value("type", "file") == "file") names.push_back(entry.value("name", ""));
  return names;
}

std::string file_id_of_move(const Reply& move_reply, std::size_t index) {
  if (!move_reply.json.is_object() || !move_reply.json.contains("files")) return {};
  const auto& files = move_reply.json["files"];
  if (!files.is_array() || files.size() <= index) return {};
  return files[index].value("__id", "");
}

}  // namespace partcheck::testing
