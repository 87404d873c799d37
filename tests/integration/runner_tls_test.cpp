// `partcheck run` and `partcheck probe` over https, through an HTTP proxy and
// behind a gateway, against real processes: the mock serving TLS
// (--tls-self-signed, or certificates made here by a private CA),
// tests/targets/http_proxy.py and tests/targets/gateway.py. Each way a
// connection can fail says what happened and which flag fixes it (exit 3).
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "net/certificate.hpp"
#include "tests/integration/support/process.hpp"
#include "tests/integration/support/run_results.hpp"

using namespace partcheck::testing;
namespace net = partcheck::net;

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A private CA and certificates it signs, written into a temp dir.
struct Pki {
  TempDir dir;
  net::Credentials ca = net::make_certificate({"partcheck test CA", {}, std::chrono::system_clock::now() - std::chrono::hours(1),
                                               std::chrono::system_clock::now() + std::chrono::hours(24), true});
  Pki() { ca.write(path("ca.pem"), path("ca-key.pem")); }
  std::string path(const std::string& name) const { return (dir.path() / name).string(); }
  // Writes NAME.pem and NAME-key.pem, signed by the CA.
  void issue(const std::string& name, std::vector<std::string> alt_names,
             std::chrono::system_clock::time_point not_after = std::chrono::system_clock::now() + std::chrono::hours(24)) {
    net::CertificateSpec spec;
    spec.common_name = name;
    spec.alt_names = std::move(alt_names);
    spec.not_before = std::min(spec.not_before, not_after - std::chrono::hours(48));
    spec.not_after = not_after;
    net::make_certificate(spec, &ca).write(path(name + ".pem"), path(name + "-key.pem"));
  }
};

std::unique_ptr<ServerProcess> tls_mock(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"--storage", "memory", "--listen-tls", "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<ServerProcess>(args);
}

std::unique_ptr<ServerProcess> python_fixture(const std::string& script, std::vector<std::string> args) {
  std::vector<std::string> argv{"python3", (kSourceDir / "tests" / "targets" / script).string(), "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<ServerProcess>(argv, ServerProcess::OtherServer{});
}

CommandResult cli(std::vector<std::string> args) {
  args.insert(args.begin(), kPartcheck);
  return run_command(args);
}

std::vector<std::string> run_args(const std::string& url, const ServerProcess& mock, const TempDir& reports,
                                  const std::string& rules = "") {
  std::vector<std::string> a{"run", (kSourceDir / "scenarios").string(), "--target", url, "--api-key",
                             mock.api_key(), "--report-dir", reports.str()};
  if (!rules.empty()) a.insert(a.end(), {"--rules", rules});
  return a;
}

void expect_unreachable(const CommandResult& r, const std::string& problem, const std::string& fix) {
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find(problem), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(fix), std::string::npos) << r.err;
}

}  // namespace

// The whole suite over https against the mock's own certificate.
TEST(RunnerTls, WholeSuitePassesOverHttpsWithCacert) {
  TempDir data;
  auto mock = tls_mock({"--tls-self-signed", "--data-dir", data.str()});
  const auto cert = (data.path() / "tls" / "cert.pem").string();
  ASSERT_TRUE(std::filesystem::exists(cert));
  TempDir reports;
  auto args = run_args(mock->tls_url(), *mock, reports);
  args.insert(args.end(), {"--cacert", cert});
  auto r = cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto results = latest_results(reports);
  EXPECT_TRUE(failing_rules(results).empty()) << results["totals"].dump();
  EXPECT_GE(results["totals"]["PASS"].get<int>(), 80) << results["totals"].dump();
  // Reproducers carry the trust setting.
  EXPECT_NE(read_file(reports.path() / "latest" / "results.json").find("--cacert"), std::string::npos);
}

TEST(RunnerTls, WithoutTheCaItIsExit3NamingTheCertificateProblem) {
  TempDir data;
  auto mock = tls_mock({"--tls-self-signed", "--data-dir", data.str()});
  TempDir reports;
  expect_unreachable(cli(run_args(mock->tls_url(), *mock, reports)), "not signed by a CA this side trusts",
                     "--cacert");
  auto insecure = cli({"probe", mock->tls_url(), "--api-key", mock->api_key(), "--insecure"});
  EXPECT_EQ(insecure.exit_code, 0) << insecure.out << insecure.err;
}

TEST(RunnerTls, ExpiredAndWrongNameCertificatesAreToldApart) {
  Pki pki;
  pki.issue("expired", {"127.0.0.1"}, std::chrono::system_clock::now() - std::chrono::hours(1));
  pki.issue("elsewhere", {"files.elsewhere.example"});
  auto expired = tls_mock({"--tls-cert", pki.path("expired.pem"), "--tls-key", pki.path("expired-key.pem")});
  expect_unreachable(cli({"probe", expired->tls_url(), "--api-key", expired->api_key(), "--cacert", pki.path("ca.pem")}),
                     "has expired", "--insecure");
  auto wrong = tls_mock({"--tls-cert", pki.path("elsewhere.pem"), "--tls-key", pki.path("elsewhere-key.pem")});
  expect_unreachable(cli({"probe", wrong->tls_url(), "--api-key", wrong->api_key(), "--cacert", pki.path("ca.pem")}),
                     "for another name", "host name the certificate names");
}

TEST(RunnerTls, NoCommonVersionIsExit3NamingTheVersionFlags) {
  TempDir data;
  auto mock = tls_mock({"--tls-self-signed", "--data-dir", data.str(), "--tls-min-version", "1.3"});
  const auto cert = (data.path() / "tls" / "cert.pem").string();
  expect_unreachable(cli({"probe", mock->tls_url(), "--api-key", mock->api_key(), "--cacert", cert, "--tls-max", "1.2"}),
                     "no TLS version both sides accept", "--tls-min/--tls-max");
}

TEST(RunnerTls, MutualTlsPassesWithAClientCertificateAndIsExit3Without) {
  Pki pki;
  pki.issue("server", {"127.0.0.1", "localhost"});
  pki.issue("client", {"partcheck-client"});
  auto mock = tls_mock({"--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server-key.pem"),
                        "--tls-client-ca", pki.path("ca.pem")});
  TempDir reports;
  auto with = run_args(mock->tls_url(), *mock, reports, "AUTH,RANGE,MOVE-1");
  with.insert(with.end(), {"--cacert", pki.path("ca.pem"), "--cert", pki.path("client.pem"), "--key", pki.path("client-key.pem")});
  auto r = cli(with);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(failing_rules(latest_results(reports)).empty());
  expect_unreachable(cli({"probe", mock->tls_url(), "--api-key", mock->api_key(), "--cacert", pki.path("ca.pem")}),
                     "client certificate", "--cert FILE --key FILE");
}

// https through CONNECT, http through absolute-form (raw requests through a
// CONNECT tunnel); the proxy's log shows which way each went.
TEST(RunnerTls, ThroughAnHttpProxy) {
  TempDir data, logs;
  auto mock = tls_mock({"--tls-self-signed", "--data-dir", data.str(), "--listen", "127.0.0.1:0"});  // and plain http
  ASSERT_EQ(mock->url().rfind("http://", 0), 0u) << mock->url();
  const auto cert = (data.path() / "tls" / "cert.pem").string();
  const auto log = (logs.path() / "proxy.log").string();
  auto proxy = python_fixture("http_proxy.py", {"--log", log});
  TempDir reports;
  auto https = run_args(mock->tls_url(), *mock, reports, "AUTH,RANGE-1,MOVE-1");
  https.insert(https.end(), {"--cacert", cert, "--proxy", proxy->url()});
  auto r = cli(https);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(read_file(log).find("CONNECT 127.0.0.1:" + std::to_string(mock->tls_port()) + " 200"), std::string::npos);

  TempDir plain_reports;
  auto plain = run_args(mock->url(), *mock, plain_reports, "AUTH,CT");
  plain.insert(plain.end(), {"--proxy", proxy->url()});
  r = cli(plain);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(read_file(log).find("POST " + mock->url() + "/pub/v1/"), std::string::npos) << read_file(log);
}

TEST(RunnerTls, AProxyThatRefusesConnectIsExit3) {
  TempDir data;
  auto mock = tls_mock({"--tls-self-signed", "--data-dir", data.str()});
  auto proxy = python_fixture("http_proxy.py", {"--refuse-connect"});
  expect_unreachable(cli({"probe", mock->tls_url(), "--api-key", mock->api_key(), "--insecure", "--proxy", proxy->url()}),
                     "refused CONNECT", "--proxy");
}

// A gateway that mounts the API at /api/v2 and wants its own header.
TEST(RunnerTls, BehindAGatewayWithABasePathAndAHeader) {
  ServerProcess mock({"--storage", "memory"});
  auto gateway = python_fixture("gateway.py", {"--upstream", mock.url(), "--base-path", "/api/v2",
                                               "--require-header", "X-Gateway-Key: s3cret"});
  TempDir reports;
  auto args = run_args(gateway->url() + "/api/v2", mock, reports, "AUTH,RANGE-1,MOVE-1");
  args.insert(args.end(), {"--header", "X-Gateway-Key: s3cret"});
  auto r = cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(failing_rules(latest_results(reports)).empty());

  // The same through a target config.
  TempDir config_dir;
  const auto config = config_dir.path() / "gateway.yaml";
  std::ofstream(config) << "url: " << gateway->url() << "/api/v2\napi_key: " << mock.api_key()
                        << "\nheaders: {X-Gateway-Key: s3cret}\n";
  auto from_config = cli({"probe", "--target-config", config.string()});
  EXPECT_EQ(from_config.exit_code, 0) << from_config.out << from_config.err;

  auto without = cli({"probe", gateway->url() + "/api/v2", "--api-key", mock.api_key()});
  EXPECT_NE(without.exit_code, 0) << without.out;
}
