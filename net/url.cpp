#include "net/url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include <boost/asio/ip/address.hpp>

namespace partcheck::net {
namespace {

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned value = 0;
    if (s[i] == '%' && i + 2 < s.size() &&
        std::from_chars(s.data() + i + 1, s.data() + i + 3, value, 16).ptr == s.data() + i + 3) {
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::string Url::authority() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return default_port() ? h : h + ":" + std::to_string(port);
}

std::string Url::host_port() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string Url::origin() const { return scheme + "://" + authority(); }

bool is_ip_literal(std::string_view host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  return !ec;
}

Url parse_url(std::string_view text, std::string_view what) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument(std::string(what) + " '" + std::string(text) + "': " + why);
  };
  Url url;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) fail("expected http://HOST[:PORT][/PATH] or https://...");
  std::string scheme(text.substr(0, scheme_end));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (scheme != "http" && scheme != "https") fail("the scheme must be http or https, not '" + scheme + "'");
  url.scheme = scheme;
  url.port = url.tls() ? 443 : 80;
  std::string_view rest = text.substr(scheme_end + 3);
  const auto path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) {
    std::string path(rest.substr(path_start));
    if (auto hash = path.find('#'); hash != std::string::npos) path.erase(hash);
    if (!path.empty() && path.front() == '?') path.insert(0, "/");
    url.path = path;
  }
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    url.userinfo = percent_decode(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) fail("unclosed '[' in the host");
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') fail("expected ':PORT' after ']'");
      port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) fail("names no host");
  if (url.host.find_first_of(" \t\r\n/\\") != std::string::npos) fail("the host has characters a host cannot have");
  if (authority.find(':') != std::string_view::npos || !port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
      fail("'" + std::string(port) + "' is not a port number (1-65535)");
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

std::optional<Url> try_parse_url(std::string_view text) {
  try {
    return parse_url(text);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

}  // namespace partcheck::net
