#include "net/client_tls.hpp"

#include <stdexcept>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "net/url.hpp"

namespace partcheck::net {
namespace {

namespace ssl = boost::asio::ssl;

int tls_version(const std::string& text, const char* flag) {
  if (text == "1.2") return TLS1_2_VERSION;
  if (text == "1.3") return TLS1_3_VERSION;
  throw std::invalid_argument(std::string(flag) + " '" + text + "': expected 1.2 or 1.3");
}

[[noreturn]] void bad_file(const char* flag, const std::string& file, const char* what) {
  const auto reason = openssl_errors();
  throw std::invalid_argument(std::string(flag) + " " + file + ": " + what + (reason.empty() ? "" : " (" + reason + ")"));
}

}  // namespace

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    if (!out.empty()) out += "; ";
    const char* reason = ERR_reason_error_string(e);
    out += reason ? reason : text;
  }
  return out;
}

std::shared_ptr<ssl::context> make_client_context(const ClientSettings& settings) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* ctx = context->native_handle();
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (!settings.tls_min.empty()) SSL_CTX_set_min_proto_version(ctx, tls_version(settings.tls_min, "--tls-min"));
  if (!settings.tls_max.empty()) SSL_CTX_set_max_proto_version(ctx, tls_version(settings.tls_max, "--tls-max"));
  if (!settings.tls_min.empty() && !settings.tls_max.empty() &&
      tls_version(settings.tls_min, "--tls-min") > tls_version(settings.tls_max, "--tls-max"))
    throw std::invalid_argument("--tls-min " + settings.tls_min + " is above --tls-max " + settings.tls_max);

  if (settings.insecure) {
    context->set_verify_mode(ssl::verify_none);
  } else {
    context->set_verify_mode(ssl::verify_peer);
    if (!settings.cacert.empty()) {
      if (SSL_CTX_load_verify_locations(ctx, settings.cacert.c_str(), nullptr) != 1)
        bad_file("--cacert", settings.cacert, "cannot load CA certificates from it (a PEM file is expected)");
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      throw std::invalid_argument("cannot load the system's trusted CAs (" + openssl_errors() + "); give --cacert FILE");
    }
  }
  if (settings.cert.empty() != settings.key.empty())
    throw std::invalid_argument(settings.cert.empty() ? "--key needs --cert (the client certificate)"
                                                      : "--cert needs --key (the client certificate's private key)");
  if (!settings.cert.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, settings.cert.c_str()) != 1)
      bad_file("--cert", settings.cert, "cannot load a PEM certificate from it");
    if (SSL_CTX_use_PrivateKey_file(ctx, settings.key.c_str(), SSL_FILETYPE_PEM) != 1)
      bad_file("--key", settings.key, "cannot load a PEM private key from it");
    if (SSL_CTX_check_private_key(ctx) != 1) bad_file("--key", settings.key, "does not match the certificate in --cert");
  }
  return context;
}

void prepare_client_stream(SSL* ssl, const std::string& host, bool insecure) {
  const bool ip = is_ip_literal(host);
  if (!ip) SSL_set_tlsext_host_name(ssl, host.c_str());  // SNI carries names only (RFC 6066)
  if (insecure) return;
  if (ip) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
  else SSL_set1_host(ssl, host.c_str());
}

}  // namespace partcheck::net
