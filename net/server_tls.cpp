#include "net/server_tls.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "net/certificate.hpp"

namespace partcheck::net {
namespace {

namespace ssl = boost::asio::ssl;

// OpenSSL's own message for a missing file is a bare "system lib"; this one
// says which file and why.
void check_readable(const std::filesystem::path& file, const std::string& what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(what + " '" + file.string() + "': cannot read it: " + std::strerror(errno));
}

int protocol_version(const std::string& text) {
  if (text == "1.2") return TLS1_2_VERSION;
  if (text == "1.3") return TLS1_3_VERSION;
  throw std::runtime_error("TLS minimum version '" + text + "': expected 1.2 or 1.3");
}

int no_pass_phrase(char*, int, int, void*) { return 0; }

}  // namespace

ssl::context make_server_tls_context(const TlsServerOptions& options) {
  const int min_version = protocol_version(options.min_version);
  ssl::context context(ssl::context::tls_server);
  // SSLv3, TLS 1.0 and 1.1 are off twice over: by option and by the minimum.
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX* native = context.native_handle();
  if (SSL_CTX_set_min_proto_version(native, min_version) != 1)
    throw std::runtime_error("cannot set the TLS minimum version: " + take_openssl_errors());
  // An encrypted key must fail to load, not wait for a pass phrase on a terminal.
  SSL_CTX_set_default_passwd_cb(native, no_pass_phrase);

  check_readable(options.cert_file, "TLS certificate file");
  if (SSL_CTX_use_certificate_chain_file(native, options.cert_file.c_str()) != 1)
    throw std::runtime_error("TLS certificate file '" + options.cert_file.string() +
                             "': no usable PEM certificate: " + take_openssl_errors());
  check_readable(options.key_file, "TLS key file");
  KeyPtr key;
  try {
    key = load_key(options.key_file);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("TLS key file ") + e.what());
  }
  // Checked here rather than left to SSL_CTX_use_PrivateKey, which says
  // "key values mismatch" for some key types and nothing for others.
  if (!key_matches(*SSL_CTX_get0_certificate(native), *key))
    throw std::runtime_error("TLS key file '" + options.key_file.string() + "' does not match the certificate in '" +
                             options.cert_file.string() + "'");
  if (SSL_CTX_use_PrivateKey(native, key.get()) != 1)
    throw std::runtime_error("TLS key file '" + options.key_file.string() + "': " + take_openssl_errors());

  if (options.client_ca_file) {
    const auto& ca = *options.client_ca_file;
    check_readable(ca, "TLS client CA file");
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.c_str());
    if (!names || SSL_CTX_load_verify_locations(native, ca.c_str(), nullptr) != 1) {
      if (names) sk_X509_NAME_pop_free(names, X509_NAME_free);
      throw std::runtime_error("TLS client CA file '" + ca.string() + "': no usable PEM certificate: " +
                               take_openssl_errors());
    }
    SSL_CTX_set_client_CA_list(native, names);  // the context owns the list now
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    // Resumed sessions of a verifying server fail without a session id context.
    static constexpr unsigned char kSessionContext[] = "partcheck";
    SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  }
  return context;
}

}  // namespace partcheck::net
