#pragma once
// Everything about a part request that can be judged from its headers, in the
// order of docs/contract.md decision 1: API key, hash, content type,
// Content-Range, Content-Length against the range (the part-sequence policy
// comes after, in Store::begin_part). Pure: no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "contract/content_range.hpp"
#include "mock_server/http/request_target.hpp"
#include "mock_server/server_config.hpp"
#include "mock_server/store/store.hpp"

namespace partcheck::mock::http {

// AUTH-1/AUTH-2: `Authorization: Bearer <key>` or `X-Token: <key>`.
std::optional<Refusal> check_api_key(std::optional<std::string_view> authorization,
                                     std::optional<std::string_view> x_token, const ServerConfig& config);
// The key a request presents, known or not: the Bearer one, else X-Token's.
std::string presented_api_key(std::optional<std::string_view> authorization, std::optional<std::string_view> x_token);

struct PartHeaders {
  std::optional<std::string_view> content_type;
  std::optional<std::string_view> content_range;
  std::optional<std::uint64_t> content_length;  // absent for chunked bodies
  bool chunked = false;
};

enum class BodyFormat { Raw, Multipart };

struct PartPlan {
  std::string hash;
  // Empty: a whole file of unknown length (chunked or multipart without
  // Content-Range), judged when the body has ended.
  std::optional<contract::ContentRange> range;
  BodyFormat format = BodyFormat::Raw;
  std::string boundary;  // multipart only
  PartTarget target;
  // A directory upload without `name=` in multipart form takes the file
  // name of the file field (decision 9), so the store is asked only then.
  bool name_from_multipart = false;
};

// `directory_id` is set for directory uploads.
std::variant<PartPlan, Refusal> plan_part(const PartHeaders& headers, const RequestTarget& target,
                                          const std::optional<std::string>& directory_id,
                                          const ServerConfig& config);

// InvalidName, or nothing when `name` is a legal file name.
std::optional<Refusal> check_file_name(std::string_view name);

}  // namespace partcheck::mock::http
