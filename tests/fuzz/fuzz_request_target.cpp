// Fuzz target: the mock's request-target parser (mock_server/http/request_target.hpp:
// parse_target, percent_decode) and what reads its result before any body:
// the router (http/router.hpp: route) and the part-request planner
// (http/part_request.hpp: plan_part, check_file_name).
//
// Input: the whole input is a request target; it is also read as lines:
//   line 1      the request target (path?query)
//   line 2      the method (empty: POST)
//   then        "name: value" header lines for plan_part: content-type,
//               content-range, content-length, transfer-encoding (chunked),
//               directory (a directory upload to that id), profile, deviate
//
// Beyond "does not crash":
//  - parse_target: path + "?" + query is the target; params are the
//    non-empty `&` items of the query, split at the first `=`, decoded the
//    way a naive percent-decoder does; param(name) is the first of them;
//  - percent_decode: never longer than its input, the identity on text
//    without `%` or `+`, and the inverse of a full percent-encoder; a query
//    rebuilt from the decoded params parses back to the same params;
//  - route: never throws; /__mock/... is Admin with the rest as id; a match
//    allows the method and has a non-empty {id}; a refusal is 404 or 405
//    (with Allow) and its JSON error body parses;
//  - plan_part: never throws; a refusal is 4xx with a "<Code>: ..." message
//    and a JSON body that parses; a plan has a uuid hash in canonical form,
//    a valid range whose length is the declared Content-Length for raw
//    bodies, a clean multipart boundary, and a legal name for directory uploads.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/error_code.hpp"
#include "contract/uuid.hpp"
#include "mock_server/http/part_request.hpp"
#include "mock_server/http/reply.hpp"
#include "mock_server/http/request_target.hpp"
#include "mock_server/http/router.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace partcheck;
using namespace partcheck::mock;
using namespace partcheck::mock::http;
using fuzz::check;

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The documented behaviour, written independently: %XX and '+' decoded, a
// malformed escape kept as it is.
std::string naive_decode(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '+') {
      out += ' ';
      ++i;
    } else if (s[i] == '%' && s.size() - i >= 3 && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 3;
    } else {
      out += s[i++];
    }
  }
  return out;
}

std::string encode(std::string_view s, bool space_as_plus) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ' && space_as_plus) {
      out += '+';
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

void check_decode(std::string_view s) {
  const auto decoded = percent_decode(s);
  check(decoded == naive_decode(s), "percent_decode differs from a naive decoder", s);
  check(decoded.size() <= s.size(), "percent_decode made its input longer", s);
  if (s.find_first_of("%+") == std::string_view::npos) check(decoded == s, "percent_decode changed plain text", s);
  check(percent_decode(encode(s, false)) == s, "percent_decode(encode(x)) != x", s);
  check(percent_decode(encode(s, true)) == s, "percent_decode(encode(x), '+' for space) != x", s);
}

void check_target(std::string_view text) {
  const RequestTarget target = parse_target(text);
  const auto question = text.find('?');
  check(target.path == text.substr(0, question), "path is not the target up to '?'", text);
  if (question == std::string_view::npos) {
    check(target.query.empty() && target.params.empty(), "a target without '?' has a query", text);
    return;
  }
  const std::string_view query = text.substr(question + 1);
  check(target.query == query, "query is not the target after the first '?'", text);

  std::vector<std::pair<std::string, std::string>> expected;
  std::size_t at = 0;
  while (at <= query.size()) {
    auto amp = query.find('&', at);
    if (amp == std::string_view::npos) amp = query.size();
    const auto item = query.substr(at, amp - at);
    if (!item.empty()) {
      const auto eq = item.find('=');
      check_decode(item.substr(0, eq));
      if (eq != std::string_view::npos) check_decode(item.substr(eq + 1));
      expected.emplace_back(naive_decode(item.substr(0, eq)),
                            eq == std::string_view::npos ? std::string() : naive_decode(item.substr(eq + 1)));
    }
    at = amp + 1;
  }
  check(target.params == expected, "params are not the decoded '&' items of the query", text);

  std::string rebuilt;
  for (const auto& param : target.params) {
    const auto first = std::find_if(target.params.begin(), target.params.end(),
                                    [&](const auto& p) { return p.first == param.first; });
    check(target.param(param.first) == first->second, "param(name) is not the first value of name", param.first);
    rebuilt += (rebuilt.empty() ? "" : "&") + encode(param.first, true) + "=" + encode(param.second, true);
  }
  check(parse_target("/p?" + rebuilt).params == target.params, "a query rebuilt from the params reads otherwise",
        rebuilt);
}

// A JSON error body as error_reply builds it: parses, success false, "<Code>: ...".
void check_error_reply(const Refusal& refusal, const contract::PolicyOptions& policy) {
  check(refusal.status >= 400 && refusal.status <= 499, "a request refused with a non-4xx status", refusal.message);
  const auto name = std::string(contract::code_name(refusal.code));
  check(refusal.message.starts_with(name + ": "), "a refusal message does not start with its code", refusal.message);
  const Reply reply = error_reply(refusal, policy);
  if (reply.content_type != "application/json") {
    check(policy.deviates("ERR-1") && reply.status == 500, "a non-JSON error reply without the ERR-1 deviation");
    return;
  }
  const auto body = nlohmann::json::parse(reply.body, nullptr, false);
  check(!body.is_discarded() && body.is_object(), "an error reply is not a JSON object", reply.body);
  check(body.value("success", true) == false, "an error reply without success:false", reply.body);
  check(body.contains("error") && body["error"].is_string() && body["error"].get<std::string>().starts_with(name),
        "an error reply without its code in `error`", reply.body);
}

void check_route(std::string_view method, std::string_view path) {
  const auto routed = route(method, path);
  if (const auto* r = std::get_if<Route>(&routed)) {
    if (path.starts_with("/__mock/")) {
      check(r->endpoint == Endpoint::Admin && r->id == path.substr(8), "an admin path is not routed to Admin", path);
      return;
    }
    if (path == "/__mock") {  // the admin index
      check(r->endpoint == Endpoint::Admin && r->id.empty(), "/__mock is not the admin index", path);
      return;
    }
    check(r->endpoint != Endpoint::Admin, "a public path routed to Admin", path);
    check(r->allow.find(method) != std::string::npos && !method.empty(), "a route that does not allow its method",
          std::string(method) + " " + std::string(path));
    const bool has_id = r->endpoint == Endpoint::DirectoryUpload || r->endpoint == Endpoint::GetLink ||
                        r->endpoint == Endpoint::Download;
    check(has_id ? !r->id.empty() && r->id.find('/') == std::string::npos : r->id.empty(),
          "a route's {id} is wrong", path);
    return;
  }
  const auto& refused = std::get<RouteRefusal>(routed);
  check(refused.refusal.status == 404 || refused.refusal.status == 405, "a route refusal is neither 404 nor 405",
        refused.refusal.message);
  check((refused.refusal.status == 405) == !refused.allow.empty(), "405 without Allow (or Allow without 405)");
  check_error_reply(refused.refusal, {});
}

void check_plan(const std::vector<std::string_view>& lines) {
  const RequestTarget target = parse_target(lines[0]);
  PartHeaders headers;
  std::optional<std::string> directory;
  ServerConfig config;
  config.api_keys = {"k"};
  std::optional<std::uint64_t> length;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    const auto colon = lines[i].find(": ");
    if (colon == std::string_view::npos) continue;
    const auto name = lines[i].substr(0, colon);
    const auto value = lines[i].substr(colon + 2);
    if (name == "content-type") headers.content_type = value;
    if (name == "content-range") headers.content_range = value;
    if (name == "content-length") {
      std::uint64_t n = 0;
      bool digits = !value.empty() && value.size() <= 19;
      for (char c : value) digits = digits && c >= '0' && c <= '9';
      if (digits) {
        for (char c : value) n = n * 10 + static_cast<unsigned>(c - '0');
        headers.content_length = length = n;
      }
    }
    if (name == "transfer-encoding") headers.chunked = value == "chunked";
    if (name == "directory") directory = std::string(value);
    if (name == "profile") config.policy.profile = contract::profile_from_name(value).value_or(contract::Profile::Strict);
    if (name == "deviate") config.policy.deviations.insert(std::string(value));
  }
  if (headers.chunked) headers.content_length.reset();

  const auto planned = plan_part(headers, target, directory, config);
  if (const auto* refusal = std::get_if<Refusal>(&planned)) {
    check_error_reply(*refusal, config.policy);
    return;
  }
  const auto& plan = std::get<PartPlan>(planned);
  const auto hash = target.param("hash");
  check(hash && !hash->empty(), "a plan without a hash parameter");
  check(plan.hash == contract::canonical_uuid(*hash), "the plan's hash is not the canonical hash", plan.hash);
  if (!config.policy.deviates("HASH-1"))
    check(contract::is_uuid(plan.hash) && contract::canonical_uuid(plan.hash) == plan.hash,
          "a planned hash is not a canonical uuid", plan.hash);
  if (plan.range) {
    const auto& r = *plan.range;
    check((r.start < r.end && r.end <= r.total) || (r.start == 0 && r.end == 0 && r.total == 0),
          "a planned range breaks start < end <= total");
    if (plan.format == BodyFormat::Raw && !headers.chunked && !config.policy.deviates("RANGE-2"))
      check(r.length() == length.value_or(0), "a raw part's range length is not its Content-Length");
  }
  if (plan.format == BodyFormat::Multipart)
    check(!plan.boundary.empty() && plan.boundary.size() <= 200 && plan.boundary.find_first_of("\r\n") == std::string::npos,
          "a planned multipart boundary is empty, long or holds a line break", plan.boundary);
  else
    check(plan.boundary.empty(), "a raw plan with a boundary");
  check(plan.target.directory_id == directory, "the plan's directory is not the request's");
  if (directory) {
    if (const auto name = target.param("name")) {
      check(plan.target.name == name && !check_file_name(*name), "a directory upload planned with a bad name", *name);
      check(!plan.name_from_multipart, "a named directory upload takes the multipart file name");
    } else {
      check(!plan.target.name, "a directory upload with a name nobody gave");
      check(plan.name_from_multipart == (plan.format == BodyFormat::Multipart),
            "name_from_multipart is not 'multipart without name='");
    }
  } else {
    check(!plan.target.name && !plan.name_from_multipart, "a temporary upload with a name");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 8192) return -1;  // a request target under the 16 KiB header limit
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    check_target(text);
    std::vector<std::string_view> lines;
    std::string_view rest = text;
    while (lines.size() < 32) {
      const auto eol = rest.find('\n');
      lines.push_back(rest.substr(0, eol));
      if (eol == std::string_view::npos) break;
      rest.remove_prefix(eol + 1);
    }
    check_target(lines[0]);
    const std::string_view method = lines.size() > 1 && !lines[1].empty() ? lines[1] : "POST";
    check_route(method, parse_target(lines[0]).path);
    check_plan(lines);
  } catch (const std::exception& error) {
    fuzz::broken("an exception escaped", error.what());
  }
  return 0;
}
