#pragma once
// The one parser of the URLs users give (--target, --proxy, target configs,
// download links): http:// or https://, a host name, an IPv4 address or a
// bracketed IPv6 address, an optional port and path.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace partcheck::net {

struct Url {
  std::string scheme = "http";  // "http" or "https"
  std::string host;             // without brackets
  std::uint16_t port = 80;
  std::string path;             // "" or "/..." (query included), as given
  std::string userinfo;         // "user:password" before '@' (proxy URLs), percent-decoded

  bool tls() const { return scheme == "https"; }
  bool default_port() const { return port == (tls() ? 443 : 80); }
  // host[:port] as a Host header or CONNECT target writes it (port left out when default).
  std::string authority() const;
  std::string host_port() const;    // always with the port (CONNECT)
  std::string origin() const;       // scheme://authority
  std::string str() const { return origin() + path; }
};

// Throws std::invalid_argument with a message for people ("'ftp://x': expected
// http:// or https://"). `what` names the value in messages ("--target").
Url parse_url(std::string_view text, std::string_view what = "URL");
std::optional<Url> try_parse_url(std::string_view text);

// True when `host` is an IP address literal (no SNI, IP-address verification).
bool is_ip_literal(std::string_view host);

}  // namespace partcheck::net
