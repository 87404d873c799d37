#include "mock_server/tls_setup.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <stdexcept>

#include <boost/asio/ip/address.hpp>

#include "net/certificate.hpp"

namespace partcheck::mock {
namespace {

using namespace std::chrono_literals;

constexpr auto kValidity = 24h * 365;
// A certificate this close to its end is replaced at start, so it does not
// run out under a long test run.
constexpr auto kRenewBefore = 24h * 30;

bool reusable(const TlsFiles& files, const std::vector<std::string>& names) {
  std::error_code ec;
  if (!std::filesystem::exists(files.cert_file, ec) || !std::filesystem::exists(files.key_file, ec)) return false;
  try {
    auto loaded = net::load_credentials(files.cert_file, files.key_file);
    const auto now = std::chrono::system_clock::now();
    if (net::not_before(*loaded.cert) > now || net::not_after(*loaded.cert) < now + kRenewBefore) return false;
    return std::all_of(names.begin(), names.end(), [&](const auto& name) { return net::covers(*loaded.cert, name); });
  } catch (const std::exception&) {
    return false;  // unreadable or damaged: made again
  }
}

}  // namespace

std::vector<std::string> self_signed_names(const std::string& listen_host) {
  std::vector<std::string> names;
  auto add = [&names](const std::string& name) {
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(listen_host, ec);
  if (!ec && address.is_unspecified()) {
    // 0.0.0.0 or ::: clients on other machines come by the host name.
    std::array<char, 256> host{};
    if (::gethostname(host.data(), host.size() - 1) == 0) add(host.data());
  } else {
    add(listen_host);
  }
  for (const char* name : {"localhost", "127.0.0.1", "::1"}) add(name);
  return names;
}

TlsFiles prepare_tls_files(const ServerConfig& config, const std::string& listen_host) {
  if (!config.tls) throw std::logic_error("prepare_tls_files without TLS");
  if (!config.tls->self_signed) return {config.tls->cert_file, config.tls->key_file, false, false};
  const auto dir = config.data_dir / "tls";
  TlsFiles files{dir / "cert.pem", dir / "key.pem", true, false};
  const auto names = self_signed_names(listen_host);
  if (reusable(files, names)) return files;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("--tls-self-signed: cannot create '" + dir.string() + "': " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);  // best effort: the key is 0600 anyway
  net::CertificateSpec spec;
  spec.common_name = "partcheck mock (self-signed)";
  spec.alt_names = names;
  spec.not_before = std::chrono::system_clock::now() - 1h;  // a client whose clock is a little behind
  spec.not_after = std::chrono::system_clock::now() + kValidity;
  try {
    net::make_certificate(spec).write(files.cert_file, files.key_file);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("--tls-self-signed: ") + e.what());
  }
  files.made = true;
  return files;
}

}  // namespace partcheck::mock
