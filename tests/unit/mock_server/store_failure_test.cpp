// The store when its data dir cannot be written: it starts without writing
// an unchanged catalog, starts read-only when a needed write fails, and takes
// back a move, a link or a directory whose catalog save failed. Also: hashes
// in any case are one upload (decision 17).
#include <sys/stat.h>

#include "store_test_support.hpp"
#include "tests/support/frozen_dir.hpp"

namespace partcheck::mock {
namespace {

using namespace testing;
using partcheck::testing::FrozenDir;
namespace fs = std::filesystem;

const std::string kHash = "0f8fad5b-d9cb-469f-a165-70867728950e";
const std::string kUpperHash = "0F8FAD5B-D9CB-469F-A165-70867728950E";

class StoreFailure : public ::testing::Test {
 protected:
  std::unique_ptr<Store> open() { return std::make_unique<Store>(config_, clock_); }
  fs::path catalog() const { return dir_.path / "catalog.json"; }
  // A store holding one complete, unmoved upload of kHash.
  std::unique_ptr<Store> open_with_upload() {
    auto store = open();
    EXPECT_EQ(send(*store, kHash, range(0, 1000, 1000), bytes_).status, 200);
    return store;
  }

  TempDir dir_;
  Clock clock_;
  ServerConfig config_ = config_for(StorageKind::Disk, dir_.path);
  const Bytes bytes_ = pattern(1000);
};

TEST_F(StoreFailure, AnUnchangedCatalogIsNotWrittenAtStart) {
  open().reset();
  struct stat before {};
  ASSERT_EQ(::stat(catalog().c_str(), &before), 0);
  FrozenDir frozen(dir_.path);
  if (!frozen.frozen()) GTEST_SKIP() << "cannot make a directory immutable here (chattr +i)";
  auto store = open();  // would throw if it tried to replace catalog.json
  EXPECT_FALSE(store->read_only_reason());
  struct stat after {};
  ASSERT_EQ(::stat(catalog().c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "catalog.json was replaced";
}

TEST_F(StoreFailure, AStartThatCannotSaveItsChangesIsReadOnlyUntilAWriteWorks) {
  open_with_upload().reset();
  config_.directories = {{"new-at-restart", std::nullopt, false}};  // a change the start must save
  FrozenDir frozen(dir_.path);
  if (!frozen.frozen()) GTEST_SKIP() << "cannot make a directory immutable here (chattr +i)";
  auto store = open();
  ASSERT_TRUE(store->read_only_reason());
  EXPECT_EQ(store->read_only_reason()->find(dir_.path.string()), std::string::npos) << *store->read_only_reason();
  auto part = send(*store, contract::new_uuid(), range(0, 10, 10), pattern(10));
  EXPECT_EQ(code_of(part), "ServiceUnavailable");
  EXPECT_EQ(code_of(store->move(store->root_directory_id(), {{kHash, "a.bin"}})), "ServiceUnavailable");
  EXPECT_EQ(store->uploads().size(), 1u) << "reading still works";

  frozen.thaw();
  EXPECT_EQ(code_of(store->move(store->root_directory_id(), {{kHash, "a.bin"}})), "none");
  EXPECT_FALSE(store->read_only_reason());
}

TEST_F(StoreFailure, AMoveWhoseCatalogCannotBeSavedDidNotHappen) {
  auto store = open_with_upload();
  const auto root = store->root_directory_id();
  {
    FrozenDir frozen(dir_.path);
    if (!frozen.frozen()) GTEST_SKIP() << "cannot make a directory immutable here (chattr +i)";
    EXPECT_THROW(store->move(root, {{kHash, "a.bin"}}), StorageError);
    EXPECT_THROW(store->link_for_hash(kHash), StorageError);
    EXPECT_THROW(store->add_directory({"inbox", std::nullopt, false}), StorageError);
    ASSERT_EQ(store->uploads().size(), 1u) << "the upload is still there, complete";
    EXPECT_TRUE(store->uploads()[0].state.complete);
    EXPECT_FALSE(store->uploads()[0].busy);
    EXPECT_EQ(store->directories().size(), 1u) << "no directory was added";
    auto listing = store->list_directory(root, 0, 0);
    EXPECT_EQ(std::get<Store::Listing>(listing).total, 0u) << "no file was added";
  }
  auto moved = store->move(root, {{kHash, "a.bin"}});
  ASSERT_EQ(code_of(moved), "none");
  EXPECT_EQ(download_file(*store, std::get<std::vector<FileInfo>>(moved)[0].id), bytes_);
}

TEST_F(StoreFailure, AFileRehomedByAFailedMoveStaysWhereItWas) {
  auto store = open_with_upload();
  const auto root = store->root_directory_id();
  auto docs = std::get<DirectoryInfo>(store->add_directory({"docs", std::nullopt, false})).id;
  auto moved = std::get<std::vector<FileInfo>>(store->move(root, {{kHash, "a.bin"}}));
  {
    FrozenDir frozen(dir_.path);
    if (!frozen.frozen()) GTEST_SKIP() << "cannot make a directory immutable here (chattr +i)";
    EXPECT_THROW(store->move(docs, {{kHash, "b.bin"}}), StorageError);
  }
  auto listing = std::get<Store::Listing>(store->list_directory(root, 0, 0));
  ASSERT_EQ(listing.total, 2u);  // docs, then the file
  EXPECT_EQ(listing.entries[1].name, "a.bin");
  EXPECT_EQ(listing.entries[1].id, moved[0].id);
}

TEST_F(StoreFailure, HashesInUpperCaseAreTheSameUploadInLowerCase) {
  auto store = open();
  const auto bytes = pattern(static_cast<std::size_t>(kPart + 10));
  ASSERT_EQ(send(*store, kUpperHash, range(0, kPart, kPart + 10), slice(bytes, 0, kPart)).status, 206);
  ASSERT_EQ(store->uploads().size(), 1u);
  EXPECT_EQ(store->uploads()[0].hash, kHash) << "kept lower-case";
  auto done = send(*store, kHash, range(kPart, kPart + 10, kPart + 10), slice(bytes, kPart, kPart + 10));
  EXPECT_EQ(done.status, 200);
  auto moved = store->move(store->root_directory_id(), {{kUpperHash, "a.bin"}});
  ASSERT_EQ(code_of(moved), "none");
  EXPECT_EQ(std::get<std::vector<FileInfo>>(moved)[0].hash, kHash);
  EXPECT_EQ(code_of(store->link_for_hash(kUpperHash)), "none");
  EXPECT_TRUE(fs::exists(dir_.path / "files" / (std::get<std::vector<FileInfo>>(moved)[0].id + ".data")));
}

}  // namespace
}  // namespace partcheck::mock
