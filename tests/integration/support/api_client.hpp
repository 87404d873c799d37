#pragma once
// A small client of the public and admin APIs of a running `partcheck serve`,
// on cpp-httplib: one call per endpoint, the API key attached, every answer
// as status + raw body + parsed JSON. Tests assert on exact statuses and codes.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/support/process.hpp"

namespace partcheck::testing {

struct Reply {
  int status = 0;  // 0: no HTTP answer (connection failed or reset)
  std::string body;
  std::string content_type;
  nlohmann::json json;  // null when the body is not JSON

  // The code at the start of `error` ("InvalidPartOrder: ..." -> "InvalidPartOrder").
  std::string code() const;
  bool ok_json() const { return json.is_object() && json.value("success", false); }
};
std::ostream& operator<<(std::ostream& out, const Reply& reply);

enum class KeyStyle { Bearer, XToken, None };

struct PartRequest {
  PartRequest() = default;
  PartRequest(std::optional<std::string> range_header, std::string bytes,
              std::optional<std::string> type = "application/octet-stream")
      : range(std::move(range_header)), body(std::move(bytes)), content_type(std::move(type)) {}

  std::optional<std::string> range;  // Content-Range; nullopt: header left out
  std::string body;
  std::optional<std::string> content_type = "application/octet-stream";  // nullopt: no header
  // Sends multipart/form-data with this field name instead of a raw body.
  std::optional<std::string> form_field;
  std::string form_filename = "part.bin";
};

class ApiClient {
 public:
  explicit ApiClient(const ServerProcess& server);
  ApiClient(std::string host, int port, std::string api_key);

  void set_key(std::string key, KeyStyle style = KeyStyle::Bearer);
  const std::string& host() const { return host_; }
  int port() const { return port_; }

  // POST /pub/v1/disk/file/upload?hash=H (hash nullopt: no hash parameter).
  Reply upload(const std::optional<std::string>& hash, const PartRequest& part);
  Reply upload(const std::string& hash, const std::string& range, const std::string& body);
  // POST /pub/v1/disk/directory/{dir}/upload?hash=H[&name=N]
  Reply dir_upload(const std::string& dir, const std::string& hash, const PartRequest& part,
                   const std::optional<std::string>& name = {});

  // POST /pub/v1/disk/file/move?directoryID=D (nullopt: no parameter).
  Reply move(const std::optional<std::string>& directory_id,
             const std::vector<std::pair<std::string, std::string>>& hash_and_name);
  Reply move_raw(const std::string& query, const std::string& json_body);

  Reply get_link(const std::string& file_id, bool use_post = false);
  Reply links_download(const std::vector<std::string>& hashes);
  Reply list(const std::string& directory_id, std::uint64_t limit = 1000);

  // GET of a URL handed out by get-link (absolute, or a path on this server),
  // without the API key, as a browser would.
  Reply fetch(const std::string& url);
  // get-link then fetch; fails the test when any step does not answer 200.
  std::string download_file(const std::string& file_id);

  // GET of a path on this server with the API key.
  Reply get(const std::string& path);

  Reply admin_get(const std::string& path_and_query);
  Reply admin_post(const std::string& path_and_query, const std::string& json_body = "{}");

  // Admin helpers.
  void advance_clock(long long seconds);
  // The entry of GET /__mock/uploads for `hash`, or null.
  nlohmann::json upload_entry(const std::string& hash);
  // Waits up to `timeout_ms` until the upload's `busy` flag equals `busy`
  // (a part of it is being written, or no longer); false on timeout.
  bool wait_busy(const std::string& hash, bool busy, int timeout_ms = 5000);
  // Creates a directory through the admin API; returns its id.
  std::string add_directory(const std::string& name, std::optional<std::uint64_t> quota = {},
                            bool readonly = false);
  // Names of the files listed in a directory.
  std::vector<std::string> file_names(const std::string& directory_id);

 private:
  Reply post(const std::string& path, const std::string& body, const std::string& content_type,
             bool with_key = true);
  Reply send_part(const std::string& path, const PartRequest& part);
  std::vector<std::pair<std::string, std::string>> auth_headers() const;

  std::string host_;
  int port_;
  std::string key_;
  KeyStyle style_ = KeyStyle::Bearer;
};

// Fields of a 206/200 part answer and of a move, for readable assertions.
std::string file_id_of_move(const Reply& move_reply, std::size_t index = 0);

}  // namespace partcheck::testing
