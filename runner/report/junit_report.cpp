#include "runner/report/junit_report.hpp"

#include <cstdio>
#include <map>

#include "runner/report/run_summary.hpp"
#include "common/text_escape.hpp"

namespace partcheck::runner {
namespace {

std::string seconds(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  return buffer;
}

std::string failure_details(const ScenarioResult& s) {
  std::string out = describe_rules(s) + "\n";
  if (!s.reason.empty()) out += "reason: " + s.reason + "\n";
  for (const auto& j : s.judgements) {
    if (j.verdict != Verdict::Fail) continue;
    out += j.aspect;
    if (j.step >= 0) out += " (step " + std::to_string(j.step) + ")";
    out += ": expected " + j.expected + "; actual " + j.actual + "\n";
  }
  if (const RequestLog* request = failing_request(s); request && !request->curl.empty())
    out += "reproduce: " + request->curl + "\n";
  return out;
}

void append_testcase(std::string& xml, const ScenarioResult& s, const std::string& family) {
  xml += "    <testcase classname=\"" + xml_attribute_escape(family) + "\" name=\"" +
         xml_attribute_escape(s.id + ": " + s.title) + "\" time=\"" + seconds(s.duration_ms / 1000) + "\"";
  if (!s.file.empty()) xml += " file=\"" + xml_attribute_escape(s.file) + "\"";
  xml += ">\n";
  switch (s.verdict) {
    case Verdict::Fail:
      xml += "      <failure type=\"FAIL\" message=\"" + xml_attribute_escape(s.reason) + "\">" +
             xml_escape(failure_details(s)) + "</failure>\n";
      break;
    case Verdict::Skipped:
      xml += "      <skipped message=\"" + xml_attribute_escape(s.reason) + "\"/>\n";
      break;
    case Verdict::NonStrict:
    case Verdict::Informational:
      xml += "      <system-out>" + xml_escape(std::string{verdict_name(s.verdict)} + ": " + s.reason) +
             "</system-out>\n";
      break;
    case Verdict::Pass:
      break;
  }
  xml += "    </testcase>\n";
}

}  // namespace

std::string render_junit(const RunResult& run) {
  // Families in report order, each with its scenarios in run order.
  std::map<std::string, std::vector<const ScenarioResult*>> by_family;
  for (const auto& s : run.scenarios) by_family[scenario_family(s)].push_back(&s);

  const VerdictCounts totals = count_verdicts(run);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites name=\"" + xml_attribute_escape("partcheck " + run.target) + "\" tests=\"" +
         std::to_string(totals.total()) + "\" failures=\"" + std::to_string(totals[Verdict::Fail]) +
         "\" errors=\"0\" skipped=\"" + std::to_string(totals[Verdict::Skipped]) + "\" time=\"" +
         seconds(run.duration_s) + "\">\n";
  for (const auto& [family, counts] : counts_by_family(run)) {
    double time_ms = 0;
    for (const auto* s : by_family[family]) time_ms += s->duration_ms;
    xml += "  <testsuite name=\"" + xml_attribute_escape(family) + "\" tests=\"" + std::to_string(counts.total()) +
           "\" failures=\"" + std::to_string(counts[Verdict::Fail]) + "\" errors=\"0\" skipped=\"" +
           std::to_string(counts[Verdict::Skipped]) + "\" time=\"" + seconds(time_ms / 1000) + "\"";
    if (!run.started_at.empty()) xml += " timestamp=\"" + xml_attribute_escape(run.started_at) + "\"";
    xml += ">\n    <properties>\n      <property name=\"target\" value=\"" + xml_attribute_escape(run.target) +
           "\"/>\n      <property name=\"seed\" value=\"" + std::to_string(run.seed) + "\"/>\n";
    for (const auto& c : run.capabilities)
      xml += "      <property name=\"capability." + xml_attribute_escape(c.name) + "\" value=\"" +
             (c.present ? "yes: " : "no: ") + xml_attribute_escape(c.detail) + "\"/>\n";
    xml += "    </properties>\n";
    for (const auto* s : by_family[family]) append_testcase(xml, *s, family);
    xml += "  </testsuite>\n";
  }
  xml += "</testsuites>\n";
  return xml;
}

}  // namespace partcheck::runner
