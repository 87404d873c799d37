#include "runner/judge.hpp"

#include <algorithm>

#include "contract/error_code.hpp"

namespace partcheck::runner {
namespace {

constexpr contract::ErrorCode kAllCodes[] = {
    contract::ErrorCode::EntityTooSmall,   contract::ErrorCode::EntityTooLarge,
    contract::ErrorCode::InvalidPartOrder, contract::ErrorCode::InvalidPart,
    contract::ErrorCode::NoSuchUpload,     contract::ErrorCode::InvalidRange,
    contract::ErrorCode::InvalidHash,      contract::ErrorCode::LengthMismatch,
    contract::ErrorCode::UnsupportedContentType, contract::ErrorCode::UploadComplete,
    contract::ErrorCode::NoSuchFile,       contract::ErrorCode::NoSuchDirectory,
    contract::ErrorCode::InvalidName,      contract::ErrorCode::NameConflict,
    contract::ErrorCode::NotEnoughSpace,   contract::ErrorCode::PermissionDenied,
    contract::ErrorCode::Unauthorized,     contract::ErrorCode::UploadBusy,
    contract::ErrorCode::InvalidRequest,   contract::ErrorCode::ContentNotStored,
    contract::ErrorCode::NotFound,         contract::ErrorCode::MethodNotAllowed,
    contract::ErrorCode::HeaderTooLarge,   contract::ErrorCode::ServiceUnavailable,
};

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

bool mentions_any(const std::string& body, const std::vector<std::string>& codes) {
  return std::any_of(codes.begin(), codes.end(), [&](const auto& c) { return body.find(c) != std::string::npos; });
}

std::string excerpt(const std::string& body) {
  std::string s = body.substr(0, 200);
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

std::string actual_text(const HttpResponse& r) {
  if (r.status == 0) return "no response (" + r.error + ")";
  std::string s = std::to_string(r.status);
  if (r.status == 100) return s + " Continue (the server asked for the body)";
  if (!r.body.empty()) s += " " + excerpt(r.body);
  return s;
}

Finding finding(std::string aspect, Verdict v, int step, std::string expected, std::string actual, bool hard = false) {
  return {Judgement{std::move(aspect), v, step, std::move(expected), std::move(actual)}, hard};
}

// ERR-1: every error is JSON {"success": false, "error": "<message>"}.
std::optional<Finding> check_envelope(const HttpResponse& r, int step) {
  auto parsed = nlohmann::json::parse(r.body, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object() && parsed.value("success", true) == false &&
      parsed.contains("error") && parsed["error"].is_string())
    return std::nullopt;
  return finding("envelope", Verdict::Fail, step, R"(ERR-1: JSON {"success": false, "error": "<code>: ..."})",
                 actual_text(r));
}

// A code the reference names must be in the message (else NON-STRICT); the
// project's own codes are the mock's wording, so another server's message passes.
Finding judge_code(const std::vector<std::string>& codes, const HttpResponse& r, int step) {
  const std::string got = find_code(r.body).empty() ? excerpt(r.body) : find_code(r.body);
  if (mentions_any(r.body, codes)) return finding("code", Verdict::Pass, step, join(codes, "|"), got);
  if (std::none_of(codes.begin(), codes.end(), [](const auto& c) { return contract::named_by_reference(c); }))
    return finding("code", Verdict::Pass, step, join(codes, "|") + " (the mock's wording; the reference names no code here)", got);
  return finding("code", Verdict::NonStrict, step, join(codes, "|"), got);
}

std::string expected_text(const Expectation& e) {
  std::string s = e.status.empty() ? std::string("a refusal") : join(e.status, " or ");
  if (!e.codes.empty()) s += " " + join(e.codes, "|");
  return s;
}

}  // namespace

std::string find_code(std::string_view body) {
  std::size_t best = std::string_view::npos;
  std::string_view found;
  for (auto c : kAllCodes) {
    auto name = contract::code_name(c);
    auto at = body.find(name);
    // InvalidPart is a prefix of InvalidPartOrder: the longer name wins at the same place.
    if (at != std::string_view::npos && (at < best || (at == best && name.size() > found.size()))) {
      best = at;
      found = name;
    }
  }
  return std::string(found);
}

bool status_matches(const std::vector<std::string>& expected, int status) {
  const auto text = std::to_string(status);
  return std::any_of(expected.begin(), expected.end(), [&](const std::string& e) {
    return e == text || (e.size() == 3 && e.substr(1) == "xx" && e[0] == text[0]);
  });
}

const nlohmann::json* json_at(const nlohmann::json& doc, const std::string& path) {
  const nlohmann::json* node = &doc;
  std::size_t pos = 0;
  while (pos <= path.size() && !path.empty()) {
    auto dot = path.find('.', pos);
    auto key = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    if (node->is_object() && node->contains(key)) {
      node = &(*node)[key];
    } else if (node->is_array() && !key.empty() && std::all_of(key.begin(), key.end(), ::isdigit) &&
               std::stoul(key) < node->size()) {
      node = &(*node)[std::stoul(key)];
    } else {
      return nullptr;
    }
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  return node;
}

std::optional<std::string> json_path(const std::string& body, const std::string& path) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded()) return std::nullopt;
  const nlohmann::json* node = json_at(json, path);
  if (!node) return std::nullopt;
  return node->is_string() ? node->get<std::string>() : node->dump();
}

ResponseVerdict judge_response(const Expectation& expect, const HttpResponse& r, int step,
                               const std::optional<PendingRefusal>& pending) {
  ResponseVerdict out;
  auto& f = out.findings;
  if (r.status == 0) {
    f.push_back(finding("status", Verdict::Fail, step, expected_text(expect), actual_text(r), true));
    return out;
  }
  if (r.status >= 500) {
    f.push_back(finding("status", Verdict::Fail, step, "ERR-1: 4xx for a client mistake, never 5xx", actual_text(r), true));
    return out;
  }
  const bool refused = r.status >= 400;
  if (refused)
    if (auto bad = check_envelope(r, step)) f.push_back(*bad);

  if (expect.expects_refusal()) {
    if (refused) {
      if (expect.status.empty() || status_matches(expect.status, r.status))
        f.push_back(finding("status", Verdict::Pass, step, expected_text(expect), actual_text(r)));
      else
        f.push_back(finding("status", Verdict::NonStrict, step, expected_text(expect), actual_text(r)));
      if (!expect.codes.empty()) f.push_back(judge_code(expect.codes, r, step));
    } else if (r.status / 100 == 2 && expect.defer) {
      out.deferred = true;
      f.push_back(finding("sequence", Verdict::NonStrict, step, expected_text(expect) + " here or at completion",
                          actual_text(r) + " (refusal deferred)"));
    } else {
      f.push_back(finding("status", Verdict::Fail, step, expected_text(expect), actual_text(r)));
    }
  } else if (!expect.status.empty() || !expect.codes.empty()) {
    if (status_matches(expect.status, r.status)) {
      f.push_back(finding("status", Verdict::Pass, step, expected_text(expect), actual_text(r)));
      if (!expect.codes.empty() && refused)  // codes apply to the refusals a status list allows
        f.push_back(judge_code(expect.codes, r, step));
    } else if (refused && pending && (pending->codes.empty() || mentions_any(r.body, pending->codes))) {
      out.resolved_pending = true;
      f.push_back(finding("sequence", Verdict::NonStrict, step,
                          "the refusal of step " + std::to_string(pending->step) + " at that step",
                          "deferred to this request: " + actual_text(r)));
    } else {
      f.push_back(finding("status", Verdict::Fail, step, expected_text(expect), actual_text(r)));
    }
  }

  for (const auto& [path, want] : expect.json.items()) {
    auto got = json_path(r.body, path);
    const bool ok = want.is_null() ? !got.has_value()
                    : want == "*"  ? got.has_value()
                                   : (got && *got == want.get<std::string>());
    f.push_back(finding("json", ok ? Verdict::Pass : Verdict::Fail, step,
                        path + " = " + (want.is_null() ? "(absent)" : want.get<std::string>()),
                        path + " = " + got.value_or("(absent)")));
  }
  for (const auto& [name, want] : expect.headers) {
    auto got = r.header(name);
    const bool ok = want == "*" ? got.has_value() : (got && *got == want);
    f.push_back(finding("header", ok ? Verdict::Pass : Verdict::Fail, step, name + ": " + want,
                        name + ": " + got.value_or("(absent)")));
  }
  for (const auto& text : expect.body_contains)
    f.push_back(finding("body", r.body.find(text) != std::string::npos ? Verdict::Pass : Verdict::Fail, step,
                        "body containing '" + text + "'", excerpt(r.body)));
  for (const auto& text : expect.body_lacks)
    f.push_back(finding("body", r.body.find(text) == std::string::npos ? Verdict::Pass : Verdict::Fail, step,
                        "body without '" + text + "'", excerpt(r.body)));
  return out;
}

void conclude(ScenarioResult& result, const std::vector<Finding>& findings, contract::RuleLevel level,
              bool strict, const std::string& observed_summary) {
  Verdict verdict = Verdict::Pass;
  for (const auto& fd : findings) {
    Judgement j = fd.judgement;
    if (j.verdict == Verdict::Fail && !fd.hard && level != contract::RuleLevel::Must && !strict)
      j.verdict = Verdict::NonStrict;  // a SHOULD (or INFO) expectation missed
    result.judgements.push_back(j);
    verdict = worst(verdict, j.verdict);
  }
  if (level == contract::RuleLevel::Info && verdict != Verdict::Fail) {
    result.verdict = Verdict::Informational;
    result.reason = observed_summary;
    return;
  }
  result.verdict = verdict;
  if (verdict == Verdict::Pass) {
    result.reason.clear();
    // What the target gave no means to observe leaves the scenario unjudged,
    // never PASS by default (and never FAIL: the reference was not broken).
    for (const auto& j : result.judgements)
      if (j.verdict == Verdict::Skipped) {
        result.verdict = Verdict::Skipped;
        result.reason = (j.step >= 0 ? "step " + std::to_string(j.step) + ": " : std::string()) + j.expected + " " +
                        j.actual + " (every other check passed)";
        break;
      }
    return;
  }
  for (const auto& j : result.judgements)
    if (j.verdict == verdict) {
      result.reason = (j.step >= 0 ? "step " + std::to_string(j.step) + ": " : std::string()) + j.aspect +
                      ": expected " + j.expected + ", got " + j.actual;
      break;
    }
  if (level == contract::RuleLevel::Should && verdict == Verdict::NonStrict && !strict)
    result.reason += " (SHOULD rule; --strict makes this FAIL)";
}

}  // namespace partcheck::runner
