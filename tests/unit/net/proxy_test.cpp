#include "net/proxy.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

#include "net/client_settings.hpp"

namespace partcheck::net {
namespace {

// The proxy variables of the environment, cleared for one test and restored.
class ProxyEnvironment : public ::testing::Test {
 protected:
  static constexpr const char* kNames[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                           "all_proxy",  "ALL_PROXY",  "no_proxy",    "NO_PROXY"};
  void SetUp() override {
    for (const char* n : kNames) {
      if (const char* v = std::getenv(n)) saved_.emplace_back(n, v);
      unsetenv(n);
    }
  }
  void TearDown() override {
    for (const char* n : kNames) unsetenv(n);
    for (const auto& [n, v] : saved_) setenv(n.c_str(), v.c_str(), 1);
  }
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST(NoProxy, NamesDomainsAddressesBlocksAndPorts) {
  EXPECT_TRUE(no_proxy_matches("*", parse_url("https://a.example")));
  EXPECT_TRUE(no_proxy_matches("example.com", parse_url("https://example.com")));
  EXPECT_TRUE(no_proxy_matches("example.com", parse_url("https://api.example.com")));
  EXPECT_TRUE(no_proxy_matches(".example.com", parse_url("https://api.example.com")));
  EXPECT_FALSE(no_proxy_matches("example.com", parse_url("https://badexample.com")));
  EXPECT_TRUE(no_proxy_matches("localhost, 10.0.0.0/8", parse_url("http://10.1.2.3:8080")));
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/8", parse_url("http://11.1.2.3")));
  EXPECT_TRUE(no_proxy_matches("127.0.0.1", parse_url("http://127.0.0.1:9")));
  EXPECT_TRUE(no_proxy_matches("::1", parse_url("http://[::1]:9")));
  EXPECT_TRUE(no_proxy_matches("files.example:8443", parse_url("https://files.example:8443")));
  EXPECT_FALSE(no_proxy_matches("files.example:8443", parse_url("https://files.example")));
  EXPECT_TRUE(no_proxy_matches("A.EXAMPLE", parse_url("https://a.example")));
  EXPECT_FALSE(no_proxy_matches("", parse_url("https://a.example")));
}

TEST_F(ProxyEnvironment, HttpsTargetsUseHttpsProxyAndHttpTargetsHttpProxy) {
  setenv("HTTPS_PROXY", "http://secure-proxy:3128", 1);
  setenv("http_proxy", "plain-proxy:8080", 1);
  ClientSettings s;
  EXPECT_EQ(proxy_for(parse_url("https://files.example"), s)->host, "secure-proxy");
  auto plain = proxy_for(parse_url("http://files.example"), s);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->host, "plain-proxy");
  EXPECT_EQ(plain->port, 8080);
}

TEST_F(ProxyEnvironment, NoProxySkipsTheEnvironmentButNotTheFlag) {
  setenv("HTTPS_PROXY", "http://proxy:3128", 1);
  setenv("NO_PROXY", "localhost,127.0.0.1", 1);
  ClientSettings s;
  EXPECT_FALSE(proxy_for(parse_url("https://127.0.0.1:8443"), s));
  s.proxy = "http://proxy:3128";
  EXPECT_TRUE(proxy_for(parse_url("https://127.0.0.1:8443"), s));
  s.proxy = "none";
  EXPECT_FALSE(proxy_for(parse_url("https://files.example"), s));
}

TEST_F(ProxyEnvironment, HttpsProxyUrlsAreRefusedWithTheReason) {
  ClientSettings s;
  s.proxy = "https://proxy:3128";
  try {
    proxy_for(parse_url("https://files.example"), s);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("only http:// proxies"), std::string::npos) << e.what();
  }
}

TEST(HeaderFlag, SplitsTrimsAndRefusesInjection) {
  auto [name, value] = parse_header_flag("X-Gateway-Key:  s3cret ");
  EXPECT_EQ(name, "X-Gateway-Key");
  EXPECT_EQ(value, "s3cret");
  EXPECT_THROW(parse_header_flag("no colon"), std::invalid_argument);
  EXPECT_THROW(parse_header_flag("Bad Name: x"), std::invalid_argument);
  EXPECT_THROW(parse_header_flag("X: a\r\nInjected: b"), std::invalid_argument);
}

}  // namespace
}  // namespace partcheck::net
