#include "net/proxy.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

namespace partcheck::net {
namespace {

namespace ip = boost::asio::ip;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

bool address_in(std::string_view entry, const ip::address& address) {
  boost::system::error_code ec;
  if (entry.find('/') == std::string_view::npos) {
    auto other = ip::make_address(std::string(entry), ec);
    return !ec && other == address;
  }
  if (address.is_v4()) {
    auto net = ip::make_network_v4(std::string(entry), ec);
    return !ec && ip::make_network_v4(address.to_v4(), net.prefix_length()).canonical() == net.canonical();
  }
  auto net = ip::make_network_v6(std::string(entry), ec);
  return !ec && ip::make_network_v6(address.to_v6(), net.prefix_length()).canonical() == net.canonical();
}

bool entry_matches(std::string entry, const Url& target) {
  if (entry == "*") return true;
  // An optional ":port" (not inside an IPv6 address or a CIDR block).
  if (auto colon = entry.rfind(':'); colon != std::string::npos && entry.find(':') == colon &&
                                     entry.find('/') == std::string::npos) {
    if (entry.substr(colon + 1) != std::to_string(target.port)) return false;
    entry.resize(colon);
  }
  if (entry.size() > 2 && entry.front() == '[' && entry.back() == ']') entry = entry.substr(1, entry.size() - 2);
  const std::string host = lower(target.host);
  boost::system::error_code ec;
  if (auto address = ip::make_address(host, ec); !ec) return address_in(entry, address);
  if (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
  if (entry.empty()) return false;
  return host == entry || (host.size() > entry.size() && host.ends_with(entry) && host[host.size() - entry.size() - 1] == '.');
}

}  // namespace

bool no_proxy_matches(std::string_view no_proxy, const Url& target) {
  std::string list = lower(no_proxy);
  std::replace(list.begin(), list.end(), ',', ' ');
  std::size_t pos = 0;
  while (pos < list.size()) {
    const auto start = list.find_first_not_of(" \t", pos);
    if (start == std::string::npos) break;
    const auto end = list.find_first_of(" \t", start);
    if (entry_matches(list.substr(start, end - start), target)) return true;
    pos = end;
  }
  return false;
}

std::optional<Url> proxy_for(const Url& target, const ClientSettings& settings) {
  std::string text;
  std::string what = "--proxy";
  if (settings.proxy) {
    if (settings.proxy->empty() || *settings.proxy == "none") return std::nullopt;
    text = *settings.proxy;
  } else {
    const char* no_proxy = env("no_proxy") ? env("no_proxy") : env("NO_PROXY");
    if (no_proxy && no_proxy_matches(no_proxy, target)) return std::nullopt;
    const char* names[] = {target.tls() ? "https_proxy" : "http_proxy", target.tls() ? "HTTPS_PROXY" : "HTTP_PROXY",
                           "all_proxy", "ALL_PROXY"};
    for (const char* name : names)
      if (const char* v = env(name)) {
        text = v;
        what = name;
        break;
      }
    if (text.empty()) return std::nullopt;
  }
  // A bare "host:port", as some environments set it, means http://host:port.
  if (text.find("://") == std::string::npos) text = "http://" + text;
  Url proxy = parse_url(text, what);
  if (proxy.tls()) throw std::invalid_argument(what + " '" + text + "': only http:// proxies are supported (CONNECT carries TLS to the target)");
  if (!proxy.path.empty() && proxy.path != "/") throw std::invalid_argument(what + " '" + text + "': a proxy URL has no path");
  return proxy;
}

}  // namespace partcheck::net
