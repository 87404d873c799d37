#include "cli/transport_flags.hpp"

namespace partcheck::cli {

void add_transport_flags(CLI::App& cmd, TransportFlags& flags) {
  const std::string group = "Transport (https, proxies, gateways)";
  cmd.add_option("--cacert", flags.cacert, "PEM file of CAs to trust for https targets (default: the system's)")
      ->group(group);
  cmd.add_flag("--insecure,-k", flags.insecure, "Do not verify the target's certificate or name")->group(group);
  cmd.add_option("--cert", flags.cert, "Client certificate (PEM) for targets that require one (mTLS)")->group(group);
  cmd.add_option("--key", flags.key, "Private key (PEM) of --cert")->group(group);
  cmd.add_option("--tls-min", flags.tls_min, "Lowest TLS version to offer: 1.2 or 1.3")
      ->check(CLI::IsMember({"1.2", "1.3"}))
      ->group(group);
  cmd.add_option("--tls-max", flags.tls_max, "Highest TLS version to offer: 1.2 or 1.3")
      ->check(CLI::IsMember({"1.2", "1.3"}))
      ->group(group);
  cmd.add_option("--proxy", flags.proxy,
                 "HTTP proxy, http://[USER:PASS@]HOST:PORT (CONNECT for https targets); 'none' ignores "
                 "HTTPS_PROXY/HTTP_PROXY (default: those, minus NO_PROXY)")
      ->group(group);
  cmd.add_option("--header,-H", flags.headers, "Extra request header 'Name: value' (repeatable), e.g. for a gateway")
      ->group(group);
}

void apply_transport_flags(const TransportFlags& flags, net::ClientSettings& settings) {
  if (!flags.cacert.empty()) settings.cacert = flags.cacert;
  if (flags.insecure) settings.insecure = true;
  if (!flags.cert.empty()) settings.cert = flags.cert;
  if (!flags.key.empty()) settings.key = flags.key;
  if (!flags.tls_min.empty()) settings.tls_min = flags.tls_min;
  if (!flags.tls_max.empty()) settings.tls_max = flags.tls_max;
  if (!flags.proxy.empty()) settings.proxy = flags.proxy;
  for (const auto& h : flags.headers) settings.headers.push_back(net::parse_header_flag(h));
}

}  // namespace partcheck::cli
