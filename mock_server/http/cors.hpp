#pragma once
// CORS, so that a page in a browser can use the mock (--cors ORIGIN, or
// `*`): the fields every answer to an allowed origin carries, and the answer
// to a preflight. Off (no --cors), the mock sends no CORS fields and OPTIONS
// stays 405. Pure: no I/O.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mock_server/http/reply.hpp"

namespace partcheck::mock::http {

using Fields = std::vector<std::pair<std::string, std::string>>;

// For --cors: "" when `origin` is `*` or scheme://host[:port], else why not.
std::string cors_origin_problem(std::string_view origin);

// The fields to add to an answer to a request with this Origin; none when
// CORS is off, the request has no Origin, or the origin is not allowed.
Fields cors_fields(const std::vector<std::string>& allowed, std::optional<std::string_view> origin);

// A preflight is OPTIONS with Origin and Access-Control-Request-Method:
// 204 with what may be sent, or 403 PermissionDenied for an origin not
// allowed. nullopt when CORS is off or the request is no preflight.
std::optional<Reply> preflight_reply(const std::vector<std::string>& allowed, std::string_view method,
                                     std::optional<std::string_view> origin,
                                     std::optional<std::string_view> request_method,
                                     std::optional<std::string_view> request_headers,
                                     const contract::PolicyOptions& policy);

}  // namespace partcheck::mock::http
