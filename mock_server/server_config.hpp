#pragma once
// Everything `partcheck serve` can be told, in one place: the CLI fills it,
// the server, the store and the admin API read it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "contract/upload_policy.hpp"

namespace partcheck::mock {

enum class StorageKind { Disk, Memory, Null };
enum class FsyncPolicy { Always, Never };

struct DirectorySpec {           // --directory NAME[:quota=SIZE][:readonly]
  std::string name;
  std::optional<std::uint64_t> quota;  // bytes
  bool readonly = false;
};

struct ServerConfig {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;  // 0: the kernel picks
  unsigned threads = 2;
  std::vector<std::string> api_keys;  // empty: one is generated and printed
  contract::PolicyOptions policy;     // --profile and --deviate
  StorageKind storage = StorageKind::Disk;
  std::filesystem::path data_dir = "partcheck-data";
  FsyncPolicy fsync = FsyncPolicy::Always;
  std::chrono::seconds ttl{3600};
  std::optional<std::string> root_dir_id;  // --root-dir-id
  std::vector<DirectorySpec> directories;
  unsigned max_postfix = 1000;
  std::optional<std::string> admin_key;  // without it the admin API answers loopback clients only
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds idle_timeout{60};
  std::size_t journal_capacity = 1000;
  bool quiet = false;  // no per-request log lines on stderr
};

}  // namespace partcheck::mock
