#include "runner/fuzz.hpp"

#include <algorithm>
#include <ostream>
#include <random>

#include "contract/content_range.hpp"
#include "contract/error_code.hpp"
#include "contract/part_plan.hpp"
#include "runner/executor.hpp"

namespace partcheck::runner {
namespace {

using contract::MiB;

std::string rule_for_code(const std::string& code) {
  static const std::map<std::string, std::string> rules{
      {"EntityTooSmall", "PART-1"}, {"EntityTooLarge", "PART-2"}, {"InvalidPart", "PART-3"},
      {"InvalidPartOrder", "ORDER-1"}, {"NoSuchUpload", "ORDER-2"}, {"InvalidRange", "RANGE-1"},
      {"LengthMismatch", "RANGE-2"}, {"UnsupportedContentType", "CT-3"}};
  auto it = rules.find(code);
  return it == rules.end() ? "PART-4" : it->second;
}

Scenario to_scenario(const std::vector<FuzzPart>& parts, const std::string& id) {
  Scenario sc;
  sc.id = id;
  sc.title = "fuzzed part sequence";
  sc.rules = {"PART-4"};
  sc.file = "(fuzz)";
  for (const auto& p : parts) {
    Step s;
    s.kind = StepKind::Upload;
    s.spec = {{"content_range", p.header}, {"body_size", std::to_string(p.body_size)}, {"content_type", p.content_type}};
    sc.steps.push_back(s);
  }
  Step download;
  download.kind = StepKind::Download;
  download.when = "${file.main.completed} == true";
  sc.steps.push_back(download);
  return sc;
}

// What a run of the sequence showed: every answer (status and code) and whether
// the stored bytes were the ones sent.
struct Observation {
  std::vector<std::pair<int, std::string>> answers;
  bool bytes_differ = false;
  std::string text() const {
    std::string s;
    for (const auto& [status, code] : answers) s += std::to_string(status) + (code.empty() ? "" : " " + code) + ", ";
    return s + (bytes_differ ? "stored bytes differ" : "stored bytes as sent");
  }
  bool operator==(const Observation& o) const { return answers == o.answers && bytes_differ == o.bytes_differ; }
};

Observation observe(const std::vector<FuzzPart>& parts, const Target& target, const ExecOptions& exec) {
  auto result = run_scenario(to_scenario(parts, "fuzz"), target, exec);
  Observation o;
  for (const auto& log : result.transcript)
    if (log.step_name.rfind("download", 0) != 0) o.answers.emplace_back(log.status, log.code);
  for (const auto& j : result.judgements)
    o.bytes_differ = o.bytes_differ || (j.aspect == "side-effect" && j.verdict == Verdict::Fail);
  return o;
}

std::string yaml_quote(const std::string& s) { return nlohmann::json(s).dump(); }

std::string replay_yaml(const std::string& id, const std::string& rule, const std::vector<FuzzPart>& parts,
                        const Observation& oracle, const Observation& target) {
  std::string y = "# Found by partcheck run --fuzz; expectations are the oracle mock's answers.\n";
  y += "# The target answered: " + target.text() + "\nscenarios:\n";
  y += "  - id: " + id + "\n    rules: [" + rule + "]\n    title: fuzzed sequence where the target and the oracle differ\n    steps:\n";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    y += "      - upload: {content_range: " + yaml_quote(p.header) + ", body_size: " + std::to_string(p.body_size) +
         ", content_type: " + yaml_quote(p.content_type) + "}\n";
    if (i < oracle.answers.size()) {
      y += "        expect: {status: " + std::to_string(oracle.answers[i].first);
      if (!oracle.answers[i].second.empty()) y += ", code: " + oracle.answers[i].second;
      y += "}\n";
    }
  }
  y += "      - download: {}\n        when: \"${file.main.completed} == true\"\n";
  return y;
}

}  // namespace

std::vector<FuzzPart> random_sequence(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto chance = [&](double p) { return std::uniform_real_distribution<>(0, 1)(rng) < p; };
  auto pick = [&](std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); };
  const std::uint64_t sizes[] = {5 * MiB - 1, 5 * MiB, 5 * MiB + 1, 6 * MiB};
  const std::uint64_t part_size = chance(0.7) ? 5 * MiB : sizes[pick(4)];
  const std::uint64_t total = chance(0.2) ? pick(MiB) + 1 : part_size * (1 + pick(2)) + pick(2 * MiB) + 1;
  auto plan = contract::plan_parts(total, part_size);
  std::vector<FuzzPart> parts;
  for (const auto& r : plan) parts.push_back({r.start, r.end, r.total, r.length(), "", "application/octet-stream"});
  if (parts.size() > 1 && chance(0.3)) std::shuffle(parts.begin(), parts.end(), rng);
  if (parts.size() > 1 && chance(0.2)) parts.erase(parts.begin() + static_cast<long>(pick(parts.size() - 1)));
  if (chance(0.2)) {
    auto i = pick(parts.size());
    parts.insert(parts.begin() + static_cast<long>(i), parts[i]);
  }
  for (auto& p : parts) {
    if (p.start > 0 && chance(0.1)) p.start -= 4096;                     // overlap
    if (chance(0.08)) p.total += 1;                                      // wrong total
    p.body_size = p.end - p.start;
    if (chance(0.08)) p.body_size += chance(0.5) ? 1 : -1;               // length mismatch
    p.header = contract::format_content_range({p.start, p.end, p.total});
    if (chance(0.04)) p.header = chance(0.5) ? "bytes " + std::to_string(p.end) + "-" + std::to_string(p.start) + "/" + std::to_string(p.total)
                                             : "bytes=" + std::to_string(p.start) + "-" + std::to_string(p.end - 1);
    if (chance(0.04)) p.content_type = "text/plain";
  }
  return parts;
}

FuzzReport run_fuzz(const Target& target, const FuzzOptions& options, std::ostream& log) {
  FuzzReport report;
  EmbeddedTarget oracle(options.oracle);
  ExecOptions exec;
  exec.seed = options.seed;
  exec.timeout = options.timeout;
  unsigned differences = 0;
  for (unsigned n = 0; n < options.count; ++n) {
    const auto seed = options.seed * 1000003ULL + n;
    auto parts = random_sequence(seed);
    auto mine = observe(parts, target, exec);
    auto theirs = observe(parts, oracle.target(), exec);
    if (mine == theirs) continue;
    // Shrink: drop parts one at a time while the difference stays.
    for (std::size_t i = 0; i < parts.size() && parts.size() > 1;) {
      auto fewer = parts;
      fewer.erase(fewer.begin() + static_cast<long>(i));
      auto m = observe(fewer, target, exec);
      auto o = observe(fewer, oracle.target(), exec);
      if (!(m == o)) {
        parts = std::move(fewer);
        mine = m;
        theirs = o;
      } else {
        ++i;
      }
    }
    ++differences;
    std::string code;
    for (const auto& a : theirs.answers) if (code.empty()) code = a.second;
    for (const auto& a : mine.answers) if (code.empty()) code = a.second;
    const std::string id = "fuzz-" + std::to_string(options.seed) + "-" + std::to_string(n);
    ScenarioResult r;
    r.id = id;
    r.title = "fuzzed sequence of " + std::to_string(parts.size()) + " part(s)";
    r.file = id + ".yaml";
    r.rules = {rule_for_code(code)};
    r.level = "MUST";
    // The oracle's answers are the mock's decisions, not the reference's: a
    // difference is a FAIL only where a MUST is observed broken, i.e. the
    // target stored other bytes than it acknowledged, or accepted a part the
    // oracle refused with a code the reference names (a malformed sequence).
    bool must_broken = mine.bytes_differ && !theirs.bytes_differ;
    for (std::size_t i = 0; i < std::min(mine.answers.size(), theirs.answers.size()); ++i)
      must_broken = must_broken || (mine.answers[i].first / 100 == 2 && theirs.answers[i].first / 100 == 4 &&
                                    contract::named_by_reference(theirs.answers[i].second));
    r.verdict = must_broken ? Verdict::Fail : Verdict::NonStrict;
    r.reason = "target: " + mine.text() + " / oracle: " + theirs.text();
    r.judgements.push_back({"sequence", r.verdict, -1, theirs.text(), mine.text()});
    report.results.push_back(r);
    report.replays.emplace_back(id + ".yaml", replay_yaml(id, r.rules.front(), parts, theirs, mine));
    log << "fuzz: " << id << " " << verdict_name(r.verdict) << ": " << r.reason << "\n";
  }
  report.summary = "fuzz: " + std::to_string(options.count) + " sequences, " + std::to_string(differences) +
                   " difference(s) from the oracle (" + oracle.target().name + ")";
  return report;
}

}  // namespace partcheck::runner
