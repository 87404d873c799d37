#pragma once
// Which endpoint a method and path name (docs/contract.md, "Endpoints"), or
// 404 NotFound / 405 MethodNotAllowed.
#include <string>
#include <string_view>
#include <variant>

#include "mock_server/store/store.hpp"

namespace partcheck::mock::http {

enum class Endpoint {
  FileUpload,       // POST /pub/v1/disk/file/upload
  DirectoryUpload,  // POST /pub/v1/disk/directory/{id}/upload
  Move,             // POST /pub/v1/disk/file/move
  GetLink,          // GET|POST /pub/v1/disk/file/{id}/get-link
  LinksDownload,    // POST /pub/v1/disk/links/download
  DirectoryList,    // POST /pub/v1/disk/directory/list
  Download,         // GET /pub/v1/disk/download/{token}
  Admin,            // any method under /__mock/
};

struct Route {
  Endpoint endpoint;
  std::string id;          // {id} or {token}; for Admin the path after "/__mock/"
  std::string allow;       // the methods the path allows (for 405's Allow field)
};

struct RouteRefusal {
  Refusal refusal;
  std::string allow;  // set for 405
};

std::variant<Route, RouteRefusal> route(std::string_view method, std::string_view path);

// Whether a path (without its query) is the admin API's: /__mock or under /__mock/.
inline bool is_admin_path(std::string_view path) { return path == "/__mock" || path.starts_with("/__mock/"); }

// Parts go through the streaming upload path; everything else is small.
inline bool is_part_upload(Endpoint e) { return e == Endpoint::FileUpload || e == Endpoint::DirectoryUpload; }

}  // namespace partcheck::mock::http
