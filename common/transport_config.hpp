#pragma once
// The transport part of a target config, read the same way by `partcheck run`
// and `partcheck bench`:
//
//   tls: {cacert: FILE, insecure: false, cert: FILE, key: FILE, min_version: "1.2", max_version: "1.3"}
//   proxy: http://proxy:3128        ("none": no proxy, whatever HTTPS_PROXY says)
//   headers: {X-Gateway-Key: secret}
//
// Relative file names are relative to the config file's folder.
#include <filesystem>
#include <string>

#include <yaml-cpp/yaml.h>

#include "net/client_settings.hpp"

namespace partcheck::common {

// Fields this section adds to a target config (for "unknown field" checks).
inline constexpr const char* kTransportFields[] = {"tls", "proxy", "headers"};

// Reads `tls`, `proxy` and `headers` of `root` into `settings`; throws
// std::runtime_error "FILE:LINE: FIELD: message".
void read_transport_config(const YAML::Node& root, const std::filesystem::path& file, net::ClientSettings& settings);

}  // namespace partcheck::common
