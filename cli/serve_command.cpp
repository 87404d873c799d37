// `partcheck serve`: the reference mock server in the foreground. Flags fill
// a ServerConfig; the banner's first three lines are a stable interface
// (scripts and tests parse them), lines about TLS follow them;
// SIGINT/SIGTERM stop it gracefully.
#include <pthread.h>

#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "contract/byte_size.hpp"
#include "contract/rules.hpp"
#include "contract/uuid.hpp"
#include "mock_server/deviations.hpp"
#include "mock_server/http/cors.hpp"
#include "mock_server/server.hpp"
#include "net/certificate.hpp"

namespace partcheck::cli {
namespace {

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";
  bool listen_given = false;  // --listen on the command line, not the default
  std::optional<std::string> listen_tls;
  std::optional<std::string> tls_cert, tls_key, tls_client_ca, tls_min_version;
  bool tls_self_signed = false;
  unsigned threads = 2;
  std::vector<std::string> api_keys;
  std::string profile = "strict";
  std::vector<std::string> deviations;
  bool list_deviations = false;
  std::string storage = "disk";
  std::string max_memory = "1GiB";
  std::string max_total = "5TiB";
  std::string data_dir = "partcheck-data";
  std::string fsync = "always";
  std::string ttl = "3600s";
  std::optional<std::string> root_dir_id;
  std::vector<std::string> directories;
  unsigned max_postfix = 1000;
  std::optional<std::string> admin_key;
  std::string idle_timeout = "60s";
  std::string header_timeout = "10s";
  std::string min_body_rate = "1024";
  std::string body_rate_window = "30s";
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_peer = 256;
  std::optional<std::string> public_url;
  std::vector<std::string> cors;
  bool quiet = false;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "partcheck serve: " << message << "\n";
  throw CLI::RuntimeError(kExitUsage);
}

// "3600", "3600s", "60m", "1h".
std::chrono::seconds parse_duration(const std::string& flag, const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string unit = text.substr(digits);
  long long multiplier = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
  if (digits == 0 || digits > 12 || multiplier == 0)
    usage_error(flag + " '" + text + "': expected seconds such as 3600, 3600s, 60m or 1h");
  return std::chrono::seconds(std::stoll(text.substr(0, digits)) * multiplier);
}

mock::DirectorySpec parse_directory(const std::string& text) {
  mock::DirectorySpec spec;
  std::size_t at = text.find(':');
  spec.name = text.substr(0, at);
  if (spec.name.empty()) usage_error("--directory '" + text + "': the name is empty");
  while (at != std::string::npos) {
    auto next = text.find(':', at + 1);
    auto item = text.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
    at = next;
    if (item == "readonly") {
      spec.readonly = true;
    } else if (item.rfind("quota=", 0) == 0) {
      auto size = contract::parse_byte_size(item.substr(6));
      if (!size) usage_error("--directory '" + text + "': quota '" + item.substr(6) + "': " + size.error);
      spec.quota = size.bytes;
    } else {
      usage_error("--directory '" + text + "': unknown option '" + item + "' (quota=SIZE or readonly)");
    }
  }
  return spec;
}

void list_deviations() {
  for (const auto& deviation : mock::all_deviations()) {
    auto rule = contract::find_rule(deviation.rule);
    std::cout << deviation.rule << "\t" << (rule ? contract::level_name(rule->level) : "?") << "\t"
              << deviation.effect << "\n";
  }
  std::cout.flush();
}

mock::ListenAddress parse_listen(const std::string& flag, const std::string& text) {
  mock::ListenAddress address;
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    usage_error(flag + " '" + text + "': expected HOST:PORT");
  address.host = text.substr(0, colon);
  if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']')
    address.host = address.host.substr(1, address.host.size() - 2);
  try {
    auto port = std::stoul(text.substr(colon + 1));
    if (port > 65535) throw std::out_of_range("port");
    address.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    usage_error(flag + " '" + text + "': the port must be 0-65535");
  }
  return address;
}

// Each file is read here, so a mistake is told by the flag that made it.
void check_tls_files(const ServeFlags& flags) {
  auto loaded = [](const std::string& flag, auto load) {
    try {
      return load();
    } catch (const std::exception& e) {
      usage_error(flag + " " + e.what());
    }
  };
  if (flags.tls_cert) {
    auto cert = loaded("--tls-cert", [&] { return net::load_certificate(*flags.tls_cert); });
    auto key = loaded("--tls-key", [&] { return net::load_key(*flags.tls_key); });
    if (!net::key_matches(*cert, *key))
      usage_error("--tls-key '" + *flags.tls_key + "' is not the key of the certificate in --tls-cert '" +
                  *flags.tls_cert + "'");
  }
  if (flags.tls_client_ca) loaded("--tls-client-ca", [&] { return net::load_certificate(*flags.tls_client_ca); });
}

// No TLS flag: plain HTTP on --listen. A certificate (--tls-cert and
// --tls-key, or --tls-self-signed) without --listen-tls: HTTPS on --listen.
// With --listen-tls: HTTPS there, and plain HTTP on --listen only when
// --listen is given too.
void tls_config(const ServeFlags& flags, mock::ServerConfig& config) {
  if (flags.tls_cert && !flags.tls_key) usage_error("--tls-cert needs --tls-key (the certificate's private key)");
  if (flags.tls_key && !flags.tls_cert) usage_error("--tls-key needs --tls-cert (the certificate of that key)");
  if (flags.tls_self_signed && flags.tls_cert)
    usage_error("--tls-self-signed makes its own certificate: leave out --tls-cert and --tls-key");
  const bool tls = flags.tls_cert || flags.tls_self_signed;
  const std::string needs_tls = " needs a certificate: --tls-cert and --tls-key, or --tls-self-signed";
  if (flags.listen_tls && !tls) usage_error("--listen-tls" + needs_tls);
  if (flags.tls_client_ca && !tls) usage_error("--tls-client-ca" + needs_tls);
  if (flags.tls_min_version && !tls) usage_error("--tls-min-version" + needs_tls);
  if (!tls) return;
  mock::TlsConfig settings;
  settings.self_signed = flags.tls_self_signed;
  if (flags.tls_cert) {
    settings.cert_file = *flags.tls_cert;
    settings.key_file = *flags.tls_key;
  }
  if (flags.tls_client_ca) settings.client_ca_file = *flags.tls_client_ca;
  settings.min_version = flags.tls_min_version.value_or("1.2");
  if (settings.min_version != "1.2" && settings.min_version != "1.3")
    usage_error("--tls-min-version '" + settings.min_version + "': expected 1.2 or 1.3");
  check_tls_files(flags);
  config.tls = std::move(settings);
  if (flags.listen_tls) {
    config.tls_listen = parse_listen("--listen-tls", *flags.listen_tls);
    config.listen_plain = flags.listen_given;
  }
}

mock::ServerConfig make_config(const ServeFlags& flags) {
  mock::ServerConfig config;
  auto listen = parse_listen("--listen", flags.listen);
  config.listen_host = listen.host;
  config.listen_port = listen.port;
  tls_config(flags, config);
  if (flags.threads == 0) usage_error("--threads must be at least 1");
  config.threads = flags.threads;
  config.api_keys = flags.api_keys;

  auto profile = contract::profile_from_name(flags.profile);
  if (!profile) usage_error("--profile '" + flags.profile + "': expected strict, s3 or lenient");
  config.policy.profile = *profile;
  for (const auto& rule : flags.deviations) {
    if (!mock::find_deviation(rule))
      usage_error("--deviate '" + rule + "': no such rule switch (see --list-deviations)");
    config.policy.deviations.insert(rule);
  }

  if (flags.storage == "disk") config.storage = mock::StorageKind::Disk;
  else if (flags.storage == "memory") config.storage = mock::StorageKind::Memory;
  else if (flags.storage == "null") config.storage = mock::StorageKind::Null;
  else usage_error("--storage '" + flags.storage + "': expected disk, memory or null");
  auto byte_size = [](const std::string& flag, const std::string& text) {
    auto size = contract::parse_byte_size(text);
    if (!size || *size.bytes == 0) usage_error(flag + " '" + text + "': expected a positive size (1GiB, 512MiB, 1073741824)");
    return *size.bytes;
  };
  config.max_memory = byte_size("--max-memory", flags.max_memory);
  config.policy.max_total = byte_size("--max-total", flags.max_total);
  config.data_dir = flags.data_dir;
  if (flags.fsync == "always") config.fsync = mock::FsyncPolicy::Always;
  else if (flags.fsync == "never") config.fsync = mock::FsyncPolicy::Never;
  else usage_error("--fsync '" + flags.fsync + "': expected always or never");
  config.ttl = parse_duration("--ttl", flags.ttl);
  if (flags.root_dir_id && !contract::is_uuid(*flags.root_dir_id))
    usage_error("--root-dir-id '" + *flags.root_dir_id + "': expected a uuid");
  config.root_dir_id = flags.root_dir_id;
  for (const auto& directory : flags.directories) config.directories.push_back(parse_directory(directory));
  config.max_postfix = flags.max_postfix;
  // An empty key would match nothing and lock everyone out of the admin API.
  if (flags.admin_key && flags.admin_key->empty()) usage_error("--admin-key must not be empty");
  config.admin_key = flags.admin_key;
  config.idle_timeout = parse_duration("--idle-timeout", flags.idle_timeout);
  if (config.idle_timeout.count() == 0) usage_error("--idle-timeout must be at least 1s");
  config.header_timeout = parse_duration("--header-timeout", flags.header_timeout);
  if (config.header_timeout.count() == 0) usage_error("--header-timeout must be at least 1s");
  auto rate = contract::parse_byte_size(flags.min_body_rate);
  if (!rate) usage_error("--min-body-rate '" + flags.min_body_rate + "': " + rate.error);
  config.min_body_rate = *rate.bytes;
  config.body_rate_window = parse_duration("--body-rate-window", flags.body_rate_window);
  if (flags.max_connections == 0 || flags.max_connections_per_peer == 0)
    usage_error("--max-connections and --max-connections-per-peer must be at least 1");
  config.max_connections = flags.max_connections;
  config.max_connections_per_peer = flags.max_connections_per_peer;
  config.public_url = flags.public_url;  // checked by the server, which knows the listen address
  for (const auto& origin : flags.cors)
    if (auto problem = mock::http::cors_origin_problem(origin); !problem.empty()) usage_error("--cors " + problem);
  config.cors_origins = flags.cors;
  config.quiet = flags.quiet;
  return config;
}

// One write, so a reader that has the first three lines has the rest too.
void print_banner(const mock::Server& server) {
  std::string banner = "listening on " + server.url() + "\nroot directory " + server.root_directory_id() +
                       "\napi key " + server.api_keys().front() + "\n";
  if (!server.tls_url().empty() && server.tls_url() != server.url())
    banner += "also listening on " + server.tls_url() + "\n";
  if (!server.tls_certificate().empty()) {
    auto path = std::filesystem::absolute(server.tls_certificate()).string();
    banner += "TLS certificate: " + path;
    if (server.tls_self_signed()) banner += " (self-signed; trust it with --cacert " + path + ")";
    banner += "\n";
  }
  if (const auto& tls = server.config().tls; tls && tls->client_ca_file)
    banner += "TLS client certificates: required, signed by a CA in " + tls->client_ca_file->string() + "\n";
  banner += "admin API " + server.url() + "/__mock" +
            (server.config().admin_key ? " (send X-Admin-Key)" : " (loopback clients; --admin-key opens it to others)") +
            "\n";
  banner += "dashboard " + server.url() + "/__mock/ui\n";  // a browser page on the same API
  // A first upload to copy: one whole 5-byte file.
  const std::string trust = server.tls_certificate().empty() || server.url().starts_with("http://")
                                ? ""
                                : " --cacert '" + std::filesystem::absolute(server.tls_certificate()).string() + "'";
  banner += "try: curl -sS" + trust + " -X POST '" + server.url() + "/pub/v1/disk/file/upload?hash=" +
            contract::new_uuid() + "' -H 'Authorization: Bearer " + server.api_keys().front() +
            "' -H 'Content-Range: bytes 0-5/5' -H 'Content-Type: application/octet-stream' --data-binary hello\n";
  std::fwrite(banner.data(), 1, banner.size(), stdout);
  std::fflush(stdout);
}

void serve(const ServeFlags& flags) {
  if (flags.list_deviations) return list_deviations();
  auto config = make_config(flags);

  // Every thread the server starts inherits this mask, so the signals reach
  // only the sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<mock::Server> server;
  try {
    server = std::make_unique<mock::Server>(std::move(config));
  } catch (const std::exception& e) {
    std::cerr << "partcheck serve: " << e.what() << "\n";
    throw CLI::RuntimeError(kExitUsage);
  }
  server->start();
  print_banner(*server);

  int received = 0;
  sigwait(&signals, &received);
  if (!server->config().quiet) std::cerr << "partcheck serve: stopping on signal " << received << "\n";
  server->stop();
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  auto* cmd = app.add_subcommand("serve", "Run the reference mock server of the upload/move API");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  cmd->add_option("--listen-tls", flags->listen_tls,
                  "HOST:PORT to serve HTTPS on (plain HTTP stays on --listen when that is given too)");
  cmd->add_option("--tls-cert", flags->tls_cert, "PEM certificate (chain) for HTTPS; with --tls-key");
  cmd->add_option("--tls-key", flags->tls_key, "PEM private key of --tls-cert (unencrypted)");
  cmd->add_flag("--tls-self-signed", flags->tls_self_signed,
                "Serve HTTPS with a self-signed certificate kept in <data-dir>/tls/");
  cmd->add_option("--tls-client-ca", flags->tls_client_ca,
                  "Require client certificates signed by a CA in this PEM file (mutual TLS)");
  cmd->add_option("--tls-min-version", flags->tls_min_version, "Lowest TLS version accepted: 1.2 (default) or 1.3");
  cmd->add_option("--threads", flags->threads, "I/O threads")->capture_default_str();
  cmd->add_option("--api-key", flags->api_keys, "An accepted API key (repeatable; none: one is generated)");
  cmd->add_option("--profile", flags->profile, "strict | s3 | lenient")->capture_default_str();
  cmd->add_option("--deviate", flags->deviations, "Break rule RULE-ID on purpose (repeatable)");
  cmd->add_flag("--list-deviations", flags->list_deviations, "Print the rule switches and exit");
  cmd->add_option("--storage", flags->storage, "disk | memory | null")->capture_default_str();
  cmd->add_option("--data-dir", flags->data_dir, "Where disk storage keeps its files")->capture_default_str();
  cmd->add_option("--fsync", flags->fsync, "always | never")->capture_default_str();
  cmd->add_option("--ttl", flags->ttl, "Lifetime of a temporary upload: 3600, 3600s, 60m, 1h")->capture_default_str();
  cmd->add_option("--root-dir-id", flags->root_dir_id, "The root directory's uuid (default: generated once)");
  cmd->add_option("--directory", flags->directories, "NAME[:quota=SIZE][:readonly] (repeatable)");
  cmd->add_option("--max-postfix", flags->max_postfix, "Highest ` (n)` name postfix")->capture_default_str();
  cmd->add_option("--max-memory", flags->max_memory, "What memory storage may hold in all; more is refused with 507")
      ->capture_default_str();
  cmd->add_option("--max-total", flags->max_total, "Largest file size a part may declare; above it, 400 EntityTooLarge")
      ->capture_default_str();
  cmd->add_option("--admin-key", flags->admin_key, "Open the /__mock/ API to non-loopback clients with this key");
  cmd->add_option("--idle-timeout", flags->idle_timeout, "Close connections idle this long")->capture_default_str();
  cmd->add_option("--header-timeout", flags->header_timeout,
                  "A request header, once begun, must arrive within this (else 408)")->capture_default_str();
  cmd->add_option("--min-body-rate", flags->min_body_rate,
                  "Bytes per second a body must average once --body-rate-window has passed (else 408; 0: off)")
      ->capture_default_str();
  cmd->add_option("--body-rate-window", flags->body_rate_window, "Grace time before --min-body-rate applies")
      ->capture_default_str();
  cmd->add_option("--max-connections", flags->max_connections, "Connections beyond this are closed at accept")
      ->capture_default_str();
  cmd->add_option("--max-connections-per-peer", flags->max_connections_per_peer,
                  "Connections of one client address beyond this are closed at accept")
      ->capture_default_str();
  cmd->add_option("--public-url", flags->public_url,
                  "Base URL of download links, e.g. https://files.example (default: the listener the request came in on)");
  cmd->add_option("--cors", flags->cors,
                  "Let pages from this origin call the server from a browser (scheme://host[:port], or *); repeatable");
  cmd->add_flag("--quiet", flags->quiet, "No per-request log lines on stderr");
  // A later flag overrides an earlier one (wrappers append to a base command line).
  for (auto* option : cmd->get_options())
    if (option->get_expected_max() == 1) option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->callback([flags, cmd] {
    flags->listen_given = cmd->count("--listen") > 0;
    serve(*flags);
  });
}

}  // namespace partcheck::cli
