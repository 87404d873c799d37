#pragma once
// `partcheck report html` and `partcheck bench --html`: one self-contained HTML
// file per run. It opens offline (no scripts, no fonts, no links to fetch);
// the charts are inline SVG drawn here: throughput per 1 s segment, the
// latency distribution with percentile markers, and a timeline row per
// upload; tables give the config, environment, calibration and gates.
#include <filesystem>
#include <string>

namespace partcheck::bench {

struct BenchResult;

// The whole document as a string (tests inspect it; the writer saves it).
std::string render_html_report(const BenchResult& result);

// Writes render_html_report(result) to `path` (replacing it).
// Throws std::runtime_error naming the path when it cannot be written.
void write_html_report(const BenchResult& result, const std::filesystem::path& path);

}  // namespace partcheck::bench
