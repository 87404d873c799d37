#include "mock_server/admin/probe.hpp"

namespace partcheck::mock {

bool is_public_probe(std::string_view method, std::string_view path) {
  return method == "GET" && (path == "/__mock/ready" || path == "/__mock/ready/");
}

AdminResponse ready_response() { return {200, "application/json", R"({"success":true,"status":"ready"})"}; }

}  // namespace partcheck::mock
