#include "runner/target.hpp"

#include <cstdlib>
#include <regex>

#include <yaml-cpp/yaml.h>

#include "contract/byte_size.hpp"
#include "runner/scenario.hpp"
#include "runner/scenario_loader.hpp"

namespace partcheck::runner {
namespace {

// host, port from http://host:port[/...]
std::pair<std::string, std::uint16_t> split_url(const std::string& url) {
  static const std::regex re(R"(^http://([^/:]+)(?::(\d+))?(/.*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, re)) return {"", 0};
  return {m[1].str(), static_cast<std::uint16_t>(m[2].matched ? std::stoi(m[2].str()) : 80)};
}

}  // namespace

std::string Target::host() const { return split_url(url).first; }
std::uint16_t Target::port() const { return split_url(url).second; }

Target target_from_url(const std::string& url, const std::string& api_key) {
  Target t;
  t.name = url;
  t.url = url;
  while (!t.url.empty() && t.url.back() == '/') t.url.pop_back();
  t.api_key = api_key;
  t.capabilities = {"download"};
  return t;
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
    static const std::set<std::string> keys{"name", "url", "api_key", "api_key_env", "admin_key",
                                            "base_path", "directories", "ttl", "capabilities"};
    if (!keys.contains(kv.first.Scalar()))
      fail(kv.first, kv.first.Scalar(), "unknown field (expected name, url, api_key, api_key_env, admin_key, base_path, directories, ttl, capabilities)");
  }
  if (!root["url"]) fail(root, "url", "missing");
  Target t = target_from_url(root["url"].as<std::string>(), "");
  if (t.host().empty()) fail(root["url"], "url", "expected http://host:port");
  t.capabilities.clear();
  t.name = root["name"] ? root["name"].as<std::string>() : t.url;
  if (root["api_key"]) t.api_key = root["api_key"].as<std::string>();
  if (root["api_key_env"]) {
    auto var = root["api_key_env"].as<std::string>();
    const char* value = std::getenv(var.c_str());
    if (!value || !*value) fail(root["api_key_env"], "api_key_env", "environment variable " + var + " is not set");
    t.api_key = value;
  }
  if (root["admin_key"]) t.admin_key = root["admin_key"].as<std::string>();
  if (root["base_path"]) t.base_path = root["base_path"].as<std::string>();
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
    if (!caps.IsSequence()) fail(caps, "capabilities", "expected a list");
    const auto& known = known_capabilities();
    for (const auto& c : caps) {
      auto name = c.as<std::string>();
      if (std::find(known.begin(), known.end(), name) == known.end())
        fail(c, "capabilities", "unknown capability '" + name + "'");
      t.capabilities.insert(name);
    }
  }
  if (t.directories.writable.empty()) fail(root, "directories.writable", "missing (a directory id moves may use)");
  // A directory given is a capability: scenarios need both the id and the permission.
  if (!t.directories.readonly.empty()) t.capabilities.insert("readonly-directory");
  if (!t.directories.other.empty()) t.capabilities.insert("other-directory");
  if (!t.directories.quota.empty() && t.directories.quota_size > 0) t.capabilities.insert("quota-directory");
  if (t.ttl_seconds <= 120) t.capabilities.insert("ttl-wait");
  return t;
}

std::string unmet_requirement(const Target& target, const std::set<std::string, std::less<>>& needs) {
  for (const auto& need : needs)
    if (!target.has(need)) {
      if (need == "clock") return "needs clock control (admin API) to skip the TTL without waiting";
      if (need == "ttl-wait") return "needs a TTL short enough to wait out (target ttl <= 120 s)";
      return "target lacks capability '" + need + "'";
    }
  return {};
}

}  // namespace partcheck::runner
