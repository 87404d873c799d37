#include "runner/target.hpp"

#include <cstdlib>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include <yaml-cpp/yaml.h>

#include "common/transport_config.hpp"
#include "contract/byte_size.hpp"
#include "runner/scenario.hpp"
#include "runner/scenario_loader.hpp"

namespace partcheck::runner {

Target target_from_url(const std::string& url, const std::string& api_key, std::string_view what) {
  const auto parsed = net::parse_url(url, what);
  std::string mount = parsed.path;
  if (mount.find('?') != std::string::npos)
    throw std::invalid_argument(std::string(what) + " '" + url + "': a target URL has no query");
  while (!mount.empty() && mount.back() == '/') mount.pop_back();
  Target t;
  t.name = parsed.origin() + mount;
  t.url = parsed.origin();
  t.base_path = mount + t.base_path;
  t.api_key = api_key;
  return t;
}

void attach_transport(Target& target) {
  target.connector = std::make_shared<const net::Connector>(net::parse_url(target.url), target.transport);
}

Target load_target_config(const std::filesystem::path& file) {
  const std::string f = file.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(f);
  } catch (const YAML::BadFile&) {
    throw ScenarioError(f + ":0: file: cannot be read");
  } catch (const YAML::Exception& e) {
    throw ScenarioError(f + ":" + std::to_string(e.mark.line + 1) + ": yaml: " + e.msg);
  }
  auto fail = [&](const YAML::Node& n, const std::string& field, const std::string& msg) {
    throw ScenarioError(f + ":" + std::to_string(n.Mark().line + 1) + ": " + field + ": " + msg);
  };
  if (!root.IsMap()) fail(root, "document", "expected a mapping");
  for (const auto& kv : root) {
    static const std::set<std::string> keys{"name", "url", "api_key", "api_key_env", "admin_key", "base_path",
                                            "directories", "ttl", "capabilities", "api", "tls", "proxy", "headers"};
    if (!keys.contains(kv.first.Scalar()))
      fail(kv.first, kv.first.Scalar(),
           "unknown field (expected name, url, api_key, api_key_env, admin_key, base_path, directories, ttl, "
           "capabilities, api, tls, proxy, headers)");
  }
  if (!root["url"]) fail(root, "url", "missing");
  Target t;
  try {
    t = target_from_url(root["url"].as<std::string>(), "", "the URL");
  } catch (const std::invalid_argument& e) {
    fail(root["url"], "url", e.what());
  }
  const std::string mount = t.base_path.substr(0, t.base_path.size() - Target{}.base_path.size());
  try {
    common::read_transport_config(root, file, t.transport);
  } catch (const std::runtime_error& e) {
    throw ScenarioError(e.what());
  }
  t.capabilities.clear();
  t.name = root["name"] ? root["name"].as<std::string>() : t.name;
  if (root["api_key"]) t.api_key = root["api_key"].as<std::string>();
  if (root["api_key_env"]) {
    auto var = root["api_key_env"].as<std::string>();
    const char* value = std::getenv(var.c_str());
    if (!value || !*value) fail(root["api_key_env"], "api_key_env", "environment variable " + var + " is not set");
    t.api_key = value;
  }
  if (root["admin_key"]) t.admin_key = root["admin_key"].as<std::string>();
  if (root["base_path"]) t.base_path = mount + root["base_path"].as<std::string>();
  if (root["ttl"]) {
    auto ttl = contract::parse_byte_size(root["ttl"].as<std::string>());
    if (!ttl) fail(root["ttl"], "ttl", "expected seconds: " + ttl.error);
    t.ttl_seconds = *ttl.bytes;
  }
  if (const auto dirs = root["directories"]) {
    if (!dirs.IsMap()) fail(dirs, "directories", "expected a mapping");
    for (const auto& kv : dirs) {
      auto key = kv.first.Scalar();
      auto value = kv.second.as<std::string>();
      if (key == "writable") t.directories.writable = value;
      else if (key == "other") t.directories.other = value;
      else if (key == "readonly") t.directories.readonly = value;
      else if (key == "quota") t.directories.quota = value;
      else if (key == "quota_size") {
        auto size = contract::parse_byte_size(value);
        if (!size) fail(kv.second, "directories.quota_size", size.error);
        t.directories.quota_size = *size.bytes;
      } else {
        fail(kv.first, "directories." + key, "unknown field (expected writable, other, readonly, quota, quota_size)");
      }
    }
  }
  if (const auto caps = root["capabilities"]) {
    // A list switches capabilities on; a mapping {name: true|false} also off.
    // Either way the value beats what the probe finds.
    const auto& known = known_capabilities();
    auto take = [&](const YAML::Node& name_node, bool on) {
      auto name = name_node.as<std::string>();
      if (std::find(known.begin(), known.end(), name) == known.end())
        fail(name_node, "capabilities", "unknown capability '" + name + "'");
      (on ? t.forced_on : t.forced_off).insert(name);
    };
    if (caps.IsSequence()) {
      for (const auto& c : caps) take(c, true);
    } else if (caps.IsMap()) {
      for (const auto& kv : caps) {
        if (!kv.second.IsScalar() || (kv.second.Scalar() != "true" && kv.second.Scalar() != "false"))
          fail(kv.second, "capabilities." + kv.first.Scalar(), "expected true or false");
        take(kv.first, kv.second.Scalar() == "true");
      }
    } else {
      fail(caps, "capabilities", "expected a list or a mapping of name: true|false");
    }
  }
  if (const auto api = root["api"]) {
    if (!api.IsMap()) fail(api, "api", "expected a mapping");
    for (const auto& kv : api) {
      auto key = kv.first.Scalar();
      if (key == "auth") {
        t.api.default_auth = kv.second.as<std::string>();
        if (t.api.default_auth != "bearer" && t.api.default_auth != "x-token")
          fail(kv.second, "api.auth", "expected bearer or x-token");
      } else if (key == "list_body") {
        t.api.list_body = kv.second.as<std::string>();
        auto parsed = nlohmann::json::parse(t.api.list_body, nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object())
          fail(kv.second, "api.list_body", "expected a JSON object as text, e.g. '{\"directoryID\": \"${dir}\"}'");
      } else if (key == "move_id_path") {
        t.api.move_id_path = kv.second.as<std::string>();
      } else if (key == "id_from_listing") {
        t.api.id_from_listing = kv.second.as<bool>();
      } else if (key == "link_by_hash") {
        t.api.link_by_hash = kv.second.as<bool>();
      } else {
        fail(kv.first, "api." + key, "unknown field (expected auth, list_body, move_id_path, id_from_listing, link_by_hash)");
      }
    }
  }
  // A directory given is a capability: scenarios need both the id and the permission.
  if (!t.directories.readonly.empty()) t.forced_on.insert("readonly-directory");
  if (!t.directories.other.empty()) t.forced_on.insert("other-directory");
  if (!t.directories.quota.empty() && t.directories.quota_size > 0) t.forced_on.insert("quota-directory");
  if (t.ttl_seconds <= 120) t.forced_on.insert("ttl-wait");
  t.capabilities = t.forced_on;
  return t;
}

bool can_verify_bytes(const Target& target) {
  return target.has("links-download") || !target.api.move_id_path.empty() || target.api.id_from_listing ||
         target.api.link_by_hash;
}

std::string unmet_requirement(const Target& target, const std::set<std::string, std::less<>>& needs) {
  for (const auto& need : needs)
    if (!target.has(need)) {
      if (need == "clock") return "needs clock control (admin API) to skip the TTL without waiting";
      if (need == "ttl-wait") return "needs a TTL short enough to wait out (target ttl <= 120 s)";
      if (need == "early-refusal")
        return "the target answers the headers of a 5 GiB + 1 part with 100 Continue (or not at all): it may still "
               "refuse after the body, which is not sent (5 GiB)";
      if (need == "expect-continue") return "the target does not answer `Expect: 100-continue` before the body";
      if (need == "list") return "no way found to list a directory (set api.list_body in a target config)";
      if (need == "links-download") return "POST disk/links/download is not offered (not in the reference)";
      if (need == "name-limit-255") return "needs a known file-name length limit to provoke 409 (the mock's 255 bytes)";
      return "target lacks capability '" + need + "'";
    }
  return {};
}

}  // namespace partcheck::runner
