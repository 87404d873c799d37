#pragma once
// Turns a finished run into the report directory a person or a CI job reads:
//   junit.xml       one <testsuite> per rule family, one <testcase> per scenario
//   results.ndjson  one JSON line per request sent
//   results.json    the whole run (docs/reports.md, docs/results.schema.json)
//   index.html      a self-contained page with filters, working from file://
// and points `<dir>/../latest` at the new directory.
#include <filesystem>

#include "runner/results.hpp"

namespace partcheck::runner {

// Writes the four files into `dir` (created if needed), then updates the
// `latest` link next to it. Throws std::runtime_error naming the file on I/O errors.
void write_reports(const RunResult& run, const std::filesystem::path& dir);

// root/YYYYMMDD-HHMMSS (UTC); when that exists already, root/YYYYMMDD-HHMMSS-2, -3, ...
// Only computes the path; write_reports creates it.
std::filesystem::path timestamped_report_dir(const std::filesystem::path& root);

// Makes `<dir>/../latest` refer to `dir`: a relative symlink swapped in atomically
// (rename over the old one), or a copy of the directory where symlinks are not possible.
void update_latest_link(const std::filesystem::path& dir);

}  // namespace partcheck::runner
