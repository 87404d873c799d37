// TTL on the mock's clock: expiry by sweep or on touch, tombstones, moved
// files, the TTL-1 and TTL-2 deviations.
#include "store_test_support.hpp"

namespace partcheck::mock {
namespace {

using namespace testing;
using contract::Profile;

const std::string kHash = "5a5a5a5a-1111-4222-8333-444455556666";
const std::string kOther = "6b6b6b6b-1111-4222-8333-444455556666";
constexpr auto kTtl = std::chrono::seconds(3600);

TEST(StoreTtl, SweepRemovesExpiredUploadsAndRemembersThem) {
  Clock clock;
  auto config = config_for(StorageKind::Memory, {}, Profile::Lenient);
  Store store(config, clock);
  const auto total = 2 * kPart;
  ASSERT_EQ(send(store, kHash, range(0, kPart, total), pattern(kPart)).status, 206);
  clock.advance(kTtl - std::chrono::seconds(1));
  EXPECT_EQ(store.sweep_expired(), 0u);
  clock.advance(std::chrono::seconds(2));
  EXPECT_EQ(store.sweep_expired(), 1u);
  EXPECT_TRUE(store.uploads().empty());
  auto late = send(store, kHash, range(kPart, total, total), pattern(kPart));
  EXPECT_EQ(code_of(late), "NoSuchUpload") << "even lenient, which takes first parts anywhere";
  EXPECT_EQ(code_of(send(store, kHash, range(0, kPart, total), pattern(kPart))), "NoSuchUpload");
  EXPECT_EQ(code_of(store.move(store.root_directory_id(), {{kHash, "x"}})), "NoSuchUpload");
}

TEST(StoreTtl, AnExpiredUploadIsGoneWhenTouchedWithoutASweep) {
  Clock clock;
  Store store(config_for(StorageKind::Memory), clock);
  ASSERT_EQ(send(store, kHash, range(0, 10, 10), pattern(10)).status, 200);
  clock.advance(kTtl + std::chrono::seconds(1));
  EXPECT_EQ(code_of(store.move(store.root_directory_id(), {{kHash, "x"}})), "NoSuchUpload");
}

TEST(StoreTtl, LaterPartsDoNotExtendTheDeadline) {
  Clock clock;
  Store store(config_for(StorageKind::Memory), clock);
  const auto total = 3 * kPart;
  ASSERT_EQ(send(store, kHash, range(0, kPart, total), pattern(kPart)).status, 206);
  clock.advance(std::chrono::seconds(3000));
  ASSERT_EQ(send(store, kHash, range(kPart, 2 * kPart, total), pattern(kPart)).status, 206);
  clock.advance(std::chrono::seconds(601));
  EXPECT_EQ(code_of(send(store, kHash, range(2 * kPart, total, total), pattern(kPart))), "NoSuchUpload");
}

TEST(StoreTtl, ExpireEndsAnUploadNow) {
  Clock clock;
  Store store(config_for(StorageKind::Memory), clock);
  ASSERT_EQ(send(store, kHash, range(0, 10, 10), pattern(10)).status, 200);
  EXPECT_FALSE(store.expire(kOther));
  EXPECT_TRUE(store.expire(kHash));
  EXPECT_TRUE(store.uploads().empty());
  EXPECT_EQ(code_of(store.move(store.root_directory_id(), {{kHash, "x"}})), "NoSuchUpload");
}

TEST(StoreTtl, MovedFilesDoNotExpireUnlessTtl2IsDeviated) {
  for (bool deviated : {false, true}) {
    Clock clock;
    auto config = config_for(StorageKind::Memory);
    if (deviated) config.policy.deviations.insert("TTL-2");
    Store store(config, clock);
    ASSERT_EQ(send(store, kHash, range(0, 10, 10), pattern(10)).status, 200);
    auto moved = store.move(store.root_directory_id(), {{kHash, "keep"}});
    ASSERT_EQ(code_of(moved), "none");
    clock.advance(kTtl + std::chrono::seconds(1));
    EXPECT_EQ(store.sweep_expired(), deviated ? 1u : 0u);
    auto listing = std::get<Store::Listing>(store.list_directory(store.root_directory_id(), 0, 0));
    EXPECT_EQ(listing.total, deviated ? 0u : 1u);
  }
}

TEST(StoreTtl, Ttl1DeviatedNothingExpires) {
  Clock clock;
  Store store(config_for(StorageKind::Memory, {}, Profile::Strict, {"TTL-1"}), clock);
  const auto total = 2 * kPart;
  ASSERT_EQ(send(store, kHash, range(0, kPart, total), pattern(kPart)).status, 206);
  clock.advance(kTtl * 5);
  EXPECT_EQ(store.sweep_expired(), 0u);
  EXPECT_EQ(send(store, kHash, range(kPart, total, total), pattern(kPart)).status, 200);
}

TEST(StoreTtl, TombstonesSurviveARestart) {
  TempDir dir;
  Clock clock;
  const auto config = config_for(StorageKind::Disk, dir.path);
  {
    Store store(config, clock);
    ASSERT_EQ(send(store, kHash, range(0, kPart, 2 * kPart), pattern(kPart)).status, 206);
    clock.advance(kTtl + std::chrono::seconds(1));
    EXPECT_EQ(store.sweep_expired(), 1u);
  }
  Store reopened(config, clock);
  EXPECT_EQ(code_of(send(reopened, kHash, range(0, kPart, 2 * kPart), pattern(kPart))), "NoSuchUpload");
  EXPECT_TRUE(reopened.uploads().empty());
}

}  // namespace
}  // namespace partcheck::mock
