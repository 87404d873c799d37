#include "mock_server/http/reply.hpp"

namespace partcheck::mock::http {

Refusal injected_refusal(int status) {
  using contract::ErrorCode;
  // The first code with this status, in the order a client most likely meets it.
  constexpr ErrorCode kByStatus[] = {ErrorCode::PermissionDenied, ErrorCode::NotEnoughSpace, ErrorCode::NameConflict,
                                     ErrorCode::NotFound,         ErrorCode::MethodNotAllowed, ErrorCode::RequestTimeout,
                                     ErrorCode::HeaderTooLarge,   ErrorCode::ServiceUnavailable, ErrorCode::InternalError,
                                     ErrorCode::InvalidRequest};
  auto code = status >= 500 ? ErrorCode::InternalError : ErrorCode::InvalidRequest;
  for (auto candidate : kByStatus) {
    if (contract::default_status(candidate) == status) {
      code = candidate;
      break;
    }
  }
  auto refusal = http_refusal(code, "injected fault (status " + std::to_string(status) + ")");
  refusal.status = status;
  return refusal;
}

Refusal http_refusal(contract::ErrorCode code, std::string_view sentence, std::string_view rule) {
  Refusal refusal;
  refusal.code = code;
  refusal.rule = rule;
  refusal.message = std::string(contract::code_name(code)) + ": " + std::string(sentence);
  refusal.status = contract::default_status(code);
  return refusal;
}

Reply error_reply(const Refusal& refusal, const contract::PolicyOptions& policy) {
  auto name = std::string(contract::code_name(refusal.code));
  // Messages from other layers are expected to start with the code; make sure.
  std::string message = refusal.message.starts_with(name) ? refusal.message : name + ": " + refusal.message;
  Reply reply;
  reply.code = name;
  if (policy.deviates("ERR-1") && refusal.status >= 400 && refusal.status < 500) {
    reply.status = 500;
    reply.content_type = "text/plain; charset=utf-8";
    reply.body = message + "\n";
    return reply;
  }
  reply.status = refusal.status;
  reply.body = dump_json(nlohmann::json{{"success", false}, {"error", message}});
  return reply;
}

Reply json_reply(int status, const nlohmann::json& body) {
  Reply reply;
  reply.status = status;
  reply.body = dump_json(body);
  return reply;
}

Reply failure_reply(std::exception_ptr error, const ServerConfig& config) {
  auto reply = error_reply(failure_refusal(std::move(error), config.data_dir), config.policy);
  reply.close = true;
  if (reply.status == 503) reply.headers.emplace_back("Retry-After", "1");
  return reply;
}

Reply internal_error_reply(std::string_view what) {
  return error_reply(http_refusal(contract::ErrorCode::InternalError, what), {});
}

}  // namespace partcheck::mock::http
