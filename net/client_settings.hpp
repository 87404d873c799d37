#pragma once
// How the runner and the bench reach a target: TLS trust and identity, a
// proxy, extra headers. Filled from flags (--cacert, --insecure, --cert,
// --key, --tls-min/--tls-max, --proxy, --header) and from the target config.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace partcheck::net {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientSettings {
  std::string cacert;      // PEM file of CAs to trust instead of the system store
  bool insecure = false;   // no certificate or name verification
  std::string cert, key;   // client certificate (mTLS), PEM
  std::string tls_min, tls_max;  // "1.2" or "1.3"; empty: OpenSSL's range (1.2 and 1.3)
  // --proxy URL; unset: HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment;
  // "" or "none": no proxy whatever the environment says.
  std::optional<std::string> proxy;
  HeaderList headers;      // sent with every request (gateways)
};

// "Name: value" (--header) into a pair; throws std::invalid_argument naming the flag.
std::pair<std::string, std::string> parse_header_flag(const std::string& text);

}  // namespace partcheck::net
