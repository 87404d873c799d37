#include "runner/judge.hpp"

#include <gtest/gtest.h>

#include "contract/byte_size.hpp"

using namespace partcheck::runner;

namespace {

HttpResponse response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Expectation expect(std::vector<std::string> status, std::vector<std::string> codes = {}, bool defer = false) {
  Expectation e;
  e.status = std::move(status);
  e.codes = std::move(codes);
  e.defer = defer;
  return e;
}

Verdict worst_of(const ResponseVerdict& v) {
  Verdict w = Verdict::Pass;
  for (const auto& f : v.findings) w = worst(w, f.judgement.verdict);
  return w;
}

const std::string kOrderError = R"({"success":false,"error":"InvalidPartOrder: part out of order"})";

}  // namespace

TEST(Judge, RightStatusAndCodeIsPass) {
  auto v = judge_response(expect({"400"}, {"InvalidPartOrder"}), response(400, kOrderError), 1, std::nullopt);
  EXPECT_EQ(worst_of(v), Verdict::Pass);
}

TEST(Judge, SameClassOtherStatusOrCodeIsNonStrict) {
  auto unauthorized = R"({"success":false,"error":"Unauthorized: no key"})";
  EXPECT_EQ(worst_of(judge_response(expect({"403"}, {"Unauthorized"}), response(401, unauthorized), 1, std::nullopt)),
            Verdict::NonStrict);
  EXPECT_EQ(worst_of(judge_response(expect({"400"}, {"EntityTooSmall"}), response(400, kOrderError), 1, std::nullopt)),
            Verdict::NonStrict);
}

TEST(Judge, AcceptedWhereRefusalExpectedIsFail) {
  EXPECT_EQ(worst_of(judge_response(expect({"400"}), response(206, R"({"success":true})"), 1, std::nullopt)), Verdict::Fail);
}

TEST(Judge, DeferredRefusalIsPendingThenResolved) {
  auto first = judge_response(expect({"400"}, {"EntityTooSmall"}, true), response(206, R"({"success":true})"), 1, std::nullopt);
  EXPECT_TRUE(first.deferred);
  EXPECT_EQ(worst_of(first), Verdict::NonStrict);
  PendingRefusal pending{1, {"EntityTooSmall"}};
  auto later = judge_response(expect({"200"}), response(400, R"({"success":false,"error":"EntityTooSmall: part 0"})"), 2, pending);
  EXPECT_TRUE(later.resolved_pending);
  EXPECT_EQ(worst_of(later), Verdict::NonStrict);
  // A refusal with an unrelated code is not the deferred one: refusing a valid part is FAIL.
  auto wrong = judge_response(expect({"200"}), response(400, kOrderError), 2, pending);
  EXPECT_FALSE(wrong.resolved_pending);
  EXPECT_EQ(worst_of(wrong), Verdict::Fail);
}

TEST(Judge, ServerErrorsAndSilenceAreHardFails) {
  auto v = judge_response(expect({"400"}), response(500, "oops"), 1, std::nullopt);
  ASSERT_FALSE(v.findings.empty());
  EXPECT_TRUE(v.findings[0].hard);
  EXPECT_EQ(worst_of(v), Verdict::Fail);
  HttpResponse none;
  none.error = "timed out (no answer)";
  EXPECT_EQ(worst_of(judge_response(expect({"200"}), none, 1, std::nullopt)), Verdict::Fail);
}

TEST(Judge, WrongSuccessCodeIsFail) {
  EXPECT_EQ(worst_of(judge_response(expect({"206"}), response(200, R"({"success":true})"), 1, std::nullopt)), Verdict::Fail);
  EXPECT_EQ(worst_of(judge_response(expect({"2xx"}), response(200, R"({"success":true})"), 1, std::nullopt)), Verdict::Pass);
}

TEST(Judge, ErrorsWithoutTheEnvelopeFailErr1) {
  EXPECT_EQ(worst_of(judge_response(expect({"400"}), response(400, "bad request"), 1, std::nullopt)), Verdict::Fail);
}

TEST(Judge, JsonPathsAndBodyTexts) {
  Expectation e = expect({"200"});
  e.json = {{"file.__id", "*"}, {"files.0.name", "a (1).pdf"}, {"missing", nullptr}};
  auto ok = judge_response(e, response(200, R"({"file":{"__id":"x"},"files":[{"name":"a (1).pdf"}]})"), 1, std::nullopt);
  EXPECT_EQ(worst_of(ok), Verdict::Pass);
  auto bad = judge_response(e, response(200, R"({"files":[{"name":"a.pdf"}]})"), 1, std::nullopt);
  EXPECT_EQ(worst_of(bad), Verdict::Fail);
  EXPECT_EQ(json_path(R"({"items":[{"link":"/d/1"}]})", "items.0.link"), "/d/1");
}

TEST(Judge, FindsTheLongestCodeName) {
  EXPECT_EQ(find_code("InvalidPartOrder: x"), "InvalidPartOrder");
  EXPECT_EQ(find_code("400 InvalidPart: gap"), "InvalidPart");
  EXPECT_EQ(find_code("nothing"), "");
}

TEST(Judge, ShouldScenariosReportNonStrictUnlessStrict) {
  std::vector<Finding> findings{{Judgement{"status", Verdict::Fail, 1, "200", "415"}, false}};
  ScenarioResult lenient;
  conclude(lenient, findings, partcheck::contract::RuleLevel::Should, false, "");
  EXPECT_EQ(lenient.verdict, Verdict::NonStrict);
  ScenarioResult strict;
  conclude(strict, findings, partcheck::contract::RuleLevel::Should, true, "");
  EXPECT_EQ(strict.verdict, Verdict::Fail);
  // A 5xx stays FAIL on any level.
  std::vector<Finding> hard{{Judgement{"status", Verdict::Fail, 1, "4xx", "500"}, true}};
  ScenarioResult info;
  conclude(info, hard, partcheck::contract::RuleLevel::Info, false, "x");
  EXPECT_EQ(info.verdict, Verdict::Fail);
  ScenarioResult recorded;
  conclude(recorded, {}, partcheck::contract::RuleLevel::Info, false, "upload -> 206");
  EXPECT_EQ(recorded.verdict, Verdict::Informational);
  EXPECT_EQ(recorded.reason, "upload -> 206");
}

TEST(SizeExpressions, BoundariesUsedByTheSuite) {
  using partcheck::contract::parse_byte_size;
  EXPECT_EQ(*parse_byte_size("5MiB-1").bytes, 5242879u);
  EXPECT_EQ(*parse_byte_size("5GiB+1").bytes, 5368709121u);
  EXPECT_EQ(*parse_byte_size("6291456+1").bytes, 6291457u);
  EXPECT_EQ(*parse_byte_size("3600-60").bytes, 3540u);
  EXPECT_FALSE(parse_byte_size("1MiB-2MiB"));
}
