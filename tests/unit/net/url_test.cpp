#include "net/url.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace partcheck::net {
namespace {

TEST(Url, HttpWithPortAndPath) {
  auto u = parse_url("http://files.example:8080/api/v2?x=1");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.host, "files.example");
  EXPECT_EQ(u.port, 8080);
  EXPECT_EQ(u.path, "/api/v2?x=1");
  EXPECT_EQ(u.authority(), "files.example:8080");
  EXPECT_EQ(u.origin(), "http://files.example:8080");
}

TEST(Url, HttpsDefaultsToPort443AndLeavesItOutOfTheAuthority) {
  auto u = parse_url("HTTPS://files.example");
  EXPECT_TRUE(u.tls());
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(u.authority(), "files.example");
  EXPECT_EQ(u.host_port(), "files.example:443");
  EXPECT_EQ(u.path, "");
}

TEST(Url, BracketedIpv6) {
  auto u = parse_url("https://[::1]:8443/x");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.authority(), "[::1]:8443");
  EXPECT_TRUE(is_ip_literal(u.host));
  EXPECT_FALSE(is_ip_literal("localhost"));
}

TEST(Url, UserinfoIsPercentDecoded) {
  auto u = parse_url("http://me:p%40ss@proxy:3128");
  EXPECT_EQ(u.userinfo, "me:p@ss");
  EXPECT_EQ(u.host, "proxy");
  EXPECT_EQ(u.port, 3128);
}

TEST(Url, RefusalsSayWhy) {
  for (const char* bad : {"ftp://x", "localhost:8080", "http://", "http://host:0", "http://host:65536",
                          "http://host:80x", "http://[::1", "http://host:"}) {
    try {
      parse_url(bad, "--target");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("--target '"), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(try_parse_url("nonsense").has_value());
}

}  // namespace
}  // namespace partcheck::net
