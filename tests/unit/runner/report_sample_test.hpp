#pragma once
// A synthetic run covering every verdict, several families, a multi-rule
// scenario and hostile text, shared by the report tests.
#include "runner/results.hpp"

namespace partcheck::runner::testing {

inline RequestLog request(const std::string& scenario, int step, int status, const std::string& code) {
  RequestLog r;
  r.scenario = scenario;
  r.step = step;
  r.step_name = "upload #" + std::to_string(step + 1);
  r.method = "POST";
  r.url = "http://127.0.0.1:8080/pub/v1/disk/file/upload?hash=7d444840-9dc0-11d1-b245-5ffdce74fad2";
  r.headers = {{"Content-Range", "bytes 0-10/10"}, {"Authorization", "Bearer <redacted>"}};
  r.bytes_sent = 10;
  r.status = status;
  r.code = code;
  r.response_excerpt = R"({"success":false,"error":")" + code + R"(: nope"})";
  r.duration_ms = 1.5 + step;
  r.curl = "curl -sS -X POST -H 'Content-Range: bytes 0-10/10' '" + r.url + "' --data-binary @part" +
           std::to_string(step) + ".bin";
  return r;
}

inline ScenarioResult scenario(const std::string& id, std::vector<std::string> rules, Verdict verdict,
                               const std::string& reason) {
  ScenarioResult s;
  s.id = id;
  s.title = "title of " + id;
  s.file = "scenarios/" + id + ".yaml";
  s.rules = std::move(rules);
  s.level = "MUST";
  s.verdict = verdict;
  s.reason = reason;
  s.duration_ms = 34;
  s.transcript = {request(id, 0, 206, ""), request(id, 1, verdict == Verdict::Fail ? 200 : 400, "LengthMismatch")};
  s.judgements = {{"status", verdict == Verdict::Skipped ? Verdict::Pass : verdict, 1, "400 LengthMismatch",
                   verdict == Verdict::Fail ? "200" : "400 LengthMismatch"},
                  {"side-effect", Verdict::Pass, -1, "nothing stored", "nothing stored"}};
  return s;
}

inline RunResult sample_run() {
  RunResult run;
  run.tool_version = "partcheck 0.1.0";
  run.target = "http://127.0.0.1:8080";
  run.target_name = "embedded mock (strict)";
  run.started_at = "2026-11-24T23:00:00Z";
  run.duration_s = 1.25;
  run.seed = 18446744073709551615ULL;  // the largest seed must survive JSON
  run.scenarios = {
      scenario("AUTH-1-no-key", {"AUTH-1"}, Verdict::NonStrict, "401 instead of 403"),
      scenario("RANGE-2-length-short", {"RANGE-2"}, Verdict::Pass, ""),
      scenario("RANGE-2-length-long", {"RANGE-2", "ERR-1"}, Verdict::Fail, "a body longer than the range was stored"),
      scenario("TTL-1-expired", {"TTL-1"}, Verdict::Skipped, "target has no clock control"),
      scenario("INFO-2-empty-file", {"INFO-2"}, Verdict::Informational, "200, empty file stored"),
  };
  // Hostile content from the target must stay text in every report.
  run.scenarios[2].transcript[1].response_excerpt = "<script>alert('x')</script> & \"quotes\" \x01 \xff";
  run.scenarios[2].title = "long body <b>bold</b> & \"quoted\"";
  return run;
}

// How many times `needle` occurs in `text` (overlapping occurrences count).
inline std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

}  // namespace partcheck::runner::testing
