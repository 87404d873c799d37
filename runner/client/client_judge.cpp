#include "runner/client/client_judge.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "contract/part_plan.hpp"
#include "contract/rules.hpp"

namespace partcheck::runner::client {
namespace {

// CLIENT-5's bounds: below this the first wait is no back-off at all (the
// journal's times have millisecond steps: 90 leaves room for them); later
// waits may be this much shorter than the one before (jitter) and still count
// as not shrinking.
constexpr double kMinFirstWaitMs = 90;
constexpr double kShrinkTolerance = 0.75;
constexpr std::size_t kMaxAttempts = 10;

bool is_final_answer(const ClientRequest& r) {
  // 409 UploadBusy says "an earlier attempt is still being written": not final.
  return (r.status == 400 || r.status == 402 || r.status == 403 || r.status == 404 || r.status == 409) &&
         r.code != "UploadBusy";
}

bool is_part_body_type(const std::string& type) {
  auto lower = type;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.starts_with("application/octet-stream") || lower.starts_with("multipart/form-data");
}

class Grader {
 public:
  Grader(const ClientScenario& scenario, const ClientObservation& seen) : scenario_(scenario), seen_(seen) {}

  void run() {
    check_parts();
    check_retries();
    check_outcome();
    check_exit();
    check_report();
  }

  // The first problem found per rule (step: the request's index, -1: the run).
  std::map<std::string, Judgement> broken;
  std::map<std::string, std::string> passed;  // rule -> what was seen

 private:
  void breaks(const std::string& rule, int step, std::string expected, std::string actual) {
    if (broken.contains(rule)) return;
    broken[rule] = Judgement{rule, Verdict::Fail, step, std::move(expected), std::move(actual)};
  }
  void holds(const std::string& rule, std::string actual) { passed.try_emplace(rule, std::move(actual)); }

  // CLIENT-2 and CLIENT-3 (and CLIENT-4's "not earlier"), per upload hash.
  void check_parts() {
    struct Upload {
      std::uint64_t acknowledged = 0;
      std::optional<std::uint64_t> part_size;
      std::uint64_t parts = 0;
    };
    std::map<std::string, Upload> uploads;
    for (std::size_t i = 0; i < seen_.requests.size(); ++i) {
      const auto& r = seen_.requests[i];
      if (r.endpoint != Endpoint::Part) continue;
      const int step = static_cast<int>(i);
      if (!r.content_range) {
        breaks("CLIENT-2", step, "a Content-Range field", "none");
        continue;
      }
      if (!r.range) {
        breaks("CLIENT-2", step, "Content-Range: bytes s-e/n with s < e <= n", *r.content_range);
        continue;
      }
      const auto& range = *r.range;
      if (range.total != seen_.file_size)
        breaks("CLIENT-2", step, "n = the file size " + std::to_string(seen_.file_size), *r.content_range);
      // The body's length: the declared one, else what arrived of an answered request.
      const auto body = r.content_length ? r.content_length : (r.status != 0 || r.withheld_status != 0)
                                                                  ? std::optional<std::uint64_t>(r.bytes_in)
                                                                  : std::nullopt;
      if (body && !r.content_type.starts_with("multipart/") && *body != range.length())
        breaks("CLIENT-2", step, "a body of e - s = " + std::to_string(range.length()) + " bytes (the end is exclusive)",
               std::to_string(*body) + " bytes for " + *r.content_range);
      if (!is_part_body_type(r.content_type))
        breaks("CLIENT-2", step, "Content-Type application/octet-stream or multipart/form-data",
               r.content_type.empty() ? "none" : r.content_type);
      auto& upload = uploads[r.hash.value_or("")];
      if (!range.is_final()) {
        if (range.length() < contract::kMinPartSize || range.length() > contract::kMaxPartSize)
          breaks("CLIENT-2", step, "non-final parts of 5 MiB to 5 GiB", std::to_string(range.length()) + " bytes");
        if (upload.part_size && *upload.part_size != range.length())
          breaks("CLIENT-2", step, "non-final parts of one size (" + std::to_string(*upload.part_size) + ")",
                 std::to_string(range.length()) + " bytes");
        upload.part_size = upload.part_size.value_or(range.length());
      } else if (upload.part_size && range.length() > *upload.part_size) {
        breaks("CLIENT-2", step, "a last part no larger than " + std::to_string(*upload.part_size),
               std::to_string(range.length()) + " bytes");
      }
      if (range.start > upload.acknowledged)
        breaks("CLIENT-3", step, "the next part at " + std::to_string(upload.acknowledged) + " (acknowledged so far)",
               "a part at " + std::to_string(range.start) + ": a gap");
      if (range.start < upload.acknowledged)
        breaks("CLIENT-4", step, "parts from " + std::to_string(upload.acknowledged) + " on (acknowledged so far)",
               "bytes from " + std::to_string(range.start) + " sent again");
      if (r.acknowledged()) upload.acknowledged = std::max(upload.acknowledged, range.end);
      ++upload.parts;
    }
    std::uint64_t parts = 0;
    for (const auto& [hash, upload] : uploads) parts += upload.parts;
    holds("CLIENT-2", std::to_string(parts) + " part request(s), each as the contract says");
    holds("CLIENT-3", "every part started where the acknowledged bytes ended");
  }

  // CLIENT-4 (a failed part is retried, or the client gives up honestly),
  // CLIENT-5 (back-off, bounded attempts), CLIENT-7 (final answers stay final).
  void check_retries() {
    std::map<std::string, std::size_t> attempts;
    std::map<std::string, const ClientRequest*> final_answer;
    std::size_t retries = 0;
    double previous_wait = -1;
    std::string previous_identity;
    for (std::size_t i = 0; i < seen_.requests.size(); ++i) {
      const auto& r = seen_.requests[i];
      const int step = static_cast<int>(i);
      const auto identity = r.identity();
      if (auto it = final_answer.find(identity); it != final_answer.end())
        breaks("CLIENT-7", step, "no resend after " + std::to_string(it->second->status) + " " + it->second->code,
               r.label() + " sent again");
      if (++attempts[identity] > kMaxAttempts)
        breaks("CLIENT-5", step, "at most " + std::to_string(kMaxAttempts) + " attempts of one request",
               std::to_string(attempts[identity]) + " attempts of " + r.label());
      if (i > 0 && seen_.requests[i - 1].retryable_failure() && seen_.requests[i - 1].identity() == identity) {
        const auto& before = seen_.requests[i - 1];
        const double wait = r.at_ms - (before.at_ms + before.duration_ms);
        ++retries;
        const bool first = previous_identity != identity || previous_wait < 0;
        if (first && wait < kMinFirstWaitMs)
          breaks("CLIENT-5", step, "a wait of at least 100 ms before retrying", "retried after " +
                 std::to_string(static_cast<long>(wait)) + " ms");
        if (!first && wait < previous_wait * kShrinkTolerance)
          breaks("CLIENT-5", step, "waits that do not shrink (the last was " +
                 std::to_string(static_cast<long>(previous_wait)) + " ms)",
                 "retried after " + std::to_string(static_cast<long>(wait)) + " ms");
        previous_wait = wait;
        previous_identity = identity;
      } else if (previous_identity != identity) {
        previous_wait = -1;
      }
      if (is_final_answer(r) && r.code != "NoSuchUpload") final_answer.emplace(identity, &r);
    }
    // A retryable failure as the last thing the client did, in a scenario it
    // could have won: it gave up without trying again.
    if (!seen_.requests.empty() && seen_.requests.back().retryable_failure() && scenario_.expect == Outcome::Stored)
      breaks("CLIENT-4", static_cast<int>(seen_.requests.size()) - 1, "the failed request sent again",
             "the client stopped after " + seen_.requests.back().label() + " failed");
    holds("CLIENT-4", retries == 0 ? "nothing needed a retry" : "failed requests were resent from the right offset");
    holds("CLIENT-5", std::to_string(retries) + " retr" + (retries == 1 ? "y" : "ies") + ", spaced and bounded");
    holds("CLIENT-7", "no final answer was sent again");
  }

  const StoredFile* stored() const {
    for (const auto& f : seen_.new_files)
      if (f.bytes_match && f.name == seen_.expected_name) return &f;
    return nullptr;
  }

  // CLIENT-1: the file in the directory, its bytes and its name.
  void check_outcome() {
    if (const auto* file = stored(); file && seen_.new_files.size() == 1) {
      holds("CLIENT-1", "'" + file->name + "', " + std::to_string(file->size) + " bytes, equal to the file given");
      return;
    }
    if (scenario_.expect == Outcome::NotStored && seen_.new_files.empty()) {
      holds("CLIENT-1", "nothing stored, as nothing could be");
      return;
    }
    if (scenario_.expect == Outcome::Either && seen_.new_files.empty()) {
      holds("CLIENT-1", "nothing stored (giving up is right here)");
      return;
    }
    std::string actual;
    for (const auto& f : seen_.new_files)
      actual += (actual.empty() ? "" : "; ") + ("'" + f.name + "', " + std::to_string(f.size) + " bytes" +
                                                (f.bytes_match ? "" : ", bytes differ"));
    breaks("CLIENT-1", -1, "one new file '" + seen_.expected_name + "' with the " + std::to_string(seen_.file_size) +
                               " bytes given",
           actual.empty() ? "no new file in the directory" : actual);
  }

  // CLIENT-6: the exit status against what is stored.
  void check_exit() {
    const auto& exit = seen_.exit;
    const bool ok_file = stored() != nullptr;
    if (exit.timed_out || exit.signal != 0) {
      breaks("CLIENT-6", -1, "an end within " + std::to_string(scenario_.timeout.count()) + " s with an exit status",
             exit.describe());
    } else if (exit.exit_code == 0 && !ok_file) {
      breaks("CLIENT-6", -1, "a non-zero exit: the file is not stored as asked", "exit 0");
    } else if (exit.exit_code != 0 && ok_file) {
      breaks("CLIENT-6", -1, "exit 0: the file is stored", exit.describe());
    } else {
      holds("CLIENT-6", exit.describe() + (ok_file ? ", file stored" : ", file not stored"));
    }
  }

  // CLIENT-8: what the client says it stored.
  void check_report() {
    const auto* file = stored();
    if (!file) {
      holds("CLIENT-8", "nothing stored to report");
      return;
    }
    if (!seen_.reported) return breaks("CLIENT-8", -1, "PARTCHECK_RESULT written", "nothing written");
    const auto doc = nlohmann::json::parse(*seen_.reported, nullptr, false);
    if (!doc.is_object()) return breaks("CLIENT-8", -1, "{\"id\": ..., \"name\": ...}", "not a JSON object");
    // The client's own text: a field that is not a string counts as not given
    // (json::value would throw on it and end the whole run).
    auto text = [&](const char* key) {
      const auto it = doc.find(key);
      return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const auto name = text("name"), id = text("id");
    if (name != file->name) breaks("CLIENT-8", -1, "name '" + file->name + "'", "'" + name + "'");
    if (id != file->id) breaks("CLIENT-8", -1, "id " + file->id, id.empty() ? "none" : id);
    holds("CLIENT-8", "reported '" + name + "', " + id);
  }

  const ClientScenario& scenario_;
  const ClientObservation& seen_;
};

}  // namespace

ClientGrade grade_client(const ClientScenario& scenario, const ClientObservation& seen, bool strict) {
  Grader grader(scenario, seen);
  grader.run();
  ClientGrade grade;
  for (const auto& id : scenario.rules) {
    const auto rule = contract::find_rule(id);
    const bool must = rule && rule->level == contract::RuleLevel::Must;
    if (auto it = grader.broken.find(id); it != grader.broken.end()) {
      auto judgement = it->second;
      judgement.verdict = must || strict ? Verdict::Fail : Verdict::NonStrict;
      grade.verdict = worst(grade.verdict, judgement.verdict);
      grade.reason += (grade.reason.empty() ? "" : "; ") + id + ": expected " + judgement.expected + ", got " +
                      judgement.actual;
      grade.judgements.push_back(std::move(judgement));
    } else {
      const auto seen_text = grader.passed.contains(id) ? grader.passed.at(id) : std::string("as the rule says");
      grade.judgements.push_back(Judgement{id, Verdict::Pass, -1, std::string(rule ? rule->text : ""), seen_text});
    }
  }
  return grade;
}

}  // namespace partcheck::runner::client
