#include "bench/http_target.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <set>
#include <stdexcept>

#include "common/transport_config.hpp"

namespace partcheck::bench {

HttpTarget parse_target_url(const std::string& url) {
  net::Url parsed = net::parse_url(url, "target");
  auto refuse = [&](const std::string& why) { throw std::invalid_argument("target '" + url + "': " + why); };
  // Credentials in a target URL would be sent nowhere; saying so beats ignoring them.
  if (!parsed.userinfo.empty()) refuse("credentials in the URL are not used (--api-key for the API, --proxy URL for a proxy)");
  if (parsed.path.find('?') != std::string::npos) refuse("a target URL has no query (the path is where the API is mounted)");
  HttpTarget t;
  t.path_prefix = parsed.path;
  while (!t.path_prefix.empty() && t.path_prefix.back() == '/') t.path_prefix.pop_back();
  parsed.path.clear();
  t.origin = parsed;
  return t;
}

HttpTarget load_target_config(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw std::runtime_error(path + ": cannot read the target config");
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  auto where = [&](const YAML::Node& n, const char* field) {
    return path + ":" + std::to_string(n.Mark().line + 1) + ": field '" + field + "'";
  };
  if (!root.IsMap()) throw std::runtime_error(path + ":1: the target config must be a mapping (url: ..., api_key: ...)");
  // A misspelt field (say `proxi:`) would otherwise be ignored and the run
  // would go another way than the file says.
  std::set<std::string> known{"url", "api_key", "api_key_env", "directory_id", "parallel_parts"};
  for (const char* field : common::kTransportFields) known.insert(field);
  for (const auto& kv : root)
    if (!known.contains(kv.first.Scalar()))
      throw std::runtime_error(path + ":" + std::to_string(kv.first.Mark().line + 1) + ": field '" + kv.first.Scalar() +
                               "' is unknown (expected url, api_key, api_key_env, directory_id, parallel_parts, tls, proxy, headers)");
  const auto url = root["url"];
  if (!url || !url.IsScalar()) throw std::runtime_error(path + ":1: field 'url' is required (http(s)://host:port)");
  HttpTarget t;
  try {
    t = parse_target_url(url.as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(where(url, "url") + ": " + e.what());
  }
  if (auto key = root["api_key"]; key) t.api_key = key.as<std::string>();
  if (auto env = root["api_key_env"]; env) {
    const char* value = std::getenv(env.as<std::string>().c_str());
    if (!value) throw std::runtime_error(where(env, "api_key_env") + ": environment variable " + env.as<std::string>() + " is not set");
    t.api_key = value;
  }
  if (auto dir = root["directory_id"]; dir) t.directory_id = dir.as<std::string>();
  if (auto parallel = root["parallel_parts"]; parallel) {
    try {
      t.parallel_parts_allowed = parallel.as<bool>();
    } catch (const YAML::Exception&) {
      throw std::runtime_error(where(parallel, "parallel_parts") + ": expected true or false");
    }
  }
  common::read_transport_config(root, path, t.transport);
  return t;
}

}  // namespace partcheck::bench
