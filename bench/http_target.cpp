#include "bench/http_target.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>

namespace partcheck::bench {

HttpTarget parse_target_url(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind("https://", 0) == 0)
    throw std::invalid_argument("target '" + url + "': https is not supported by the bench (use http:// or a TLS-terminating proxy)");
  if (url.rfind(kScheme, 0) != 0) throw std::invalid_argument("target '" + url + "' must start with http://");
  HttpTarget t;
  std::string rest = url.substr(kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) t.path_prefix = rest.substr(slash);
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    const std::string port = authority.substr(colon + 1);
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || ptr != port.data() + port.size() || value == 0 || value > 65535)
      throw std::invalid_argument("target '" + url + "': '" + port + "' is not a port number");
    t.port = static_cast<std::uint16_t>(value);
    authority.resize(colon);
  }
  if (authority.size() > 2 && authority.front() == '[' && authority.back() == ']')
    authority = authority.substr(1, authority.size() - 2);
  if (authority.empty()) throw std::invalid_argument("target '" + url + "' names no host");
  t.host = authority;
  t.url = std::string(kScheme) + rest;
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
  const auto url = root["url"];
  if (!url || !url.IsScalar()) throw std::runtime_error(path + ":1: field 'url' is required (http://host:port)");
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
  return t;
}

}  // namespace partcheck::bench
