// The steps that read back what a target stored: `get_link`, `download` and
// `list`. The reference defines get-link and the directory listing but not
// where a moved file's id appears, so a file's id is found as this target
// allows (probe.hpp): the move's answer, the listing, the hash itself; and an
// upload never moved is moved into the writable directory first, which the
// reference says completes it (MOVE-1). links/download, an endpoint outside
// the reference, is used only when the target offers it.
#include <algorithm>

#include "contract/uuid.hpp"
#include "runner/repro.hpp"
#include "runner/scenario_run.hpp"
#include "runner/target_api.hpp"

namespace partcheck::runner {

void ScenarioRun::not_verified(const std::string& what, const std::string& why) {
  add_finding({Judgement{"side-effect", Verdict::Skipped, next_step_ - 1, what, "not verified: " + why}, false});
}

std::string ScenarioRun::stored_file_id(FileModel& f, const std::string& hash, bool refusal_expected) {
  if (!f.file_id.empty() && hash == f.hash) return f.file_id;
  if (hash == f.hash && !f.moved_name.empty() && target_.api.id_from_listing) {
    // Moved, but the move's answer named no id: the listing entry carries it.
    Step list_step;
    auto r = exchange(list_step, "find id: list", list_request(target_, f.moved_to), "", expect_status({"200"}),
                      nullptr, std::nullopt);
    if (auto id = id_in_listing(r.body, f.moved_name)) return f.file_id = *id;
    if (r.status == 200) not_verified("the moved file's id", "the listing has no entry named " + f.moved_name);
    return {};
  }
  if (target_.api.link_by_hash) return hash;
  if (target_.api.move_id_path.empty() && !target_.api.id_from_listing) {
    not_verified("the stored bytes", "the target names no file id after a move and get-link refuses hashes");
    return {};
  }
  // Never moved: moving completes the temporary upload (MOVE-1). A refusal is
  // the expected answer when nothing should be stored.
  const auto name = "verify-" + hash + ".bin";
  Step move_step;
  auto r = exchange(move_step, "verify: move", move_request(target_, target_.directories.writable, {{{"hash", hash}, {"name", name}}}),
                    "", expect_status(refusal_expected ? std::vector<std::string>{"4xx", "2xx"} : std::vector<std::string>{"200"}),
                    nullptr, std::nullopt);
  if (r.status / 100 != 2) {
    if (refusal_expected)
      add_finding({Judgement{"side-effect", Verdict::Pass, next_step_ - 1, "nothing stored", "the move was refused"}, false});
    return {};
  }
  std::string id = id_from_move(target_, r.body, 0).value_or("");
  if (id.empty()) {
    auto listed = exchange(move_step, "verify: list", list_request(target_, target_.directories.writable), "",
                           expect_status({"200"}), nullptr, std::nullopt);
    id = id_in_listing(listed.body, name).value_or("");
  }
  if (id.empty()) not_verified("the stored bytes", "no id found for the moved file " + name);
  if (hash == f.hash) {
    f.file_id = id;
    f.moved_name = name;
    f.moved_to = target_.directories.writable;
  }
  return id;
}

void ScenarioRun::run_get_link(const Step& step, const Scope& scope) {
  auto id = optional_param(step, "id", scope);
  if (!id) {
    FileModel& f = file("main");
    id = stored_file_id(f, f.hash, step.expect.expects_refusal());
    if (id->empty()) return;
  }
  auto req = get_link_request(target_, *id, param(step, "method", scope, "GET"));
  req.headers.clear();
  add_auth(req.headers, param(step, "auth", scope, "default"));
  exchange(step, step.name.empty() ? "get-link" : step.name, req, "", step.expect, nullptr, std::nullopt);
}

void ScenarioRun::run_download(const Step& step, const Scope& scope) {
  FileModel& f = file(param(step, "file", scope, "main"));
  const bool refusal_expected = step.expect.expects_refusal();
  // When nothing should be downloadable, the link request may refuse, or
  // answer without a link (links/download lists an error per unknown hash).
  Expectation link_expect = expect_status({"200"});
  if (refusal_expected) link_expect.status = {"2xx", "4xx"};
  auto link = optional_param(step, "link", scope);
  if (!link) {
    const auto hash = param(step, "hash", scope, f.hash);
    HttpRequest req;
    std::string link_field = "Link";
    const bool by_hash_endpoint = target_.has("links-download") && (f.file_id.empty() || step.spec.contains("hash"));
    if (by_hash_endpoint) {
      req = json_request(api("/disk/links/download"), nlohmann::json{{"hashesList", {hash}}}.dump());
      add_auth(req.headers, "default");
      link_field = "items.0.link";
    } else {
      auto id = optional_param(step, "id", scope).value_or(stored_file_id(f, hash, refusal_expected));
      if (id.empty()) return;  // refused as expected, or not verifiable (a finding says which)
      req = get_link_request(target_, id);
    }
    auto r = exchange(step, "download: link", req, "", link_expect, nullptr, std::nullopt);
    if (refusal_expected && r.status / 100 == 4) {
      add_finding({Judgement{"side-effect", Verdict::Pass, next_step_ - 1, "nothing to download", "refused"}, false});
      return;
    }
    if (r.status / 100 != 2) return;
    link = json_path(r.body, link_field);
    if (!link) {
      if (refusal_expected) {  // e.g. links/download answers 200 with items[{hash, error}]
        add_finding({Judgement{"status", Verdict::Pass, next_step_ - 1, "no link", "no link"}, false});
        return;
      }
      add_finding({Judgement{"side-effect", Verdict::Fail, next_step_ - 1, "a download link", "none in " + r.body.substr(0, 200)}, false});
      return;
    }
  }
  fetch_and_compare(step, f, *link);
}

void ScenarioRun::fetch_and_compare(const Step& step, FileModel& f, const std::string& link) {
  std::string url = link.rfind("http", 0) == 0 ? link : target_.url + link;
  auto parsed = net::try_parse_url(url);
  if (!parsed) throw StepError("download: cannot use link '" + url + "'");
  // A link elsewhere (a CDN, a download host) is fetched with the same TLS,
  // proxy and header settings.
  auto connector = parsed->origin() == target_.url
                       ? target_.connector
                       : std::make_shared<const net::Connector>(target_.connector->for_origin(*parsed));
  HttpRequest get;
  get.method = "GET";
  get.target = parsed->path.empty() ? "/" : parsed->path;
  get.add_content_length = false;
  const std::uint64_t total = f.total.value_or(0);
  std::uint64_t received = 0;
  std::optional<std::uint64_t> mismatch;
  std::vector<char> expected;
  auto sink = [&](std::span<const char> chunk) {
    if (received < total) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), total - received));
      expected.resize(n);
      f.fill(received, expected);
      if (!mismatch)
        for (std::size_t i = 0; i < n; ++i)
          if (chunk[i] != expected[i]) {
            mismatch = received + i;
            break;
          }
    }
    received += chunk.size();
  };
  HttpClient other(connector, options_.timeout);
  auto r = other.send(get, sink);
  // Judged like any exchange, but the body was streamed into the comparison.
  auto label = step.name.empty() ? "download" : step.name;
  {
    std::lock_guard lock(mutex_);
    RequestLog log;
    log.scenario = scenario_.id;
    log.step = next_step_++;
    log.step_name = label;
    log.method = "GET";
    log.url = url;
    log.status = r.status;
    log.error = r.error;
    log.duration_ms = r.duration_ms;
    log.response_excerpt = "(" + std::to_string(received) + " bytes compared)";
    log.curl = "curl -sS" + curl_transport_flags(target_.transport) + " -o downloaded.bin '" + url + "'";
    result_.transcript.push_back(log);
    last_ = r;
    auto verdict = judge_response(step.expect.empty() ? expect_status({"200"}) : step.expect, r, log.step, std::nullopt);
    for (auto& fd : verdict.findings) findings_.push_back(std::move(fd));
    if (r.status != 200 || !f.total || (step.spec.contains("compare") && step.spec["compare"] == "false")) return;
    if (received != total || mismatch) {
      std::string actual = received != total ? std::to_string(received) + " bytes" : "";
      if (mismatch) actual += (actual.empty() ? "" : ", ") + std::string("first differing byte at offset ") + std::to_string(*mismatch);
      findings_.push_back({Judgement{"side-effect", Verdict::Fail, log.step,
                                     "exactly the " + std::to_string(total) + " uploaded bytes", actual}, false});
    } else {
      findings_.push_back({Judgement{"side-effect", Verdict::Pass, log.step, "the uploaded bytes", "identical"}, false});
    }
  }
}

void ScenarioRun::run_list(const Step& step, const Scope& scope) {
  const auto directory = expand_directory(step, scope);
  auto names = [&](const char* key) {
    std::vector<std::string> out;
    if (step.spec.contains(key))
      for (const auto& n : step.spec[key]) out.push_back(expand(n.get<std::string>(), scope));
    return out;
  };
  const auto present = names("contains"), absent = names("lacks");
  if (!target().has("list")) {
    for (const auto& n : present) not_verified("'" + n + "' listed", "the target offers no directory listing partcheck can read");
    for (const auto& n : absent) not_verified("no '" + n + "' listed", "the target offers no directory listing partcheck can read");
    return;
  }
  auto r = exchange(step, step.name.empty() ? "list" : step.name, list_request(target_, directory), "",
                    step.expect.empty() ? expect_status({"200"}) : step.expect, nullptr, std::nullopt);
  if (r.status != 200) return;
  const int at = next_step_ - 1;
  for (const auto& n : present) {
    auto shown = listing_shows(r.body, n);
    if (shown == Listed::Unknown) not_verified("'" + n + "' listed", "the listing is cut or not JSON");
    else add_finding({Judgement{"side-effect", shown == Listed::Yes ? Verdict::Pass : Verdict::Fail, at,
                                "directory " + directory + " lists '" + n + "'", shown == Listed::Yes ? "listed" : "not listed"}, false});
  }
  for (const auto& n : absent) {
    auto shown = listing_shows(r.body, n);
    if (shown == Listed::Unknown) not_verified("no '" + n + "' listed", "the listing is cut or not JSON");
    else add_finding({Judgement{"side-effect", shown == Listed::No ? Verdict::Pass : Verdict::Fail, at,
                                "directory " + directory + " without '" + n + "'", shown == Listed::No ? "not listed" : "listed"}, false});
  }
}

}  // namespace partcheck::runner
