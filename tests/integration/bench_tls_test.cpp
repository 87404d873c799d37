// `partcheck bench` over https, through an HTTP proxy and behind a gateway:
// the real binary against real processes on port 0 (the mock, and the
// fixtures tests/targets/gateway.py and http_proxy.py, whose --log files
// show what went over the wire). TLS fronts use a certificate made here
// with the openssl command.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/integration/support/process.hpp"

using namespace partcheck::testing;

namespace {

const std::string kGatewayHeader = "X-Gateway-Key: s3cret";
const std::vector<std::string> kSmallRun = {"--file-size", "12MiB", "--part-size", "5MiB", "--timeout", "30s"};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json read_json(const std::filesystem::path& p) { return nlohmann::json::parse(slurp(p)); }

// A self-signed certificate for 127.0.0.1 and localhost (cert.pem, key.pem).
struct Certificate {
  TempDir dir;
  Certificate() {
    auto r = run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "2",
                          "-keyout", key(), "-out", cert()});
    if (r.exit_code != 0) throw std::runtime_error("openssl req failed: " + r.err);
  }
  std::string cert() const { return (dir.path() / "cert.pem").string(); }
  std::string key() const { return (dir.path() / "key.pem").string(); }
};

// A port nothing listens on right now, for a fixture whose address must be
// known before it starts (the mock's --public-url names the gateway).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("cannot find a free port");
  ::close(fd);
  return ntohs(address.sin_port);
}

std::unique_ptr<ServerProcess> fixture(const std::string& script, const std::vector<std::string>& args,
                                       const std::string& listen = "127.0.0.1:0") {
  std::vector<std::string> argv{"python3", (kSourceDir / "tests" / "targets" / script).string(), "--listen", listen};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<ServerProcess>(argv, ServerProcess::OtherServer{});
}

// gateway.py in front of `mock`, serving https with `tls`, the API under /api/v2.
std::unique_ptr<ServerProcess> tls_gateway(const ServerProcess& mock, const Certificate& tls, const std::string& log,
                                           const std::string& listen = "127.0.0.1:0") {
  return fixture("gateway.py",
                 {"--upstream", mock.url(), "--base-path", "/api/v2", "--require-header", kGatewayHeader, "--tls-cert",
                  tls.cert(), "--tls-key", tls.key(), "--log", log},
                 listen);
}

CommandResult bench(const std::vector<std::string>& args) {
  std::vector<std::string> argv{kPartcheck, "bench", "--quiet"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), kSmallRun.begin(), kSmallRun.end());
  return run_command(argv);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

// Uploads, moves and the read-back all go through the TLS gateway: the mock
// names the gateway in its download links (--public-url).
TEST(BenchTls, HttpsThroughAGatewayWithItsCaVerifiesTheBytesDownloadedThroughIt) {
  Certificate tls;
  TempDir dir;
  const int port = free_port();
  const std::string front = "https://127.0.0.1:" + std::to_string(port) + "/api/v2";
  ServerProcess mock({"--storage", "memory", "--quiet", "--public-url", front});
  const auto log = (dir.path() / "gateway.log").string();
  auto gateway = tls_gateway(mock, tls, log, "127.0.0.1:" + std::to_string(port));
  const auto out = dir.path() / "r.json", html = dir.path() / "r.html";
  auto r = bench({"--target", front, "--api-key", mock.api_key(), "--directory-id", mock.root_dir_id(), "--cacert",
                  tls.cert(), "--header", kGatewayHeader, "--files", "3", "--concurrency", "2", "--verify", "download",
                  "--out", out.string(), "--html", html.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = read_json(out);
  EXPECT_EQ(j["config"]["target"], front);
  EXPECT_EQ(j["totals"]["uploads"], 3);
  EXPECT_TRUE(j["errors"].empty()) << j["errors"];
  EXPECT_EQ(j["verification"]["checked"], 3);
  EXPECT_EQ(j["verification"]["mismatches"], 0) << j["verification"];
  const auto& t = j["transport"];
  EXPECT_EQ(t["tls"], true);
  EXPECT_EQ(t["tls_version"].get<std::string>().rfind("TLSv1.", 0), 0u) << t;
  EXPECT_FALSE(t["tls_cipher"].get<std::string>().empty()) << t;
  // One per connection: at least one per lane, and fewer than the 12
  // requests (gateway.py closes a connection now and then, when the mock's
  // answer overtakes the end of the body it relays).
  EXPECT_GE(t["tls_handshakes"].get<int>(), 2) << t;
  EXPECT_LT(t["tls_handshakes"].get<int>(), 12) << t;
  EXPECT_TRUE(t["proxy"].is_null());
  EXPECT_NE(r.out.find("  transport  TLSv1."), std::string::npos) << r.out;
  EXPECT_NE(slurp(html).find("<th>transport</th><td>TLSv1."), std::string::npos);

  const auto lines = slurp(log);
  EXPECT_EQ(count(lines, "POST /api/v2/pub/v1/disk/file/upload?hash="), 9u) << lines;
  EXPECT_EQ(count(lines, "POST /api/v2/pub/v1/disk/file/move?directoryID="), 3u) << lines;
  EXPECT_EQ(count(lines, "GET /api/v2/pub/v1/disk/download/"), 3u) << lines;
}

// Straight to the mock's own TLS listener: nothing in between closes
// connections, so the handshakes count the lanes exactly, and the download
// links the mock gives are https too.
TEST(BenchTls, AgainstTheMocksTlsEachLaneHandshakesOnce) {
  TempDir data, dir;
  ServerProcess mock({"--storage", "memory", "--listen-tls", "127.0.0.1:0", "--tls-self-signed", "--data-dir",
                      data.str(), "--quiet"});
  ASSERT_EQ(mock.url().rfind("https://", 0), 0u) << mock.url();
  const auto out = dir.path() / "r.json";
  auto r = bench({"--target", mock.url(), "--api-key", mock.api_key(), "--directory-id", mock.root_dir_id(), "--cacert",
                  mock.tls_certificate(), "--files", "6", "--concurrency", "2", "--verify", "download", "--out",
                  out.string(), "--threshold", "errors==0"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = read_json(out);
  EXPECT_EQ(j["totals"]["uploads"], 6);
  EXPECT_EQ(j["transport"]["tls_handshakes"], 2) << "6 uploads of 3 parts and a move each, over 2 kept-alive connections";
  EXPECT_EQ(j["verification"]["checked"], 4);
  EXPECT_EQ(j["verification"]["mismatches"], 0) << j["verification"];
}

TEST(BenchTls, AnUntrustedCertificateExitsThreeNamingTheProblemAndTheFix) {
  Certificate tls;
  TempDir dir;
  ServerProcess mock({"--storage", "null", "--quiet"});
  const auto log = (dir.path() / "gateway.log").string();
  auto gateway = tls_gateway(mock, tls, log);
  const auto target = gateway->url() + "/api/v2";
  auto r = bench({"--target", target, "--api-key", mock.api_key(), "--header", kGatewayHeader, "--files", "1"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("partcheck bench: target " + target + ": TLS handshake with 127.0.0.1:" +
                       std::to_string(gateway->port()) + " failed"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("not signed by a CA this side trusts"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fix: --cacert FILE"), std::string::npos) << r.err;
  EXPECT_EQ(count(slurp(log), "POST "), 0u) << "no load after a failed first connection: " << slurp(log);

  // --insecure is the other way out the message offers. A --source file goes
  // through the buffer path here: bytes sendfile put in the TLS stream would
  // break it, and every part would fail.
  const auto source = (dir.path() / "source.bin").string();
  std::ofstream(source) << std::string(12u << 20, 'x');
  auto insecure = bench({"--target", target, "--api-key", mock.api_key(), "--header", kGatewayHeader, "--files", "1",
                         "--insecure", "--source", source, "--threshold", "errors==0"});
  EXPECT_EQ(insecure.exit_code, 0) << insecure.out << insecure.err;
  EXPECT_NE(insecure.out.find("1 done, 0 failed"), std::string::npos) << insecure.out;
}

TEST(BenchTls, ThroughAProxyHttpsTunnelsWithConnectAndHttpUsesAbsoluteForm) {
  Certificate tls;
  TempDir dir;
  ServerProcess mock({"--storage", "memory", "--quiet"});
  auto gateway = tls_gateway(mock, tls, (dir.path() / "gateway.log").string());
  const auto proxy_log = (dir.path() / "proxy.log").string();
  auto proxy = fixture("http_proxy.py", {"--log", proxy_log});

  const auto out = dir.path() / "https.json";
  auto https = bench({"--target", gateway->url() + "/api/v2", "--api-key", mock.api_key(), "--cacert", tls.cert(),
                      "--header", kGatewayHeader, "--proxy", proxy->url(), "--files", "2", "--out", out.string(),
                      "--threshold", "errors==0"});
  ASSERT_EQ(https.exit_code, 0) << https.out << https.err;
  auto j = read_json(out);
  EXPECT_EQ(j["transport"]["proxy"], proxy->url());
  EXPECT_EQ(j["transport"]["tls"], true);
  auto lines = slurp(proxy_log);
  const std::string tunnel = "CONNECT 127.0.0.1:" + std::to_string(gateway->port()) + " 200";
  // A tunnel per connection, one TLS handshake in each; the up-front one is not the load's.
  EXPECT_EQ(count(lines, tunnel), j["transport"]["tls_handshakes"].get<std::size_t>() + 1) << lines;
  EXPECT_EQ(count(lines, "POST "), 0u) << "requests inside the tunnel are not the proxy's to see: " << lines;

  auto plain = bench({"--target", mock.url(), "--api-key", mock.api_key(), "--directory-id", mock.root_dir_id(),
                      "--proxy", proxy->url(), "--files", "2", "--verify", "download", "--threshold", "errors==0"});
  ASSERT_EQ(plain.exit_code, 0) << plain.out << plain.err;
  EXPECT_NE(plain.out.find("  transport  plain HTTP; proxy " + proxy->url()), std::string::npos) << plain.out;
  lines = slurp(proxy_log);
  EXPECT_EQ(count(lines, "POST " + mock.url() + "/pub/v1/disk/file/upload?hash="), 6u) << lines;
  EXPECT_EQ(count(lines, "GET " + mock.url() + "/pub/v1/disk/download/"), 2u) << lines;

  auto refusing = fixture("http_proxy.py", {"--refuse-connect"});
  auto refused = bench({"--target", gateway->url() + "/api/v2", "--api-key", mock.api_key(), "--cacert", tls.cert(),
                        "--proxy", refusing->url(), "--files", "1"});
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("refused CONNECT 127.0.0.1:" + std::to_string(gateway->port()) + ": 403"),
            std::string::npos)
      << refused.err;
}

TEST(BenchTls, AGatewayGetsItsHeaderAndTheBasePathFromTheTargetUrl) {
  TempDir dir;
  ServerProcess mock({"--storage", "null", "--quiet"});
  const auto log = (dir.path() / "gateway.log").string();
  auto gateway = fixture("gateway.py", {"--upstream", mock.url(), "--base-path", "/api/v2", "--require-header",
                                        kGatewayHeader, "--log", log});
  auto r = bench({"--target", gateway->url() + "/api/v2/", "--api-key", mock.api_key(), "-H", kGatewayHeader, "--files",
                  "2", "--threshold", "errors==0"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("transport"), std::string::npos) << "plain and direct needs no line: " << r.out;
  EXPECT_EQ(count(slurp(log), "POST /api/v2/pub/v1/disk/file/upload?hash="), 6u) << slurp(log);

  // Without the header the gateway refuses every part: counted, not fatal.
  const auto out = dir.path() / "r.json";
  auto refused = bench({"--target", gateway->url() + "/api/v2", "--api-key", mock.api_key(), "--files", "2",
                        "--retries", "0", "--out", out.string(), "--threshold", "errors==0"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  auto j = read_json(out);
  ASSERT_FALSE(j["errors"].empty());
  EXPECT_EQ(j["errors"][0]["status"], 401);
  EXPECT_EQ(j["totals"]["failed_uploads"], 2);

  auto framing = bench({"--target", gateway->url() + "/api/v2", "-H", "Content-Length: 3"});
  EXPECT_EQ(framing.exit_code, 2) << framing.out << framing.err;
  EXPECT_NE(framing.err.find("writes Content-Length itself"), std::string::npos) << framing.err;
}

TEST(BenchTls, ATargetConfigCarriesTlsProxyAndHeaders) {
  Certificate tls;
  TempDir dir;
  ServerProcess mock({"--storage", "null", "--quiet"});
  auto gateway = tls_gateway(mock, tls, (dir.path() / "gateway.log").string());
  const auto proxy_log = (dir.path() / "proxy.log").string();
  auto proxy = fixture("http_proxy.py", {"--log", proxy_log});
  // Next to the certificate, so that `cacert` can be relative to the file.
  const auto config = (tls.dir.path() / "target.yaml").string();
  std::ofstream(config) << "url: " << gateway->url() << "/api/v2\napi_key: " << mock.api_key()
                        << "\ntls:\n  cacert: cert.pem\n  min_version: \"1.2\"\nproxy: " << proxy->url()
                        << "\nheaders:\n  X-Gateway-Key: s3cret\n";
  const auto out = dir.path() / "r.json";
  auto r = bench({"--target-config", config, "--files", "2", "--out", out.string(), "--threshold", "errors==0"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = read_json(out);
  EXPECT_EQ(j["transport"]["tls"], true);
  EXPECT_EQ(j["transport"]["proxy"], proxy->url());
  EXPECT_EQ(count(slurp(proxy_log), "CONNECT 127.0.0.1:" + std::to_string(gateway->port()) + " 200"),
            j["transport"]["tls_handshakes"].get<std::size_t>() + 1);

  // The flags beat the file: --proxy none goes direct.
  auto direct = bench({"--target-config", config, "--files", "1", "--proxy", "none", "--out", out.string()});
  ASSERT_EQ(direct.exit_code, 0) << direct.out << direct.err;
  EXPECT_TRUE(read_json(out)["transport"]["proxy"].is_null());

  std::ofstream(config, std::ios::app) << "proxi: http://typo:1\n";
  auto typo = bench({"--target-config", config, "--files", "1"});
  EXPECT_EQ(typo.exit_code, 2) << typo.out << typo.err;
  EXPECT_NE(typo.err.find("field 'proxi' is unknown"), std::string::npos) << typo.err;
}
