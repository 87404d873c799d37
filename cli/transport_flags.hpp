#pragma once
// The flags that say how to reach a target (TLS, proxy, extra headers),
// shared by `partcheck run`, `probe` and `bench`. They override the target
// config's `tls`, `proxy` and `headers`.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "net/client_settings.hpp"

namespace partcheck::cli {

struct TransportFlags {
  std::string cacert, cert, key, tls_min, tls_max, proxy;
  bool insecure = false;
  std::vector<std::string> headers;
};

void add_transport_flags(CLI::App& cmd, TransportFlags& flags);

// Lays the flags given over `settings`; throws std::invalid_argument for a bad --header.
void apply_transport_flags(const TransportFlags& flags, net::ClientSettings& settings);

}  // namespace partcheck::cli
