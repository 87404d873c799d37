#include <gtest/gtest.h>

#include "contract/rules.hpp"
#include "report_sample_test.hpp"
#include "runner/report/html_report.hpp"

namespace partcheck::runner {
namespace {

TEST(ReportHtml, ShowsEveryScenarioAndEveryRuleItChecks) {
  const RunResult run = testing::sample_run();
  const std::string page = render_html({run});
  for (const auto& s : run.scenarios) {
    EXPECT_NE(page.find(">" + s.id + "<"), std::string::npos) << s.id;
    for (const auto& rule : s.rules) EXPECT_NE(page.find("data-rule=\"" + rule + "\""), std::string::npos) << rule;
  }
  EXPECT_EQ(testing::occurrences(page, "<details class=\"scenario "), run.scenarios.size());
  // Rule text from the catalogue, the target and the totals.
  EXPECT_NE(page.find("<code>end</code> is exclusive: body length"), std::string::npos);  // backticks as code
  EXPECT_NE(page.find(std::string{contract::find_rule("AUTH-1")->text}), std::string::npos);
  EXPECT_NE(page.find("http://127.0.0.1:8080"), std::string::npos);
  EXPECT_NE(page.find("data-verdict=\"FAIL\">FAIL<b>1</b>"), std::string::npos);
  // The FAIL scenario opens by itself and shows the curl of its failing step.
  EXPECT_NE(page.find("data-verdict=\"FAIL\" data-family=\"RANGE\""), std::string::npos);
  const auto fail_at = page.find("data-verdict=\"FAIL\" data-family=\"RANGE\"");
  const std::string fail = page.substr(fail_at, page.find("</details>\n</div>\n</details>", fail_at) - fail_at);
  EXPECT_NE(fail.find(" open>"), std::string::npos);
  EXPECT_NE(fail.find("<div class=\"label\">reproduce</div><pre>curl -sS -X POST"), std::string::npos);
  EXPECT_NE(fail.find("@part1.bin"), std::string::npos);
  // Filters exist for every verdict and family.
  for (const char* family : {"AUTH", "RANGE", "TTL", "INFO"})
    EXPECT_NE(page.find("<option value=\"" + std::string{family} + "\">"), std::string::npos) << family;
  EXPECT_NE(page.find("value=\"INFORMATIONAL\" checked"), std::string::npos);
}

TEST(ReportHtml, EscapesUntrustedTextAndLoadsNothing) {
  const std::string page = render_html({testing::sample_run()});
  EXPECT_EQ(testing::occurrences(page, "<script"), 1u);  // only the page's own script
  EXPECT_EQ(page.find("alert('x')"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"), std::string::npos);
  EXPECT_EQ(page.find("<b>bold</b>"), std::string::npos);
  EXPECT_NE(page.find("long body &lt;b&gt;bold&lt;/b&gt;"), std::string::npos);
  // Self-contained: no external resource of any kind.
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("@import"), std::string::npos);
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
}

TEST(ReportHtml, ComparesTargetsAndHighlightsDifferences) {
  RunResult a = testing::sample_run();
  RunResult b = testing::sample_run();
  b.target = "https://staging.example.test";
  b.target_name = "staging <eu>";
  b.scenarios[2].verdict = Verdict::Pass;  // RANGE-2-length-long differs
  b.scenarios.pop_back();                  // INFO-2-empty-file only in A
  const std::string page = render_html({a, b});
  EXPECT_NE(page.find("partcheck comparison of 2 targets"), std::string::npos);
  EXPECT_NE(page.find("staging &lt;eu&gt;"), std::string::npos);
  EXPECT_NE(page.find("<tr class=\"diff\"><th class=\"sc mono\">RANGE-2-length-long</th>"), std::string::npos);
  EXPECT_NE(page.find("<tr class=\"diff\"><th class=\"sc mono\">RANGE-2</th>"), std::string::npos);
  EXPECT_NE(page.find("<tr class=\"diff\"><th class=\"sc mono\">INFO-2-empty-file</th>"), std::string::npos);
  EXPECT_NE(page.find("<tr><th class=\"sc mono\">RANGE-2-length-short</th>"), std::string::npos);
  EXPECT_NE(page.find("not run"), std::string::npos);
  EXPECT_EQ(testing::occurrences(page, "<script"), 1u);
}

TEST(ReportHtml, RefusesAnEmptyRunList) { EXPECT_THROW(render_html({}), std::invalid_argument); }

}  // namespace
}  // namespace partcheck::runner

namespace partcheck::runner {
namespace {

TEST(ReportHtml, AnEmptyRunStillRendersAPage) {
  RunResult empty;
  empty.target = "http://127.0.0.1:1";
  const std::string page = render_html({empty});
  EXPECT_NE(page.find("0 of " + std::to_string(contract::all_rules().size()) + " contract rules checked"),
            std::string::npos);
  EXPECT_EQ(page.find("<details class=\"scenario"), std::string::npos);
  EXPECT_NE(page.find("</html>"), std::string::npos);
}

}  // namespace
}  // namespace partcheck::runner
