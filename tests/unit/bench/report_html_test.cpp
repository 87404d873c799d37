// The bench HTML report: one self-contained file with inline SVG charts, and
// every piece of text from the results escaped.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "bench/latency_histogram.hpp"
#include "bench/report_charts.hpp"
#include "bench/report_html.hpp"
#include "bench/results.hpp"
#include "common/text_escape.hpp"

using namespace partcheck::bench;

namespace {

BenchResult sample() {
  BenchResult r;
  r.config.target = "http://127.0.0.1:4242";
  r.config.target_kind = "embedded-null";
  r.config.file_size = 1ull << 30;
  r.config.part_size = 64ull << 20;
  r.environment = {"partcheck 0.1.0", "2026-01-01T00:00:00Z", "host", "Linux", "cpu", 2};
  for (int i = 0; i < 10; ++i) r.segments.push_back({double(i), 1.0, (900ull + 10 * i) << 20, 14});
  LatencyHistogram part;
  for (int i = 1; i <= 200; ++i) part.record(0.05 + 0.001 * i);
  r.histograms["part"] = part.data();
  r.timeline = {{.start_s = -0.5, .end_s = 1.2, .bytes = 1ull << 30, .part_ends_s = {0.1, 0.5, 1.2}, .ok = true},
                {.start_s = 1.2, .end_s = 2.0, .bytes = 512ull << 20, .part_ends_s = {1.6}, .ok = false}};
  r.totals.throughput_bytes_per_s = 950.0 * (1 << 20);
  r.gates = {{"throughput_MiBps>=800", "throughput_MiBps", 950.0, true}};
  return r;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST(ReportHtml, HasTheThreeChartsAsInlineSvg) {
  auto html = render_html_report(sample());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_GE(count(html, "<svg "), 3u);
  EXPECT_EQ(count(html, "<svg "), count(html, "</svg>"));
  EXPECT_NE(html.find("aria-label=\"Throughput per segment\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"Latency distribution\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"Per-upload timeline\""), std::string::npos);
  // one bar per segment, a percentile legend, a row per upload (the failed one red)
  EXPECT_NE(html.find("9-10 s:"), std::string::npos);
  EXPECT_NE(html.find(">p99 "), std::string::npos);
  EXPECT_NE(html.find("upload 2:"), std::string::npos);
  EXPECT_NE(html.find("FAILED"), std::string::npos);
  EXPECT_NE(html.find("warm-up"), std::string::npos);
}

TEST(ReportHtml, IsSelfContained) {
  auto html = render_html_report(sample());
  for (const char* fetches : {"<script", "<link", " src=", "href=", "url(", "@import"})
    EXPECT_EQ(html.find(fetches), std::string::npos) << fetches;
  // The only URLs are the SVG namespace and the target shown as text.
  std::size_t urls = count(html, "http://") + count(html, "https://");
  EXPECT_EQ(urls, count(html, "http://www.w3.org/2000/svg") + count(html, "http://127.0.0.1:4242"));
}

TEST(ReportHtml, EscapesTextFromTheResults) {
  auto r = sample();
  r.config.target = "http://x/<script>alert(1)</script>";
  r.environment.hostname = "a&b \"host\" 'q'";
  r.errors = {{400, "InvalidPart: <b>bold</b>", 1}};
  r.gates = {{"p99_part_s<=1", "p99_part_s", 0.5, true}};
  r.verification = {"digest", 1, 1, {"upload 1: bad \x01\xff bytes"}};
  auto html = render_html_report(r);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("a&amp;b &quot;host&quot; &#39;q&#39;"), std::string::npos);
  EXPECT_NE(html.find("p99_part_s&lt;=1"), std::string::npos);
  EXPECT_NE(html.find("bad \xEF\xBF\xBD\xEF\xBF\xBD bytes"), std::string::npos);
}

TEST(ReportHtml, EscapeKeepsValidUtf8AndReplacesTheRest) {
  EXPECT_EQ(partcheck::html_escape("caf\xC3\xA9 \xE2\x82\xAC"), "caf\xC3\xA9 \xE2\x82\xAC");
  EXPECT_EQ(partcheck::html_escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");      // overlong '/'
  EXPECT_EQ(partcheck::html_escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(partcheck::html_escape("a\tb\nc"), "a\tb\nc");
}

TEST(ReportHtml, EmptyRunStillRenders) {
  BenchResult empty;
  auto html = render_html_report(empty);
  EXPECT_NE(html.find("No throughput segments were recorded."), std::string::npos);
  EXPECT_NE(html.find("No latencies were recorded."), std::string::npos);
  EXPECT_NE(html.find("No per-upload timeline was recorded"), std::string::npos);
  EXPECT_NE(html.find("Not calibrated"), std::string::npos);
  EXPECT_EQ(html.find("nan"), std::string::npos);
  EXPECT_EQ(html.find("inf"), std::string::npos);
}

TEST(ReportHtml, LongTimelinesAreCut) {
  std::vector<UploadSpan> uploads;
  for (int i = 0; i < 50; ++i)
    uploads.push_back({.start_s = double(i), .end_s = i + 2.0, .bytes = 1 << 20, .part_ends_s = {i + 2.0}, .ok = true});
  auto svg = charts::timeline_chart(uploads, 20);
  EXPECT_EQ(count(svg, "<title>upload "), 20u);  // one bar per shown upload
  EXPECT_NE(svg.find("first 20 of 50 uploads"), std::string::npos);
}

TEST(ReportHtml, TimelineShowsWaitsMovesCutsAndWhatWasDropped) {
  auto r = sample();
  r.timeline = {{.start_s = 0.5, .end_s = 2.0, .bytes = 2 << 20, .part_ends_s = {1.0, 1.5}, .ok = true,
                 .intended_s = 0.2, .move_end_s = 2.0},
                {.start_s = 1.0, .end_s = 3.0, .bytes = 1 << 20, .part_ends_s = {2.0}, .ok = false, .stopped = true}};
  r.timeline_dropped = 7;
  auto html = render_html_report(r);
  EXPECT_NE(html.find(">move</text>"), std::string::npos);
  EXPECT_NE(html.find(">wait for a lane</text>"), std::string::npos);
  EXPECT_NE(html.find("waited 300 ms, move 500 ms"), std::string::npos);
  EXPECT_NE(html.find("CUT OFF"), std::string::npos);
  EXPECT_EQ(html.find("FAILED"), std::string::npos);  // cut off is not failed
  EXPECT_NE(html.find("Only the first 2 uploads to end were recorded; 7 later ones are not shown."), std::string::npos);
  r.timeline_dropped = 0;
  EXPECT_EQ(render_html_report(r).find("Only the first"), std::string::npos);
}

TEST(ReportHtml, WritesTheFileAndNamesAnUnwritablePath) {
  auto dir = std::filesystem::temp_directory_path() / ("partcheck-html-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  auto path = dir / "report.html";
  write_html_report(sample(), path);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), render_html_report(sample()));
  auto bad = dir / "missing-dir" / "report.html";
  try {
    write_html_report(sample(), bad);
    ADD_FAILURE() << "wrote into a missing directory";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(ReportHtml, TimelineSurvivesTheJsonRoundTrip) {
  auto r = sample();
  auto back = bench_result_from_json(nlohmann::json::parse(to_json(r).dump()));
  ASSERT_EQ(back.timeline.size(), 2u);
  EXPECT_EQ(back.timeline[0].part_ends_s, r.timeline[0].part_ends_s);
  EXPECT_FALSE(back.timeline[1].ok);
  auto json = to_json(r);
  json.erase("timeline");  // results written before the timeline existed still read
  EXPECT_TRUE(bench_result_from_json(json).timeline.empty());
}
