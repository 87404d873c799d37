#include "runner/probe.hpp"

#include <algorithm>
#include <cctype>
#include <iomanip>
#include <ostream>

#include "contract/uuid.hpp"
#include "runner/http_client.hpp"
#include "runner/judge.hpp"
#include "runner/scenario.hpp"
#include "runner/target_api.hpp"

namespace partcheck::runner {
namespace {

using nlohmann::json;
constexpr std::string_view kProbeBody = "partcheck probe\n";  // 16 bytes
constexpr std::size_t kMaxDirectoryTries = 8;
constexpr std::uint64_t kOverLimit = 5368709121;  // 5 GiB + 1: PART-2's first refused size

// Listing bodies seen in the wild and in the mock, tried in turn until one
// lists the probe file; `${dir}` is the directory id.
const std::vector<std::string> kListForms{
    R"({"directoryID":"${dir}"})", R"({"directoryId":"${dir}"})", R"({"directory":"${dir}"})",
    R"({"id":"${dir}"})",          R"({"parentID":"${dir}"})",    R"({"folderID":"${dir}"})",
    R"({"filter":{"directoryID":"${dir}"}})", R"({"filter":{"directory":"${dir}"}})"};

std::string brief(const HttpResponse& r) {
  if (r.status == 0) return "no answer (" + r.error + ")";
  if (r.status / 100 == 2) return std::to_string(r.status);
  std::string body = r.body.substr(0, 120);
  std::replace(body.begin(), body.end(), '\n', ' ');
  return std::to_string(r.status) + (body.empty() ? "" : " " + body);
}

class Prober {
 public:
  Prober(Target& target, std::chrono::milliseconds timeout)
      : t_(target), client_(target.connector, timeout) {}

  ProbeResult run();

 private:
  void row(const std::string& name, bool present, const std::string& detail) {
    if (present) t_.capabilities.insert(name);
    table_.push_back({name, present, detail});
  }
  HttpResponse upload(const std::string& hash, const std::string& auth) {
    HttpRequest req;
    req.target = t_.base_path + "/disk/file/upload?hash=" + hash;
    add_auth(req.headers, auth, t_.api_key);
    req.headers.emplace_back("Content-Type", "application/octet-stream");
    req.headers.emplace_back("Content-Range", "bytes 0-16/16");
    req.body_size = kProbeBody.size();
    req.body = [](std::uint64_t at, std::span<char> out) { std::copy_n(kProbeBody.data() + at, out.size(), out.data()); };
    return client_.send(req);
  }
  HttpResponse move(const std::string& hash, const std::string& directory) {
    return client_.send(move_request(t_, directory, json::array({{{"hash", hash}, {"name", probe_name(hash)}}})));
  }
  static std::string probe_name(const std::string& hash) { return "partcheck-probe-" + hash + ".bin"; }
  bool link_works(const std::string& id) {
    auto r = client_.send(get_link_request(t_, id));
    return r.status == 200 && json_path(r.body, "Link").has_value();
  }

  void probe_admin();
  bool probe_auth(std::string& hash, std::string& fatal);
  std::vector<std::string> directory_candidates();
  bool probe_directories(const std::string& hash, std::string& fatal);
  void probe_listing(const std::string& hash);
  void probe_file_ids(const std::string& hash);
  void probe_download(const std::string& hash);
  void probe_expect_continue();

  Target& t_;
  HttpClient client_;
  std::vector<Capability> table_;
  HttpResponse moved_;  // the answer to the probe file's move
};

// A partcheck mock answers its admin API; its own decisions then count as
// capabilities (clock, faults, the 255-byte name limit, `name=`).
void Prober::probe_admin() {
  HttpRequest req;
  req.method = "GET";
  req.target = "/__mock/health";
  if (!t_.admin_key.empty()) req.headers.emplace_back("X-Admin-Key", t_.admin_key);
  auto r = client_.send(req);
  const bool mock = r.status == 200 && json_path(r.body, "success") == "true";
  const std::string detail = mock ? "a partcheck mock: GET /__mock/health answered" : "GET /__mock/health: " + brief(r);
  for (const char* cap : {"admin", "clock", "faults"}) row(cap, mock, detail);
  row("name-limit-255", mock, mock ? "the mock's documented limit" : "not known for this target");
  row("upload-name-param", mock, mock ? "the mock's documented `name=`" : "not known for this target");
}

bool Prober::probe_auth(std::string& hash, std::string& fatal) {
  const auto bearer_hash = contract::new_uuid(), token_hash = contract::new_uuid();
  auto bearer = upload(bearer_hash, "bearer");
  auto token = upload(token_hash, "x-token");
  row("auth-bearer", bearer.status == 200, "16-byte upload with Authorization: Bearer: " + brief(bearer));
  row("auth-x-token", token.status == 200, "16-byte upload with X-Token: " + brief(token));
  if (bearer.status == 200) {
    hash = bearer_hash;
    return true;
  }
  if (token.status == 200) {
    hash = token_hash;
    t_.api.default_auth = "x-token";
    return true;
  }
  if (bearer.status == 0) fatal = "the target does not answer: " + bearer.error;
  else if (bearer.status == 401 || bearer.status == 403)
    fatal = "every upload was refused (" + brief(bearer) + "): check --api-key or PARTCHECK_API_KEY";
  else
    fatal = "a 16-byte whole-file upload (`Content-Range: bytes 0-16/16`) was refused: " + brief(bearer) +
            " (check --target and base_path)";
  return false;
}

// Directory ids the top-level listing mentions: ids outside its entries first
// (the listed directory itself), then entries typed as directories, then the rest.
std::vector<std::string> Prober::directory_candidates() {
  HttpRequest req = json_request(t_.base_path + "/disk/directory/list", "{}");
  add_auth(req.headers, t_.api.default_auth, t_.api_key);
  auto r = client_.send(req);
  auto doc = json::parse(r.body, nullptr, false);
  if (r.status != 200 || doc.is_discarded()) return {};
  std::vector<std::string> outer, typed, rest;
  for (const auto& [path, id] : uuid_values(doc)) {
    const bool in_entries = path.rfind("result.result.", 0) == 0;
    auto dot = path.rfind('.');
    const json* entry = dot == std::string::npos ? nullptr : json_at(doc, path.substr(0, dot));
    bool directory = false;
    if (entry && entry->is_object())
      for (const auto& [key, value] : entry->items()) {
        std::string v = value.is_string() ? value.get<std::string>() : "";
        std::transform(v.begin(), v.end(), v.begin(), ::tolower);
        directory = directory || v == "directory" || v == "folder" || v == "dir" ||
                    ((key == "isDirectory" || key == "is_directory" || key == "isFolder") && value == true);
      }
    (!in_entries ? outer : directory ? typed : rest).push_back(id);
  }
  std::vector<std::string> all;
  for (auto* group : {&outer, &typed, &rest})
    for (const auto& id : *group)
      if (std::find(all.begin(), all.end(), id) == all.end()) all.push_back(id);
  return all;
}

bool Prober::probe_directories(const std::string& hash, std::string& fatal) {
  auto& dirs = t_.directories;
  const bool configured = !dirs.writable.empty();
  std::vector<std::string> candidates = configured ? std::vector<std::string>{dirs.writable} : directory_candidates();
  std::string tried;
  std::size_t next = 0;
  while (next < candidates.size() && next < kMaxDirectoryTries) {
    const auto& dir = candidates[next++];
    moved_ = move(hash, dir);
    if (moved_.status == 200) {
      dirs.writable = dir;
      break;
    }
    tried += (tried.empty() ? "" : "; ") + dir + ": " + brief(moved_);
  }
  if (moved_.status != 200) {
    if (configured) fatal = "moving a probe file into the configured directory " + dirs.writable + " was refused: " + tried;
    else if (candidates.empty())
      fatal = "no writable directory: `POST disk/directory/list {}` named no directory; give --directory ID "
              "(or directories.writable in a target config)";
    else
      fatal = "no writable directory among the " + std::to_string(candidates.size()) +
              " the listing named (" + tried + "); give --directory ID (or directories.writable in a target config)";
    return false;
  }
  table_.push_back({"writable-directory", true, dirs.writable + (configured ? " (configured)" : " (found in the listing)")});
  if (dirs.other.empty()) {
    const auto other_hash = contract::new_uuid();
    if (upload(other_hash, t_.api.default_auth).status == 200)
      for (; next < candidates.size() && next < kMaxDirectoryTries; ++next)
        if (move(other_hash, candidates[next]).status == 200) {
          dirs.other = candidates[next];
          break;
        }
  }
  row("other-directory", !dirs.other.empty(),
      dirs.other.empty() ? "no second writable directory found" : dirs.other);
  return true;
}

void Prober::probe_listing(const std::string& hash) {
  const auto name = probe_name(hash);
  std::string detail = t_.api.list_body.empty() ? "" : "configured";
  auto shows = [&](const std::string& form, const std::string& dir) {
    Target with = t_;
    with.api.list_body = form;
    auto r = client_.send(list_request(with, dir));
    return r.status == 200 ? listing_shows(r.body, name) : Listed::Unknown;
  };
  if (t_.api.list_body.empty()) {
    for (const auto& form : kListForms) {
      if (shows(form, t_.directories.writable) != Listed::Yes) continue;
      t_.api.list_body = form;
      // Ask for long pages where the target takes it: a cut listing proves no absence.
      auto longer = form.substr(0, form.size() - 1) + R"(,"limit":10000})";
      if (shows(longer, t_.directories.writable) == Listed::Yes) t_.api.list_body = longer;
      detail = "POST disk/directory/list " + t_.api.list_body;
      break;
    }
    if (!t_.api.list_body.empty() && !t_.directories.other.empty() && shows(t_.api.list_body, t_.directories.other) == Listed::Yes) {
      detail = "the listing is not per directory (" + t_.api.list_body + ")";
      t_.api.list_body.clear();
    }
  }
  row("list", !t_.api.list_body.empty(), detail.empty() ? "no listing form showed the probe file" : detail);
}

// Where a moved file's id can be read: the move's answer, the listing, or the hash itself.
void Prober::probe_file_ids(const std::string& hash) {
  std::string how;
  if (!t_.api.move_id_path.empty()) how = "configured: " + t_.api.move_id_path;
  auto doc = json::parse(moved_.body, nullptr, false);
  if (how.empty() && !doc.is_discarded())
    for (const auto& [path, id] : uuid_values(doc)) {
      if (id == hash || id == t_.directories.writable || !link_works(id)) continue;
      auto generic = path;
      if (auto at = generic.find(".0."); at != std::string::npos) generic.replace(at, 3, ".${i}.");
      t_.api.move_id_path = generic;
      how = "the move's answer, " + generic;
      break;
    }
  if (how.empty() && t_.has("list")) {
    auto r = client_.send(list_request(t_, t_.directories.writable));
    if (auto id = id_in_listing(r.body, probe_name(hash)); id && link_works(*id)) {
      t_.api.id_from_listing = true;
      how = "the directory listing's entry";
    }
  }
  if (how.empty() && link_works(hash)) {
    t_.api.link_by_hash = true;
    how = "get-link takes the upload hash";
  }
  table_.push_back({"file-id", !how.empty(), how.empty() ? "no way found to name a moved file to get-link" : how});
}

void Prober::probe_download(const std::string& hash) {
  HttpRequest req = json_request(t_.base_path + "/disk/links/download", json{{"hashesList", {hash}}}.dump());
  add_auth(req.headers, t_.api.default_auth, t_.api_key);
  auto r = client_.send(req);
  const bool links = r.status == 200 && json_path(r.body, "items.0.link").has_value();
  row("links-download", links, links ? "POST disk/links/download answered a link" : "POST disk/links/download: " + brief(r));
  const bool verify = can_verify_bytes(t_);
  table_.push_back({"verify-bytes", verify, verify ? "stored bytes are read back through get-link" + std::string(links ? " or links/download" : "")
                                                   : "no way to read stored bytes back: byte checks are SKIPPED"});
}

// PART-2 is judged from the headers of a 5 GiB + 1 part, never its body.
void Prober::probe_expect_continue() {
  HttpRequest req;
  req.target = t_.base_path + "/disk/file/upload?hash=" + contract::new_uuid();
  add_auth(req.headers, t_.api.default_auth, t_.api_key);
  req.headers.emplace_back("Content-Type", "application/octet-stream");
  req.headers.emplace_back("Content-Range", "bytes 0-" + std::to_string(kOverLimit) + "/" + std::to_string(kOverLimit + 1));
  req.body_size = kOverLimit;
  req.expect_continue = true;
  req.stop_after_continue = true;
  auto r = HttpClient(t_.connector, std::chrono::seconds(3)).send(req);
  const bool answered = r.status == 100 || r.status / 100 == 4;
  row("expect-continue", answered,
      r.status == 0 ? "no answer to the headers within 3 s" : "answer to the headers of a 5 GiB + 1 part: " + brief(r));
  row("early-refusal", r.status / 100 == 4,
      r.status / 100 == 4 ? "refused from the headers: " + brief(r)
                          : "the refusal of a 5 GiB + 1 part can only come after its body, which is not sent");
}

ProbeResult Prober::run() {
  ProbeResult out;
  t_.capabilities.clear();
  probe_admin();
  std::string hash;
  if (!probe_auth(hash, out.fatal) || !probe_directories(hash, out.fatal)) {
    out.table = std::move(table_);
    return out;
  }
  probe_listing(hash);
  probe_file_ids(hash);
  probe_download(hash);
  probe_expect_continue();
  row("ttl-wait", t_.ttl_seconds <= 120, "ttl " + std::to_string(t_.ttl_seconds) + " s (target config `ttl`)");
  row("readonly-directory", !t_.directories.readonly.empty(), "target config directories.readonly");
  row("quota-directory", !t_.directories.quota.empty(), "target config directories.quota and quota_size");
  // The target config has the last word.
  for (auto& c : table_) {
    if (t_.forced_on.contains(c.name) && !c.present) c = {c.name, true, "set by the target config"};
    if (t_.forced_off.contains(c.name) && c.present) c = {c.name, false, "switched off by the target config"};
  }
  for (const auto& name : t_.forced_on) t_.capabilities.insert(name);
  for (const auto& name : t_.forced_off) t_.capabilities.erase(name);
  out.table = std::move(table_);
  return out;
}

}  // namespace

ProbeResult probe_target(Target& target, std::chrono::milliseconds timeout) {
  return Prober(target, timeout).run();
}

std::vector<Capability> known_capability_table(const Target& target) {
  std::vector<Capability> table;
  for (const auto& name : known_capabilities())
    table.push_back({name, target.has(name), target.has(name) ? "known for " + target.name : "not offered"});
  return table;
}

void print_capability_table(const std::vector<Capability>& table, std::ostream& out) {
  std::size_t width = 0;
  for (const auto& c : table) width = std::max(width, c.name.size());
  out << "capabilities:\n";
  for (const auto& c : table)
    out << "  " << std::left << std::setw(static_cast<int>(width)) << c.name << "  " << (c.present ? "yes" : "no ")
        << "  " << c.detail << "\n";
}

}  // namespace partcheck::runner
