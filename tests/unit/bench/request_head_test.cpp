#include "bench/request_head.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace partcheck;
using bench::HttpTarget;
using bench::RequestHeads;

namespace {

HttpTarget target(const std::string& url) {
  auto t = bench::parse_target_url(url);
  t.api_key = "k";
  return t;
}

net::ClientSettings direct(net::HeaderList headers = {}) {
  net::ClientSettings s;
  s.proxy = "none";  // whatever the environment says
  s.headers = std::move(headers);
  return s;
}

}  // namespace

TEST(RequestHeads, DirectRequestsCarryTheMountPathHostKeyAndHeaders) {
  auto t = target("http://files.example:8080/api/v2/");
  net::Connector connector(t.origin, direct({{"X-Gateway-Key", "s3cret"}}));
  RequestHeads heads(t, connector);
  EXPECT_EQ(heads.make("POST", "/pub/v1/disk/file/upload?hash=h", "application/octet-stream",
                       "Content-Range: bytes 0-5/10\r\n", 5),
            "POST /api/v2/pub/v1/disk/file/upload?hash=h HTTP/1.1\r\n"
            "Host: files.example:8080\r\n"
            "Authorization: Bearer k\r\n"
            "X-Gateway-Key: s3cret\r\n"
            "Content-Type: application/octet-stream\r\n"
            "Content-Range: bytes 0-5/10\r\n"
            "Content-Length: 5\r\n\r\n");
}

TEST(RequestHeads, HttpThroughAProxyUsesAbsoluteFormAndProxyCredentials) {
  auto t = target("http://files.example/api");
  auto settings = direct();
  settings.proxy = "http://user:pw@proxy.example:3128";
  net::Connector connector(t.origin, settings);
  RequestHeads heads(t, connector);
  const auto head = heads.make("POST", "/pub/v1/x", "application/json", "", 2);
  EXPECT_EQ(head.rfind("POST http://files.example/api/pub/v1/x HTTP/1.1\r\nHost: files.example\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("Proxy-Authorization: Basic dXNlcjpwdw==\r\n"), std::string::npos) << head;
}

TEST(RequestHeads, HttpsThroughAProxyKeepsOriginFormInsideTheTunnel) {
  auto t = target("https://files.example:8443");
  auto settings = direct();
  settings.proxy = "http://user:pw@proxy.example:3128";
  settings.insecure = true;  // no trust store needed to build the context
  net::Connector connector(t.origin, settings);
  RequestHeads heads(t, connector);
  const auto head = heads.make("POST", "/pub/v1/x", "application/json", "", 2);
  EXPECT_EQ(head.rfind("POST /pub/v1/x HTTP/1.1\r\nHost: files.example:8443\r\n", 0), 0u) << head;
  // The credentials go in CONNECT, never to the origin.
  EXPECT_EQ(head.find("Proxy-Authorization"), std::string::npos) << head;
  EXPECT_EQ(heads.target_for("/pub/v1/y"), "/pub/v1/y");
}

TEST(RequestHeads, AnAuthorizationHeaderReplacesTheBearerKey) {
  auto t = target("http://h");
  net::Connector connector(t.origin, direct({{"authorization", "Basic Zm9vOmJhcg=="}}));
  const auto head = RequestHeads(t, connector).make("POST", "/p", "application/json", "", 0);
  EXPECT_EQ(head.find("Bearer"), std::string::npos) << head;
  EXPECT_NE(head.find("authorization: Basic Zm9vOmJhcg==\r\n"), std::string::npos) << head;
}

TEST(RequestHeads, HeadersThatWouldBreakTheFramingAreRefused) {
  auto t = target("http://h");
  for (const char* name : {"Host", "content-length", "Transfer-Encoding", "Content-Range", "Content-Type", "Connection"}) {
    net::Connector connector(t.origin, direct({{name, "x"}}));
    try {
      RequestHeads heads(t, connector);
      ADD_FAILURE() << name << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
}
