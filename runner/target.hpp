#pragma once
// The server under test: where it is, how to authenticate, which directories
// the suite may use and what it can do (capabilities). Comes from
// `--target URL`, a target config YAML (`--target-config`), or the embedded mock.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "net/client_settings.hpp"
#include "net/connector.hpp"

namespace partcheck::runner {

struct TargetDirectories {
  std::string writable;   // where moves go by default (the root, for the mock)
  std::string other;      // a second writable directory (MOVE-8)
  std::string readonly;   // a directory without write permission (MOVE-5)
  std::string quota;      // a directory with a small quota (MOVE-4)
  std::uint64_t quota_size = 0;
};

// How this target does what the reference leaves open: found by the probe
// (runner/probe.hpp) or given in the target config's `api:` section.
struct TargetApi {
  std::string default_auth = "bearer";  // or "x-token" when only that is accepted
  std::string list_body;     // JSON for POST disk/directory/list, `${dir}` for the directory; empty: cannot list
  std::string move_id_path;  // where a move's answer names the moved file's id, `${i}` the entry ("files.${i}.__id")
  bool id_from_listing = false;  // else: the id of the listing entry that carries the file's name
  bool link_by_hash = false;     // else: get-link takes the upload hash as the id
};

struct Target {
  std::string name;       // for reports: "embedded mock (strict)" or the config's name
  std::string url;        // scheme://host[:port], no path (a URL's path goes in front of base_path)
  std::string api_key;
  std::string base_path = "/pub/v1";  // with the mount path of a gateway: "/api/v2/pub/v1"
  std::string admin_key;  // for /__mock/ when the target needs one
  TargetDirectories directories;
  std::uint64_t ttl_seconds = 3600;
  std::set<std::string, std::less<>> capabilities;  // see known_capabilities()
  TargetApi api;
  // Target config overrides of probed capabilities (`capabilities: {name: false}`).
  std::set<std::string, std::less<>> forced_on, forced_off;

  // How to reach it: TLS, proxy, extra headers (target config `tls`, `proxy`,
  // `headers`, and the transport flags); the connector is made from them by
  // attach_transport().
  net::ClientSettings transport;
  std::shared_ptr<const net::Connector> connector;

  bool has(std::string_view capability) const { return capabilities.contains(capability); }
};

// Target config YAML (docs/scenarios.md, "Targets"):
//   name, url, api_key | api_key_env, admin_key, base_path,
//   directories: {writable, other, readonly, quota, quota_size}, ttl, capabilities: [...],
//   api: {...}, tls: {...}, proxy, headers (docs/targets.md)
// Throws ScenarioError (`file:line: field: message`).
Target load_target_config(const std::filesystem::path& file);

// A bare --target URL: only what can be assumed of any server. A path in the
// URL (a gateway's mount point) goes in front of the base path. Throws
// std::invalid_argument for a URL that is not http(s)://HOST[:PORT][/PATH].
Target target_from_url(const std::string& url, const std::string& api_key, std::string_view what = "--target");

// Makes target.connector from target.url and target.transport; throws
// std::invalid_argument for bad transport settings (files, proxy URL).
void attach_transport(Target& target);

// A target that knows how to find a file's bytes again (download step).
bool can_verify_bytes(const Target& target);

// Why a scenario cannot run on this target, or empty when it can.
std::string unmet_requirement(const Target& target, const std::set<std::string, std::less<>>& needs);

}  // namespace partcheck::runner
