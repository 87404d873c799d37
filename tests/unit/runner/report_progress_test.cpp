#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "report_sample_test.hpp"
#include "runner/report/progress.hpp"

namespace partcheck::runner {
namespace {

TEST(ReportProgress, PlainLinesForLogsWithFailureDetails) {
  const RunResult run = testing::sample_run();
  std::ostringstream out;
  Progress progress(run.scenarios.size(), false, out);
  for (const auto& s : run.scenarios) progress.scenario_done(s);
  const std::string text = out.str();
  EXPECT_NE(text.find("[1/5] NON-STRICT AUTH-1-no-key (34 ms)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[2/5] PASS RANGE-2-length-short (34 ms)\n"), std::string::npos);
  EXPECT_NE(text.find("[3/5] FAIL RANGE-2-length-long (34 ms)\n"), std::string::npos);
  EXPECT_NE(text.find("rule     RANGE-2 (MUST): "), std::string::npos);
  EXPECT_NE(text.find("rule     ERR-1 (MUST): "), std::string::npos);
  EXPECT_NE(text.find("expected 400 LengthMismatch  (status @ step 1)"), std::string::npos);
  EXPECT_NE(text.find("actual   200\n"), std::string::npos);
  EXPECT_NE(text.find("curl     curl -sS -X POST"), std::string::npos);
  EXPECT_EQ(text.find("reason   a body longer"), std::string::npos);  // the judgement says it already
  EXPECT_EQ(text.find('\x1b'), std::string::npos);  // no terminal codes in logs
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

TEST(ReportProgress, FailureWithoutJudgementsShowsItsReason) {
  ScenarioResult crashed = testing::sample_run().scenarios[2];
  crashed.judgements.clear();
  crashed.reason = "no response: connection reset";
  std::ostringstream out;
  Progress progress(1, false, out);
  progress.scenario_done(crashed);
  EXPECT_NE(out.str().find("    reason   no response: connection reset\n"), std::string::npos) << out.str();
}

TEST(ReportProgress, FinishPrintsTotalsByVerdictAndFamily) {
  const RunResult run = testing::sample_run();
  std::ostringstream out;
  Progress progress(run.scenarios.size(), false, out);
  progress.finish(run);
  const std::string text = out.str();
  EXPECT_NE(text.find("family"), std::string::npos);
  for (const char* row : {"\nAUTH ", "\nRANGE ", "\nTTL ", "\nINFO ", "\ntotal "})
    EXPECT_NE(text.find(row), std::string::npos) << row;
  EXPECT_NE(text.find("5 scenarios in 1.25 s: 1 PASS, 1 NON-STRICT, 1 FAIL, 1 INFORMATIONAL, 1 SKIPPED"),
            std::string::npos)
      << text;
}

TEST(ReportProgress, InteractiveRedrawsOneBar) {
  const RunResult run = testing::sample_run();
  std::ostringstream out;
  Progress progress(run.scenarios.size(), true, out);
  for (const auto& s : run.scenarios) progress.scenario_done(s);
  const std::string text = out.str();
  EXPECT_EQ(text.find("\r\x1b[2K[................] 0/5"), 0u);  // drawn before the first result
  EXPECT_NE(text.find("\r\x1b[2K[################] 5/5"), std::string::npos);
  EXPECT_NE(text.find("5/5"), std::string::npos);
  EXPECT_EQ(text.find("PASS RANGE-2-length-short"), std::string::npos);  // passes only count in the bar
  EXPECT_NE(text.find("RANGE-2-length-long"), std::string::npos);         // failures scroll by
  EXPECT_NE(text.find("curl     curl"), std::string::npos);
}

TEST(ReportProgress, CountsEveryScenarioFromManyThreads) {
  constexpr int kThreads = 8, kEach = 50;
  const auto sample = testing::sample_run().scenarios[1];
  std::ostringstream out;
  Progress progress(kThreads * kEach, false, out);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) progress.scenario_done(sample);
    });
  for (auto& t : threads) t.join();
  const std::string text = out.str();
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, static_cast<std::size_t>(kThreads * kEach));
  EXPECT_NE(text.find("[400/400] PASS"), std::string::npos);
  EXPECT_NE(text.find("[  1/400] PASS"), std::string::npos);
}

}  // namespace
}  // namespace partcheck::runner
