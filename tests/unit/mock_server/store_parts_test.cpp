// The store's part flow: contract decisions per profile, RANGE-2, busy
// writers, digests, bodies of unknown length, directory uploads.
#include <thread>

#include "store_test_support.hpp"

namespace partcheck::mock {
namespace {

using namespace testing;
using contract::Profile;

const std::string kHash = "3f2b8c1e-5d4a-4b6c-8e7f-1a2b3c4d5e6f";

struct StoreWith {
  explicit StoreWith(ServerConfig c) : config(std::move(c)), store(config, clock) {}
  ServerConfig config;
  Clock clock;
  Store store;
};

TEST(StoreParts, WholeFileCompletesWithItsDigest) {
  StoreWith s(config_for(StorageKind::Memory));
  const auto bytes = pattern(1000);
  auto result = send(s.store, kHash, range(0, 1000, 1000), bytes);
  EXPECT_EQ(result.status, 200);
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(result.received, 1000u);
  EXPECT_EQ(result.xxh3, xxh3_of(bytes));
}

TEST(StoreParts, SequentialPartsAnswer206Then200) {
  StoreWith s(config_for(StorageKind::Memory));
  const auto bytes = pattern(2 * kPart + 77);
  auto first = send(s.store, kHash, range(0, kPart, bytes.size()), slice(bytes, 0, kPart));
  EXPECT_EQ(first.status, 206);
  EXPECT_EQ(first.received, kPart);
  EXPECT_FALSE(first.complete);
  auto rest = upload_all(s.store, "11111111-2222-4333-8444-555555555555", bytes);
  EXPECT_EQ(rest.status, 200);
  EXPECT_EQ(rest.xxh3, xxh3_of(bytes));
}

TEST(StoreParts, TheContractPolicyRefusesOutOfOrderInStrict) {
  StoreWith s(config_for(StorageKind::Memory));
  const auto total = 3 * kPart;
  ASSERT_EQ(send(s.store, kHash, range(0, kPart, total), pattern(kPart)).status, 206);
  auto gap = send(s.store, kHash, range(2 * kPart, 3 * kPart, total), pattern(kPart));
  EXPECT_EQ(code_of(gap), "InvalidPartOrder");
  ASSERT_EQ(s.store.uploads().size(), 1u);
  EXPECT_EQ(s.store.uploads()[0].state.contiguous_end(), kPart);
  auto unknown = send(s.store, "99999999-2222-4333-8444-555555555555", range(kPart, 2 * kPart, total), pattern(kPart));
  EXPECT_EQ(code_of(unknown), "NoSuchUpload");
}

TEST(StoreParts, LengthMismatchKeepsNothing) {
  StoreWith s(config_for(StorageKind::Memory));
  const auto total = 2 * kPart;
  auto short_body = send(s.store, kHash, range(0, kPart, total), pattern(kPart - 1));
  EXPECT_EQ(short_body.status, 400);
  EXPECT_EQ(code_of(short_body), "LengthMismatch");
  EXPECT_TRUE(s.store.uploads().empty()) << "a refused first part leaves no upload";

  const auto bytes = pattern(total);
  ASSERT_EQ(send(s.store, kHash, range(0, kPart, total), slice(bytes, 0, kPart)).status, 206);
  auto long_body = send(s.store, kHash, range(kPart, total, total), pattern(kPart + 10, 3));
  EXPECT_EQ(code_of(long_body), "LengthMismatch");
  ASSERT_EQ(s.store.uploads().size(), 1u);
  EXPECT_EQ(s.store.uploads()[0].state.contiguous_end(), kPart);
  auto good = send(s.store, kHash, range(kPart, total, total), slice(bytes, kPart, total));
  EXPECT_EQ(good.status, 200);
  EXPECT_EQ(good.xxh3, xxh3_of(bytes)) << "no byte of the refused part may survive";
}

TEST(StoreParts, DeviatedRange2AcceptsWhatWasSent) {
  StoreWith s(config_for(StorageKind::Memory, {}, Profile::Strict, {"RANGE-2"}));
  auto result = send(s.store, kHash, range(0, 100, 100), pattern(90));
  EXPECT_EQ(result.status, 200);
  EXPECT_FALSE(result.refusal);
}

TEST(StoreParts, ASecondWriterOfOneHashIsBusy) {
  for (auto profile : {Profile::Strict, Profile::S3}) {
    StoreWith s(config_for(StorageKind::Memory, {}, profile));
    const auto total = 2 * kPart;
    auto first = s.store.begin_part(kHash, range(0, kPart, total), {});
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<PartUpload>>(first));
    auto second = s.store.begin_part(kHash, range(kPart, total, total), {});
    EXPECT_EQ(code_of(second), "UploadBusy");
    EXPECT_EQ(std::get<Refusal>(second).status, 409);
    auto& part = *std::get<std::unique_ptr<PartUpload>>(first);
    part.write(pattern(kPart));
    EXPECT_EQ(part.finish().status, 206);
    EXPECT_EQ(send(s.store, kHash, range(kPart, total, total), pattern(kPart)).status, 200);
  }
}

TEST(StoreParts, LenientWritesDisjointPartsInParallel) {
  StoreWith s(config_for(StorageKind::Memory, {}, Profile::Lenient));
  const auto total = 3 * kPart;
  const auto bytes = pattern(total);
  auto a = s.store.begin_part(kHash, range(kPart, 2 * kPart, total), {});
  auto b = s.store.begin_part(kHash, range(2 * kPart, total, total), {});
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<PartUpload>>(a));
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<PartUpload>>(b));
  EXPECT_EQ(code_of(s.store.begin_part(kHash, range(kPart, 2 * kPart, total), {})), "UploadBusy");
  std::thread ta([&] {
    auto& part = *std::get<std::unique_ptr<PartUpload>>(a);
    part.write(slice(bytes, kPart, 2 * kPart));
    EXPECT_EQ(part.finish().status, 206);
  });
  std::thread tb([&] {
    auto& part = *std::get<std::unique_ptr<PartUpload>>(b);
    part.write(slice(bytes, 2 * kPart, total));
    EXPECT_EQ(part.finish().status, 206);
  });
  ta.join();
  tb.join();
  auto last = send(s.store, kHash, range(0, kPart, total), slice(bytes, 0, kPart));
  EXPECT_EQ(last.status, 200);
  EXPECT_EQ(last.xxh3, xxh3_of(bytes)) << "out-of-order parts: digest read back from storage";
}

TEST(StoreParts, S3StoresPartsInAnyOrderAndDigestsAtTheEnd) {
  StoreWith s(config_for(StorageKind::Memory, {}, Profile::S3));
  const auto total = 2 * kPart + 5;
  const auto bytes = pattern(total);
  EXPECT_EQ(send(s.store, kHash, range(kPart, 2 * kPart, total), slice(bytes, kPart, 2 * kPart)).status, 206);
  EXPECT_EQ(send(s.store, kHash, range(0, kPart, total), slice(bytes, 0, kPart)).status, 206);
  auto last = send(s.store, kHash, range(2 * kPart, total, total), slice(bytes, 2 * kPart, total));
  EXPECT_EQ(last.status, 200);
  EXPECT_EQ(last.xxh3, xxh3_of(bytes));
}

TEST(StoreParts, ARetryReplacesTheLastPartAndItsDigest) {
  TempDir dir;
  StoreWith s(config_for(StorageKind::Disk, dir.path));
  const auto total = 2 * kPart;
  auto bytes = pattern(total, 4);
  ASSERT_EQ(send(s.store, kHash, range(0, kPart, total), pattern(kPart, 9)).status, 206);
  ASSERT_EQ(send(s.store, kHash, range(0, kPart, total), slice(bytes, 0, kPart)).status, 206);  // retry
  auto last = send(s.store, kHash, range(kPart, total, total), slice(bytes, kPart, total));
  ASSERT_EQ(last.status, 200);
  EXPECT_EQ(last.xxh3, xxh3_of(bytes));
  auto again = send(s.store, kHash, range(kPart, total, total), slice(bytes, kPart, total));
  EXPECT_EQ(again.status, 200) << "retry of the completing part answers 200 again";
  EXPECT_EQ(again.xxh3, xxh3_of(bytes));
}

TEST(StoreParts, ABodyOfUnknownLengthIsAWholeFile) {
  for (auto kind : {StorageKind::Memory, StorageKind::Disk}) {
    TempDir dir;
    StoreWith s(config_for(kind, dir.path));
    const auto bytes = pattern(123456);
    auto result = send(s.store, kHash, std::nullopt, bytes);
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.total, bytes.size());
    EXPECT_EQ(result.xxh3, xxh3_of(bytes));
    auto empty = send(s.store, "00000000-0000-4000-8000-000000000001", std::nullopt, {});
    EXPECT_EQ(empty.status, 200) << "INFO-2: the empty file";
  }
}

TEST(StoreParts, NullStorageDigestsInOrderPartsOnly) {
  StoreWith in_order(config_for(StorageKind::Null));
  const auto bytes = pattern(kPart + 10);
  EXPECT_EQ(upload_all(in_order.store, kHash, bytes).xxh3, xxh3_of(bytes));
  StoreWith s3(config_for(StorageKind::Null, {}, Profile::S3));
  const auto whole = pattern(2 * kPart + 10);
  const auto total = whole.size();
  ASSERT_EQ(send(s3.store, kHash, range(kPart, 2 * kPart, total), slice(whole, kPart, 2 * kPart)).status, 206);
  ASSERT_EQ(send(s3.store, kHash, range(0, kPart, total), slice(whole, 0, kPart)).status, 206);
  auto done = send(s3.store, kHash, range(2 * kPart, total, total), slice(whole, 2 * kPart, total));
  EXPECT_EQ(done.status, 200);
  EXPECT_TRUE(done.xxh3.empty()) << "no bytes to read back";
}

TEST(StoreParts, InvalidHashIsRefusedUnlessDeviated) {
  StoreWith strict(config_for(StorageKind::Memory));
  EXPECT_EQ(code_of(send(strict.store, "not-a-uuid", range(0, 3, 3), pattern(3))), "InvalidHash");
  StoreWith deviated(config_for(StorageKind::Memory, {}, Profile::Strict, {"HASH-1"}));
  EXPECT_EQ(send(deviated.store, "not-a-uuid", range(0, 3, 3), pattern(3)).status, 200);
}

TEST(StoreParts, DirectoryUploadLandsAsAFile) {
  auto config = config_for(StorageKind::Memory);
  config.directories = {{"inbox", std::nullopt, false}, {"small", 100, false}, {"locked", std::nullopt, true}};
  StoreWith s(config);
  const auto dirs = s.store.directories();
  ASSERT_EQ(dirs.size(), 4u);
  const auto& inbox = dirs[1].id;
  const auto bytes = pattern(500);
  auto done = send(s.store, kHash, range(0, 500, 500), bytes, PartTarget{inbox, "a.txt"});
  ASSERT_EQ(done.status, 200);
  ASSERT_TRUE(done.file);
  EXPECT_EQ(done.file->name, "a.txt");
  EXPECT_EQ(done.file->directory_id, inbox);
  EXPECT_EQ(done.file->size, 500u);
  EXPECT_EQ(download_file(s.store, done.file->id), bytes);
  auto second = send(s.store, "22222222-2222-4333-8444-555555555555", range(0, 5, 5), pattern(5), PartTarget{inbox, "a.txt"});
  ASSERT_TRUE(second.file);
  EXPECT_EQ(second.file->name, "a (1).txt");
  auto unnamed = send(s.store, "33333333-2222-4333-8444-555555555555", range(0, 5, 5), pattern(5), PartTarget{inbox, {}});
  ASSERT_TRUE(unnamed.file);
  EXPECT_EQ(unnamed.file->name, "33333333-2222-4333-8444-555555555555");
  EXPECT_EQ(code_of(send(s.store, kHash, range(0, 5, 5), pattern(5))), "UploadComplete");

  const auto other = "44444444-2222-4333-8444-555555555555";
  EXPECT_EQ(send(s.store, other, range(0, 500, 500), bytes, PartTarget{dirs[2].id, {}}).status, 402);
  EXPECT_EQ(send(s.store, other, range(0, 5, 5), pattern(5), PartTarget{dirs[3].id, {}}).status, 403);
  EXPECT_EQ(code_of(send(s.store, other, range(0, 5, 5), pattern(5),
                         PartTarget{"55555555-2222-4333-8444-555555555555", {}})),
            "NoSuchDirectory");
  EXPECT_EQ(code_of(send(s.store, other, range(0, 5, 5), pattern(5), PartTarget{inbox, "a/b"})), "InvalidName");
}

}  // namespace
}  // namespace partcheck::mock

namespace partcheck::mock {
namespace {

using namespace testing;

TEST(StoreParts, TheCompletingRequestDecidesTheDirectory) {
  auto config = config_for(StorageKind::Memory);
  config.directories = {{"inbox", std::nullopt, false}};
  Clock clock;
  Store store(config, clock);
  const auto inbox = store.directories().at(1).id;
  const std::string hash = "12121212-2222-4333-8444-555555555555";
  const auto bytes = pattern(kPart + 3);
  ASSERT_EQ(send(store, hash, range(0, kPart, bytes.size()), slice(bytes, 0, kPart)).status, 206);
  auto done = send(store, hash, range(kPart, bytes.size(), bytes.size()), slice(bytes, kPart, bytes.size()),
                   PartTarget{inbox, "late.bin"});
  ASSERT_EQ(done.status, 200);
  ASSERT_TRUE(done.file);
  EXPECT_EQ(done.file->directory_id, inbox);
  EXPECT_EQ(done.file->xxh3, xxh3_of(bytes));
  EXPECT_EQ(download_file(store, done.file->id), bytes);
}

}  // namespace
}  // namespace partcheck::mock

namespace partcheck::mock {
namespace {

using namespace testing;

TEST(StoreParts, ARetriedCompletingPartIsDigestedAnewAfterOutOfOrderParts) {
  // Lenient: in s3 the contract refuses a retry of the final part (its gap
  // check counts the retried range twice).
  auto config = config_for(StorageKind::Memory, {}, contract::Profile::Lenient);
  Clock clock;
  Store store(config, clock);
  const std::string hash = "34343434-2222-4333-8444-555555555555";
  const auto total = 2 * kPart + 9;
  auto bytes = pattern(total, 3);
  ASSERT_EQ(send(store, hash, range(kPart, 2 * kPart, total), slice(bytes, kPart, 2 * kPart)).status, 206);
  ASSERT_EQ(send(store, hash, range(0, kPart, total), slice(bytes, 0, kPart)).status, 206);
  ASSERT_EQ(send(store, hash, range(2 * kPart, total, total), slice(bytes, 2 * kPart, total)).xxh3, xxh3_of(bytes));
  bytes.back() ^= std::byte{1};
  auto retry = send(store, hash, range(2 * kPart, total, total), slice(bytes, 2 * kPart, total));
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(retry.xxh3, xxh3_of(bytes)) << "the digest follows the bytes that replaced the last part";
}

}  // namespace
}  // namespace partcheck::mock
