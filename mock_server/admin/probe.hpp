#pragma once
// GET /__mock/ready: the readiness and liveness probe an orchestrator calls
// (Kubernetes' kubelet, a compose or CI healthcheck). The kubelet sends no
// admin key and calls from the node's address, so the probe answers anyone,
// and therefore says nothing but "ready": the settings stay behind GET
// /__mock/health. The store is loaded (a disk data dir read back) before the
// listeners open, so any answer at all means the server takes requests.
#include <string_view>

#include "mock_server/admin/admin_api.hpp"

namespace partcheck::mock {

// Whether `method` and the request's whole path name the probe:
// GET /__mock/ready (or /__mock/ready/, like every admin path).
bool is_public_probe(std::string_view method, std::string_view path);

// 200 {"success":true,"status":"ready"}.
AdminResponse ready_response();

}  // namespace partcheck::mock
