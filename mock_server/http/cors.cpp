#include "mock_server/http/cors.hpp"

#include <algorithm>

#include "contract/error_code.hpp"

namespace partcheck::mock::http {
namespace {

// Every field a client of the API or of the admin API sends beyond the
// CORS-safelisted ones, and every answer field a client may need to read.
constexpr std::string_view kAllowedHeaders =
    "Authorization, X-Token, Content-Range, Content-Type, X-Admin-Key, Range";
constexpr std::string_view kExposedHeaders = "Content-Range, Content-Length, Accept-Ranges, Retry-After";
constexpr std::string_view kAllowedMethods = "GET, POST, DELETE, OPTIONS";

bool allows(const std::vector<std::string>& allowed, std::string_view origin) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) { return a == "*" || a == origin; });
}

}  // namespace

std::string cors_origin_problem(std::string_view origin) {
  if (origin == "*") return {};
  const auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0)
    return "'" + std::string(origin) + "' is no origin: give scheme://host[:port] (e.g. http://localhost:5173) or *";
  const auto rest = origin.substr(scheme_end + 3);
  if (rest.empty() || rest.find_first_of("/?#") != std::string_view::npos)
    return "'" + std::string(origin) + "' is no origin: scheme://host[:port], without a path";
  return {};
}

Fields cors_fields(const std::vector<std::string>& allowed, std::optional<std::string_view> origin) {
  if (allowed.empty() || !origin || !allows(allowed, *origin)) return {};
  // The origin itself rather than `*`: right for both, and `Vary` keeps
  // caches from handing one origin's answer to another.
  return {{"Access-Control-Allow-Origin", std::string(*origin)},
          {"Vary", "Origin"},
          {"Access-Control-Expose-Headers", std::string(kExposedHeaders)}};
}

std::optional<Reply> preflight_reply(const std::vector<std::string>& allowed, std::string_view method,
                                     std::optional<std::string_view> origin,
                                     std::optional<std::string_view> request_method,
                                     std::optional<std::string_view> request_headers,
                                     const contract::PolicyOptions& policy) {
  if (allowed.empty() || method != "OPTIONS" || !origin || !request_method) return std::nullopt;
  if (!allows(allowed, *origin)) {
    return error_reply(http_refusal(contract::ErrorCode::PermissionDenied,
                                    "origin " + std::string(*origin) + " may not call this server (start it with --cors " +
                                        std::string(*origin) + ")"),
                       policy);
  }
  Reply reply;
  reply.status = 204;
  reply.content_type.clear();
  reply.headers = cors_fields(allowed, origin);
  reply.headers.emplace_back("Access-Control-Allow-Methods", std::string(kAllowedMethods));
  // What the page asked for is allowed too: a mock for development takes
  // any field, and a browser only sends what the preflight allowed.
  std::string headers(kAllowedHeaders);
  if (request_headers && !request_headers->empty()) headers += ", " + std::string(*request_headers);
  reply.headers.emplace_back("Access-Control-Allow-Headers", headers);
  reply.headers.emplace_back("Access-Control-Max-Age", "600");
  return reply;
}

}  // namespace partcheck::mock::http
