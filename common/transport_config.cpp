#include "common/transport_config.hpp"

#include <set>
#include <stdexcept>

namespace partcheck::common {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const YAML::Node& node, const std::string& field,
                       const std::string& message) {
  throw std::runtime_error(file.string() + ":" + std::to_string(node.Mark().line + 1) + ": " + field + ": " + message);
}

std::string scalar(const std::filesystem::path& file, const YAML::Node& node, const std::string& field) {
  if (!node.IsScalar()) fail(file, node, field, "expected a single value");
  return node.Scalar();
}

std::string path_of(const std::filesystem::path& file, const YAML::Node& node, const std::string& field) {
  std::filesystem::path p = scalar(file, node, field);
  if (p.empty()) fail(file, node, field, "empty file name");
  return p.is_absolute() ? p.string() : (file.parent_path() / p).lexically_normal().string();
}

}  // namespace

void read_transport_config(const YAML::Node& root, const std::filesystem::path& file, net::ClientSettings& settings) {
  if (const auto tls = root["tls"]) {
    if (!tls.IsMap()) fail(file, tls, "tls", "expected a mapping (cacert, insecure, cert, key, min_version, max_version)");
    static const std::set<std::string> known{"cacert", "insecure", "cert", "key", "min_version", "max_version"};
    for (const auto& kv : tls) {
      const std::string key = kv.first.Scalar();
      const std::string field = "tls." + key;
      if (!known.contains(key))
        fail(file, kv.first, field, "unknown field (expected cacert, insecure, cert, key, min_version, max_version)");
      if (key == "cacert") settings.cacert = path_of(file, kv.second, field);
      if (key == "cert") settings.cert = path_of(file, kv.second, field);
      if (key == "key") settings.key = path_of(file, kv.second, field);
      if (key == "min_version" || key == "max_version") {
        const auto v = scalar(file, kv.second, field);
        if (v != "1.2" && v != "1.3") fail(file, kv.second, field, "expected \"1.2\" or \"1.3\", not '" + v + "'");
        (key == "min_version" ? settings.tls_min : settings.tls_max) = v;
      }
      if (key == "insecure") {
        const auto v = scalar(file, kv.second, field);
        if (v != "true" && v != "false") fail(file, kv.second, field, "expected true or false, not '" + v + "'");
        settings.insecure = v == "true";
      }
    }
  }
  if (const auto proxy = root["proxy"]) settings.proxy = scalar(file, proxy, "proxy");
  if (const auto headers = root["headers"]) {
    if (!headers.IsMap()) fail(file, headers, "headers", "expected a mapping of header names to values");
    for (const auto& kv : headers) {
      const std::string name = kv.first.Scalar();
      try {
        settings.headers.push_back(net::parse_header_flag(name + ": " + scalar(file, kv.second, "headers." + name)));
      } catch (const std::invalid_argument& e) {
        fail(file, kv.second, "headers." + name, e.what());
      }
    }
  }
}

}  // namespace partcheck::common
