#pragma once
// What a handler answers: a status, a small body and the error code (for the
// journal and the log line). Large bodies (downloads) never go through here.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/error_code.hpp"
#include "contract/upload_policy.hpp"
#include "mock_server/failure.hpp"
#include "mock_server/store/store.hpp"

namespace partcheck::mock::http {

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string code;  // the error code name; empty on success
  std::vector<std::pair<std::string, std::string>> headers;  // extra response fields
  bool close = false;  // Connection: close after this response
};

// A refusal decided by the HTTP layer: "<Code>: <sentence>" with the code's status.
Refusal http_refusal(contract::ErrorCode code, std::string_view sentence, std::string_view rule = {});
// The `status` fault's answer: that status with the code the mock uses for
// it (403 PermissionDenied, 402 NotEnoughSpace, 503 ServiceUnavailable...),
// InvalidRequest or InternalError when no code has that status.
Refusal injected_refusal(int status);

// {"success":false,"error":"<Code>: ..."} with the refusal's status; under the
// ERR-1 deviation a client error becomes 500 with a plain-text body instead.
Reply error_reply(const Refusal& refusal, const contract::PolicyOptions& policy);
Reply json_reply(int status, const nlohmann::json& body);
// The server's own failures, never a client code: an exception that reached
// a handler's edge (mock/failure.hpp) closes the connection; a state that
// should not happen is 500 InternalError.
Reply failure_reply(std::exception_ptr error, const ServerConfig& config);
Reply internal_error_reply(std::string_view what);

}  // namespace partcheck::mock::http
