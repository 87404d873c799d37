// Disk storage with `--fsync always` loses nothing it acknowledged: a server
// killed with SIGKILL in the middle of a part comes back on the same
// --data-dir with every 206'd part, the upload continues from the last
// acknowledged byte, and moved files survive restarts. A client that hangs up
// mid-part leaves the upload usable from its last acknowledged byte too.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/integration/support/api_client.hpp"
#include "tests/integration/support/bodies.hpp"
#include "tests/integration/support/mock_fixture.hpp"
#include "tests/integration/support/raw_http.hpp"

using namespace partcheck::testing;
using partcheck::contract::new_uuid;

namespace {

constexpr std::uint64_t P = kMinPart;
const std::string kKey = "durable-key";

class DurabilityTest : public ::testing::Test {
 protected:
  std::unique_ptr<ServerProcess> start() {
    return std::make_unique<ServerProcess>(std::vector<std::string>{
        "--storage", "disk", "--data-dir", (data_.path() / "data").string(), "--fsync", "always", "--api-key",
        kKey, "--quiet"});
  }

  // Sends the head and `sent` bytes of part [s, e) of file `seed`, then stops.
  static std::unique_ptr<RawConnection> start_part(const ServerProcess& server, const std::string& hash,
                                                   std::uint64_t seed, std::uint64_t s, std::uint64_t e,
                                                   std::uint64_t n, std::uint64_t sent) {
    auto connection = std::make_unique<RawConnection>(server.host(), server.port());
    connection->send_head("POST", "/pub/v1/disk/file/upload?hash=" + hash,
                          "Authorization: Bearer " + kKey +
                              "\r\nContent-Type: application/octet-stream\r\nContent-Range: " +
                              content_range(s, e, n) + "\r\n",
                          e - s);
    EXPECT_TRUE(connection->send_file_bytes(seed, s, sent));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the server read what was sent
    return connection;
  }

  TempDir data_;
};

Reply part(ApiClient& api, const std::string& hash, std::uint64_t seed, std::uint64_t s, std::uint64_t e,
           std::uint64_t n) {
  return api.upload(hash, content_range(s, e, n), file_bytes(seed, s, e - s));
}

// The aborted part releases the upload (no more 409 UploadBusy) once the
// server has seen the hang-up; give it up to 5 s.
Reply part_when_free(ApiClient& api, const std::string& hash, std::uint64_t seed, std::uint64_t s,
                     std::uint64_t e, std::uint64_t n) {
  Reply reply;
  for (int i = 0; i < 50; ++i) {
    reply = part(api, hash, seed, s, e, n);
    if (reply.status != 409) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return reply;
}

TEST_F(DurabilityTest, KilledMidPartKeepsTheAcknowledgedPartsAndContinues) {
  const std::uint64_t n = 3 * P - 1000;
  auto hash = new_uuid();
  std::string root;
  {
    auto server = start();
    root = server->root_dir_id();
    ApiClient api(*server);
    ASSERT_EQ(part(api, hash, 90, 0, P, n).status, 206);
    ASSERT_EQ(part(api, hash, 90, P, 2 * P, n).status, 206);
    auto third = start_part(*server, hash, 90, 2 * P, n, n, (n - 2 * P) / 2);
    server->kill_hard();
  }
  auto server = start();
  EXPECT_EQ(server->root_dir_id(), root) << "the root directory is part of the stored state";
  ApiClient api(*server);
  auto entry = api.upload_entry(hash);
  ASSERT_FALSE(entry.is_null()) << api.admin_get("uploads");
  EXPECT_EQ(entry.value("received", 0ULL), 2 * P) << entry.dump();
  EXPECT_EQ(entry.value("total", 0ULL), n) << entry.dump();
  auto last = part(api, hash, 90, 2 * P, n, n);
  ASSERT_EQ(last.status, 200) << last;
  EXPECT_EQ(last.json.value("size", 0ULL), n);
  auto moved = api.move(root, {{hash, "after-crash.bin"}});
  ASSERT_EQ(moved.status, 200) << moved;
  auto bytes = api.download_file(file_id_of_move(moved));
  ASSERT_EQ(bytes.size(), n);
  EXPECT_EQ(first_mismatch(90, 0, bytes), -1);
}

TEST_F(DurabilityTest, MovedFileSurvivesRestarts) {
  const std::uint64_t n = P + 12345;
  std::string file_id, root;
  {
    auto server = start();
    root = server->root_dir_id();
    ApiClient api(*server);
    auto hash = new_uuid();
    ASSERT_EQ(part(api, hash, 91, 0, P, n).status, 206);
    ASSERT_EQ(part(api, hash, 91, P, n, n).status, 200);
    auto moved = api.move(root, {{hash, "kept.bin"}});
    ASSERT_EQ(moved.status, 200) << moved;
    file_id = file_id_of_move(moved);
    server->kill_hard();
  }
  for (int restart = 0; restart < 2; ++restart) {
    auto server = start();
    ApiClient api(*server);
    EXPECT_EQ(api.file_names(root), std::vector<std::string>{"kept.bin"});
    auto bytes = api.download_file(file_id);
    ASSERT_EQ(bytes.size(), n);
    EXPECT_EQ(first_mismatch(91, 0, bytes), -1);
    EXPECT_EQ(server->terminate(), 0) << server->log();
  }
}

TEST_F(DurabilityTest, ClientHangingUpMidPartLeavesTheUploadAtItsLastPart) {
  const std::uint64_t n = 2 * P + 500;
  auto server = start();
  ApiClient api(*server);
  auto hash = new_uuid();
  ASSERT_EQ(part(api, hash, 92, 0, P, n).status, 206);
  {
    auto half = start_part(*server, hash, 92, P, 2 * P, n, P / 2);
    half->close();
  }
  auto next = part_when_free(api, hash, 92, P, 2 * P, n);
  ASSERT_EQ(next.status, 206) << next;
  EXPECT_EQ(next.json.value("received", 0ULL), 2 * P);
  ASSERT_EQ(part(api, hash, 92, 2 * P, n, n).status, 200);
  auto moved = api.move(server->root_dir_id(), {{hash, "resumed.bin"}});
  ASSERT_EQ(moved.status, 200) << moved;
  auto bytes = api.download_file(file_id_of_move(moved));
  ASSERT_EQ(bytes.size(), n);
  EXPECT_EQ(first_mismatch(92, 0, bytes), -1);
}

TEST_F(DurabilityTest, HangUpMidFirstPartStoresNothing) {
  auto server = start();
  ApiClient api(*server);
  auto hash = new_uuid();
  {
    auto half = start_part(*server, hash, 93, 0, P, 2 * P, P / 3);
    half->close();
  }
  // Until the server notices the hang-up the part may still show as busy.
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    gone = api.upload_entry(hash).is_null();
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(gone) << api.admin_get("uploads");
  EXPECT_EQ(part_when_free(api, hash, 93, 0, P, 2 * P).status, 206);
}

}  // namespace
