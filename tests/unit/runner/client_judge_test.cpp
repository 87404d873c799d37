// grade_client on hand-made runs: each test describes what a client sent and
// what ended in the directory, and checks the verdict of every rule the
// scenario lists. No mock and no child process: the judge is pure.
#include "runner/client/client_judge.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "contract/content_range.hpp"

namespace partcheck::runner::client {
namespace {

constexpr std::uint64_t MiB = 1024 * 1024;
constexpr std::uint64_t kFileSize = 12 * MiB + 12345;  // three parts: 5 MiB, 5 MiB, the rest
const std::string kHash = "0b7c2f8e-9a51-4d3e-8f20-6c1d2e3f4a5b";
const std::string kFileId = "a1b2c3d4-0000-4000-8000-000000000001";

const std::vector<std::string> kAllRules{"CLIENT-1", "CLIENT-2", "CLIENT-3", "CLIENT-4",
                                         "CLIENT-5", "CLIENT-6", "CLIENT-7", "CLIENT-8"};

ClientScenario scenario(std::vector<std::string> rules = kAllRules, Outcome expect = Outcome::Stored) {
  ClientScenario sc;
  sc.id = "CLIENT-test";
  sc.rules = std::move(rules);
  sc.file_size = kFileSize;
  sc.expect = expect;
  return sc;
}

// A part as the journal would give it: the range as sent (exclusive end), a
// body of that many bytes unless `body` says otherwise, answered `status`.
ClientRequest part(std::uint64_t start, std::uint64_t end, int status = 200, double at_ms = 0,
                   std::optional<std::uint64_t> body = std::nullopt, std::uint64_t total = kFileSize) {
  ClientRequest r;
  r.method = "POST";
  r.target = "/pub/v1/disk/file/upload?hash=" + kHash;
  r.endpoint = Endpoint::Part;
  r.hash = kHash;
  r.content_range = "bytes " + std::to_string(start) + "-" + std::to_string(end) + "/" + std::to_string(total);
  r.range = contract::parse_content_range(*r.content_range).range;
  r.content_length = body.value_or(end - start);
  r.content_type = "application/octet-stream";
  r.status = status;
  r.bytes_in = status == 0 ? 0 : *r.content_length;
  r.at_ms = at_ms;
  r.duration_ms = 20;
  return r;
}

ClientRequest move(int status = 200, double at_ms = 0) {
  ClientRequest r;
  r.method = "POST";
  r.target = "/pub/v1/disk/file/move?hash=" + kHash;
  r.endpoint = Endpoint::Move;
  r.hash = kHash;
  r.status = status;
  r.at_ms = at_ms;
  r.duration_ms = 5;
  return r;
}

// The three parts of the file and the move, all answered 200.
std::vector<ClientRequest> clean_requests() {
  return {part(0, 5 * MiB, 200, 0), part(5 * MiB, 10 * MiB, 200, 100), part(10 * MiB, kFileSize, 200, 200),
          move(200, 300)};
}

// A run that stored the file and said so, changed by each test.
ClientObservation clean_run() {
  ClientObservation seen;
  seen.requests = clean_requests();
  seen.new_files = {StoredFile{kFileId, "report.bin", kFileSize, true}};
  seen.expected_name = "report.bin";
  seen.file_size = kFileSize;
  seen.exit.exit_code = 0;
  seen.reported = R"({"id": ")" + kFileId + R"(", "name": "report.bin"})";
  return seen;
}

// The run gave up without storing anything and said so.
ClientObservation nothing_stored(std::vector<ClientRequest> requests) {
  ClientObservation seen = clean_run();
  seen.requests = std::move(requests);
  seen.new_files.clear();
  seen.exit.exit_code = 1;
  seen.reported.reset();
  return seen;
}

const Judgement* find(const ClientGrade& grade, const std::string& rule) {
  for (const auto& j : grade.judgements)
    if (j.aspect == rule) return &j;
  return nullptr;
}

Verdict verdict_of(const ClientGrade& grade, const std::string& rule) {
  const auto* j = find(grade, rule);
  EXPECT_NE(j, nullptr) << rule << " not judged";
  return j ? j->verdict : Verdict::Skipped;
}

// Every rule but `rule` passed: the test's change broke only what it meant to.
void expect_only_broken(const ClientGrade& grade, const std::string& rule) {
  for (const auto& j : grade.judgements) {
    if (j.aspect != rule) {
      EXPECT_EQ(j.verdict, Verdict::Pass) << j.aspect << ": " << j.actual;
    }
  }
}

TEST(ClientJudge, CleanThreePartUploadPassesEveryRule) {
  const auto grade = grade_client(scenario(), clean_run(), false);
  EXPECT_EQ(grade.verdict, Verdict::Pass) << grade.reason;
  EXPECT_TRUE(grade.reason.empty());
  ASSERT_EQ(grade.judgements.size(), kAllRules.size());
  for (std::size_t i = 0; i < kAllRules.size(); ++i) {
    EXPECT_EQ(grade.judgements[i].aspect, kAllRules[i]);  // in the scenario's order
    EXPECT_EQ(grade.judgements[i].verdict, Verdict::Pass) << kAllRules[i] << ": " << grade.judgements[i].actual;
  }
  EXPECT_EQ(find(grade, "CLIENT-2")->actual, "3 part request(s), each as the contract says");
}

TEST(ClientJudge, InclusiveRangeEndsBreakClient2) {
  auto seen = clean_run();
  // bytes 0-5242879/N read with the contract's exclusive end is 5242879 bytes,
  // but the client sent 5242880: it meant the end inclusively.
  seen.requests[0] = part(0, 5 * MiB - 1, 200, 0, 5 * MiB);
  seen.requests[1] = part(5 * MiB, 10 * MiB - 1, 200, 100, 5 * MiB);
  const auto grade = grade_client(scenario(), seen, false);
  EXPECT_EQ(grade.verdict, Verdict::Fail);
  const auto* j = find(grade, "CLIENT-2");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->verdict, Verdict::Fail);
  EXPECT_EQ(j->step, 0);
  EXPECT_NE(j->expected.find("the end is exclusive"), std::string::npos) << j->expected;
  EXPECT_EQ(j->actual, "5242880 bytes for bytes 0-5242879/" + std::to_string(kFileSize));
  EXPECT_NE(grade.reason.find("CLIENT-2: expected"), std::string::npos) << grade.reason;
}

TEST(ClientJudge, UnequalNonFinalPartsBreakClient2) {
  auto seen = clean_run();
  seen.requests = {part(0, 6 * MiB, 200, 0), part(6 * MiB, 11 * MiB, 200, 100), part(11 * MiB, kFileSize, 200, 200),
                   move(200, 300)};
  const auto grade = grade_client(scenario(), seen, false);
  const auto* j = find(grade, "CLIENT-2");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->verdict, Verdict::Fail);
  EXPECT_EQ(j->step, 1);
  EXPECT_EQ(j->expected, "non-final parts of one size (" + std::to_string(6 * MiB) + ")");
  expect_only_broken(grade, "CLIENT-2");
}

TEST(ClientJudge, NonFinalPartUnderFiveMiBBreaksClient2) {
  auto seen = clean_run();
  seen.requests = {part(0, 4 * MiB, 200, 0), part(4 * MiB, 8 * MiB, 200, 100), part(8 * MiB, 12 * MiB, 200, 200),
                   part(12 * MiB, kFileSize, 200, 300), move(200, 400)};
  const auto grade = grade_client(scenario(), seen, false);
  const auto* j = find(grade, "CLIENT-2");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->verdict, Verdict::Fail);
  EXPECT_EQ(j->step, 0);
  EXPECT_EQ(j->expected, "non-final parts of 5 MiB to 5 GiB");
  EXPECT_EQ(j->actual, std::to_string(4 * MiB) + " bytes");
  expect_only_broken(grade, "CLIENT-2");
}

TEST(ClientJudge, WrongTotalAndBodyTypeBreakClient2) {
  auto seen = clean_run();
  seen.requests[0] = part(0, 5 * MiB, 200, 0, std::nullopt, kFileSize + 1);
  EXPECT_EQ(verdict_of(grade_client(scenario(), seen, false), "CLIENT-2"), Verdict::Fail);

  seen = clean_run();
  seen.requests[2].content_type = "text/plain";
  const auto grade = grade_client(scenario(), seen, false);
  EXPECT_EQ(verdict_of(grade, "CLIENT-2"), Verdict::Fail);
  EXPECT_EQ(find(grade, "CLIENT-2")->actual, "text/plain");
}

TEST(ClientJudge, AGapBreaksClient3) {
  auto seen = clean_run();
  seen.requests.erase(seen.requests.begin() + 1);  // the second part never sent
  const auto grade = grade_client(scenario(), seen, false);
  const auto* j = find(grade, "CLIENT-3");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->verdict, Verdict::Fail);
  EXPECT_EQ(j->step, 1);
  EXPECT_EQ(j->actual, "a part at " + std::to_string(10 * MiB) + ": a gap");
  EXPECT_EQ(grade.verdict, Verdict::Fail);
}

TEST(ClientJudge, ResendingAnAcknowledgedPartIsNonStrictUnlessStrict) {
  auto seen = clean_run();
  seen.requests.insert(seen.requests.begin() + 2, part(5 * MiB, 10 * MiB, 200, 150));  // the 2nd part again
  const auto lenient = grade_client(scenario(), seen, false);
  const auto* j = find(lenient, "CLIENT-4");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->verdict, Verdict::NonStrict);  // a SHOULD rule
  EXPECT_EQ(j->step, 2);
  EXPECT_EQ(j->actual, "bytes from " + std::to_string(5 * MiB) + " sent again");
  EXPECT_EQ(lenient.verdict, Verdict::NonStrict);
  expect_only_broken(lenient, "CLIENT-4");

  const auto strict = grade_client(scenario(), seen, true);
  EXPECT_EQ(verdict_of(strict, "CLIENT-4"), Verdict::Fail);
  EXPECT_EQ(strict.verdict, Verdict::Fail);
}

// The second part is reset (no answer), then sent again after the waits given;
// the last attempt succeeds. A failed attempt lasts 20 ms from its start.
ClientObservation retried_second_part(const std::vector<double>& waits) {
  auto seen = clean_run();
  std::vector<ClientRequest> requests{part(0, 5 * MiB, 200, 0)};
  double at = 100;
  for (double wait : waits) {
    requests.push_back(part(5 * MiB, 10 * MiB, 0, at));
    at += 20 + wait;
  }
  requests.push_back(part(5 * MiB, 10 * MiB, 200, at));
  requests.push_back(part(10 * MiB, kFileSize, 200, at + 100));
  requests.push_back(move(200, at + 200));
  seen.requests = requests;
  return seen;
}

TEST(ClientJudge, RetryingAfterTenMillisecondsIsNoBackOff) {
  const auto grade = grade_client(scenario(), retried_second_part({10}), false);
  const auto* j = find(grade, "CLIENT-5");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->verdict, Verdict::NonStrict);
  EXPECT_EQ(j->step, 2);
  EXPECT_EQ(j->actual, "retried after 10 ms");
  expect_only_broken(grade, "CLIENT-5");
}

TEST(ClientJudge, GrowingWaitsPass) {
  const auto grade = grade_client(scenario(), retried_second_part({250, 500, 1000}), false);
  EXPECT_EQ(grade.verdict, Verdict::Pass) << grade.reason;
  EXPECT_EQ(find(grade, "CLIENT-5")->actual, "3 retries, spaced and bounded");
}

TEST(ClientJudge, ShrinkingWaitsAreNonStrict) {
  const auto grade = grade_client(scenario(), retried_second_part({500, 200}), false);
  const auto* j = find(grade, "CLIENT-5");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->verdict, Verdict::NonStrict);
  EXPECT_EQ(j->step, 3);
  EXPECT_EQ(j->expected, "waits that do not shrink (the last was 500 ms)");
  EXPECT_EQ(j->actual, "retried after 200 ms");
  // Jitter within a quarter is not shrinking.
  EXPECT_EQ(verdict_of(grade_client(scenario(), retried_second_part({500, 400}), false), "CLIENT-5"), Verdict::Pass);
}

TEST(ClientJudge, ElevenAttemptsOfOneRequestAreTooMany) {
  // Ten failures at an even pace, then the eleventh attempt succeeds.
  const auto grade = grade_client(scenario(), retried_second_part(std::vector<double>(10, 200)), false);
  const auto* j = find(grade, "CLIENT-5");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->verdict, Verdict::NonStrict);
  EXPECT_EQ(j->step, 11);
  EXPECT_EQ(j->actual, "11 attempts of part " + std::to_string(5 * MiB) + "-" + std::to_string(10 * MiB) + "/" +
                           std::to_string(kFileSize));
  expect_only_broken(grade, "CLIENT-5");
  // Ten attempts are still within the bound.
  EXPECT_EQ(verdict_of(grade_client(scenario(), retried_second_part(std::vector<double>(9, 200)), false), "CLIENT-5"),
            Verdict::Pass);
}

TEST(ClientJudge, StoppingAfterARetryableFailureBreaksClient4WhenTheFileCouldBeStored) {
  auto requests = clean_requests();
  requests.resize(2);
  requests[1].status = 503;
  const auto grade = grade_client(scenario(), nothing_stored(requests), false);
  const auto* j = find(grade, "CLIENT-4");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->verdict, Verdict::NonStrict);
  EXPECT_EQ(j->step, 1);
  // Where nothing could be stored, giving up is right.
  const auto gave_up = grade_client(scenario(kAllRules, Outcome::NotStored), nothing_stored(requests), false);
  EXPECT_EQ(gave_up.verdict, Verdict::Pass) << gave_up.reason;
}

TEST(ClientJudge, ResendingAfterAForbiddenAnswerBreaksClient7) {
  auto requests = clean_requests();
  requests.resize(1);
  auto refused = part(5 * MiB, 10 * MiB, 403, 100);
  refused.code = "Forbidden";
  requests.push_back(refused);
  requests.push_back(part(5 * MiB, 10 * MiB, 403, 1000));
  const auto grade = grade_client(scenario({"CLIENT-6", "CLIENT-7"}, Outcome::NotStored), nothing_stored(requests),
                                  false);
  const auto* j = find(grade, "CLIENT-7");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->verdict, Verdict::NonStrict);
  EXPECT_EQ(j->step, 2);
  EXPECT_EQ(j->expected, "no resend after 403 Forbidden");
  EXPECT_EQ(verdict_of(grade, "CLIENT-6"), Verdict::Pass);
}

TEST(ClientJudge, UploadBusyIsNotAFinalAnswer) {
  auto seen = clean_run();
  auto busy = part(5 * MiB, 10 * MiB, 409, 100);
  busy.code = "UploadBusy";
  seen.requests.insert(seen.requests.begin() + 1, busy);  // then the same part again, answered 200
  const auto grade = grade_client(scenario(), seen, false);
  EXPECT_EQ(grade.verdict, Verdict::Pass) << grade.reason;

  // Any other 409 is final.
  seen.requests[1].code = "Conflict";
  EXPECT_EQ(verdict_of(grade_client(scenario(), seen, false), "CLIENT-7"), Verdict::NonStrict);
}

TEST(ClientJudge, ExitZeroWithoutTheFileBreaksClient6) {
  auto seen = nothing_stored(clean_requests());
  seen.exit.exit_code = 0;
  const auto grade = grade_client(scenario({"CLIENT-6"}, Outcome::Either), seen, false);
  const auto* j = find(grade, "CLIENT-6");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->verdict, Verdict::Fail);
  EXPECT_EQ(j->actual, "exit 0");
  // The same with a non-zero exit tells the truth.
  seen.exit.exit_code = 2;
  EXPECT_EQ(grade_client(scenario({"CLIENT-6"}, Outcome::Either), seen, false).verdict, Verdict::Pass);
}

TEST(ClientJudge, NonZeroExitWithTheFileStoredFailsEvenWhenNotStrict) {
  auto seen = clean_run();
  seen.exit.exit_code = 1;
  const auto grade = grade_client(scenario(), seen, false);
  EXPECT_EQ(verdict_of(grade, "CLIENT-6"), Verdict::Fail);  // a MUST rule: strict or not
  EXPECT_EQ(find(grade, "CLIENT-6")->actual, "exit 1");
  EXPECT_EQ(grade.verdict, Verdict::Fail);
  expect_only_broken(grade, "CLIENT-6");
}

TEST(ClientJudge, ATimeoutBreaksClient6) {
  auto seen = clean_run();
  seen.exit.exit_code = -1;
  seen.exit.signal = 9;
  seen.exit.timed_out = true;
  auto sc = scenario();
  sc.timeout = std::chrono::seconds(30);
  const auto grade = grade_client(sc, seen, false);
  const auto* j = find(grade, "CLIENT-6");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->verdict, Verdict::Fail);
  EXPECT_EQ(j->expected, "an end within 30 s with an exit status");
  EXPECT_EQ(j->actual, "did not end in time (killed)");
}

TEST(ClientJudge, NothingStoredIsRightWhereItMayOrMustBe) {
  const auto seen = nothing_stored({part(0, 5 * MiB, 200, 0), part(5 * MiB, 10 * MiB, 403, 100)});
  for (auto expect : {Outcome::Either, Outcome::NotStored}) {
    const auto grade = grade_client(scenario({"CLIENT-1", "CLIENT-6", "CLIENT-8"}, expect), seen, false);
    EXPECT_EQ(verdict_of(grade, "CLIENT-1"), Verdict::Pass);
    EXPECT_EQ(grade.verdict, Verdict::Pass) << grade.reason;
  }
  // Where it could be stored, nothing stored is a failure.
  const auto grade = grade_client(scenario({"CLIENT-1"}, Outcome::Stored), seen, false);
  EXPECT_EQ(verdict_of(grade, "CLIENT-1"), Verdict::Fail);
  EXPECT_EQ(find(grade, "CLIENT-1")->actual, "no new file in the directory");
}

TEST(ClientJudge, AFileWithTheWrongNameOrBytesBreaksClient1) {
  auto seen = clean_run();
  seen.new_files[0].name = "report (1).bin";  // the name asked for was free
  auto grade = grade_client(scenario(), seen, false);
  EXPECT_EQ(verdict_of(grade, "CLIENT-1"), Verdict::Fail);
  EXPECT_EQ(find(grade, "CLIENT-1")->actual, "'report (1).bin', " + std::to_string(kFileSize) + " bytes");
  EXPECT_EQ(verdict_of(grade, "CLIENT-6"), Verdict::Fail);  // exit 0 without the file as asked

  seen = clean_run();
  seen.new_files[0].bytes_match = false;
  grade = grade_client(scenario(), seen, false);
  EXPECT_EQ(verdict_of(grade, "CLIENT-1"), Verdict::Fail);
  EXPECT_EQ(find(grade, "CLIENT-1")->actual, "'report.bin', " + std::to_string(kFileSize) + " bytes, bytes differ");

  // The right file plus a stray one is not "the file in the directory".
  seen = clean_run();
  seen.new_files.push_back(StoredFile{"other", "report.bin.part", 5 * MiB, false});
  EXPECT_EQ(verdict_of(grade_client(scenario(), seen, false), "CLIENT-1"), Verdict::Fail);
}

TEST(ClientJudge, TheReportNamesWhatTheServerStored) {
  auto seen = clean_run();
  seen.reported.reset();
  auto grade = grade_client(scenario(), seen, false);
  EXPECT_EQ(verdict_of(grade, "CLIENT-8"), Verdict::NonStrict);
  EXPECT_EQ(find(grade, "CLIENT-8")->actual, "nothing written");

  // The name asked for, where the server postfixed it.
  seen = clean_run();
  seen.expected_name = "report (1).bin";
  seen.new_files[0].name = "report (1).bin";
  grade = grade_client(scenario(), seen, false);
  EXPECT_EQ(verdict_of(grade, "CLIENT-8"), Verdict::NonStrict);
  EXPECT_EQ(find(grade, "CLIENT-8")->actual, "'report.bin'");
  expect_only_broken(grade, "CLIENT-8");

  seen.reported = R"({"id": ")" + kFileId + R"(", "name": "report (1).bin"})";
  grade = grade_client(scenario(), seen, false);
  EXPECT_EQ(verdict_of(grade, "CLIENT-8"), Verdict::Pass);
  EXPECT_EQ(grade.verdict, Verdict::Pass) << grade.reason;

  seen.reported = "stored!";
  EXPECT_EQ(find(grade_client(scenario(), seen, false), "CLIENT-8")->actual, "not a JSON object");
}

// PARTCHECK_RESULT is the client's own text: a field of the wrong type is a
// wrong report, not a reason for the grader to throw.
TEST(ClientJudge, AReportWithFieldsOfTheWrongTypeIsNonStrict) {
  auto seen = clean_run();
  seen.reported = R"({"id": 42, "name": ["report.bin"]})";
  ClientGrade grade;
  ASSERT_NO_THROW(grade = grade_client(scenario(), seen, false));
  EXPECT_EQ(verdict_of(grade, "CLIENT-8"), Verdict::NonStrict);
}

TEST(ClientJudge, OnlyTheScenariosRulesAreJudged) {
  auto seen = clean_run();
  seen.requests.erase(seen.requests.begin() + 1);  // a gap: CLIENT-3, not listed below
  seen.reported.reset();                           // CLIENT-8, not listed either
  const auto grade = grade_client(scenario({"CLIENT-6", "CLIENT-1"}), seen, false);
  ASSERT_EQ(grade.judgements.size(), 2u);
  EXPECT_EQ(grade.judgements[0].aspect, "CLIENT-6");
  EXPECT_EQ(grade.judgements[1].aspect, "CLIENT-1");
  EXPECT_EQ(grade.verdict, Verdict::Pass) << grade.reason;
  EXPECT_TRUE(grade.reason.empty());
}

}  // namespace
}  // namespace partcheck::runner::client
