#include "mock_server/http/part_request.hpp"

#include <algorithm>
#include <cctype>

#include "contract/file_name.hpp"
#include "contract/uuid.hpp"
#include "mock_server/http/multipart_stream.hpp"
#include "mock_server/http/reply.hpp"

namespace partcheck::mock::http {
namespace {

using contract::ErrorCode;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::string_view> bearer_of(std::optional<std::string_view> authorization) {
  if (!authorization) return std::nullopt;
  auto value = trim(*authorization);
  if (value.size() > 7 && lower(value.substr(0, 7)) == "bearer ") return trim(value.substr(7));
  return std::nullopt;
}

bool key_known(std::string_view key, const ServerConfig& config) {
  return !key.empty() && std::find(config.api_keys.begin(), config.api_keys.end(), key) != config.api_keys.end();
}

}  // namespace

std::optional<Refusal> check_api_key(std::optional<std::string_view> authorization,
                                     std::optional<std::string_view> x_token, const ServerConfig& config) {
  const auto& policy = config.policy;
  if (policy.deviates("AUTH-1")) return std::nullopt;
  const auto bearer = bearer_of(authorization);
  if (bearer && key_known(*bearer, config)) return std::nullopt;
  if (x_token && policy.deviates("AUTH-2") && !bearer)
    return http_refusal(ErrorCode::Unauthorized, "X-Token is not accepted; send Authorization: Bearer <key>",
                        "AUTH-2");
  if (x_token && !policy.deviates("AUTH-2") && key_known(trim(*x_token), config)) return std::nullopt;
  if (!bearer && !x_token)
    return http_refusal(ErrorCode::Unauthorized, "no API key; send Authorization: Bearer <key> or X-Token: <key>",
                        "AUTH-1");
  return http_refusal(ErrorCode::Unauthorized, "the API key is not valid", "AUTH-1");
}

std::string presented_api_key(std::optional<std::string_view> authorization, std::optional<std::string_view> x_token) {
  if (auto bearer = bearer_of(authorization)) return std::string(*bearer);
  return x_token ? std::string(trim(*x_token)) : std::string();
}

std::optional<Refusal> check_file_name(std::string_view name) {
  auto problem = contract::name_problem(name);
  if (problem.empty()) return std::nullopt;
  return http_refusal(ErrorCode::InvalidName, "file name is not usable: " + problem);
}

std::variant<PartPlan, Refusal> plan_part(const PartHeaders& headers, const RequestTarget& target,
                                          const std::optional<std::string>& directory_id,
                                          const ServerConfig& config) {
  const auto& policy = config.policy;
  PartPlan plan;

  // HASH-1
  auto hash = target.param("hash");
  if (!hash || hash->empty())
    return http_refusal(ErrorCode::InvalidHash, "the `hash` query parameter is missing", "HASH-1");
  if (!contract::is_uuid(*hash) && !policy.deviates("HASH-1"))
    return http_refusal(ErrorCode::InvalidHash, "`hash` must be a uuid (8-4-4-4-12 hex digits)", "HASH-1");
  plan.hash = contract::canonical_uuid(*hash);  // answers name the upload as the store keys it

  // CT-1/2/3; a missing type is octet-stream (decision 10).
  std::string media = headers.content_type ? lower(trim(headers.content_type->substr(0, headers.content_type->find(';'))))
                                           : "application/octet-stream";
  if (media == "application/octet-stream") {
    if (policy.deviates("CT-1"))
      return http_refusal(ErrorCode::UnsupportedContentType, "application/octet-stream bodies are not accepted", "CT-1");
  } else if (media == "multipart/form-data" && !policy.deviates("CT-3")) {
    if (policy.deviates("CT-2"))
      return http_refusal(ErrorCode::UnsupportedContentType, "multipart/form-data bodies are not accepted", "CT-2");
    auto boundary = multipart_boundary(*headers.content_type);
    if (!boundary)
      return http_refusal(ErrorCode::UnsupportedContentType, "multipart/form-data without a boundary parameter",
                          "CT-2");
    plan.format = BodyFormat::Multipart;
    plan.boundary = *boundary;
  } else if (!policy.deviates("CT-3")) {
    return http_refusal(ErrorCode::UnsupportedContentType,
                        "content type '" + media +
                            "' is neither application/octet-stream nor multipart/form-data; send raw bytes with "
                            "`Content-Type: application/octet-stream` (curl --data-binary sends "
                            "application/x-www-form-urlencoded unless told)",
                        "CT-3");
  }
  const bool raw = plan.format == BodyFormat::Raw;

  // RANGE-1; without the header the body is the whole file (decision, INFO-3).
  if (headers.content_range) {
    auto parsed = contract::parse_content_range(*headers.content_range);
    if (parsed) {
      plan.range = parsed.range;
    } else if (!policy.deviates("RANGE-1")) {
      return http_refusal(ErrorCode::InvalidRange,
                          "Content-Range '" + std::string(*headers.content_range) + "': " + parsed.error, "RANGE-1");
    }
  }
  if (!plan.range && raw && headers.content_length)
    plan.range = contract::ContentRange{0, *headers.content_length, *headers.content_length};

  // RANGE-2, for raw bodies whose length is declared up front.
  std::uint64_t declared = headers.chunked ? 0 : headers.content_length.value_or(0);
  if (raw && !headers.chunked && plan.range && declared != plan.range->length() && !policy.deviates("RANGE-2"))
    return http_refusal(ErrorCode::LengthMismatch,
                        "Content-Length " + std::to_string(declared) + " differs from the range length " +
                            std::to_string(plan.range->length()) + " of " +
                            contract::format_content_range(*plan.range),
                        "RANGE-2");

  if (directory_id) {
    plan.target.directory_id = *directory_id;
    if (auto name = target.param("name")) {
      if (auto refusal = check_file_name(*name)) return *refusal;
      plan.target.name = *name;
    } else {
      plan.name_from_multipart = !raw;
    }
  }
  return plan;
}

}  // namespace partcheck::mock::http
