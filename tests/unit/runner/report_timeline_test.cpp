// The request timeline of a scenario (inline SVG in the HTML report).
#include "runner/report/html_timeline.hpp"

#include <gtest/gtest.h>

namespace partcheck::runner::html {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

RequestLog request(std::string step_name, int status, double at_ms, double duration_ms) {
  RequestLog r;
  r.step_name = std::move(step_name);
  r.method = "POST";
  r.url = "http://127.0.0.1:8080/pub/v1/disk/file/upload?hash=h&note=<x>";
  r.status = status;
  r.at_ms = at_ms;
  r.duration_ms = duration_ms;
  return r;
}

TEST(ReportTimeline, EmptyWhenNoRequestKnowsWhenItBegan) {
  ScenarioResult scenario;
  EXPECT_EQ(render_timeline(scenario), "");
  // A server scenario's transcript has no times (at_ms stays -1).
  scenario.transcript = {request("upload", 200, -1, 10), request("move", 200, -1, 5)};
  EXPECT_EQ(render_timeline(scenario), "");
}

TEST(ReportTimeline, OneRowPerTimedRequestWithEscapedLabels) {
  ScenarioResult scenario;
  scenario.transcript = {request("part 0-5242880/12595257", 200, 0, 40),
                         request("<b>part</b> & \"again\"", 0, 300, 12),
                         request("untimed", 200, -1, 1),
                         request("move", 403, 900, 3)};
  scenario.transcript[1].code = "reset";
  scenario.transcript[3].code = "Forbidden";
  const auto html = render_timeline(scenario);
  ASSERT_NE(html.find("<svg"), std::string::npos) << html;
  EXPECT_EQ(count(html, "<svg"), 1u);
  EXPECT_EQ(count(html, "<rect "), 3u);  // the untimed request has no row
  EXPECT_EQ(count(html, "<g><title>"), 3u);
  EXPECT_NE(html.find("timeline (3 requests)"), std::string::npos);
  EXPECT_EQ(html.find("untimed"), std::string::npos);

  EXPECT_NE(html.find("part 0-5242880/12595257 \u2192 200"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;part&lt;/b&gt; &amp; &quot;again&quot; \u2192 no answer (reset)"), std::string::npos)
      << html;
  EXPECT_EQ(html.find("<b>part"), std::string::npos);  // the label's markup is text, not markup
  EXPECT_NE(html.find("move \u2192 403 Forbidden"), std::string::npos);
  EXPECT_NE(html.find("upload?hash=h&amp;note=&lt;x&gt;"), std::string::npos);  // the URL in the tooltip too

  // Rows in order, by outcome colour: answered 2xx, no answer, 4xx.
  const auto green = html.find("fill=\"#2e9d57\"/>"), grey = html.find("fill=\"#8a8f98\"/>"),
             orange = html.find("fill=\"#d98a1c\"/>");
  ASSERT_NE(green, std::string::npos);
  ASSERT_NE(grey, std::string::npos);
  ASSERT_NE(orange, std::string::npos);
  EXPECT_LT(green, grey);
  EXPECT_LT(grey, orange);
}

TEST(ReportTimeline, ASingleRequestSaysSo) {
  ScenarioResult scenario;
  scenario.transcript = {request("", 500, 0, 0)};  // no step name: the method labels it
  const auto html = render_timeline(scenario);
  EXPECT_NE(html.find("timeline (1 request)"), std::string::npos);
  EXPECT_EQ(count(html, "<rect "), 1u);
  EXPECT_NE(html.find(">POST \u2192 500</text>"), std::string::npos) << html;
}

}  // namespace
}  // namespace partcheck::runner::html
