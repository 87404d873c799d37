#include "runner/report/ndjson_report.hpp"

#include <ostream>

namespace partcheck::runner {

nlohmann::ordered_json request_line(const RequestLog& r) {
  nlohmann::ordered_json headers = nlohmann::ordered_json::array();
  for (const auto& [name, value] : r.headers) headers.push_back({name, value});
  nlohmann::ordered_json line = {{"scenario", r.scenario},   {"step", r.step},         {"step_name", r.step_name},
                                 {"method", r.method},       {"url", r.url},           {"headers", std::move(headers)},
                                 {"status", r.status},       {"code", r.code},         {"bytes_sent", r.bytes_sent},
                                 {"duration_ms", r.duration_ms}};
  if (!r.error.empty()) line["error"] = r.error;
  return line;
}

void write_ndjson(const RunResult& run, std::ostream& out) {
  for (const auto& scenario : run.scenarios) {
    for (const auto& request : scenario.transcript) {
      auto line = request_line(request);
      // The executor may leave `scenario` empty; the enclosing scenario is authoritative.
      if (request.scenario.empty()) line["scenario"] = scenario.id;
      // Response data is untrusted: never let invalid UTF-8 abort the report.
      out << line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
    }
  }
}

}  // namespace partcheck::runner
