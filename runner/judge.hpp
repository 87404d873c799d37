#pragma once
// Verdicts on responses (docs/contract.md §6). Status, error code and side
// effects are judged separately; the sequence rules (a refusal may be
// deferred to the completing request, a completed file must hold exactly the
// bytes that were accepted) live in the executor, which calls these.
#include <optional>
#include <string>
#include <vector>

#include "runner/http_client.hpp"
#include "runner/results.hpp"
#include "runner/scenario.hpp"

namespace partcheck::runner {

// A judgement plus whether it stays FAIL even on a SHOULD scenario
// (a 5xx or no answer breaks ERR-1, a MUST, whatever the scenario covers).
struct Finding {
  Judgement judgement;
  bool hard = false;
};

// A refusal the target may still give, at the latest with the completing request.
struct PendingRefusal {
  int step = 0;
  std::vector<std::string> codes;
};

struct ResponseVerdict {
  std::vector<Finding> findings;
  bool deferred = false;          // an expected refusal was accepted under `defer`
  bool resolved_pending = false;  // this refusal is the deferred one surfacing
};

// The first known error code (contract::ErrorCode names) in a response body.
std::string find_code(std::string_view body);

// Whether `status` matches an entry such as "206" or "4xx".
bool status_matches(const std::vector<std::string>& expected, int status);

// Value at a dotted path ("file.__id", "items.0.link") of a JSON body, as text
// (strings without quotes); nullopt when absent or the body is not JSON.
std::optional<std::string> json_path(const std::string& body, const std::string& path);
// The node at a dotted path of a parsed document, or nullptr.
const nlohmann::json* json_at(const nlohmann::json& doc, const std::string& path);

ResponseVerdict judge_response(const Expectation& expect, const HttpResponse& response, int step,
                               const std::optional<PendingRefusal>& pending);

// The scenario's verdict and one-line reason from its findings and level.
// SHOULD scenarios report FAIL as NON-STRICT unless `strict`; INFO scenarios
// are INFORMATIONAL unless something hard (5xx, no answer) happened.
void conclude(ScenarioResult& result, const std::vector<Finding>& findings, contract::RuleLevel level,
              bool strict, const std::string& observed_summary);

}  // namespace partcheck::runner
