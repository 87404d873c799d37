// `partcheck serve` over HTTPS, checked with curl: a whole upload, move and
// download; the self-signed certificate (trusted with --cacert, refused
// without, kept across restarts); plain and TLS listeners on one store;
// client certificates (mTLS); the TLS version floor; and clients that speak
// the wrong protocol to a port, after which the server keeps serving.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "contract/uuid.hpp"
#include "net/certificate.hpp"
#include "tests/integration/support/bodies.hpp"
#include "tests/integration/support/curl.hpp"
#include "tests/integration/support/process.hpp"
#include "tests/integration/support/raw_http.hpp"

namespace partcheck::testing {
namespace {

using namespace std::chrono_literals;
constexpr std::uint64_t kPart = 6 * contract::MiB;

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class MockTlsTest : public ::testing::Test {
 protected:
  // A server with the self-signed certificate in this test's data dir.
  std::unique_ptr<ServerProcess> start(std::vector<std::string> extra, bool quiet = true) {
    std::vector<std::string> args{"--storage", "memory", "--data-dir", data_dir().string(), "--tls-self-signed"};
    if (quiet) args.push_back("--quiet");
    args.insert(args.end(), extra.begin(), extra.end());
    auto server = std::make_unique<ServerProcess>(args);
    EXPECT_FALSE(server->tls_url().empty()) << server->url();
    EXPECT_EQ(server->tls_certificate(), (data_dir() / "tls" / "cert.pem").string());
    return server;
  }
  std::filesystem::path data_dir() const { return tmp_.path() / "data"; }

  // curl trusting the server's certificate, with the API key.
  CurlReply api(const ServerProcess& server, const std::string& path, std::vector<std::string> args = {}) {
    args.insert(args.end(), {"--cacert", server.tls_certificate(), "-H", "Authorization: Bearer " + server.api_key()});
    return curl(server.tls_url() + path, args);
  }
  CurlReply post_json(const ServerProcess& server, const std::string& path, const std::string& json,
                      std::vector<std::string> args = {}) {
    args.insert(args.end(), {"-X", "POST", "-H", "Content-Type: application/json", "--data-binary", json});
    return api(server, path, args);
  }
  // Part [s, e) of the n-byte file `seed`, sent from a file.
  CurlReply part(const ServerProcess& server, const std::string& hash, std::uint64_t seed, std::uint64_t s,
                 std::uint64_t e, std::uint64_t n, std::vector<std::string> args = {}) {
    auto body = tmp_.path() / ("part-" + std::to_string(s));
    std::ofstream(body, std::ios::binary) << file_bytes(seed, s, e - s);
    args.insert(args.end(), {"-X", "POST", "-H", "Content-Type: application/octet-stream", "-H",
                             "Content-Range: " + content_range(s, e, n), "--data-binary", "@" + body.string()});
    return api(server, "/pub/v1/disk/file/upload?hash=" + hash, args);
  }
  long long handshake_failures(const ServerProcess& server) {
    auto stats = curl(server.url() + "/__mock/stats", {"--cacert", server.tls_certificate()});
    EXPECT_EQ(stats.status, 200) << stats;
    return stats.json.value("tls_handshake_failures", -1LL);
  }

  TempDir tmp_;
};

TEST_F(MockTlsTest, UploadMoveAndDownloadOverHttps) {
  auto server = start({"--listen-tls", "127.0.0.1:0"});
  EXPECT_EQ(server->url(), server->tls_url()) << "TLS only: the first line is the https URL";
  EXPECT_TRUE(server->url().starts_with("https://127.0.0.1:")) << server->url();
  struct stat key {};
  ASSERT_EQ(::stat((data_dir() / "tls" / "key.pem").c_str(), &key), 0);
  EXPECT_EQ(key.st_mode & 0777, 0600);

  const auto hash = contract::new_uuid();
  constexpr std::uint64_t seed = 7, n = 2 * kPart;
  auto first = part(*server, hash, seed, 0, kPart, n);
  EXPECT_EQ(first.status, 206) << first;
  auto second = part(*server, hash, seed, kPart, n, n);
  EXPECT_EQ(second.status, 200) << second;

  auto moved = post_json(*server, "/pub/v1/disk/file/move?directoryID=" + server->root_dir_id(),
                         R"({"files":[{"hash":")" + hash + R"(","name":"big.bin"}]})");
  ASSERT_EQ(moved.status, 200) << moved;
  auto file_id = file_id_of_move(moved);
  auto link = api(*server, "/pub/v1/disk/file/" + file_id + "/get-link");
  ASSERT_EQ(link.status, 200) << link;
  auto url = link.json.value("Link", "");
  EXPECT_TRUE(url.starts_with(server->tls_url() + "/")) << "links follow the listener: " << url;

  auto download = curl(url, {"--cacert", server->tls_certificate()});
  ASSERT_EQ(download.status, 200) << download.err;
  EXPECT_EQ(download.body.size(), n);
  EXPECT_EQ(first_mismatch(seed, 0, download.body), -1);
}

// The banner's example upload carries the --cacert it needs over HTTPS.
TEST_F(MockTlsTest, TheBannersExampleUploadWorksOverHttps) {
  TempDir elsewhere;
  auto server = start({"--listen-tls", "127.0.0.1:0"});
  std::string example;
  for (const auto& line : server->banner_rest())
    if (line.starts_with("try: ")) example = line.substr(5);
  ASSERT_NE(example.find("--cacert"), std::string::npos) << example;
  auto uploaded = run_command({"bash", "-c", "cd '" + elsewhere.str() + "' && " + example});
  EXPECT_EQ(uploaded.exit_code, 0) << uploaded.err;
  EXPECT_NE(uploaded.out.find("\"success\":true"), std::string::npos) << uploaded.out;
}

TEST_F(MockTlsTest, CertificateMustBeTrustedAndForTheName) {
  auto server = start({"--listen-tls", "127.0.0.1:0"});
  auto untrusted = curl(server->url() + "/__mock/health");
  EXPECT_EQ(untrusted.exit_code, 60) << "certificate problem: " << untrusted;
  EXPECT_EQ(untrusted.status, 0);

  const auto port = std::to_string(server->tls_port());
  auto by_name = curl("https://localhost:" + port + "/__mock/health",
                      {"--cacert", server->tls_certificate(), "--resolve", "localhost:" + port + ":127.0.0.1"});
  EXPECT_EQ(by_name.status, 200) << by_name;
  auto wrong_name = curl("https://wrong.example:" + port + "/__mock/health",
                         {"--cacert", server->tls_certificate(), "--resolve", "wrong.example:" + port + ":127.0.0.1"});
  EXPECT_EQ(wrong_name.exit_code, 60) << wrong_name;
}

TEST_F(MockTlsTest, SelfSignedCertificateIsKeptAcrossRestartsUntilItRunsOut) {
  auto server = start({"--listen-tls", "127.0.0.1:0"});
  const auto cert_file = data_dir() / "tls" / "cert.pem";
  const auto pem = slurp(cert_file);
  EXPECT_EQ(server->terminate(), 0) << server->log();
  server = start({"--listen-tls", "127.0.0.1:0"});
  EXPECT_EQ(slurp(cert_file), pem) << "a client that trusted it keeps trusting it";
  EXPECT_EQ(server->terminate(), 0);

  // Expired (and for other names): replaced by a valid one.
  net::CertificateSpec spec;
  spec.common_name = "old";
  spec.alt_names = {"elsewhere.example"};
  spec.not_before = std::chrono::system_clock::now() - 48h;
  spec.not_after = std::chrono::system_clock::now() - 24h;
  net::make_certificate(spec).write(cert_file, data_dir() / "tls" / "key.pem");
  server = start({"--listen-tls", "127.0.0.1:0"});
  auto renewed = net::load_certificate(cert_file);
  EXPECT_GT(net::not_after(*renewed), std::chrono::system_clock::now() + 24h * 300);
  for (auto name : {"localhost", "127.0.0.1", "::1"}) EXPECT_TRUE(net::covers(*renewed, name)) << name;
  EXPECT_EQ(curl(server->url() + "/__mock/health", {"--cacert", cert_file.string()}).status, 200);
}

TEST_F(MockTlsTest, PlainAndTlsListenersShareOneStore) {
  auto server = start({"--listen", "127.0.0.1:0", "--listen-tls", "127.0.0.1:0"});
  EXPECT_TRUE(server->url().starts_with("http://")) << "the plain listener is the first line";
  EXPECT_NE(server->tls_port(), server->port());

  ApiClient plain(*server);
  const auto hash = contract::new_uuid();
  constexpr std::uint64_t n = kPart + 1000;
  EXPECT_EQ(plain.upload(hash, content_range(0, kPart, n), file_bytes(3, 0, kPart)).status, 206);
  auto rest = part(*server, hash, 3, kPart, n, n);
  EXPECT_EQ(rest.status, 200) << "the TLS listener continues the plain one's upload: " << rest;
  auto moved = plain.move(server->root_dir_id(), {{hash, "shared.bin"}});
  ASSERT_EQ(moved.status, 200) << moved;
  auto file_id = file_id_of_move(moved);

  auto plain_link = plain.get_link(file_id).json.value("Link", "");
  EXPECT_TRUE(plain_link.starts_with(server->url() + "/")) << plain_link;
  auto tls_link = api(*server, "/pub/v1/disk/file/" + file_id + "/get-link").json.value("Link", "");
  EXPECT_TRUE(tls_link.starts_with(server->tls_url() + "/")) << tls_link;
  auto download = curl(tls_link, {"--cacert", server->tls_certificate()});
  EXPECT_EQ(download.status, 200) << download;
  EXPECT_EQ(first_mismatch(3, 0, download.body), -1);
  EXPECT_EQ(plain.fetch(plain_link).body, download.body);
}

TEST_F(MockTlsTest, ClientCaRequiresAClientCertificateItSigned) {
  net::CertificateSpec ca_spec;
  ca_spec.common_name = "client CA";
  ca_spec.is_ca = true;
  auto ca = net::make_certificate(ca_spec);
  net::CertificateSpec client_spec;
  client_spec.common_name = "test client";
  const auto dir = tmp_.path();
  ca.write(dir / "ca.pem", dir / "ca-key.pem");
  net::make_certificate(client_spec, &ca).write(dir / "client.pem", dir / "client-key.pem");
  net::make_certificate(client_spec).write(dir / "stranger.pem", dir / "stranger-key.pem");

  auto server = start({"--listen-tls", "127.0.0.1:0", "--tls-client-ca", (dir / "ca.pem").string()});
  auto with = [&](const std::string& name) {
    return std::vector<std::string>{"--cert", (dir / (name + ".pem")).string(), "--key",
                                    (dir / (name + "-key.pem")).string()};
  };
  auto good = post_json(*server, "/pub/v1/disk/directory/list", R"({"directoryID":")" + server->root_dir_id() + "\"}",
                        with("client"));
  EXPECT_EQ(good.status, 200) << good;
  auto without = api(*server, "/__mock/health");
  EXPECT_NE(without.exit_code, 0) << without;
  EXPECT_EQ(without.status, 0);
  auto stranger = api(*server, "/__mock/health", with("stranger"));
  EXPECT_NE(stranger.exit_code, 0) << stranger;
  EXPECT_EQ(stranger.status, 0);
  auto stats = api(*server, "/__mock/stats", with("client"));
  EXPECT_EQ(stats.status, 200) << "still serving: " << stats;
  EXPECT_EQ(stats.json.value("tls_handshake_failures", -1), 2) << stats;
}

TEST_F(MockTlsTest, MinVersion13RefusesTls12Clients) {
  auto server = start({"--listen-tls", "127.0.0.1:0", "--tls-min-version", "1.3"});
  auto old = curl(server->url() + "/__mock/health", {"--cacert", server->tls_certificate(), "--tls-max", "1.2"});
  EXPECT_EQ(old.exit_code, 35) << "TLS handshake failed: " << old;
  auto modern = curl(server->url() + "/__mock/health", {"--cacert", server->tls_certificate(), "--tlsv1.3"});
  EXPECT_EQ(modern.status, 200) << modern;
}

TEST_F(MockTlsTest, WrongProtocolOnEitherPortIsACleanError) {
  auto server = start({"--listen", "127.0.0.1:0", "--listen-tls", "127.0.0.1:0"}, /*quiet=*/false);
  {  // plain HTTP on the TLS port: told so in plain HTTP
    RawConnection wire("127.0.0.1", server->tls_port());
    wire.send("GET /__mock/health HTTP/1.1\r\nHost: x\r\n\r\n");
    bool closed = false;
    auto response = wire.read_until_close(5s, &closed);
    EXPECT_EQ(status_of(response), 400) << response;
    EXPECT_NE(response.find("https://"), std::string::npos) << response;
    EXPECT_TRUE(closed);
  }
  // Bytes that are not TLS at all, and a handshake record that is not a ClientHello.
  for (const auto& junk : {std::string("\x01\x02 binary junk", 15), std::string("\x16\x03\x01\x00\x05hello", 10)}) {
    RawConnection wire("127.0.0.1", server->tls_port());
    wire.send(junk);
    bool closed = false;
    EXPECT_EQ(status_of(wire.read_until_close(5s, &closed)), 0) << "at most a TLS alert";
    EXPECT_TRUE(closed);
  }
  // TLS on the plain port: its ClientHello is a malformed request.
  auto tls_on_plain = curl("https://127.0.0.1:" + std::to_string(server->port()) + "/__mock/health",
                           {"--cacert", server->tls_certificate()});
  EXPECT_EQ(tls_on_plain.exit_code, 35) << tls_on_plain;

  EXPECT_EQ(handshake_failures(*server), 3);
  EXPECT_EQ(ApiClient(*server).list(server->root_dir_id()).status, 200);
  EXPECT_NE(server->log().find("TLS handshake failed"), std::string::npos) << server->log();
}

TEST_F(MockTlsTest, HandshakeIsBoundByTheHeaderTimeout) {
  auto server = start({"--listen-tls", "127.0.0.1:0", "--header-timeout", "1"});
  RawConnection silent("127.0.0.1", server->tls_port());
  RawConnection stalled("127.0.0.1", server->tls_port());
  stalled.send(std::string("\x16\x03\x01\x02\x00", 5));  // a record header, then nothing
  const auto start_time = std::chrono::steady_clock::now();
  bool closed = false;
  silent.read_until_close(10s, &closed);
  EXPECT_TRUE(closed);
  stalled.read_until_close(10s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - start_time, 5s);
  EXPECT_EQ(handshake_failures(*server), 2);
}

// The answer to a refused upload, sent while the client still sends its
// body, reaches the client through the TLS close.
TEST_F(MockTlsTest, RefusalBeforeABigBodyArrives) {
  auto server = start({"--listen-tls", "127.0.0.1:0"});
  auto body = tmp_.path() / "body";
  std::ofstream(body, std::ios::binary) << file_bytes(1, 0, kPart);
  auto refused = curl(server->url() + "/pub/v1/disk/file/upload?hash=" + contract::new_uuid(),
                      {"--cacert", server->tls_certificate(), "-H", "Authorization: Bearer wrong", "-H",
                       "Content-Range: " + content_range(0, kPart, kPart), "-H", "Content-Type: application/octet-stream",
                       "--data-binary", "@" + body.string()});
  EXPECT_EQ(refused.status, 403) << refused;
  EXPECT_EQ(refused.code(), "Unauthorized") << refused;
  EXPECT_EQ(api(*server, "/__mock/health").status, 200);
}

TEST_F(MockTlsTest, BadTlsFlagsExitWithUsageErrors) {
  const auto dir = tmp_.path();
  net::CertificateSpec spec;
  spec.common_name = "x";
  net::make_certificate(spec).write(dir / "a.pem", dir / "a-key.pem");
  net::make_certificate(spec).write(dir / "b.pem", dir / "b-key.pem");
  auto a = (dir / "a.pem").string(), a_key = (dir / "a-key.pem").string(), b_key = (dir / "b-key.pem").string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--tls-key", a_key}, "--tls-key"},
      {{"--tls-cert", a}, "--tls-cert"},
      {{"--tls-cert", (dir / "missing.pem").string(), "--tls-key", a_key}, "--tls-cert"},
      {{"--tls-cert", a, "--tls-key", b_key}, "--tls-key"},
      {{"--tls-client-ca", a}, "--tls-client-ca"},
      {{"--tls-self-signed", "--tls-client-ca", (dir / "none.pem").string()}, "--tls-client-ca"},
      {{"--listen-tls", "127.0.0.1:0"}, "--listen-tls"},
      {{"--tls-self-signed", "--tls-min-version", "1.1"}, "--tls-min-version"},
      {{"--tls-min-version", "1.3"}, "--tls-min-version"},
      {{"--tls-self-signed", "--tls-cert", a, "--tls-key", a_key}, "--tls-self-signed"},
  };
  for (const auto& [flags, named] : cases) {
    std::vector<std::string> argv{kPartcheck, "serve", "--storage", "memory", "--data-dir", (dir / "d").string(),
                                  "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto result = run_command(argv, {}, 30s);
    EXPECT_EQ(result.exit_code, 2) << flags.front() << ": " << result.err;
    EXPECT_NE(result.err.find(named), std::string::npos) << result.err;
  }
}

}  // namespace
}  // namespace partcheck::testing
