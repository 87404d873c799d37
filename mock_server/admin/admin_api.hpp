#pragma once
// The /__mock/ admin API: health, reset, clock, faults, journal, stats,
// uploads, directories, files, openapi.yaml and the ui dashboard
// (docs/admin-api.md). The HTTP layer hands it whole small requests (admin
// bodies are JSON, bounded) and sends back what it returns.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mock_server/admin/fault_injector.hpp"
#include "mock_server/admin/journal.hpp"
#include "mock_server/admin/stats.hpp"
#include "mock_server/server_config.hpp"
#include "mock_server/store/store.hpp"

namespace partcheck::mock {

struct AdminRequest {
  std::string method;  // "GET", "POST", "DELETE"
  std::string path;    // after "/__mock/", without the query: "clock/advance"
  std::string query;   // raw, without '?'
  std::string body;
  bool from_loopback = true;
  std::string admin_key;  // X-Admin-Key header, or Bearer token, as sent
  bool without_slash = false;  // "/__mock" itself, not "/__mock/": GET redirects to the dashboard
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers = {};  // beyond Content-Type, e.g. Location
};

struct AdminContext {
  Store& store;
  FaultInjector& faults;
  Journal& journal;
  Stats& stats;
  const ServerConfig& config;
};

AdminResponse handle_admin(const AdminRequest& request, AdminContext& context);

// True for the dashboard (GET /__mock/ui) and the redirect to it (GET
// /__mock); `path` is the request's whole path. They need no admin key: a
// browser cannot add X-Admin-Key to a navigation, and the page holds no
// data; its own calls send the key the user pastes in. Other hosts still get
// them only when the server has --admin-key.
bool admin_page_without_key(std::string_view method, std::string_view path);

// What handle_admin serves: method and path pattern under /__mock/, such as
// {"POST", "uploads/{hash}/expire"}; lets tests hold the document to it.
struct AdminRoute {
  std::string_view method;
  std::string_view pattern;
};
std::vector<AdminRoute> admin_routes();

// The OpenAPI 3 document of the public and admin APIs (docs/openapi.yaml,
// compiled in).
std::string_view openapi_yaml();

// The dashboard served at GET /__mock/ui (mock_server/admin/dashboard.html,
// compiled in): one page, no external resource.
std::string_view dashboard_html();

}  // namespace partcheck::mock
