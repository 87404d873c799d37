// Every backend that keeps bytes behaves the same at the StorageBackend seam;
// disk adds path safety and crash recovery, null keeps only sizes.
#include <fstream>

#include "mock_server/storage/disk_storage.hpp"
#include "mock_server/storage/memory_storage.hpp"
#include "mock_server/storage/null_storage.hpp"
#include "store_test_support.hpp"

namespace partcheck::mock {
namespace {

using namespace testing;
namespace fs = std::filesystem;

const std::string kHash = "0b9f3f1e-4c1a-4d7e-9a55-6f2f7c1d2e3a";
const std::string kFile = "7d1c2b3a-1111-4222-8333-944455556666";

class ContentBackend : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "disk") storage_ = std::make_unique<DiskStorage>(dir_.path, FsyncPolicy::Always);
    else storage_ = std::make_unique<MemoryStorage>();
  }
  void put(std::uint64_t offset, const Bytes& bytes, bool overwrites = false) {
    auto writer = storage_->open_part(kHash, offset, overwrites);
    writer->write(bytes);
    writer->commit();
  }
  Bytes upload() {
    auto reader = storage_->open_upload(kHash);
    return reader ? read_all(*reader) : Bytes{};
  }
  TempDir dir_;
  std::unique_ptr<StorageBackend> storage_;
};

TEST_P(ContentBackend, CommittedPartsAreReadBackAtTheirOffsets) {
  const auto bytes = pattern(3000);
  put(0, slice(bytes, 0, 1000));
  put(2000, slice(bytes, 2000, 3000));  // out of order: a sparse gap for now
  put(1000, slice(bytes, 1000, 2000));
  EXPECT_EQ(upload(), bytes);
  EXPECT_TRUE(storage_->keeps_content());
  EXPECT_EQ(storage_->stored_uploads(), std::vector<std::string>{kHash});
}

TEST_P(ContentBackend, AStagedRetryReplacesOnlyAtCommit) {
  const auto first = pattern(1000, 1);
  const auto second = pattern(1000, 2);
  put(0, first);
  {
    auto writer = storage_->open_part(kHash, 0, /*overwrites=*/true);
    writer->write(second);
    EXPECT_EQ(upload(), first) << "acknowledged bytes must survive until commit";
  }  // destroyed without commit: aborted
  EXPECT_EQ(upload(), first);
  put(0, second, /*overwrites=*/true);
  EXPECT_EQ(upload(), second);
}

TEST_P(ContentBackend, ARetargetedStageLandsAtItsNewOffset) {
  put(0, pattern(100, 1));
  auto writer = storage_->open_part(kHash, 0, /*overwrites=*/true);
  writer->write(pattern(50, 2));
  writer->retarget(100);
  writer->commit();
  auto expected = pattern(100, 1);
  const auto tail = pattern(50, 2);
  expected.insert(expected.end(), tail.begin(), tail.end());
  EXPECT_EQ(upload(), expected);
}

TEST_P(ContentBackend, TrimDropsBytesPastTheAcknowledgedEnd) {
  put(0, pattern(5000));
  storage_->trim_upload(kHash, 1200);
  EXPECT_EQ(upload(), slice(pattern(5000), 0, 1200));
  storage_->trim_upload(kHash, 9999);  // never grows
  EXPECT_EQ(upload().size(), 1200u);
}

TEST_P(ContentBackend, PromoteTurnsTheUploadIntoAFile) {
  const auto bytes = pattern(4096);
  put(0, bytes);
  storage_->promote(kHash, kFile);
  EXPECT_EQ(storage_->open_upload(kHash), nullptr);
  auto reader = storage_->open_file(kFile);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(read_all(*reader), bytes);
  EXPECT_EQ(storage_->stored_files(), std::vector<std::string>{kFile});
  EXPECT_TRUE(storage_->stored_uploads().empty());
}

TEST_P(ContentBackend, FlipCopyAndRemoveFiles) {
  const auto bytes = pattern(10);
  put(0, bytes);
  storage_->promote(kHash, kFile);
  const std::string copy = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
  storage_->copy_file(kFile, copy);
  storage_->flip_last_byte(kFile);
  auto flipped = read_all(*storage_->open_file(kFile));
  EXPECT_EQ(flipped.back(), bytes.back() ^ std::byte{0xff});
  EXPECT_EQ(read_all(*storage_->open_file(copy)), bytes);
  storage_->remove_file(kFile);
  EXPECT_EQ(storage_->open_file(kFile), nullptr);
  storage_->remove_all();
  EXPECT_EQ(storage_->open_file(copy), nullptr);
}

TEST_P(ContentBackend, RemoveUploadForgetsItsBytes) {
  put(0, pattern(10));
  storage_->remove_upload(kHash);
  EXPECT_EQ(storage_->open_upload(kHash), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Backends, ContentBackend, ::testing::Values("disk", "memory"));

TEST(DiskStorage, RefusesIdsThatAreNotUuids) {
  TempDir dir;
  DiskStorage storage(dir.path, FsyncPolicy::Never);
  EXPECT_THROW(storage.open_part("../../etc/passwd", 0, false), StorageError);
  EXPECT_THROW(storage.promote(kHash, "../escape"), StorageError);
  EXPECT_THROW(storage.open_file("x/y"), StorageError);
  EXPECT_FALSE(fs::exists(dir.path.parent_path() / "escape.data"));
}

TEST(DiskStorage, OneServerPerDataDir) {
  TempDir dir;
  {
    DiskStorage first(dir.path, FsyncPolicy::Never);
    EXPECT_THROW(DiskStorage(dir.path, FsyncPolicy::Never), StorageError);
  }
  EXPECT_NO_THROW(DiskStorage(dir.path, FsyncPolicy::Never)) << "the lock goes with the server";
}

TEST(DiskStorage, AnAbortedInPlacePartLeavesOnlyUnacknowledgedBytes) {
  TempDir dir;
  DiskStorage storage(dir.path, FsyncPolicy::Never);
  auto writer = storage.open_part(kHash, 0, false);
  writer->write(pattern(100));
  writer->commit();
  {
    auto aborted = storage.open_part(kHash, 100, false);
    aborted->write(pattern(50, 9));
  }
  storage.trim_upload(kHash, 100);  // what the store does after an abort
  EXPECT_EQ(fs::file_size(storage.upload_path(kHash)), 100u);
}

TEST(DiskStorage, StartRemovesStagesAndFinishesCommittedCopies) {
  TempDir dir;
  {
    DiskStorage storage(dir.path, FsyncPolicy::Never);
    auto writer = storage.open_part(kHash, 0, false);
    writer->write(pattern(300, 1));
    writer->commit();
  }
  const auto uploads = dir.path / "uploads";
  std::ofstream(uploads / (kHash + ".stage-1234"), std::ios::binary) << "never committed";
  {
    const auto redo = pattern(100, 7);
    std::ofstream out(uploads / (kHash + ".redo-100"), std::ios::binary);
    out.write(reinterpret_cast<const char*>(redo.data()), static_cast<std::streamsize>(redo.size()));
  }
  DiskStorage reopened(dir.path, FsyncPolicy::Never);
  EXPECT_FALSE(fs::exists(uploads / (kHash + ".stage-1234")));
  EXPECT_FALSE(fs::exists(uploads / (kHash + ".redo-100")));
  auto expected = pattern(300, 1);
  const auto redo = pattern(100, 7);
  std::copy(redo.begin(), redo.end(), expected.begin() + 100);
  EXPECT_EQ(read_all(*reopened.open_upload(kHash)), expected);
}

TEST(NullStorage, KeepsSizesOnly) {
  NullStorage storage;
  EXPECT_FALSE(storage.keeps_content());
  auto writer = storage.open_part(kHash, 5, false);
  writer->write(pattern(20));
  writer->commit();
  EXPECT_EQ(storage.upload_size(kHash), 25u);
  {
    auto aborted = storage.open_part(kHash, 25, false);
    aborted->write(pattern(20));
  }
  EXPECT_EQ(storage.upload_size(kHash), 25u);
  storage.trim_upload(kHash, 10);
  EXPECT_EQ(storage.upload_size(kHash), 10u);
  storage.promote(kHash, kFile);
  EXPECT_EQ(storage.file_size(kFile), 10u);
  EXPECT_EQ(storage.open_file(kFile), nullptr);
  EXPECT_EQ(storage.open_upload(kHash), nullptr);
}

}  // namespace
}  // namespace partcheck::mock
