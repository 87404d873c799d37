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
#include "mock_server/storage/storage_backend.hpp"

namespace partcheck::mock {

enum class StorageKind { Disk, Memory, Null };
enum class FsyncPolicy { Always, Never };

struct DirectorySpec {           // --directory NAME[:quota=SIZE][:readonly]
  std::string name;
  std::optional<std::uint64_t> quota;  // bytes
  bool readonly = false;
};

// HTTPS (--tls-* flags): the certificate is the files given, or with
// self_signed one made (and kept for the next start) in data_dir/tls/.
struct TlsConfig {
  std::filesystem::path cert_file, key_file;
  bool self_signed = false;
  std::optional<std::filesystem::path> client_ca_file;  // clients must show a certificate it signed
  std::string min_version = "1.2";                      // "1.2" or "1.3"
};

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;  // 0: the kernel picks
};

struct ServerConfig {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;  // 0: the kernel picks
  // With `tls`: HTTPS on tls_listen when given (listen_host:listen_port then
  // stays plain HTTP, unless listen_plain is false), else on listen_host:listen_port.
  std::optional<TlsConfig> tls;
  std::optional<ListenAddress> tls_listen;
  bool listen_plain = true;
  unsigned threads = 2;
  std::vector<std::string> api_keys;  // empty: one is generated and printed
  contract::PolicyOptions policy;     // --profile and --deviate
  StorageKind storage = StorageKind::Disk;
  std::uint64_t max_memory = kDefaultMaxMemory;  // memory storage holds at most this (--max-memory)
  std::filesystem::path data_dir = "partcheck-data";
  FsyncPolicy fsync = FsyncPolicy::Always;
  std::chrono::seconds ttl{3600};
  std::optional<std::string> root_dir_id;  // --root-dir-id
  std::vector<DirectorySpec> directories;
  unsigned max_postfix = 1000;
  std::optional<std::string> admin_key;  // without it the admin API answers loopback clients only
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds idle_timeout{60};
  // Against slow clients (408 and close): a request header, once begun, must
  // be whole within header_timeout; a body must keep min_body_rate bytes/s on
  // average once body_rate_window has passed (0: no minimum).
  std::chrono::seconds header_timeout{10};
  std::uint64_t min_body_rate = 1024;
  std::chrono::seconds body_rate_window{30};
  // Connections beyond these are closed at accept (counted in /__mock/stats).
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_peer = 256;  // per client address
  std::size_t journal_capacity = 1000;
  // Where clients reach the server, for download links: "https://files.example"
  // behind a proxy. Unset: the scheme and bound address of the listener the
  // request came in on.
  std::optional<std::string> public_url;
  // Origins whose pages may call the server (--cors; "*": any); empty: no CORS.
  std::vector<std::string> cors_origins;
  bool quiet = false;  // no per-request log lines on stderr
};

}  // namespace partcheck::mock
