#pragma once
// results.ndjson: one JSON object per line, one line per request sent, in run
// order, fields in a fixed order; meant for jq/grep and log pipelines
// (fields in docs/reports.md).
#include <iosfwd>

#include <nlohmann/json.hpp>

#include "runner/results.hpp"

namespace partcheck::runner {

nlohmann::ordered_json request_line(const RequestLog& request);
void write_ndjson(const RunResult& run, std::ostream& out);

}  // namespace partcheck::runner
