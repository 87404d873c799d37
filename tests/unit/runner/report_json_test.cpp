#include <gtest/gtest.h>

#include "report_sample_test.hpp"
#include "runner/results.hpp"

namespace partcheck::runner {
namespace {

using nlohmann::json;

std::string message_of(const json& document) {
  try {
    run_from_json(document);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(ReportJson, RoundTripKeepsEveryField) {
  RunResult run = testing::sample_run();
  run.scenarios[2].transcript[1].response_excerpt = "<script> & \"quotes\" \x01";  // valid UTF-8 survives as is
  const json first = to_json(run);
  const RunResult back = run_from_json(json::parse(first.dump()));
  EXPECT_EQ(to_json(back), first);

  ASSERT_EQ(back.scenarios.size(), run.scenarios.size());
  EXPECT_EQ(back.seed, run.seed);
  EXPECT_EQ(back.target_name, run.target_name);
  const auto& s = back.scenarios[2];
  EXPECT_EQ(s.verdict, Verdict::Fail);
  EXPECT_EQ(s.rules, (std::vector<std::string>{"RANGE-2", "ERR-1"}));
  ASSERT_EQ(s.judgements.size(), 2u);
  EXPECT_EQ(s.judgements[1].step, -1);
  EXPECT_EQ(s.judgements[0].actual, "200");
  ASSERT_EQ(s.transcript.size(), 2u);
  EXPECT_EQ(s.transcript[1].scenario, "RANGE-2-length-long");
  EXPECT_EQ(s.transcript[1].headers, run.scenarios[2].transcript[1].headers);
  EXPECT_EQ(s.transcript[1].curl, run.scenarios[2].transcript[1].curl);
  EXPECT_EQ(s.transcript[1].response_excerpt, "<script> & \"quotes\" \x01");
}

TEST(ReportJson, TotalsAndRuleVerdictsAreDerivedFromScenarios) {
  const json j = to_json(testing::sample_run());
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["target"]["url"], "http://127.0.0.1:8080");
  EXPECT_EQ(j["totals"]["PASS"], 1);
  EXPECT_EQ(j["totals"]["FAIL"], 1);
  EXPECT_EQ(j["totals"]["NON-STRICT"], 1);
  EXPECT_EQ(j["totals"]["SKIPPED"], 1);
  EXPECT_EQ(j["totals"]["INFORMATIONAL"], 1);
  EXPECT_EQ(j["totals"]["scenarios"], 5);
  // RANGE-2 has a PASS and a FAIL scenario: the rule is FAIL. Catalogue order: AUTH first.
  ASSERT_GE(j["rules"].size(), 5u);
  EXPECT_EQ(j["rules"][0]["id"], "AUTH-1");
  bool found = false;
  for (const auto& rule : j["rules"]) {
    if (rule["id"] != "RANGE-2") continue;
    found = true;
    EXPECT_EQ(rule["verdict"], "FAIL");
    EXPECT_EQ(rule["level"], "MUST");
    EXPECT_EQ(rule["scenarios"], json::array({"RANGE-2-length-short", "RANGE-2-length-long"}));
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(j["scenarios"][2]["family"], "RANGE");
}

TEST(ReportJson, InvalidUtf8FromTheTargetDoesNotBreakSerialisation) {
  const json j = to_json(testing::sample_run());  // the sample's excerpt ends with a lone 0xFF
  std::string text;
  ASSERT_NO_THROW(text = j.dump(-1, ' ', false, json::error_handler_t::replace));
  EXPECT_NO_THROW(run_from_json(json::parse(text)));
}

TEST(ReportJson, ErrorsNameTheBadField) {
  const json good = to_json(testing::sample_run());

  json bad_verdict = good;
  bad_verdict["scenarios"][3]["verdict"] = "MAYBE";
  EXPECT_NE(message_of(bad_verdict).find("scenarios[3].verdict"), std::string::npos) << message_of(bad_verdict);
  EXPECT_NE(message_of(bad_verdict).find("MAYBE"), std::string::npos);

  json no_url = good;
  no_url["target"].erase("url");
  EXPECT_NE(message_of(no_url).find("target.url"), std::string::npos) << message_of(no_url);

  json bad_step = good;
  bad_step["scenarios"][1]["transcript"][0]["step"] = "one";
  EXPECT_NE(message_of(bad_step).find("scenarios[1].transcript[0].step"), std::string::npos) << message_of(bad_step);

  json bad_header = good;
  bad_header["scenarios"][0]["transcript"][1]["headers"][0] = json::array({"only-a-name"});
  EXPECT_NE(message_of(bad_header).find("scenarios[0].transcript[1].headers[0]"), std::string::npos);

  json bad_judgement = good;
  bad_judgement["scenarios"][0]["judgements"][1] = 7;
  EXPECT_NE(message_of(bad_judgement).find("scenarios[0].judgements[1]"), std::string::npos);

  json future = good;
  future["schema_version"] = 99;
  EXPECT_NE(message_of(future).find("schema_version"), std::string::npos);

  EXPECT_NE(message_of(json::array()).find("expected an object"), std::string::npos);
  json no_scenarios = good;
  no_scenarios.erase("scenarios");
  EXPECT_NE(message_of(no_scenarios).find("scenarios"), std::string::npos);
}

}  // namespace
}  // namespace partcheck::runner
