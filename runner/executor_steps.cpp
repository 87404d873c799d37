// The control flow of a scenario (when, parallel, repeat, include) and every
// step kind except the uploads (upload_step.cpp).
#include <algorithm>
#include <chrono>
#include <thread>

#include "contract/byte_size.hpp"
#include "runner/executor.hpp"
#include "runner/scenario_run.hpp"
#include "runner/repro.hpp"
#include "runner/target_api.hpp"

namespace partcheck::runner {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

ScenarioResult run_scenario(const Scenario& scenario, const Target& target, const ExecOptions& options) {
  return ScenarioRun(scenario, target, options).run();
}

ScenarioResult ScenarioRun::run() {
  const auto started = Clock::now();
  auto reason = unmet_requirement(target_, {scenario_.requires_caps.begin(), scenario_.requires_caps.end()});
  if (!reason.empty()) {
    result_.verdict = Verdict::Skipped;
    result_.reason = reason;
    return result_;
  }
  try {
    for (const auto& [name, value] : scenario_.vars) vars_[name] = expand(value, {});
    exec_list(scenario_.steps, {});
    judge_outcome();
  } catch (const StepError& e) {
    findings_.push_back({Judgement{"scenario", Verdict::Fail, next_step_ - 1, "the scenario to run to its end", e.what()}, false});
  }
  conclude(result_, findings_, scenario_.level, options_.strict, observed_summary());
  result_.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return result_;
}

void ScenarioRun::exec_list(const std::vector<Step>& steps, const Scope& scope) {
  for (const auto& s : steps) exec(s, scope);
}

bool ScenarioRun::condition(const std::string& when, const Scope& scope) {
  if (when.empty()) return true;
  for (std::string op : {"==", "!="}) {
    auto at = when.find(op);
    if (at == std::string::npos) continue;
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(' '));
      s.erase(s.find_last_not_of(' ') + 1);
      return s;
    };
    auto lhs = trim(expand(when.substr(0, at), scope));
    auto rhs = trim(expand(when.substr(at + 2), scope));
    bool equal = lhs == rhs || (rhs.size() == 3 && rhs.substr(1) == "xx" && !lhs.empty() && lhs[0] == rhs[0]);
    return op == "==" ? equal : !equal;
  }
  auto v = expand(when, scope);
  return !v.empty() && v != "0" && v != "false";
}

void ScenarioRun::exec(const Step& step, const Scope& scope) {
  if (!condition(step.when, scope)) return;
  switch (step.kind) {
    case StepKind::Upload: run_upload(step, scope); break;
    case StepKind::UploadFile: run_upload_file(step, scope); break;
    case StepKind::Move: run_move(step, scope); break;
    case StepKind::GetLink: run_get_link(step, scope); break;
    case StepKind::Download: run_download(step, scope); break;
    case StepKind::List: run_list(step, scope); break;
    case StepKind::Clock: run_clock(step, scope); break;
    case StepKind::Raw: run_raw(step, scope); break;
    case StepKind::Request: run_request(step, scope); break;
    case StepKind::Wait:
      std::this_thread::sleep_for(std::chrono::seconds(size_param(step, "seconds", scope, 1)));
      break;
    case StepKind::Parallel: {
      std::vector<std::thread> threads;
      std::vector<std::string> errors(step.steps.size());
      for (std::size_t i = 0; i < step.steps.size(); ++i)
        threads.emplace_back([&, i] {
          try {
            exec(step.steps[i], scope);
          } catch (const StepError& e) {
            errors[i] = e.what();
          }
        });
      for (auto& t : threads) t.join();
      for (const auto& e : errors)
        if (!e.empty()) throw StepError(e);
      break;
    }
    case StepKind::Repeat: {
      auto count = contract::parse_byte_size(expand(step.count, scope));
      if (!count) throw StepError("repeat.count: " + count.error);
      for (std::uint64_t i = 0; i < *count.bytes; ++i) {
        Scope inner = scope;
        inner["i"] = std::to_string(i);
        exec_list(step.steps, inner);
      }
      break;
    }
    case StepKind::Include: {
      Scope inner = scope;
      for (const auto& [k, v] : step.with) inner[k] = expand(v, scope);
      exec_list(step.steps, inner);
      break;
    }
  }
  if (!step.capture.empty()) capture(step, last_);
}

void ScenarioRun::capture(const Step& step, const HttpResponse& response) {
  std::lock_guard lock(mutex_);
  auto saved = last_;
  last_ = response;
  for (const auto& [var, source] : step.capture) vars_[var] = lookup("last." + source, {});
  last_ = saved;
}

void ScenarioRun::run_move(const Step& step, const Scope& scope) {
  nlohmann::json files = nlohmann::json::array();
  std::vector<FileModel*> models;
  if (step.spec.contains("files")) {
    for (const auto& entry : step.spec["files"]) {
      FileModel* f = nullptr;
      std::string hash;
      if (entry.contains("hash")) {
        hash = expand(entry["hash"].get<std::string>(), scope);
      } else {
        f = &file(entry.contains("file") ? expand(entry["file"].get<std::string>(), scope) : "main");
        hash = f->hash;
      }
      auto name = entry.contains("name") ? expand(entry["name"].get<std::string>(), scope) : "file-" + hash + ".bin";
      files.push_back({{"hash", hash}, {"name", name}});
      models.push_back(f);
    }
  } else {
    files.push_back({{"hash", file("main").hash}, {"name", "file-" + file("main").hash + ".bin"}});
    models.push_back(&file("main"));
  }
  HttpRequest req;
  auto query = optional_param(step, "query", scope).value_or("directoryID=" + expand_directory(step, scope));
  req.target = api("/disk/file/move?" + query);
  auto body = optional_param(step, "body", scope).value_or(nlohmann::json{{"files", files}}.dump());
  req.headers.emplace_back("Content-Type", "application/json");
  add_auth(req.headers, param(step, "auth", scope, "default"));
  req.body_size = body.size();
  req.body = [body](std::uint64_t offset, std::span<char> out) { std::copy_n(body.data() + offset, out.size(), out.data()); };
  auto r = exchange(step, step.name.empty() ? "move" : step.name, req, "", step.expect, nullptr, std::nullopt);
  if (r.status != 200) return;
  std::lock_guard lock(mutex_);
  const auto directory = expand_directory(step, scope);
  for (std::size_t i = 0; i < models.size(); ++i)
    if (models[i]) {
      // The reference fixes no field for the moved file's id: what the probe
      // found, else it is looked up in the listing when needed (stored_file_id).
      models[i]->file_id = id_from_move(target_, r.body, i).value_or("");
      models[i]->moved_name = files[i]["name"].get<std::string>();
      models[i]->moved_to = directory;
    }
}

void ScenarioRun::run_clock(const Step& step, const Scope& scope) {
  const auto seconds = size_param(step, "advance", scope, target_.ttl_seconds + 2);
  if (!target_.has("clock")) {
    // Without clock control, the TTL is waited out (capability ttl-wait).
    std::this_thread::sleep_for(std::chrono::seconds(std::min<std::uint64_t>(seconds, target_.ttl_seconds + 2)));
    return;
  }
  HttpRequest req;
  req.target = "/__mock/clock/advance?seconds=" + std::to_string(seconds);
  if (!target_.admin_key.empty()) req.headers.emplace_back("X-Admin-Key", target_.admin_key);
  exchange(step, "clock: advance " + std::to_string(seconds) + " s", req, "", expect_status({"2xx"}), nullptr, std::nullopt);
}

void ScenarioRun::run_raw(const Step& step, const Scope& scope) {
  auto data = param(step, "data", scope);
  if (data.find("\r\n") == std::string::npos) {
    std::string crlf;
    for (char c : data) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    data = crlf;
  }
  int number;
  {
    std::lock_guard lock(mutex_);
    number = next_step_++;
  }
  auto r = client_.send_raw(data);
  std::lock_guard lock(mutex_);
  RequestLog log = answered(number, step.name.empty() ? "raw" : step.name, data.substr(0, data.find(' ')),
                            target_.url, r);
  log.curl = "printf %s " + shell_bytes(data, target_.api_key) + " | " + raw_pipe_command(target_.connector->origin(), target_.transport);
  result_.transcript.push_back(log);
  last_ = r;
  if (!step.name.empty()) named_[step.name] = r;
  for (auto& f : judge_response(step.expect, r, number, std::nullopt).findings) findings_.push_back(std::move(f));
}

void ScenarioRun::run_request(const Step& step, const Scope& scope) {
  HttpRequest req;
  req.method = param(step, "method", scope, "POST");
  auto path = param(step, "path", scope, "/");
  req.target = path.rfind("/", 0) == 0 ? path : api("/" + path);
  if (auto q = optional_param(step, "query", scope)) req.target += "?" + *q;
  add_auth(req.headers, param(step, "auth", scope, "default"));
  std::string body;
  if (step.spec.contains("json")) {
    std::function<nlohmann::json(const nlohmann::json&)> walk = [&](const nlohmann::json& j) -> nlohmann::json {
      if (j.is_string()) {
        auto s = expand(j.get<std::string>(), scope);
        auto number = nlohmann::json::parse(s, nullptr, false);  // "10" -> 10, keeps "abc"
        return !number.is_discarded() && number.is_number() ? number : nlohmann::json(s);
      }
      nlohmann::json out = j.is_array() ? nlohmann::json::array() : nlohmann::json::object();
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (j.is_array()) out.push_back(walk(*it));
        else out[it.key()] = walk(*it);
      }
      return out;
    };
    body = walk(step.spec["json"]).dump();
    req.headers.emplace_back("Content-Type", "application/json");
  } else if (auto b = optional_param(step, "body", scope)) {
    body = *b;
  }
  apply_header_edits(step, scope, req.headers);
  req.body_size = body.size();
  req.body = [body](std::uint64_t o, std::span<char> out) { std::copy_n(body.data() + o, out.size(), out.data()); };
  exchange(step, step.name.empty() ? req.method + " " + path : step.name, req, "", step.expect, nullptr, std::nullopt);
}

}  // namespace partcheck::runner
