#pragma once
// A GoogleTest fixture with a fresh `partcheck serve` per test (memory
// storage, quiet) and an ApiClient on it, plus the upload sequences most
// rule tests start from.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "contract/uuid.hpp"
#include "tests/integration/support/api_client.hpp"
#include "tests/integration/support/bodies.hpp"
#include "tests/integration/support/process.hpp"

namespace partcheck::testing {

class MockTest : public ::testing::Test {
 protected:
  // Extra `serve` flags for this fixture; override to pick a profile etc.
  virtual std::vector<std::string> serve_flags() const { return {}; }

  void SetUp() override { start(serve_flags()); }

  void start(const std::vector<std::string>& extra) {
    api_.reset();
    server_.reset();
    std::vector<std::string> args{"--storage", "memory", "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    // PARTCHECK_IT_SERVE_FLAGS="--deviate ORDER-3" runs a strict suite against a
    // mock that breaks a rule on purpose: the tests of that rule must fail.
    if (const char* more = std::getenv("PARTCHECK_IT_SERVE_FLAGS")) {
      std::istringstream words(more);
      for (std::string word; words >> word;) args.push_back(word);
    }
    server_ = std::make_unique<ServerProcess>(args);
    api_ = std::make_unique<ApiClient>(*server_);
  }

  ServerProcess& server() { return *server_; }
  ApiClient& api() { return *api_; }
  const std::string& root() const { return server_->root_dir_id(); }

  // The whole file `seed` (n bytes) in one request.
  Reply upload_whole(const std::string& hash, std::uint64_t seed, std::uint64_t n) {
    return api_->upload(hash, content_range(0, n, n), file_bytes(seed, 0, n));
  }
  // Part [s, e) of the n-byte file `seed`.
  Reply upload_part(const std::string& hash, std::uint64_t seed, std::uint64_t s, std::uint64_t e,
                    std::uint64_t n) {
    return api_->upload(hash, content_range(s, e, n), file_bytes(seed, s, e - s));
  }
  // Uploads whole, moves into `dir` under `name`; returns the file id.
  std::string stored_file(std::uint64_t seed, std::uint64_t n, const std::string& dir,
                          const std::string& name) {
    auto hash = contract::new_uuid();
    auto up = upload_whole(hash, seed, n);
    EXPECT_EQ(up.status, 200) << up;
    auto moved = api_->move(dir, {{hash, name}});
    EXPECT_EQ(moved.status, 200) << moved;
    return file_id_of_move(moved);
  }

  // True when the server has no trace of `hash` among its uploads.
  bool nothing_stored(const std::string& hash) { return api_->upload_entry(hash).is_null(); }

 private:
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<ApiClient> api_;
};

// Status and code of a refusal, and the JSON error envelope (ERR-1), checked
// as one assertion so a failure prints the whole answer.
inline ::testing::AssertionResult refused(const Reply& reply, int status, const std::string& code) {
  bool envelope = reply.json.is_object() && reply.json.value("success", true) == false &&
                  reply.json.contains("error") && reply.json["error"].is_string();
  if (reply.status == status && reply.code() == code && envelope) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "wanted " << status << " " << code << ", got " << reply;
}
#define EXPECT_REFUSED(reply, status, code) EXPECT_TRUE(::partcheck::testing::refused((reply), (status), (code)))

}  // namespace partcheck::testing
