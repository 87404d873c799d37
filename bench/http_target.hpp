#pragma once
// The target of a run: its origin and the path the API is mounted under,
// which key to send, where to move files, and how to reach it (TLS trust, a
// proxy, gateway headers). From --target URL / --api-key or --target-config.
#include <cstdint>
#include <string>

#include "net/client_settings.hpp"
#include "net/url.hpp"

namespace partcheck::bench {

struct HttpTarget {
  net::Url origin;          // scheme, host, port; no path
  std::string path_prefix;  // "" or "/base" when a gateway mounts the API below the root
  std::string api_key;
  std::string directory_id; // move destination
  bool parallel_parts_allowed = false;
  net::ClientSettings transport;  // the config's tls/proxy/headers; the flags are laid over them later

  // For messages and results: the origin and the prefix, never credentials.
  std::string url() const { return origin.origin() + path_prefix; }
};

// Accepts http(s)://HOST[:PORT][/PREFIX] (net::parse_url); throws
// std::invalid_argument with a message for people.
HttpTarget parse_target_url(const std::string& url);

// A small YAML file:
//   url: https://host:8443/api   (required)
//   api_key: KEY | api_key_env: VARIABLE
//   directory_id: <uuid>         (needed for --move)
//   parallel_parts: true         (the target accepts parts of one upload in parallel)
//   tls: {...}, proxy: URL, headers: {...}   (common/transport_config.hpp)
// Throws std::runtime_error naming the file, line and field.
HttpTarget load_target_config(const std::string& path);

}  // namespace partcheck::bench
