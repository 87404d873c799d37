// net/server_tls: the server context's errors name the file and the reason,
// and in-process handshakes on loopback show the protocol floor and the
// client-certificate requirement at work.
#include "net/server_tls.hpp"

#include <filesystem>
#include <fstream>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "net/certificate.hpp"

namespace partcheck::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

class ServerTlsTest : public ::testing::Test {
 protected:
  ServerTlsTest()
      : dir_(std::filesystem::temp_directory_path() / ("partcheck-tls-" + std::to_string(std::random_device{}()))) {
    std::filesystem::create_directories(dir_);
    CertificateSpec ca_spec;
    ca_spec.common_name = "test CA";
    ca_spec.is_ca = true;
    ca_ = make_certificate(ca_spec);
    ca_file_ = dir_ / "ca.pem";
    ca_.write(ca_file_, dir_ / "ca-key.pem");
    CertificateSpec spec;
    spec.common_name = "server";
    spec.alt_names = {"localhost", "127.0.0.1"};
    make_certificate(spec, &ca_).write(cert_file_ = dir_ / "cert.pem", key_file_ = dir_ / "key.pem");
  }
  ~ServerTlsTest() override { std::filesystem::remove_all(dir_); }

  TlsServerOptions options() const { return {cert_file_, key_file_, std::nullopt, "1.2"}; }

  // The message make_server_tls_context throws, or "no error".
  static std::string error_of(const TlsServerOptions& options) {
    try {
      make_server_tls_context(options);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "no error";
  }

  ssl::context client_context(int max_version = 0, const Credentials* client_cert = nullptr) {
    ssl::context context(ssl::context::tls_client);
    context.set_verify_mode(ssl::verify_peer);
    auto pem = ca_.cert_pem();
    context.add_certificate_authority(asio::buffer(pem));
    if (max_version) {
      SSL_CTX_set_security_level(context.native_handle(), 0);  // lets the client offer old versions at all
      SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_VERSION);
      SSL_CTX_set_max_proto_version(context.native_handle(), max_version);
    }
    if (client_cert) {
      SSL_CTX_use_certificate(context.native_handle(), client_cert->cert.get());
      SSL_CTX_use_PrivateKey(context.native_handle(), client_cert->key.get());
    }
    return context;
  }

  struct Outcome {
    boost::system::error_code server, client;
    std::string version;  // the protocol agreed, when the server side succeeded
  };

  // One handshake over loopback; the server side's verdict is what counts
  // (under TLS 1.3 the client finishes before the server has checked it).
  static Outcome handshake(ssl::context& server_context, ssl::context& client_context) {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    ssl::stream<tcp::socket> server(io, server_context), client(io, client_context);
    client.set_verify_callback(ssl::host_name_verification("localhost"));
    Outcome outcome;
    outcome.server = outcome.client = asio::error::timed_out;
    acceptor.async_accept(server.next_layer(), [&](boost::system::error_code ec) {
      if (ec) return void(outcome.server = ec);
      server.async_handshake(ssl::stream_base::server, [&](boost::system::error_code hec) {
        outcome.server = hec;
        if (!hec) outcome.version = SSL_get_version(server.native_handle());
        boost::system::error_code ignored;
        server.next_layer().close(ignored);
      });
    });
    client.next_layer().async_connect(acceptor.local_endpoint(), [&](boost::system::error_code ec) {
      if (ec) return void(outcome.client = ec);
      client.async_handshake(ssl::stream_base::client, [&](boost::system::error_code hec) { outcome.client = hec; });
    });
    io.run_for(std::chrono::seconds(10));
    return outcome;
  }

  std::filesystem::path dir_, ca_file_, cert_file_, key_file_;
  Credentials ca_;
};

TEST_F(ServerTlsTest, ServesTls12And13) {
  auto server = make_server_tls_context(options());
  auto client = client_context();
  auto outcome = handshake(server, client);
  EXPECT_FALSE(outcome.server) << outcome.server.message();
  EXPECT_FALSE(outcome.client) << outcome.client.message();
  EXPECT_EQ(outcome.version, "TLSv1.3");
  auto old_client = client_context(TLS1_2_VERSION);
  outcome = handshake(server, old_client);
  EXPECT_FALSE(outcome.server) << outcome.server.message();
  EXPECT_EQ(outcome.version, "TLSv1.2");
}

TEST_F(ServerTlsTest, RefusesTls11AndBelow) {
  auto server = make_server_tls_context(options());
  auto client = client_context(TLS1_1_VERSION);
  EXPECT_TRUE(handshake(server, client).server);
}

TEST_F(ServerTlsTest, MinVersion13RefusesTls12) {
  auto opts = options();
  opts.min_version = "1.3";
  auto server = make_server_tls_context(opts);
  auto old_client = client_context(TLS1_2_VERSION);
  EXPECT_TRUE(handshake(server, old_client).server);
  auto client = client_context();
  EXPECT_FALSE(handshake(server, client).server);
}

TEST_F(ServerTlsTest, ClientCaRequiresASignedClientCertificate) {
  auto opts = options();
  opts.client_ca_file = ca_file_;
  auto server = make_server_tls_context(opts);
  CertificateSpec spec;
  spec.common_name = "client";
  auto good = make_certificate(spec, &ca_);
  auto self_signed = make_certificate(spec);

  auto with_cert = client_context(0, &good);
  EXPECT_FALSE(handshake(server, with_cert).server);
  auto without = client_context();
  EXPECT_TRUE(handshake(server, without).server);
  auto foreign = client_context(0, &self_signed);
  EXPECT_TRUE(handshake(server, foreign).server);
}

TEST_F(ServerTlsTest, ErrorsNameTheFileAndTheReason) {
  auto opts = options();
  opts.cert_file = dir_ / "missing.pem";
  auto missing = error_of(opts);
  EXPECT_NE(missing.find("TLS certificate file '" + opts.cert_file.string() + "'"), std::string::npos) << missing;
  EXPECT_NE(missing.find("No such file"), std::string::npos) << missing;

  std::ofstream(dir_ / "garbage.pem") << "not PEM at all\n";
  opts = options();
  opts.cert_file = dir_ / "garbage.pem";
  auto garbage = error_of(opts);
  EXPECT_NE(garbage.find("garbage.pem"), std::string::npos) << garbage;
  EXPECT_NE(garbage.find("no start line"), std::string::npos) << "OpenSSL's reason: " << garbage;

  opts = options();
  opts.key_file = dir_ / "ca-key.pem";
  auto mismatch = error_of(opts);
  EXPECT_NE(mismatch.find("does not match the certificate"), std::string::npos) << mismatch;
  EXPECT_NE(mismatch.find("ca-key.pem"), std::string::npos) << mismatch;

  opts = options();
  opts.key_file = dir_ / "nokey.pem";
  EXPECT_NE(error_of(opts).find("TLS key file '" + opts.key_file.string() + "'"), std::string::npos) << error_of(opts);

  opts = options();
  opts.client_ca_file = dir_ / "garbage.pem";
  EXPECT_NE(error_of(opts).find("TLS client CA file"), std::string::npos) << error_of(opts);

  opts = options();
  opts.min_version = "1.1";
  EXPECT_NE(error_of(opts).find("expected 1.2 or 1.3"), std::string::npos) << error_of(opts);
}

TEST_F(ServerTlsTest, EncryptedKeyFailsInsteadOfPrompting) {
  auto key = load_key(key_file_);
  std::unique_ptr<BIO, decltype(&BIO_free_all)> bio(BIO_new(BIO_s_mem()), BIO_free_all);
  static const char kPass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), key.get(), EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                     const_cast<char*>(kPass)), 1);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  std::ofstream(dir_ / "encrypted.pem") << std::string(data, static_cast<std::size_t>(size));
  auto opts = options();
  opts.key_file = dir_ / "encrypted.pem";
  EXPECT_NE(error_of(opts).find("encrypted.pem"), std::string::npos) << error_of(opts);
}

}  // namespace
}  // namespace partcheck::net
