#pragma once
// The target of a run: where to connect, which key to send, where to move
// files. Parsed from --target URL / --api-key or from --target-config FILE.
#include <cstdint>
#include <string>

namespace partcheck::bench {

struct HttpTarget {
  std::string url;          // as given, without a trailing slash
  std::string host;
  std::uint16_t port = 80;
  std::string path_prefix;  // "" or "/base" when the API is mounted below the root
  std::string api_key;
  std::string directory_id; // move destination
  bool parallel_parts_allowed = false;

  std::string host_header() const { return port == 80 ? host : host + ":" + std::to_string(port); }
};

// Accepts http://HOST[:PORT][/PREFIX]; throws std::invalid_argument with a
// message for people (https is refused: the bench measures raw streaming).
HttpTarget parse_target_url(const std::string& url);

// A small YAML file:
//   url: http://host:8080        (required)
//   api_key: KEY | api_key_env: VARIABLE
//   directory_id: <uuid>         (needed for --move)
//   parallel_parts: true         (the target accepts parts of one upload in parallel)
// Throws std::runtime_error naming the file, line and field.
HttpTarget load_target_config(const std::string& path);

}  // namespace partcheck::bench
