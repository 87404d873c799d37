// net/certificate: keys and certificates made in-process, checked with
// OpenSSL's own chain verification (X509_verify_cert), as a TLS peer would.
#include "net/certificate.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace partcheck::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

struct VerifyOptions {
  std::string host;          // checked against the names when set
  bool strict = false;       // X509_V_FLAG_X509_STRICT
  int purpose = X509_PURPOSE_SSL_SERVER;
};

// X509_V_OK, or the X509_V_ERR_* code of the first problem.
int verify(const X509& leaf, const std::vector<const X509*>& trusted, const VerifyOptions& options = {}) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  for (const auto* cert : trusted) X509_STORE_add_cert(store.get(), const_cast<X509*>(cert));
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), const_cast<X509*>(&leaf), nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), options.purpose);
  auto* param = X509_STORE_CTX_get0_param(ctx.get());
  // An address is checked against the IP entries, as a TLS client does.
  if (!options.host.empty() && X509_VERIFY_PARAM_set1_ip_asc(param, options.host.c_str()) != 1)
    X509_VERIFY_PARAM_set1_host(param, options.host.c_str(), options.host.size());
  if (options.strict) X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
  return X509_STORE_CTX_get_error(ctx.get());
}

CertificateSpec server_spec(std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"}) {
  CertificateSpec spec;
  spec.common_name = "partcheck test server";
  spec.alt_names = std::move(names);
  return spec;
}

Credentials make_ca(const std::string& name = "partcheck test CA") {
  CertificateSpec spec;
  spec.common_name = name;
  spec.is_ca = true;
  return make_certificate(spec);
}

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("partcheck-cert-" + std::to_string(std::random_device{}()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(Certificate, SelfSignedCarriesNamesAndValidity) {
  auto spec = server_spec({"localhost", "127.0.0.1", "[::1]", "files.example"});
  spec.not_before = Clock::now() - 2h;
  spec.not_after = Clock::now() + 48h;
  auto made = make_certificate(spec);
  const X509& cert = *made.cert;
  EXPECT_EQ(common_name(cert), "partcheck test server");
  EXPECT_EQ(alt_names(cert), (std::vector<std::string>{"localhost", "127.0.0.1", "::1", "files.example"}));
  EXPECT_LE(std::chrono::abs(not_before(cert) - spec.not_before), 1s);
  EXPECT_LE(std::chrono::abs(not_after(cert) - spec.not_after), 1s);
  EXPECT_FALSE(is_ca(cert));
  EXPECT_TRUE(key_matches(cert, *made.key));
  for (auto name : {"localhost", "127.0.0.1", "::1", "[::1]", "files.example", "FILES.example"})
    EXPECT_TRUE(covers(cert, name)) << name;
  for (auto name : {"example.com", "127.0.0.2", "::2", "sub.files.example", ""})
    EXPECT_FALSE(covers(cert, name)) << name;
  EXPECT_EQ(X509_verify(made.cert.get(), made.key.get()), 1) << "self-signed";
}

// The mock's --tls-self-signed certificate is trusted as itself (curl --cacert).
TEST(Certificate, SelfSignedVerifiesAsItsOwnTrustAnchor) {
  auto made = make_certificate(server_spec());
  EXPECT_EQ(verify(*made.cert, {made.cert.get()}, {.host = "localhost"}), X509_V_OK);
  EXPECT_EQ(verify(*made.cert, {made.cert.get()}, {.host = "localhost", .strict = true}), X509_V_OK);
  EXPECT_EQ(verify(*made.cert, {}), X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
}

TEST(Certificate, CaSignedChainVerifiesAgainstTheCa) {
  auto ca = make_ca();
  EXPECT_TRUE(is_ca(*ca.cert));
  auto server = make_certificate(server_spec(), &ca);
  EXPECT_EQ(X509_verify(server.cert.get(), ca.key.get()), 1);
  EXPECT_NE(X509_verify(server.cert.get(), server.key.get()), 1) << "not self-signed";
  EXPECT_EQ(verify(*server.cert, {ca.cert.get()}, {.host = "localhost"}), X509_V_OK);
  EXPECT_EQ(verify(*server.cert, {ca.cert.get()}, {.host = "127.0.0.1", .strict = true}), X509_V_OK);
  EXPECT_EQ(verify(*server.cert, {ca.cert.get()}, {.host = "wrong.example"}), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(verify(*server.cert, {ca.cert.get()}, {.host = "10.0.0.1"}), X509_V_ERR_IP_ADDRESS_MISMATCH);

  auto other_ca = make_ca("another CA");
  EXPECT_EQ(verify(*server.cert, {other_ca.cert.get()}), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST(Certificate, ClientCertificateVerifiesForClientUse) {
  auto ca = make_ca();
  CertificateSpec spec;
  spec.common_name = "test client";
  auto client = make_certificate(spec, &ca);
  EXPECT_EQ(verify(*client.cert, {ca.cert.get()}, {.host = {}, .strict = false, .purpose = X509_PURPOSE_SSL_CLIENT}), X509_V_OK);
  EXPECT_TRUE(alt_names(*client.cert).empty());
}

TEST(Certificate, ExpiredAndNotYetValidAreDetected) {
  auto ca = make_ca();
  auto spec = server_spec();
  spec.not_before = Clock::now() - 48h;
  spec.not_after = Clock::now() - 24h;
  auto expired = make_certificate(spec, &ca);
  EXPECT_LT(not_after(*expired.cert), Clock::now());
  EXPECT_EQ(verify(*expired.cert, {ca.cert.get()}), X509_V_ERR_CERT_HAS_EXPIRED);

  spec.not_before = Clock::now() + 24h;
  spec.not_after = Clock::now() + 48h;
  auto future = make_certificate(spec, &ca);
  EXPECT_EQ(verify(*future.cert, {ca.cert.get()}), X509_V_ERR_CERT_NOT_YET_VALID);
}

TEST(Certificate, OnlyACaMaySign) {
  auto ca = make_ca();
  auto leaf = make_certificate(server_spec(), &ca);
  auto signed_by_leaf = make_certificate(server_spec(), &leaf);
  EXPECT_NE(verify(*signed_by_leaf.cert, {ca.cert.get(), leaf.cert.get()}), X509_V_OK);
}

TEST(Certificate, PemRoundTrip) {
  auto made = make_certificate(server_spec());
  auto cert_pem = made.cert_pem();
  auto key_pem = made.key_pem();
  EXPECT_TRUE(cert_pem.starts_with("-----BEGIN CERTIFICATE-----")) << cert_pem;
  EXPECT_TRUE(key_pem.starts_with("-----BEGIN PRIVATE KEY-----")) << "PKCS#8, unencrypted";
  auto cert = certificate_from_pem(cert_pem);
  EXPECT_EQ(X509_cmp(cert.get(), made.cert.get()), 0);
  auto key = key_from_pem(key_pem);
  EXPECT_TRUE(key_matches(*made.cert, *key));
  EXPECT_THROW(certificate_from_pem("not a certificate"), std::runtime_error);
  EXPECT_THROW(key_from_pem(cert_pem), std::runtime_error);
}

TEST(Certificate, FilesRoundTripWithAPrivateKeyFile) {
  TempDir dir;
  auto made = make_certificate(server_spec());
  auto cert_file = dir.path() / "cert.pem", key_file = dir.path() / "key.pem";
  made.write(cert_file, key_file);
  struct stat info {};
  ASSERT_EQ(::stat(key_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  auto loaded = load_credentials(cert_file, key_file);
  EXPECT_EQ(X509_cmp(loaded.cert.get(), made.cert.get()), 0);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "key.pem.tmp"));

  // A key file that was readable by others is made private when rewritten.
  std::filesystem::permissions(key_file, std::filesystem::perms::all);
  made.write(cert_file, key_file);
  ASSERT_EQ(::stat(key_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
}

TEST(Certificate, LoadErrorsNameTheFile) {
  TempDir dir;
  auto made = make_certificate(server_spec());
  auto other = make_certificate(server_spec());
  auto cert_file = dir.path() / "cert.pem", key_file = dir.path() / "key.pem";
  made.write(cert_file, key_file);
  other.write(dir.path() / "other.pem", dir.path() / "other-key.pem");
  auto message = [](auto&& fn) {
    try {
      fn();
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto missing = message([&] { load_certificate(dir.path() / "missing.pem"); });
  EXPECT_NE(missing.find("missing.pem"), std::string::npos) << missing;
  EXPECT_NE(missing.find("No such file"), std::string::npos) << missing;
  auto wrong = message([&] { load_key(cert_file); });
  EXPECT_NE(wrong.find("cert.pem"), std::string::npos) << wrong;
  auto mismatch = message([&] { load_credentials(cert_file, dir.path() / "other-key.pem"); });
  EXPECT_NE(mismatch.find("does not match"), std::string::npos) << mismatch;
}

}  // namespace
}  // namespace partcheck::net
