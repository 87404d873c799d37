#include "bench/http_target.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

using namespace partcheck::bench;

namespace {

// A target config in a fresh folder, removed afterwards.
class TargetConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("bench-target-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& text) {
    const auto path = (dir_ / "target.yaml").string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

}  // namespace

TEST(TargetUrl, HttpsIPv6PortsAndMountPaths) {
  auto t = parse_target_url("https://files.example:8443/api/v2/");
  EXPECT_TRUE(t.origin.tls());
  EXPECT_EQ(t.origin.host, "files.example");
  EXPECT_EQ(t.origin.port, 8443);
  EXPECT_EQ(t.path_prefix, "/api/v2");
  EXPECT_TRUE(t.origin.path.empty());
  EXPECT_EQ(t.url(), "https://files.example:8443/api/v2");

  auto v6 = parse_target_url("http://[::1]:9000");
  EXPECT_EQ(v6.origin.host, "::1");
  EXPECT_EQ(v6.url(), "http://[::1]:9000");
  EXPECT_EQ(parse_target_url("https://h").origin.port, 443);
  EXPECT_EQ(parse_target_url("http://h/").path_prefix, "");
}

TEST(TargetUrl, RefusesWhatCannotBeATarget) {
  for (const char* bad : {"ftp://h", "h:80", "http://", "http://h:0", "http://user:pw@h", "http://h/api?x=1"}) {
    try {
      parse_target_url(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST_F(TargetConfig, ReadsTransportSectionsWithFilesRelativeToTheConfig) {
  auto t = load_target_config(write("url: https://gw.example/api/v2\napi_key: k\ndirectory_id: d\n"
                                    "tls: {cacert: ca.pem, min_version: \"1.3\"}\nproxy: http://p:3128\n"
                                    "headers: {X-Gateway-Key: s3cret}\n"));
  EXPECT_EQ(t.url(), "https://gw.example/api/v2");
  EXPECT_EQ(t.api_key, "k");
  EXPECT_EQ(t.transport.cacert, (dir_ / "ca.pem").lexically_normal().string());
  EXPECT_EQ(t.transport.tls_min, "1.3");
  EXPECT_EQ(t.transport.proxy, "http://p:3128");
  ASSERT_EQ(t.transport.headers.size(), 1u);
  EXPECT_EQ(t.transport.headers[0].second, "s3cret");
}

TEST_F(TargetConfig, UnknownFieldsAreNamedWithTheirLine) {
  try {
    load_target_config(write("url: http://h\nproxi: http://p:3128\n"));
    FAIL() << "a misspelt field was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("target.yaml:2: field 'proxi' is unknown"), std::string::npos) << e.what();
  }
}

TEST_F(TargetConfig, BadTransportValuesNameTheField) {
  try {
    load_target_config(write("url: http://h\ntls: {min_version: \"1.1\"}\n"));
    FAIL() << "TLS 1.1 was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("tls.min_version"), std::string::npos) << e.what();
  }
}
