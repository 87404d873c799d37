#pragma once
// Which proxy, if any, carries requests to a target: --proxy, else the
// environment as curl reads it (https_proxy/HTTPS_PROXY for https targets,
// http_proxy/HTTP_PROXY for http, ALL_PROXY for both) unless NO_PROXY
// names the host.
#include <optional>
#include <string_view>

#include "net/client_settings.hpp"
#include "net/url.hpp"

namespace partcheck::net {

// Throws std::invalid_argument for a proxy URL that is not http://HOST:PORT.
std::optional<Url> proxy_for(const Url& target, const ClientSettings& settings);

// NO_PROXY rules: comma- or space-separated entries; "*" matches every host;
// "example.com" and ".example.com" match the name and its subdomains; an IP
// address or CIDR block matches addresses in it; "host:port" also the port.
bool no_proxy_matches(std::string_view no_proxy, const Url& target);

}  // namespace partcheck::net
