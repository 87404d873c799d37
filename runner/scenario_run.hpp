#pragma once
// Internal to the executor: the state of one scenario while it runs. Split
// from executor.cpp so the upload steps (upload_step.cpp) can share it.
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "contract/content_range.hpp"
#include "runner/executor.hpp"
#include "runner/http_client.hpp"
#include "runner/judge.hpp"

namespace partcheck::runner {

// A scenario mistake found while running (unknown variable, bad size):
// the scenario is reported FAIL with this message.
class StepError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the suite knows about one file it uploads: its content (seeded bytes
// plus patches for mutated or literal bodies), the ranges the target
// accepted, and what happened to it.
struct FileModel {
  std::string name;
  std::string hash;
  std::uint64_t seed = 0;
  std::optional<std::uint64_t> total;
  std::map<std::uint64_t, char> patches;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> accepted;  // [start, end)
  bool completed = false;
  int completed_step = -1;
  std::optional<PendingRefusal> pending;
  std::vector<std::string> refusal_codes;  // codes of refused upload requests
  bool refused = false;
  std::string file_id;     // from a directory upload or a move, when the target names it
  std::string moved_name;  // the name and directory of the last accepted move
  std::string moved_to;
  std::string xxh3;

  void fill(std::uint64_t offset, std::span<char> out) const;
  // First byte not covered by accepted ranges, or nullopt when [0,total) is covered.
  std::optional<std::uint64_t> first_gap(std::uint64_t total) const;
  void accept(std::uint64_t start, std::uint64_t end);
};

using Scope = std::map<std::string, std::string>;

// An expectation of one of these statuses ("200", "4xx") and nothing else.
inline Expectation expect_status(std::vector<std::string> statuses) {
  Expectation e;
  e.status = std::move(statuses);
  return e;
}

class ScenarioRun {
 public:
  ScenarioRun(const Scenario& scenario, const Target& target, const ExecOptions& options);
  ScenarioResult run();

  // Shared by the step implementations.
  std::string expand(const std::string& text, const Scope& scope);
  std::string param(const Step& step, const std::string& key, const Scope& scope, const std::string& fallback = "");
  std::optional<std::string> optional_param(const Step& step, const std::string& key, const Scope& scope);
  std::uint64_t size_param(const Step& step, const std::string& key, const Scope& scope, std::uint64_t fallback);
  bool flag(const Step& step, const std::string& key, const Scope& scope);
  FileModel& file(const std::string& name);
  void add_auth(Headers& headers, const std::string& mode);
  void apply_header_edits(const Step& step, const Scope& scope, Headers& headers);
  std::string api(const std::string& path) const { return target_.base_path + path; }

  // Sends, logs, judges against `expect`; returns the response. `body_args`:
  // the `partcheck body` arguments of a generated body (repro.hpp), else empty.
  HttpResponse exchange(const Step& step, const std::string& label, const HttpRequest& request,
                        const std::string& body_args, const Expectation& expect, FileModel* upload_of,
                        const std::optional<contract::ContentRange>& range, const BodySink& sink = {});
  void add_finding(Finding f);

  void run_upload(const Step& step, const Scope& scope);
  void run_upload_file(const Step& step, const Scope& scope);

  const Target& target() const { return target_; }
  const ExecOptions& options() const { return options_; }
  HttpClient& client() { return client_; }

 private:
  void exec(const Step& step, const Scope& scope);
  void exec_list(const std::vector<Step>& steps, const Scope& scope);
  bool condition(const std::string& when, const Scope& scope);
  std::string lookup(const std::string& name, const Scope& scope);
  void run_move(const Step& step, const Scope& scope);
  void run_get_link(const Step& step, const Scope& scope);
  void run_download(const Step& step, const Scope& scope);
  void run_list(const Step& step, const Scope& scope);
  // GETs `link` and compares the bytes with the model of `f`.
  void fetch_and_compare(const Step& step, FileModel& f, const std::string& link);
  std::string expand_directory(const Step& step, const Scope& scope) {
    return param(step, "directory", scope, target_.directories.writable);
  }
  // The id of the stored file `f` for get-link, found as this target allows
  // (see stored_file_steps.cpp); empty, with a finding, when there is none.
  std::string stored_file_id(FileModel& f, const std::string& hash, bool refusal_expected);
  void not_verified(const std::string& what, const std::string& why);
  void run_clock(const Step& step, const Scope& scope);
  void run_raw(const Step& step, const Scope& scope);
  void run_request(const Step& step, const Scope& scope);
  void capture(const Step& step, const HttpResponse& response);
  void judge_outcome();
  std::string observed_summary() const;
  // The transcript entry of one answered request: what every step records alike.
  RequestLog answered(int number, std::string step_name, std::string method, std::string url,
                      const HttpResponse& response) const;

  const Scenario& scenario_;
  const Target& target_;
  const ExecOptions& options_;
  HttpClient client_;
  std::recursive_mutex mutex_;  // parallel steps share everything below
  std::map<std::string, FileModel> files_;
  std::map<std::string, std::string> vars_;
  std::map<std::string, HttpResponse> named_;
  HttpResponse last_;
  std::vector<Finding> findings_;
  ScenarioResult result_;
  int next_step_ = 0;
};

}  // namespace partcheck::runner
