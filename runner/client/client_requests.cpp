#include "runner/client/client_requests.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <variant>

#include <boost/beast/core/string.hpp>

#include "common/iso_time.hpp"
#include "contract/uuid.hpp"
#include "mock_server/http/request_target.hpp"
#include "mock_server/http/router.hpp"

namespace partcheck::runner::client {
namespace {

// The mock's own router names the endpoint, so the judge reads requests
// exactly as the server took them.
std::optional<Endpoint> endpoint_of(const std::string& method, const std::string& path) {
  const auto routed = mock::http::route(method, path);
  const auto* found = std::get_if<mock::http::Route>(&routed);
  if (found == nullptr) return Endpoint::Other;
  if (found->endpoint == mock::http::Endpoint::Admin) return std::nullopt;  // the grader's, not the client's
  if (mock::http::is_part_upload(found->endpoint)) return Endpoint::Part;
  if (found->endpoint == mock::http::Endpoint::Move) return Endpoint::Move;
  return Endpoint::Other;
}

std::optional<std::string> header(const nlohmann::json& headers, std::string_view name) {
  for (const auto& [key, value] : headers.items())
    if (value.is_string() && boost::beast::iequals(key, name)) return value.get<std::string>();
  return std::nullopt;
}

}  // namespace

std::string ClientRequest::identity() const {
  return method + " " + target + (content_range ? " " + *content_range : std::string());
}

std::string ClientRequest::label() const {
  if (endpoint == Endpoint::Part) {
    if (range) return "part " + std::to_string(range->start) + "-" + std::to_string(range->end) + "/" +
                      std::to_string(range->total);
    return "part (" + content_range.value_or("no Content-Range") + ")";
  }
  if (endpoint == Endpoint::Move) return "move";
  return method + " " + target.substr(0, target.find('?'));
}

std::vector<ClientRequest> client_requests(const nlohmann::json& journal, std::uint64_t after_seq,
                                           std::chrono::system_clock::time_point started) {
  if (!journal.is_object() || !journal.contains("entries") || !journal["entries"].is_array())
    throw std::runtime_error("the mock's journal has no entries list");
  std::vector<ClientRequest> out;
  for (const auto& entry : journal["entries"]) {
    ClientRequest r;
    r.seq = entry.value("seq", std::uint64_t{0});
    r.target = entry.value("target", std::string());
    if (r.seq <= after_seq) continue;
    r.method = entry.value("method", std::string());
    const auto target = mock::http::parse_target(r.target);
    const auto endpoint = endpoint_of(r.method, target.path);
    if (!endpoint) continue;
    r.endpoint = *endpoint;
    if (auto hash = target.param("hash"))
      r.hash = contract::is_uuid(*hash) ? contract::canonical_uuid(*hash) : *hash;
    const auto& headers = entry.contains("headers") ? entry["headers"] : nlohmann::json::object();
    for (const auto& [name, value] : headers.items())
      if (value.is_string()) r.headers.emplace_back(name, value.get<std::string>());
    r.content_range = header(headers, "Content-Range");
    if (r.content_range)
      if (auto parsed = contract::parse_content_range(*r.content_range)) r.range = parsed.range;
    if (auto length = header(headers, "Content-Length")) {
      try {
        std::size_t used = 0;
        const auto value = std::stoull(*length, &used);
        if (used == length->size()) r.content_length = value;
      } catch (const std::exception&) {
      }
    }
    r.content_type = header(headers, "Content-Type").value_or("");
    r.status = entry.value("status", 0);
    r.code = entry.value("code", std::string());
    r.withheld_status = entry.value("withheld_status", 0);
    r.bytes_in = entry.value("bytes_in", std::uint64_t{0});
    r.duration_ms = entry.value("duration_ms", 0.0);
    if (entry.contains("faults") && entry["faults"].is_array())
      for (const auto& id : entry["faults"])
        if (id.is_string()) r.faults.push_back(id.get<std::string>());
    if (auto time = parse_rfc3339(entry.value("time", std::string())))
      r.at_ms = std::max(0.0, std::chrono::duration<double, std::milli>(*time - started).count());
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace partcheck::runner::client
