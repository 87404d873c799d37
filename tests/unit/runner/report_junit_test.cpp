#include <gtest/gtest.h>

#include <regex>

#include "report_sample_test.hpp"
#include "runner/report/junit_report.hpp"
#include "common/text_escape.hpp"

namespace partcheck::runner {
namespace {

// The element that opens at the testcase named `name`, up to its closing tag.
std::string testcase(const std::string& xml, const std::string& name) {
  auto start = xml.find("name=\"" + name);
  if (start == std::string::npos) return {};
  return xml.substr(start, xml.find("</testcase>", start) - start);
}

TEST(ReportJunit, OneSuitePerFamilyOneCasePerScenario) {
  const std::string xml = render_junit(testing::sample_run());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u);
  EXPECT_EQ(testing::occurrences(xml, "<testsuite "), 4u);  // AUTH, RANGE, TTL, INFO
  EXPECT_EQ(testing::occurrences(xml, "<testcase "), 5u);
  EXPECT_NE(xml.find("<testsuites name=\"partcheck http://127.0.0.1:8080\" tests=\"5\" failures=\"1\" errors=\"0\" "
                     "skipped=\"1\""),
            std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"RANGE\" tests=\"2\" failures=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("classname=\"RANGE\" name=\"RANGE-2-length-short: title of RANGE-2-length-short\" "
                     "time=\"0.034\""),
            std::string::npos);
  // Families follow the catalogue order.
  EXPECT_LT(xml.find("name=\"AUTH\""), xml.find("name=\"RANGE\""));
  EXPECT_LT(xml.find("name=\"TTL\""), xml.find("name=\"INFO\""));
}

TEST(ReportJunit, VerdictsMapToFailureSkippedAndSystemOut) {
  const std::string xml = render_junit(testing::sample_run());
  const std::string fail = testcase(xml, "RANGE-2-length-long");
  EXPECT_NE(fail.find("<failure type=\"FAIL\" message=\"a body longer than the range was stored\">"),
            std::string::npos);
  EXPECT_NE(fail.find("expected 400 LengthMismatch; actual 200"), std::string::npos);
  EXPECT_NE(fail.find("RANGE-2 (MUST): "), std::string::npos);
  EXPECT_NE(fail.find("reproduce: curl -sS -X POST"), std::string::npos);
  EXPECT_NE(fail.find("@part1.bin"), std::string::npos);  // the request of the failing step

  EXPECT_NE(testcase(xml, "TTL-1-expired").find("<skipped message=\"target has no clock control\"/>"),
            std::string::npos);
  EXPECT_NE(testcase(xml, "AUTH-1-no-key").find("<system-out>NON-STRICT: 401 instead of 403</system-out>"),
            std::string::npos);
  EXPECT_NE(testcase(xml, "INFO-2-empty-file").find("<system-out>INFORMATIONAL: 200, empty file stored"),
            std::string::npos);
  const std::string pass = testcase(xml, "RANGE-2-length-short");
  EXPECT_EQ(pass.find("<failure"), std::string::npos);
  EXPECT_EQ(pass.find("<skipped"), std::string::npos);
}

TEST(ReportJunit, EscapesMarkupControlsAndInvalidUtf8) {
  RunResult run = testing::sample_run();
  run.scenarios[2].reason = "got <b>\"200\"</b> & line\nbreak \x01\x02 bad byte \xC3";
  const std::string xml = render_junit(run);
  EXPECT_NE(xml.find("name=\"RANGE-2-length-long: long body &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;\""),
            std::string::npos);
  EXPECT_NE(xml.find("message=\"got &lt;b&gt;&quot;200&quot;&lt;/b&gt; &amp; line&#10;break \xEF\xBF\xBD\xEF\xBF\xBD"
                     " bad byte \xEF\xBF\xBD\""),
            std::string::npos);
  EXPECT_EQ(xml.find("<b>"), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  // Every '&' starts an entity or character reference.
  EXPECT_TRUE(std::regex_search(xml, std::regex("&(amp|lt|gt|quot|#39|#10);")));
  EXPECT_FALSE(std::regex_search(xml, std::regex("&(?!(amp|lt|gt|quot|#39|#9|#10|#13);)")));
}

TEST(ReportEscape, ReplacesInvalidUtf8AndKeepsValid) {
  EXPECT_EQ(valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(valid_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");      // overlong '/'
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(valid_utf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");      // truncated
  EXPECT_EQ(html_escape("<a href='x'>&</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(xml_escape("tab\there\x1F"), "tab\there\xEF\xBF\xBD");
  EXPECT_EQ(xml_attribute_escape("a\tb\r\n"), "a&#9;b&#13;&#10;");
}

}  // namespace
}  // namespace partcheck::runner
