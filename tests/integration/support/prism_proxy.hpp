#pragma once
// `prism proxy` (tools/, installed by scripts/setup.sh) in front of a mock,
// and a client that reads Prism's verdict off every answer: an answer that
// does not fit docs/openapi.yaml comes back with an `sl-violations` field or
// as Prism's own problem+json.
#include <httplib.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/support/process.hpp"

namespace partcheck::testing {

inline const std::filesystem::path kPrism = kSourceDir / "tools" / "node_modules" / ".bin" / "prism";
inline const std::filesystem::path kOpenApiDocument = kSourceDir / "docs" / "openapi.yaml";

// `prism proxy` on a port of its own choosing, until destroyed. Throws when
// it does not start (the message has its log).
class PrismProxy {
 public:
  PrismProxy(const std::string& upstream, bool validate_requests);
  ~PrismProxy();
  PrismProxy(const PrismProxy&) = delete;
  PrismProxy& operator=(const PrismProxy&) = delete;

  int port() const { return port_; }
  std::string log() const;

 private:
  std::filesystem::path log_path() const { return dir_.path() / "prism.log"; }
  void stop();

  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

struct Exchange {
  int status = 0;
  std::string body;
  std::string violations;  // what Prism found wrong, empty when nothing
  nlohmann::json json;
};

// A client of one proxy: every answer is checked for Prism's violation marks.
class Through {
 public:
  explicit Through(const PrismProxy& proxy);
  Exchange send(const std::string& method, const std::string& target, httplib::Headers headers = {},
                const std::string& body = {}, const std::string& content_type = {});

 private:
  httplib::Client client_;
};

// The status wanted, and not a word from Prism.
::testing::AssertionResult fits(const Exchange& exchange, int status);
// As fits, and the error message led by `code`.
::testing::AssertionResult refused(const Exchange& exchange, int status, const std::string& code);

}  // namespace partcheck::testing
