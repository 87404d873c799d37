#include "net/certificate.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace partcheck::net {
namespace {

template <class T, void (*Free)(T*)>
struct FreeWith {
  void operator()(T* p) const noexcept { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, FreeWith<BIO, BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, FreeWith<BIGNUM, BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, FreeWith<X509_EXTENSION, X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, FreeWith<GENERAL_NAMES, GENERAL_NAMES_free>>;
using NamePtr = std::unique_ptr<GENERAL_NAME, FreeWith<GENERAL_NAME, GENERAL_NAME_free>>;
using OctetsPtr = std::unique_ptr<ASN1_OCTET_STRING, FreeWith<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + take_openssl_errors()); }

// "[::1]" as a URL writes it; certificates and inet_pton want "::1".
std::string unbracket(std::string_view name) {
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
  return std::string(name);
}

// The address bytes when `name` is an IP address (4 or 16 bytes), else null.
OctetsPtr ip_address(const std::string& name) {
  OctetsPtr octets(a2i_IPADDRESS(name.c_str()));
  ERR_clear_error();  // not an address: a DNS name, no failure
  return octets;
}

void add_extension(X509* cert, X509V3_CTX& ctx, const char* name, const char* value) {
  ExtensionPtr ext(X509V3_EXT_nconf(nullptr, &ctx, name, value));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) fail(std::string("cannot add the ") + name + " extension");
}

void add_alt_names(X509* cert, const std::vector<std::string>& alt_names) {
  NamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) fail("cannot make subjectAltName");
  for (const auto& given : alt_names) {
    auto name = unbracket(given);
    NamePtr entry(GENERAL_NAME_new());
    if (!entry) fail("cannot make subjectAltName");
    if (auto ip = ip_address(name)) {
      GENERAL_NAME_set0_value(entry.get(), GEN_IPADD, ip.release());
    } else {
      ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
      if (!dns || !ASN1_STRING_set(dns, name.data(), static_cast<int>(name.size()))) {
        ASN1_IA5STRING_free(dns);
        fail("cannot store the DNS name '" + name + "'");
      }
      GENERAL_NAME_set0_value(entry.get(), GEN_DNS, dns);
    }
    if (!sk_GENERAL_NAME_push(names.get(), entry.get())) fail("cannot make subjectAltName");
    entry.release();  // the stack owns it now
  }
  if (!X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT))
    fail("cannot add subjectAltName");
}

// 128 random bits, positive (RFC 5280 4.1.2.2: at most 20 octets, non-negative).
void set_random_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) fail("cannot make a serial number");
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7f) | 0x01);
  BignumPtr serial(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert))) fail("cannot set the serial number");
}

void set_time(ASN1_TIME* field, std::chrono::system_clock::time_point when) {
  if (!ASN1_TIME_set(field, std::chrono::system_clock::to_time_t(when))) fail("cannot set the validity period");
}

std::chrono::system_clock::time_point from_asn1(const ASN1_TIME* time) {
  std::tm tm{};
  if (!time || !ASN1_TIME_to_tm(time, &tm)) fail("unreadable validity time");
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

BioPtr memory_bio(std::string_view text) {
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) fail("out of memory");
  return bio;
}

// Never let OpenSSL ask for a pass phrase on the terminal: an encrypted key
// fails to load instead.
int no_pass_phrase(char*, int, int, void*) { return 0; }

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + file.string() + "': " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Written next to the target and renamed over it, so a reader never sees
// half a file; `mode` holds whatever the umask says.
void write_file(const std::filesystem::path& file, const std::string& text, mode_t mode) {
  auto temporary = file;
  temporary += ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("cannot write '" + temporary.string() + "': " + std::strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0;
  for (std::size_t done = 0; ok && done < text.size();) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  int saved = errno;
  ok = ::close(fd) == 0 && ok;
  if (ok && ::rename(temporary.c_str(), file.c_str()) == 0) return;
  if (saved == 0) saved = errno;
  ::unlink(temporary.c_str());
  throw std::runtime_error("cannot write '" + file.string() + "': " + std::strerror(saved));
}

}  // namespace

void KeyDeleter::operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
void CertificateDeleter::operator()(X509* cert) const noexcept { X509_free(cert); }

std::string take_openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(code);
    if (!text.empty()) text += "; ";
    text += reason ? reason : "error " + std::to_string(code);
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

Credentials make_certificate(const CertificateSpec& spec, const Credentials* issuer) {
  if (issuer && (!issuer->cert || !issuer->key)) throw std::invalid_argument("make_certificate: incomplete issuer");
  Credentials made;
  made.key.reset(EVP_EC_gen("P-256"));
  if (!made.key) fail("cannot make an EC P-256 key");
  made.cert.reset(X509_new());
  X509* cert = made.cert.get();
  if (!cert || !X509_set_version(cert, X509_VERSION_3)) fail("cannot make a certificate");
  set_random_serial(cert);
  set_time(X509_getm_notBefore(cert), spec.not_before);
  set_time(X509_getm_notAfter(cert), spec.not_after);

  X509_NAME* subject = X509_get_subject_name(cert);
  const auto* cn = reinterpret_cast<const unsigned char*>(spec.common_name.data());
  if (!spec.common_name.empty() &&
      !X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, cn, static_cast<int>(spec.common_name.size()), -1, 0))
    fail("cannot set the common name '" + spec.common_name + "'");
  X509* signer_cert = issuer ? issuer->cert.get() : cert;
  EVP_PKEY* signer_key = issuer ? issuer->key.get() : made.key.get();
  if (!X509_set_issuer_name(cert, X509_get_subject_name(signer_cert)) || !X509_set_pubkey(cert, made.key.get()))
    fail("cannot make a certificate");

  // The key identifiers and a critical basicConstraints are what strict
  // verifiers (Python's VERIFY_X509_STRICT, among others) insist on.
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, signer_cert, cert, nullptr, nullptr, 0);
  add_extension(cert, ctx, "basicConstraints", spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_extension(cert, ctx, "keyUsage",
                spec.is_ca ? "critical,keyCertSign,cRLSign,digitalSignature" : "critical,digitalSignature");
  if (!spec.is_ca) add_extension(cert, ctx, "extendedKeyUsage", "serverAuth,clientAuth");
  add_extension(cert, ctx, "subjectKeyIdentifier", "hash");
  add_extension(cert, ctx, "authorityKeyIdentifier", "keyid:always");
  if (!spec.alt_names.empty()) add_alt_names(cert, spec.alt_names);

  if (X509_sign(cert, signer_key, EVP_sha256()) <= 0) fail("cannot sign the certificate");
  return made;
}

std::string Credentials::cert_pem() const { return to_pem(*cert); }
std::string Credentials::key_pem() const { return to_pem(*key); }

void Credentials::write(const std::filesystem::path& cert_file, const std::filesystem::path& key_file) const {
  write_file(key_file, key_pem(), 0600);
  write_file(cert_file, cert_pem(), 0644);
}

CertificatePtr certificate_from_pem(std::string_view pem) {
  auto bio = memory_bio(pem);
  CertificatePtr cert(PEM_read_bio_X509(bio.get(), nullptr, no_pass_phrase, nullptr));
  if (!cert) fail("no PEM certificate");
  return cert;
}

KeyPtr key_from_pem(std::string_view pem) {
  auto bio = memory_bio(pem);
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_pass_phrase, nullptr));
  if (!key) fail("no unencrypted PEM private key");
  return key;
}

CertificatePtr load_certificate(const std::filesystem::path& file) {
  auto text = read_text(file);
  try {
    return certificate_from_pem(text);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("'" + file.string() + "': " + e.what());
  }
}

KeyPtr load_key(const std::filesystem::path& file) {
  auto text = read_text(file);
  try {
    return key_from_pem(text);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("'" + file.string() + "': " + e.what());
  }
}

Credentials load_credentials(const std::filesystem::path& cert_file, const std::filesystem::path& key_file) {
  Credentials loaded{load_key(key_file), load_certificate(cert_file)};
  if (!key_matches(*loaded.cert, *loaded.key))
    throw std::runtime_error("the key in '" + key_file.string() + "' does not match the certificate in '" +
                             cert_file.string() + "'");
  return loaded;
}

std::string to_pem(const X509& cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_X509(bio.get(), &cert)) fail("cannot write the certificate as PEM");
  return bio_text(bio.get());
}

std::string to_pem(const EVP_PKEY& key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_PrivateKey(bio.get(), &key, nullptr, nullptr, 0, nullptr, nullptr))
    fail("cannot write the key as PEM");
  return bio_text(bio.get());
}

std::string common_name(const X509& cert) {
  const X509_NAME* subject = X509_get_subject_name(&cert);
  int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (at < 0) return {};
  unsigned char* utf8 = nullptr;
  int size = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)));
  if (size < 0) fail("unreadable common name");
  std::string name(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(size));
  OPENSSL_free(utf8);
  return name;
}

std::vector<std::string> alt_names(const X509& cert) {
  NamesPtr names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(&cert, NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> out;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* entry = sk_GENERAL_NAME_value(names.get(), i);
    int type = 0;
    const auto* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(entry, &type));
    const auto* bytes = ASN1_STRING_get0_data(value);
    auto size = static_cast<std::size_t>(ASN1_STRING_length(value));
    if (type == GEN_DNS) {
      out.emplace_back(reinterpret_cast<const char*>(bytes), size);
    } else if (type == GEN_IPADD && (size == 4 || size == 16)) {
      char text[INET6_ADDRSTRLEN] = {};
      if (inet_ntop(size == 4 ? AF_INET : AF_INET6, bytes, text, sizeof text)) out.emplace_back(text);
    }
  }
  return out;
}

std::chrono::system_clock::time_point not_before(const X509& cert) { return from_asn1(X509_get0_notBefore(&cert)); }
std::chrono::system_clock::time_point not_after(const X509& cert) { return from_asn1(X509_get0_notAfter(&cert)); }

// The checks below take non-const pointers in OpenSSL 3.0 but only read.
bool is_ca(const X509& cert) { return X509_check_ca(const_cast<X509*>(&cert)) == 1; }

bool covers(const X509& cert, std::string_view name) {
  auto plain = unbracket(name);
  auto* x = const_cast<X509*>(&cert);
  bool match = ip_address(plain) ? X509_check_ip_asc(x, plain.c_str(), 0) == 1
                                 : X509_check_host(x, plain.data(), plain.size(), 0, nullptr) == 1;
  ERR_clear_error();
  return match;
}

bool key_matches(const X509& cert, const EVP_PKEY& key) {
  bool match = X509_check_private_key(&cert, &key) == 1;
  ERR_clear_error();
  return match;
}

}  // namespace partcheck::net
