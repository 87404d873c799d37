#include "mock_server/http/router.hpp"

#include <vector>

#include "mock_server/http/reply.hpp"

namespace partcheck::mock::http {
namespace {

using contract::ErrorCode;

struct Pattern {
  std::vector<std::string_view> segments;  // "{}" matches one segment
  Endpoint endpoint;
  std::string_view allow;  // "POST" or "GET, POST"
};

const std::vector<Pattern>& patterns() {
  static const std::vector<Pattern> table{
      {{"pub", "v1", "disk", "file", "upload"}, Endpoint::FileUpload, "POST"},
      {{"pub", "v1", "disk", "directory", "{}", "upload"}, Endpoint::DirectoryUpload, "POST"},
      {{"pub", "v1", "disk", "file", "move"}, Endpoint::Move, "POST"},
      {{"pub", "v1", "disk", "file", "{}", "get-link"}, Endpoint::GetLink, "GET, POST"},
      {{"pub", "v1", "disk", "links", "download"}, Endpoint::LinksDownload, "POST"},
      {{"pub", "v1", "disk", "directory", "list"}, Endpoint::DirectoryList, "POST"},
      {{"pub", "v1", "disk", "download", "{}"}, Endpoint::Download, "GET"},
  };
  return table;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool allows(std::string_view allow, std::string_view method) {
  std::size_t at = 0;
  while (at < allow.size()) {
    auto comma = allow.find(", ", at);
    auto item = allow.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at);
    if (item == method) return true;
    if (comma == std::string_view::npos) break;
    at = comma + 2;
  }
  return false;
}

}  // namespace

std::variant<Route, RouteRefusal> route(std::string_view method, std::string_view path) {
  // "/__mock" and "/__mock/" both carry the id "": the session tells them apart.
  if (is_admin_path(path)) {
    constexpr std::string_view kPrefix = "/__mock/";
    return Route{Endpoint::Admin, path.size() > kPrefix.size() ? std::string(path.substr(kPrefix.size())) : "", ""};
  }

  auto segments = split_path(path);
  for (const auto& pattern : patterns()) {
    if (pattern.segments.size() != segments.size()) continue;
    std::string id;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      if (pattern.segments[i] == "{}")
        match = !segments[i].empty() && (id = std::string(segments[i]), true);
      else
        match = pattern.segments[i] == segments[i];
    }
    if (!match) continue;
    if (!allows(pattern.allow, method))
      return RouteRefusal{http_refusal(ErrorCode::MethodNotAllowed, std::string(method) + " is not allowed on " +
                                                                        std::string(path) + "; use " +
                                                                        std::string(pattern.allow)),
                          std::string(pattern.allow)};
    return Route{pattern.endpoint, std::move(id), std::string(pattern.allow)};
  }
  return RouteRefusal{http_refusal(ErrorCode::NotFound, "no endpoint at " + std::string(path)), ""};
}

}  // namespace partcheck::mock::http
