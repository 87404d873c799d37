#pragma once
// Private keys and X.509 certificates made in-process (OpenSSL 3, no `openssl`
// command): the mock's --tls-self-signed certificate, and the private CAs,
// server and client certificates that tests need (expired ones and ones for
// the wrong name included). Everything OpenSSL allocates is held by a
// unique_ptr with its deleter. Failures throw std::runtime_error naming what
// was being done and OpenSSL's reason.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

namespace partcheck::net {

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const noexcept;
};
struct CertificateDeleter {
  void operator()(X509* cert) const noexcept;
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using CertificatePtr = std::unique_ptr<X509, CertificateDeleter>;

// A key and the certificate for it.
struct Credentials {
  KeyPtr key;
  CertificatePtr cert;

  std::string cert_pem() const;
  std::string key_pem() const;  // PKCS#8, unencrypted
  // Writes both; the key file gets mode 0600 whatever the umask.
  void write(const std::filesystem::path& cert_file, const std::filesystem::path& key_file) const;
};

struct CertificateSpec {
  std::string common_name;
  // subjectAltName entries: each is an IP address when it parses as one
  // ("127.0.0.1", "::1", "[::1]"), else a DNS name.
  std::vector<std::string> alt_names;
  std::chrono::system_clock::time_point not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
  std::chrono::system_clock::time_point not_after = std::chrono::system_clock::now() + std::chrono::hours(24 * 365);
  // A CA (basicConstraints CA:TRUE, keyCertSign) that may sign others; else
  // an end-entity certificate good for both TLS servers and TLS clients.
  bool is_ca = false;
};

// A new EC P-256 key and a certificate for it: signed by `issuer` (its key
// and certificate), or self-signed when there is none.
Credentials make_certificate(const CertificateSpec& spec, const Credentials* issuer = nullptr);

// PEM in. The *_file forms name the file in their errors.
CertificatePtr certificate_from_pem(std::string_view pem);
KeyPtr key_from_pem(std::string_view pem);
CertificatePtr load_certificate(const std::filesystem::path& file);
KeyPtr load_key(const std::filesystem::path& file);
Credentials load_credentials(const std::filesystem::path& cert_file, const std::filesystem::path& key_file);

std::string to_pem(const X509& cert);
std::string to_pem(const EVP_PKEY& key);

// What a certificate says.
std::string common_name(const X509& cert);
std::vector<std::string> alt_names(const X509& cert);  // DNS names and IP addresses as text
std::chrono::system_clock::time_point not_before(const X509& cert);
std::chrono::system_clock::time_point not_after(const X509& cert);
bool is_ca(const X509& cert);
// True when `name` (a host name or an IP address) is one the certificate is for.
bool covers(const X509& cert, std::string_view name);
bool key_matches(const X509& cert, const EVP_PKEY& key);

// OpenSSL's reasons for the last failure on this thread, oldest first
// ("no start line; ..."); empties the thread's error queue.
std::string take_openssl_errors();

}  // namespace partcheck::net
