#pragma once
// The small JSON endpoints (move, links, listing) and the JSON answer to a
// finished part. Each takes the whole (bounded) request body.
#include <string>
#include <string_view>

#include "mock_server/http/reply.hpp"
#include "mock_server/http/request_target.hpp"
#include "mock_server/store/store.hpp"

namespace partcheck::mock::http {

struct ApiCall {
  Store& store;
  const ServerConfig& config;
  const RequestTarget& target;
  std::string_view body;
  const std::string& base_url;  // ServerContext::link_base
};

Reply handle_move(const ApiCall& call);
Reply handle_get_link(const ApiCall& call, const std::string& file_id);
Reply handle_links_download(const ApiCall& call);
Reply handle_directory_list(const ApiCall& call);

// 206 {"success":true,"hash","received","total"} or 200 {"success":true,"hash","size","xxh3"[,"file"]}.
Reply part_reply(const PartResult& result, const std::string& hash, bool directory_upload,
                 const contract::PolicyOptions& policy);

nlohmann::json file_json(const FileInfo& file);

}  // namespace partcheck::mock::http
