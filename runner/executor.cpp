#include "runner/executor.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "contract/byte_size.hpp"
#include "contract/data_source.hpp"
#include "contract/uuid.hpp"
#include "runner/scenario_run.hpp"
#include "runner/repro.hpp"
#include "runner/target_api.hpp"

namespace partcheck::runner {
namespace {

std::uint64_t fnv1a(std::string_view text, std::uint64_t seed) {
  std::uint64_t h = 1469598103934665603ULL ^ seed;
  for (char c : text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}


}  // namespace

// ---- FileModel -------------------------------------------------------------

void FileModel::fill(std::uint64_t offset, std::span<char> out) const {
  contract::DataSource(seed).fill(offset, out);
  for (auto it = patches.lower_bound(offset); it != patches.end() && it->first < offset + out.size(); ++it)
    out[it->first - offset] = it->second;
}

std::optional<std::uint64_t> FileModel::first_gap(std::uint64_t size) const {
  auto ranges = accepted;
  std::sort(ranges.begin(), ranges.end());
  std::uint64_t cursor = 0;
  for (const auto& [s, e] : ranges) {
    if (s > cursor) return cursor;
    cursor = std::max(cursor, e);
  }
  return cursor >= size ? std::nullopt : std::optional(cursor);
}

void FileModel::accept(std::uint64_t start, std::uint64_t end) { accepted.emplace_back(start, end); }

// ---- ScenarioRun: variables and parameters --------------------------------

ScenarioRun::ScenarioRun(const Scenario& scenario, const Target& target, const ExecOptions& options)
    : scenario_(scenario), target_(target), options_(options),
      client_(target.connector, options.timeout) {
  result_.id = scenario.id;
  result_.title = scenario.title;
  result_.file = scenario.file;
  result_.rules = scenario.rules;
  result_.level = std::string(contract::level_name(scenario.level));
}

FileModel& ScenarioRun::file(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = files_.try_emplace(name);
  if (fresh) {
    it->second.name = name;
    it->second.hash = contract::new_uuid();
    it->second.seed = fnv1a(scenario_.id + "/" + name, options_.seed);
  }
  return it->second;
}

std::string ScenarioRun::lookup(const std::string& name, const Scope& scope) {
  std::lock_guard lock(mutex_);
  if (auto it = scope.find(name); it != scope.end()) return it->second;
  if (auto it = vars_.find(name); it != vars_.end()) return it->second;
  const auto& d = target_.directories;
  if (name == "hash") return file("main").hash;
  if (name == "uuid") return contract::new_uuid();
  if (name == "api_key") return target_.api_key;
  if (name == "ttl") return std::to_string(target_.ttl_seconds);
  if (name == "ttl_expired") return std::to_string(target_.ttl_seconds + 2);
  if (name == "dir.writable" || name == "dir.root") return d.writable;
  if (name == "dir.other") return d.other;
  if (name == "dir.readonly") return d.readonly;
  if (name == "dir.quota") return d.quota;
  if (name == "dir.quota_size") return std::to_string(d.quota_size);
  auto with_response = [&](const HttpResponse& r, const std::string& field) -> std::string {
    if (field == "status") return std::to_string(r.status);
    if (field == "code") return find_code(r.body);
    if (field == "accepted") return r.status / 100 == 2 ? "true" : "false";
    if (field.rfind("body.", 0) == 0)
      if (auto v = json_path(r.body, field.substr(5))) return *v;
    if (field.rfind("header.", 0) == 0)
      if (auto v = r.header(field.substr(7))) return *v;
    throw StepError("${" + name + "}: the response has no " + field);
  };
  if (name.rfind("last.", 0) == 0) return with_response(last_, name.substr(5));
  if (name.rfind("steps.", 0) == 0) {
    auto dot = name.find('.', 6);
    auto it = named_.find(name.substr(6, dot - 6));
    if (it == named_.end() || dot == std::string::npos) throw StepError("${" + name + "}: no step of that name ran yet");
    return with_response(it->second, name.substr(dot + 1));
  }
  if (name.rfind("file.", 0) == 0) {
    auto dot = name.rfind('.');
    auto& f = file(name.substr(5, dot - 5));
    auto field = name.substr(dot + 1);
    if (field == "hash") return f.hash;
    if (field == "id") return f.file_id;
    if (field == "size") return f.total ? std::to_string(*f.total) : "0";
    if (field == "completed") return f.completed ? "true" : "false";
  }
  throw StepError("unknown variable ${" + name + "}");
}

std::string ScenarioRun::expand(const std::string& text, const Scope& scope) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    auto open = text.find("${", pos);
    if (open == std::string::npos) break;
    auto close = text.find('}', open);
    if (close == std::string::npos) throw StepError("unclosed ${ in '" + text + "'");
    out += text.substr(pos, open - pos);
    out += lookup(text.substr(open + 2, close - open - 2), scope);
    pos = close + 1;
  }
  return out + text.substr(pos);
}

std::optional<std::string> ScenarioRun::optional_param(const Step& step, const std::string& key, const Scope& scope) {
  if (!step.spec.contains(key) || step.spec[key].is_null()) return std::nullopt;
  const auto& v = step.spec[key];
  return expand(v.is_string() ? v.get<std::string>() : v.dump(), scope);
}

std::string ScenarioRun::param(const Step& step, const std::string& key, const Scope& scope, const std::string& fallback) {
  return optional_param(step, key, scope).value_or(fallback);
}

std::uint64_t ScenarioRun::size_param(const Step& step, const std::string& key, const Scope& scope, std::uint64_t fallback) {
  auto text = optional_param(step, key, scope);
  if (!text) return fallback;
  auto parsed = contract::parse_byte_size(*text);
  if (!parsed) throw StepError(key + ": " + parsed.error);
  return *parsed.bytes;
}

bool ScenarioRun::flag(const Step& step, const std::string& key, const Scope& scope) {
  auto v = optional_param(step, key, scope);
  return v && (*v == "true" || *v == "yes");
}

void ScenarioRun::add_auth(Headers& headers, const std::string& mode) {
  try {
    runner::add_auth(headers, mode == "default" ? target_.api.default_auth : mode, target_.api_key);
  } catch (const std::invalid_argument& e) {
    throw StepError(e.what());
  }
}

void ScenarioRun::apply_header_edits(const Step& step, const Scope& scope, Headers& headers) {
  auto erase = [&](const std::string& name) {
    std::erase_if(headers, [&](const auto& h) {
      return std::equal(h.first.begin(), h.first.end(), name.begin(), name.end(),
                        [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    });
  };
  if (step.spec.contains("remove_headers"))
    for (const auto& name : step.spec["remove_headers"]) erase(name.get<std::string>());
  if (step.spec.contains("headers"))
    for (const auto& [name, value] : step.spec["headers"].items()) {
      erase(name);  // override
      if (!value.is_null()) headers.emplace_back(name, expand(value.get<std::string>(), scope));
    }
}

// ---- sending and judging ---------------------------------------------------

RequestLog ScenarioRun::answered(int number, std::string step_name, std::string method, std::string url,
                                 const HttpResponse& response) const {
  RequestLog log;
  log.scenario = scenario_.id;
  log.step = number;
  log.step_name = std::move(step_name);
  log.method = std::move(method);
  log.url = std::move(url);
  log.bytes_sent = response.bytes_sent;
  log.status = response.status;
  log.code = find_code(response.body);
  log.response_excerpt = response.body.substr(0, 2048);
  log.error = response.error;
  log.duration_ms = response.duration_ms;
  return log;
}

void ScenarioRun::add_finding(Finding f) {
  std::lock_guard lock(mutex_);
  findings_.push_back(std::move(f));
}

HttpResponse ScenarioRun::exchange(const Step& step, const std::string& label, const HttpRequest& request,
                                   const std::string& body_args, const Expectation& raw_expect,
                                   FileModel* upload_of, const std::optional<contract::ContentRange>& range,
                                   const BodySink& sink) {
  // Expected values may name variables (`${base} (1).pdf`).
  Expectation expect = raw_expect;
  for (auto& [path, value] : expect.json.items())
    if (value.is_string()) value = expand(value.get<std::string>(), {});
  for (auto& [name, value] : expect.headers) value = expand(value, {});
  for (auto& text : expect.body_contains) text = expand(text, {});
  for (auto& text : expect.body_lacks) text = expand(text, {});
  int number;
  {
    std::lock_guard lock(mutex_);
    number = next_step_++;
  }
  HttpResponse response = client_.send(request, sink);
  RequestLog log = answered(number, label, request.method, target_.url + request.target, response);
  for (const auto& [k, v] : request.headers)
    log.headers.emplace_back(k, is_credential(k, v, target_.api_key) ? v.substr(0, v.size() - target_.api_key.size()) + "***" : v);
  log.curl = curl_command(target_.url, request, body_args, target_.api_key, target_.transport);

  std::lock_guard lock(mutex_);
  result_.transcript.push_back(std::move(log));
  last_ = response;
  if (!step.name.empty()) named_[step.name] = response;
  auto verdict = judge_response(expect, response, number, upload_of ? upload_of->pending : std::nullopt);
  for (auto& f : verdict.findings) findings_.push_back(std::move(f));
  if (!upload_of || !range) return response;

  FileModel& f = *upload_of;
  if (verdict.deferred) f.pending = PendingRefusal{number, expect.codes};
  if (verdict.resolved_pending) f.pending.reset();
  if (response.status >= 400) {
    f.refused = true;
    f.refusal_codes.push_back(find_code(response.body));
  }
  if (response.status / 100 != 2) return response;
  f.accept(range->start, range->end);
  if (!f.total) f.total = range->total;
  if (response.status != 200) return response;  // 200 = the file is complete (PART-4)
  if (auto gap = f.first_gap(range->total)) {
    findings_.push_back({Judgement{"side-effect", Verdict::Fail, number,
                                   "completion only once bytes 0-" + std::to_string(range->total) + " were all accepted",
                                   "completed while bytes from " + std::to_string(*gap) + " were never accepted: a silently short or wrong file"},
                         false});
  }
  f.completed = true;
  f.completed_step = number;
  if (auto id = json_path(response.body, "file.__id")) f.file_id = *id;
  if (auto x = json_path(response.body, "xxh3")) f.xxh3 = *x;
  return response;
}

}  // namespace partcheck::runner
