// A full disk, for real (issue 8, docs/contract.md decision 18): the data dir
// of `partcheck serve --storage disk` is on a 16 MiB tmpfs (root only; the
// test skips otherwise). Uploads fill it until the mock answers
// 500 StorageError: never a crash, never a 4xx that blames the client.
// Nothing acknowledged is lost, a request that failed for lack of space has
// not happened, and once space returns (a filler file beside the data dir is
// deleted, then the tmpfs grows) new parts, uploads and moves succeed. A
// second test restarts the mock on the full disk: it starts, serves what it
// has, and recovers the same way.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "contract/uuid.hpp"
#include "tests/integration/support/api_client.hpp"
#include "tests/integration/support/bodies.hpp"
#include "tests/integration/support/mock_fixture.hpp"
#include "tests/integration/support/process.hpp"
#include "tests/integration/support/tmpfs_mount.hpp"

namespace partcheck::testing {
namespace {

namespace fs = std::filesystem;
constexpr std::uint64_t KiB = 1024, MiB = 1024 * 1024;
const std::string kKey = "full-key";
const std::string kRoot = "f0115e7a-0d15-4c0f-9a11-000000000f11";

struct Whole {  // an acknowledged whole upload, moved or not
  std::string hash;
  std::uint64_t seed = 0, size = 0;
  std::string file_id;  // once moved
  std::string name;
};

// 200, or the storage's own failure: never a client's fault, never another 5xx.
::testing::AssertionResult ok_or_storage_error(const Reply& reply) {
  if (reply.status == 200 || refused(reply, 500, "StorageError")) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "wanted 200 or 500 StorageError, got " << reply;
}

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mount_ = std::make_unique<TmpfsMount>(dir_.path() / "mnt", "16m");
    if (!mount_->mounted()) GTEST_SKIP() << mount_->why();
    data_ = mount_->path() / "data";
    filler_ = mount_->path() / "filler";
    std::ofstream(filler_, std::ios::binary) << std::string(6 * MiB, 'f');
    ASSERT_EQ(fs::file_size(filler_), 6 * MiB);
  }
  void TearDown() override {
    server_.reset();  // before the unmount
    mount_.reset();
  }

  void start() {
    api_.reset();
    server_.reset();
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--storage", "disk", "--data-dir", data_.string(), "--api-key", kKey, "--root-dir-id", kRoot, "--quiet"});
    api_ = std::make_unique<ApiClient>(*server_);
  }

  Reply whole(Whole& w) { return api_->upload(w.hash, content_range(0, w.size, w.size), file_bytes(w.seed, 0, w.size)); }

  // An upload moved into the root: acknowledged at every step.
  Whole stored(std::uint64_t seed, std::uint64_t size, const std::string& name) {
    Whole w{contract::new_uuid(), seed, size, "", name};
    auto up = whole(w);
    EXPECT_EQ(up.status, 200) << up;
    auto moved = api_->move(kRoot, {{w.hash, name}});
    EXPECT_EQ(moved.status, 200) << moved;
    w.file_id = file_id_of_move(moved);
    return w;
  }

  // Whole uploads of `size` bytes until one is refused for lack of space;
  // every acknowledged one is added to `acked`. Returns the refusal.
  Reply fill_with(std::uint64_t size, std::vector<Whole>& acked, int max_tries) {
    for (int i = 0; i < max_tries; ++i) {
      Whole w{contract::new_uuid(), next_seed_++, size, "", ""};
      auto reply = whole(w);
      if (reply.status == 200) {
        acked.push_back(w);
        continue;
      }
      return reply;
    }
    return Reply{};
  }

  // Fills the tmpfs to the last page: 1 MiB uploads, then smaller ones, until even one byte is refused.
  void fill(std::vector<Whole>& acked) {
    for (std::uint64_t size : {1 * MiB, 64 * KiB, 4 * KiB, std::uint64_t{1}}) {
      auto refusal = fill_with(size, acked, 400);
      ASSERT_NE(refusal.status, 0) << "no refusal after 400 uploads of " << size << " bytes: the disk never filled";
      ASSERT_TRUE(refused(refusal, 500, "StorageError")) << "a full disk answered with " << refusal;
      EXPECT_EQ(refusal.body.find(data_.string()), std::string::npos) << "a server path in " << refusal.body;
      ASSERT_TRUE(server_->running()) << server_->log();
    }
    std::cout << "[ full     ] the disk filled after " << acked.size() << " acknowledged uploads" << std::endl;
  }

  // Every moved file reads back identical; every acknowledged upload is still whole.
  void expect_nothing_lost(const std::vector<Whole>& files, const std::vector<Whole>& uploads) {
    for (const auto& f : files) EXPECT_EQ(api_->download_file(f.file_id), file_bytes(f.seed, 0, f.size)) << f.name;
    auto list = api_->admin_get("uploads");
    ASSERT_EQ(list.status, 200) << list;
    for (const auto& u : uploads) {
      auto entry = std::find_if(list.json["uploads"].begin(), list.json["uploads"].end(),
                                [&](const auto& e) { return e.value("hash", "") == u.hash; });
      ASSERT_NE(entry, list.json["uploads"].end()) << "an acknowledged upload is gone: " << u.hash;
      EXPECT_EQ(entry->value("received", 0ULL), u.size) << entry->dump();
      EXPECT_TRUE(entry->value("complete", false)) << entry->dump();
    }
  }

  TempDir dir_;
  std::unique_ptr<TmpfsMount> mount_;
  fs::path data_, filler_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<ApiClient> api_;
  std::uint64_t next_seed_ = 100;
};

TEST_F(DiskFullTest, AFullDiskIs500StorageErrorLosesNothingAndRecoversWhenSpaceReturns) {
  start();
  // Acknowledged before the disk fills: three moved files and the first 5 MiB part of a larger upload.
  std::vector<Whole> files{stored(1, 100 * KiB, "one.bin"), stored(2, 1, "two.bin"), stored(3, 0, "empty.bin")};
  const std::string big = contract::new_uuid();
  const std::uint64_t big_total = kMinPart + 3 * MiB;
  auto first = api_->upload(big, content_range(0, kMinPart, big_total), file_bytes(50, 0, kMinPart));
  ASSERT_EQ(first.status, 206) << first;

  std::vector<Whole> acked;
  fill(acked);
  ASSERT_FALSE(HasFatalFailure());

  // While the disk is full: a part is 500 StorageError and changes nothing.
  auto second = api_->upload(big, content_range(kMinPart, big_total, big_total), file_bytes(50, kMinPart, 3 * MiB));
  EXPECT_TRUE(refused(second, 500, "StorageError")) << second;
  EXPECT_EQ(api_->upload_entry(big).value("received", 0ULL), kMinPart) << "the refused part changed the upload";
  // A directory upload too.
  auto into_dir = api_->dir_upload(kRoot, contract::new_uuid(), PartRequest(content_range(0, 1000, 1000), file_bytes(9, 0, 1000)),
                                   std::string("full.bin"));
  EXPECT_TRUE(refused(into_dir, 500, "StorageError")) << into_dir;
  // A move, a link, links by hash: done (200) or not done (500 StorageError), never half.
  ASSERT_FALSE(acked.empty());
  Whole moved_while_full = acked.front();
  moved_while_full.name = "moved-while-full.bin";
  auto move = api_->move(kRoot, {{moved_while_full.hash, moved_while_full.name}});
  EXPECT_TRUE(ok_or_storage_error(move));
  auto names = api_->file_names(kRoot);
  const bool listed = std::find(names.begin(), names.end(), moved_while_full.name) != names.end();
  EXPECT_EQ(listed, move.status == 200) << "the listing disagrees with the move's answer " << move;
  if (move.status == 200) {
    moved_while_full.file_id = file_id_of_move(move);
    files.push_back(moved_while_full);
    acked.erase(acked.begin());
  }
  auto link = api_->get_link(files[0].file_id);
  EXPECT_TRUE(ok_or_storage_error(link));
  auto links = api_->links_download({acked.back().hash});
  EXPECT_TRUE(ok_or_storage_error(links));
  std::cout << "[ full     ] while full: part " << second.status << ", directory upload " << into_dir.status
            << ", move " << move.status << ", get-link " << link.status << ", links/download " << links.status
            << std::endl;
  EXPECT_EQ(api_->list(kRoot).status, 200);
  EXPECT_EQ(api_->admin_get("health").status, 200);
  EXPECT_EQ(api_->admin_get("journal?limit=10").status, 200);
  ASSERT_TRUE(server_->running()) << server_->log();
  // Nothing acknowledged was lost (links made before the disk filled still read).
  expect_nothing_lost({}, acked);
  EXPECT_EQ(api_->upload_entry(big).value("received", 0ULL), kMinPart);

  // Space returns: the filler beside the data dir goes.
  fs::remove(filler_);
  auto resumed = api_->upload(big, content_range(kMinPart, big_total, big_total), file_bytes(50, kMinPart, 3 * MiB));
  ASSERT_EQ(resumed.status, 200) << resumed;
  Whole fresh{contract::new_uuid(), 60, 1 * MiB, "", "fresh.bin"};
  ASSERT_EQ(whole(fresh).status, 200);
  auto moved = api_->move(kRoot, {{big, "big.bin"}, {fresh.hash, fresh.name}});
  ASSERT_EQ(moved.status, 200) << moved;
  auto big_bytes = api_->download_file(file_id_of_move(moved, 0));
  EXPECT_EQ(big_bytes.size(), big_total);
  EXPECT_EQ(first_mismatch(50, 0, big_bytes), -1);
  fresh.file_id = file_id_of_move(moved, 1);
  files.push_back(fresh);
  auto dir_upload = api_->dir_upload(kRoot, contract::new_uuid(), PartRequest(content_range(0, 1000, 1000), file_bytes(9, 0, 1000)),
                                     std::string("full.bin"));
  EXPECT_EQ(dir_upload.status, 200) << dir_upload;
  expect_nothing_lost(files, acked);

  // More room: the tmpfs grows under the running server; a 12 MiB file in three parts.
  ASSERT_TRUE(mount_->resize("64m"));
  const std::string large = contract::new_uuid();
  const std::uint64_t large_total = 2 * kMinPart + 2 * MiB;
  ASSERT_EQ(api_->upload(large, content_range(0, kMinPart, large_total), file_bytes(70, 0, kMinPart)).status, 206);
  ASSERT_EQ(api_->upload(large, content_range(kMinPart, 2 * kMinPart, large_total), file_bytes(70, kMinPart, kMinPart)).status, 206);
  ASSERT_EQ(api_->upload(large, content_range(2 * kMinPart, large_total, large_total), file_bytes(70, 2 * kMinPart, 2 * MiB)).status, 200);
  std::vector<std::pair<std::string, std::string>> all{{large, "large.bin"}};
  for (std::size_t i = 0; i < acked.size(); ++i) all.emplace_back(acked[i].hash, "filled-" + std::to_string(i) + ".bin");
  auto moved_all = api_->move(kRoot, all);
  ASSERT_EQ(moved_all.status, 200) << moved_all;
  auto large_bytes = api_->download_file(file_id_of_move(moved_all, 0));
  EXPECT_EQ(large_bytes.size(), large_total);
  EXPECT_EQ(first_mismatch(70, 0, large_bytes), -1);
  for (std::size_t i = 0; i < acked.size(); ++i) {
    acked[i].file_id = file_id_of_move(moved_all, i + 1);
    acked[i].name = all[i + 1].second;
  }
  expect_nothing_lost(files, {});
  expect_nothing_lost(acked, {});
  EXPECT_TRUE(server_->running());
  EXPECT_EQ(server_->terminate(), 0) << server_->log();
}

TEST_F(DiskFullTest, AMockRestartedOnAFullDiskServesWhatItHasAndRecovers) {
  start();
  std::vector<Whole> files{stored(11, 200 * KiB, "a.bin"), stored(12, 10, "b.bin")};
  std::vector<std::string> links;  // made before the disk fills
  for (const auto& f : files) links.push_back(api_->get_link(f.file_id).json.value("Link", ""));
  std::vector<Whole> acked;
  fill(acked);
  ASSERT_FALSE(HasFatalFailure());

  server_->kill_hard();
  ASSERT_NO_THROW(start()) << "the mock did not start on a full disk";
  EXPECT_EQ(api_->admin_get("health").status, 200);
  auto names = api_->file_names(kRoot);
  EXPECT_EQ(names, (std::vector<std::string>{"a.bin", "b.bin"}));
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto path = links[i].substr(links[i].find("/pub/"));
    EXPECT_EQ(api_->fetch(path).body, file_bytes(files[i].seed, 0, files[i].size)) << "an existing link on a full disk";
  }
  expect_nothing_lost({}, acked);
  // Writes: refused as the server's trouble, never the client's.
  auto refused_part = api_->upload(contract::new_uuid(), content_range(0, 1000, 1000), file_bytes(13, 0, 1000));
  EXPECT_TRUE(refused(refused_part, 500, "StorageError") || refused(refused_part, 503, "ServiceUnavailable"))
      << refused_part;
  std::cout << "[ full     ] restarted on the full disk: read_only "
            << api_->admin_get("health").json.value("read_only", false) << ", a part " << refused_part.status
            << std::endl;
  ASSERT_TRUE(server_->running()) << server_->log();

  fs::remove(filler_);
  Whole fresh{contract::new_uuid(), 14, 100 * KiB, "", "fresh.bin"};
  auto up = whole(fresh);
  ASSERT_EQ(up.status, 200) << up;
  auto moved = api_->move(kRoot, {{fresh.hash, fresh.name}, {acked.front().hash, "filled.bin"}});
  ASSERT_EQ(moved.status, 200) << moved;
  fresh.file_id = file_id_of_move(moved, 0);
  acked.front().file_id = file_id_of_move(moved, 1);
  acked.front().name = "filled.bin";
  files.push_back(fresh);
  files.push_back(acked.front());
  acked.erase(acked.begin());
  EXPECT_EQ(api_->admin_get("health").json.value("read_only", true), false);
  expect_nothing_lost(files, acked);
  EXPECT_EQ(server_->terminate(), 0) << server_->log();
}

}  // namespace
}  // namespace partcheck::testing
