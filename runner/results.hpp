#pragma once
// What a run produced: per scenario, its verdict, the judgements behind it and
// the transcript of every request. The executor fills it; the report writers
// (junit.xml, results.ndjson, results.json, index.html) only read it, and
// `partcheck report html A.json B.json` reads it back from results.json.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/verdict.hpp"

namespace partcheck::runner {

// One request on the wire, as sent and as answered.
struct RequestLog {
  std::string scenario;  // scenario id
  int step = 0;          // index of the step in the scenario (0-based)
  std::string step_name; // "upload #2", the step's `name` when given
  std::string method;
  std::string url;       // full URL with query
  std::vector<std::pair<std::string, std::string>> headers;  // as sent, API key redacted
  std::uint64_t bytes_sent = 0;
  int status = 0;        // 0: no response (connection error, timeout)
  std::string code;      // error code found in the response, if any
  std::string response_excerpt;  // first 2 KiB of the response body
  std::string error;     // transport error, when status == 0
  double duration_ms = 0;
  std::string curl;      // a curl command line that reproduces the request
  double at_ms = -1;     // when it began, in ms since the scenario began (-1: not known); drawn as a timeline
};

// One aspect of a scenario judged: status, error code, or side effects
// (stored bytes, file in directory, nothing stored).
struct Judgement {
  std::string aspect;    // "status" | "code" | "side-effect" | "sequence"
  Verdict verdict = Verdict::Pass;
  int step = -1;         // the step it concerns; -1 for the whole sequence
  std::string expected;
  std::string actual;
};

struct ScenarioResult {
  std::string id;
  std::string title;
  std::string file;      // scenario file, relative to the suite root
  std::vector<std::string> rules;
  std::string level;     // "MUST" | "SHOULD" | "INFO"
  Verdict verdict = Verdict::Pass;
  std::string reason;    // one line: why FAIL/NON-STRICT/SKIPPED, or what an INFO scenario observed
  std::vector<Judgement> judgements;
  std::vector<RequestLog> transcript;
  double duration_ms = 0;
  std::string client_output;  // `partcheck client`: the end of what the client printed
};

// One line of the capability table: what the target offers beyond the
// reference, and how it was found (probed, configured, known).
struct Capability {
  std::string name;
  bool present = false;
  std::string detail;
};

// What reports name as the tool that wrote them.
inline constexpr const char* kToolVersion = "partcheck 0.1.0";

struct RunResult {
  int schema_version = 1;
  std::string kind = "server";  // "server": `partcheck run` graded a target; "client": `partcheck client` graded an uploader
  std::string tool_version;  // "partcheck 0.1.0"
  std::string target;        // URL
  std::string target_name;   // "embedded mock (strict)" or the config's name
  std::string started_at;    // ISO 8601 UTC
  double duration_s = 0;
  std::uint64_t seed = 0;
  std::vector<Capability> capabilities;
  std::vector<ScenarioResult> scenarios;
};

nlohmann::json to_json(const RunResult& run);
RunResult run_from_json(const nlohmann::json& json);  // throws std::runtime_error naming the bad field

}  // namespace partcheck::runner
