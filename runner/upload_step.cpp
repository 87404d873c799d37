// `upload` (one part request) and `upload_file` (a file cut into parts), and
// the sequence-level judgement of the scenario's `outcome`.
#include <algorithm>
#include <numeric>

#include "contract/error_code.hpp"
#include "contract/part_plan.hpp"
#include "runner/repro.hpp"
#include "runner/scenario_run.hpp"

namespace partcheck::runner {
namespace {

constexpr std::uint64_t kNeverSendAbove = 256 * contract::MiB;  // only the headers of such parts go out

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += {'%', hex[c >> 4], hex[c & 15]};
  }
  return out;
}

Expectation expectation_from_json(const nlohmann::json& j) {
  Expectation e;
  auto list = [](const nlohmann::json& v) {
    std::vector<std::string> out;
    if (v.is_array()) for (const auto& x : v) out.push_back(x.get<std::string>());
    else out.push_back(v.get<std::string>());
    return out;
  };
  if (j.contains("status")) e.status = list(j["status"]);
  if (j.contains("code")) e.codes = list(j["code"]);
  if (j.contains("defer")) e.defer = j["defer"] == "true" || j["defer"] == "yes";
  if (j.contains("json")) e.json = j["json"];
  if (j.contains("body_contains")) e.body_contains = list(j["body_contains"]);
  if (j.contains("body_lacks")) e.body_lacks = list(j["body_lacks"]);
  if (j.contains("headers")) for (const auto& [k, v] : j["headers"].items()) e.headers[k] = v.get<std::string>();
  return e;
}

// What one part request carries besides its range.
struct PartBody {
  std::optional<std::string> literal;  // exact body bytes
  std::uint64_t size = 0;              // body bytes sent (may differ from the range: RANGE-2)
  std::optional<std::uint64_t> flip;   // offset within the body of a flipped byte
};

}  // namespace

// One request of the part protocol; `range` is what the client claims (header
// text in `range_header`, empty when the header is left out).
static void send_part(ScenarioRun& run, const Step& step, const Scope& scope, FileModel& f,
                      const std::optional<contract::ContentRange>& range, const std::optional<std::string>& range_header,
                      const PartBody& body, const Expectation& expect, const std::string& label) {
  HttpRequest req;
  std::string query = "hash=";
  if (step.spec.contains("hash") && step.spec["hash"].is_null()) query.clear();
  else query += url_encode(run.param(step, "hash", scope, f.hash));
  if (auto dir = run.optional_param(step, "directory", scope)) {
    req.target = run.api("/disk/directory/" + *dir + "/upload" + (query.empty() ? "" : "?" + query));
    if (auto name = run.optional_param(step, "name", scope)) req.target += (query.empty() ? "?" : "&") + ("name=" + url_encode(*name));
  } else {
    req.target = run.api("/disk/file/upload" + (query.empty() ? "" : "?" + query));
  }
  run.add_auth(req.headers, run.param(step, "auth", scope, "default"));
  if (range_header) req.headers.emplace_back("Content-Range", *range_header);

  const std::uint64_t offset = range ? range->start : 0;
  BodyFill data = [&f, offset, &body](std::uint64_t at, std::span<char> out) {
    if (body.literal) {
      std::copy_n(body.literal->data() + at, out.size(), out.data());
    } else {
      f.fill(offset + at, out);
    }
    if (body.flip && *body.flip >= at && *body.flip < at + out.size()) out[*body.flip - at] ^= 0x5A;
  };
  // How `partcheck body` makes these bytes again, for the printed curl line;
  // a literal body is short and goes in the line itself.
  GeneratedBody generated{f.seed, offset, body.size, body.flip, {}, {}, {}};
  const bool regenerable =
      !body.literal && f.patches.lower_bound(offset) == f.patches.lower_bound(offset + body.size);
  if (step.spec.contains("multipart")) {
    const auto& mp = step.spec["multipart"];
    const std::string boundary = "partcheck-" + f.hash.substr(0, 8);
    const std::string field = mp.contains("field") ? run.expand(mp["field"].get<std::string>(), scope) : "file";
    const std::string filename = mp.contains("filename") ? run.expand(mp["filename"].get<std::string>(), scope) : "blob";
    const auto frame = multipart_frame(boundary, field, filename);
    const std::string head = frame.head, tail = frame.tail;
    generated.multipart_field = field;
    generated.filename = filename;
    generated.boundary = boundary;
    req.headers.emplace_back("Content-Type", "multipart/form-data; boundary=" + boundary);
    const std::uint64_t n = body.size;
    req.body_size = head.size() + n + tail.size();
    req.body = [head, tail, n, data](std::uint64_t at, std::span<char> out) {
      std::uint64_t done = 0;
      while (done < out.size()) {
        const std::uint64_t pos = at + done;
        const std::size_t left = out.size() - done;
        if (pos < head.size()) {
          const auto k = std::min<std::size_t>(left, head.size() - pos);
          std::copy_n(head.data() + pos, k, out.data() + done);
          done += k;
        } else if (pos < head.size() + n) {
          const auto k = static_cast<std::size_t>(std::min<std::uint64_t>(left, head.size() + n - pos));
          data(pos - head.size(), out.subspan(done, k));
          done += k;
        } else {
          const auto k = std::min<std::size_t>(left, static_cast<std::size_t>(tail.size() - (pos - head.size() - n)));
          std::copy_n(tail.data() + (pos - head.size() - n), k, out.data() + done);
          done += k;
        }
      }
    };
  } else {
    const auto ct = run.param(step, "content_type", scope, "application/octet-stream");
    if (ct != "none") req.headers.emplace_back("Content-Type", ct);
    req.body_size = body.size;
    req.body = data;
  }
  run.apply_header_edits(step, scope, req.headers);
  req.chunked = run.flag(step, "chunked", scope);
  req.expect_continue = run.flag(step, "expect_continue", scope) || body.size > kNeverSendAbove;
  req.stop_after_continue = body.size > kNeverSendAbove;

  auto response = run.exchange(step, label, req, regenerable ? body_arguments(generated) : "", expect, &f, range);
  if (response.status / 100 == 2 && range && (body.literal || body.flip)) {
    // The target kept what was sent: literal bytes or the flipped one.
    if (body.literal)
      for (std::size_t i = 0; i < body.literal->size() && i < range->length(); ++i) f.patches[range->start + i] = (*body.literal)[i];
    if (body.flip) {
      char c;
      f.fill(range->start + *body.flip, std::span<char>(&c, 1));
      f.patches[range->start + *body.flip] = static_cast<char>(c ^ 0x5A);
    }
  } else if (response.status / 100 == 2 && range) {
    f.patches.erase(f.patches.lower_bound(range->start), f.patches.lower_bound(range->end));
  }
}

void ScenarioRun::run_upload(const Step& step, const Scope& scope) {
  FileModel& f = file(param(step, "file", scope, "main"));
  if (auto size = optional_param(step, "size", scope); size && !f.total) f.total = size_param(step, "size", scope, 0);
  PartBody body;
  body.literal = optional_param(step, "body", scope);
  std::optional<contract::ContentRange> range;
  std::optional<std::string> header;
  const auto convention = param(step, "convention", scope, "exclusive") == "inclusive"
                              ? contract::RangeConvention::InclusiveEnd
                              : contract::RangeConvention::ExclusiveEnd;
  if (auto literal = optional_param(step, "content_range", scope)) {
    header = literal;
    if (auto parsed = contract::parse_content_range(*literal, convention)) {
      range = parsed.range;
      if (!f.total) f.total = range->total;
    }
  } else if (flag(step, "omit_content_range", scope)) {
    const auto n = body.literal ? body.literal->size() : size_param(step, "body_size", scope, f.total.value_or(0));
    range = contract::ContentRange{0, n, n};
    if (!f.total) f.total = n;
  } else {
    auto total = size_param(step, "total", scope, f.total.value_or(0));
    if (!f.total) f.total = total;
    if (step.spec.contains("index")) {
      auto plan = contract::plan_parts(total, size_param(step, "part_size", scope, contract::kMinPartSize));
      auto i = size_param(step, "index", scope, 0);
      if (i >= plan.size()) throw StepError("upload.index: part " + std::to_string(i) + " of " + std::to_string(plan.size()));
      range = plan[i];
    } else {
      const auto end = size_param(step, "end", scope, body.literal ? body.literal->size() : total);
      range = contract::ContentRange{size_param(step, "start", scope, 0), end, total};
      if (!step.spec.contains("total") && !f.total) range->total = end;
    }
    header = contract::format_content_range(*range, convention);
  }
  body.size = body.literal ? body.literal->size() : size_param(step, "body_size", scope, range ? range->length() : 0);
  if (auto m = optional_param(step, "mutate", scope)) {
    if (*m != "flip") throw StepError("upload.mutate: only `flip` is known");
    body.flip = body.size / 2;
  }
  // A body that does not match the claimed range is not the file's content.
  auto tracked = range && body.size == range->length() ? range : std::nullopt;
  send_part(*this, step, scope, f, tracked, header, body, step.expect,
            step.name.empty() ? "upload " + header.value_or("(no Content-Range)") : step.name);
}

void ScenarioRun::run_upload_file(const Step& step, const Scope& scope) {
  FileModel& f = file(param(step, "file", scope, "main"));
  const auto size = size_param(step, "size", scope, f.total.value_or(0));
  f.total = size;
  const auto plan = contract::plan_parts(size, size_param(step, "part_size", scope, contract::kMinPartSize));
  std::vector<std::size_t> order(plan.size());
  std::iota(order.begin(), order.end(), 0);
  auto indices = [&](const char* key) {
    std::vector<std::size_t> out;
    if (step.spec.contains(key))
      for (const auto& v : step.spec[key]) out.push_back(std::stoul(expand(v.get<std::string>(), scope)));
    return out;
  };
  if (step.spec.contains("order")) {
    if (step.spec["order"].is_string() && step.spec["order"] == "reverse") std::reverse(order.begin(), order.end());
    else order = indices("order");
  }
  auto skip = indices("skip");
  auto dup = indices("duplicate");
  std::optional<std::size_t> mutate;
  if (step.spec.contains("mutate_part")) mutate = size_param(step, "mutate_part", scope, 0);
  const auto convention = param(step, "convention", scope, "exclusive") == "inclusive"
                              ? contract::RangeConvention::InclusiveEnd
                              : contract::RangeConvention::ExclusiveEnd;
  const bool no_header = flag(step, "omit_content_range", scope);
  for (auto i : order) {
    if (i >= plan.size()) throw StepError("upload_file.order: no part " + std::to_string(i));
    if (std::find(skip.begin(), skip.end(), i) != skip.end()) continue;
    const auto& r = plan[i];
    Expectation e;
    const auto key = std::to_string(i);
    if (step.spec.contains("expect_parts") && step.spec["expect_parts"].contains(key)) e = expectation_from_json(step.spec["expect_parts"][key]);
    else if (r.is_final() && step.spec.contains("expect_final")) e = expectation_from_json(step.spec["expect_final"]);
    else if (!step.expect.empty()) e = step.expect;
    else e.status = {r.is_final() ? "200" : "206"};
    PartBody body;
    body.size = r.length();
    if (mutate && *mutate == i) body.flip = body.size / 2;
    const int times = std::count(dup.begin(), dup.end(), i) + 1;
    for (int t = 0; t < times; ++t)
      send_part(*this, step, scope, f, r, no_header ? std::nullopt : std::optional(contract::format_content_range(r, convention)),
                body, e, "part " + std::to_string(i) + " " + contract::format_content_range(r));
  }
}

void ScenarioRun::judge_outcome() {
  const auto& o = scenario_.outcome;
  if (o.kind == Outcome::Kind::None) return;
  std::lock_guard lock(mutex_);
  auto it = files_.find(o.file);
  if (it == files_.end()) throw StepError("outcome.file: no file '" + o.file + "' was uploaded");
  FileModel& f = it->second;
  const int at = f.completed_step;
  if (o.kind == Outcome::Kind::Accepted) {
    if (!f.completed)
      findings_.push_back({Judgement{"sequence", Verdict::Fail, -1, "the file completes (200)", "it never completed"}, false});
    return;
  }
  const bool refused_with_code =
      f.refused && (o.codes.empty() || std::any_of(f.refusal_codes.begin(), f.refusal_codes.end(), [&](const auto& c) {
                      return std::find(o.codes.begin(), o.codes.end(), c) != o.codes.end();
                    }));
  if (f.completed && (f.pending || !f.refused)) {
    if (o.allow_assembled && !f.first_gap(f.total.value_or(0)))
      findings_.push_back({Judgement{"sequence", Verdict::NonStrict, at, "a refusal", "accepted and assembled from what was sent (alternative behaviour)"}, false});
    else
      findings_.push_back({Judgement{"sequence", Verdict::Fail, at, "a refusal by the completing request at the latest",
                                     "the malformed sequence was accepted: the file completed"}, false});
  } else if (f.pending) {
    findings_.push_back({Judgement{"sequence", Verdict::NonStrict, f.pending->step, "a refusal by the end of the sequence", "none yet (the error may surface later)"}, false});
  } else if (f.refused && !refused_with_code &&
             std::any_of(o.codes.begin(), o.codes.end(), [](const auto& c) { return contract::named_by_reference(c); })) {
    std::string codes;
    for (const auto& c : f.refusal_codes) codes += (codes.empty() ? "" : ", ") + (c.empty() ? std::string("(no code)") : c);
    findings_.push_back({Judgement{"code", Verdict::NonStrict, -1, "a refusal naming one of the rule's codes", codes}, false});
  }
}

std::string ScenarioRun::observed_summary() const {
  std::string out;
  for (const auto& log : result_.transcript) {
    out += (out.empty() ? "" : "; ") + log.step_name + " -> " + (log.status ? std::to_string(log.status) : "no answer");
    if (!log.code.empty()) out += " " + log.code;
  }
  return out;
}

}  // namespace partcheck::runner
