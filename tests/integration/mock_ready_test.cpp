// GET /__mock/ready, the probe Kubernetes and compose call (deploy/): it
// answers without the admin key under --admin-key and from a non-loopback
// address without one, says nothing but "ready", and fits docs/openapi.yaml;
// the detailed GET /__mock/health keeps refusing the same callers.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <httplib.h>

#include <optional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/support/prism_proxy.hpp"
#include "tests/integration/support/process.hpp"

namespace partcheck::testing {
namespace {

httplib::Result get(const std::string& host, int port, const std::string& path, httplib::Headers headers = {}) {
  httplib::Client client(host, port);
  client.set_connection_timeout(10);
  client.set_read_timeout(30);
  return client.Get(path, headers);
}

// An IPv4 address of this machine other than loopback: a connection to it
// comes from that address, as the kubelet's comes from the node.
std::optional<std::string> non_loopback_address() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return std::nullopt;
  std::optional<std::string> found;
  for (auto* entry = list; entry && !found; entry = entry->ifa_next) {
    if (!entry->ifa_addr || entry->ifa_addr->sa_family != AF_INET) continue;
    if ((entry->ifa_flags & IFF_UP) == 0 || (entry->ifa_flags & IFF_LOOPBACK) != 0) continue;
    char text[INET_ADDRSTRLEN] = {};
    const auto* address = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
    if (inet_ntop(AF_INET, &address->sin_addr, text, sizeof text)) found = text;
  }
  freeifaddrs(list);
  return found;
}

void expect_ready(const httplib::Result& answer) {
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(answer->get_header_value("Content-Type"), "application/json");
  // Exactly these two fields: the probe is public, so no setting leaks.
  EXPECT_EQ(nlohmann::json::parse(answer->body), (nlohmann::json{{"success", true}, {"status", "ready"}}))
      << answer->body;
}

TEST(MockReady, AnswersWithoutTheAdminKeyWhileHealthRefuses) {
  ServerProcess mock({"--storage", "memory", "--quiet", "--admin-key", "s3cret"});
  expect_ready(get(mock.host(), mock.port(), "/__mock/ready"));
  expect_ready(get(mock.host(), mock.port(), "/__mock/ready/"));
  expect_ready(get(mock.host(), mock.port(), "/__mock/ready", {{"X-Admin-Key", "wrong"}}));

  auto health = get(mock.host(), mock.port(), "/__mock/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 403) << health->body;
  EXPECT_NE(health->body.find("Unauthorized"), std::string::npos) << health->body;
  auto with_key = get(mock.host(), mock.port(), "/__mock/health", {{"X-Admin-Key", "s3cret"}});
  ASSERT_TRUE(with_key);
  EXPECT_EQ(with_key->status, 200) << with_key->body;

  // Only GET is public: anything else at the path is the admin API's.
  httplib::Client client(mock.host(), mock.port());
  auto post = client.Post("/__mock/ready", "", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 403) << post->body;
  auto post_with_key = client.Post("/__mock/ready", {{"X-Admin-Key", "s3cret"}}, "", "application/json");
  ASSERT_TRUE(post_with_key);
  EXPECT_EQ(post_with_key->status, 405) << post_with_key->body;
}

TEST(MockReady, AnswersAnotherAddressWithoutAnAdminKey) {
  const auto address = non_loopback_address();
  if (!address) GTEST_SKIP() << "this machine has no IPv4 address besides loopback to call from";
  ServerProcess mock({"--storage", "memory", "--quiet", "--listen", "0.0.0.0:0"});
  expect_ready(get(*address, mock.port(), "/__mock/ready"));
  auto health = get(*address, mock.port(), "/__mock/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 403) << "health from " << *address << ": " << health->body;
}

TEST(MockReady, FitsTheOpenApiDocument) {
  ASSERT_TRUE(std::filesystem::exists(kPrism))
      << kPrism << " is missing: run scripts/setup.sh (it installs tools/ with npm ci)";
  ServerProcess mock({"--storage", "memory", "--quiet", "--admin-key", "s3cret"});
  PrismProxy proxy(mock.url(), true);
  Through through(proxy);
  EXPECT_TRUE(fits(through.send("GET", "/__mock/ready"), 200));
}

}  // namespace
}  // namespace partcheck::testing
