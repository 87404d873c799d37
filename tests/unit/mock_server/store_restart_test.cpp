// A restart on the same data dir keeps everything acknowledged and nothing
// else: parts, files, directories, root id; crash leftovers are cleaned up.
#include <fstream>

#include "store_test_support.hpp"

namespace partcheck::mock {
namespace {

using namespace testing;
namespace fs = std::filesystem;

const std::string kHash = "c0c0c0c0-1111-4222-8333-444455556666";

class StoreRestart : public ::testing::Test {
 protected:
  StoreRestart() {
    config_ = config_for(StorageKind::Disk, dir_.path);
    config_.fsync = FsyncPolicy::Always;
    config_.directories = {{"docs", std::nullopt, false}};
  }
  std::unique_ptr<Store> open() { return std::make_unique<Store>(config_, clock_); }
  fs::path upload_data() const { return dir_.path / "uploads" / (kHash + ".data"); }

  TempDir dir_;
  Clock clock_;
  ServerConfig config_;
  const Bytes bytes_ = pattern(3 * kPart - 100);
  const std::uint64_t total_ = 3 * kPart - 100;
};

TEST_F(StoreRestart, AcknowledgedPartsSurviveAndTheUploadContinues) {
  std::string root;
  {
    auto store = open();
    root = store->root_directory_id();
    ASSERT_EQ(send(*store, kHash, range(0, kPart, total_), slice(bytes_, 0, kPart)).status, 206);
  }
  auto store = open();
  EXPECT_EQ(store->root_directory_id(), root);
  ASSERT_EQ(store->uploads().size(), 1u);
  EXPECT_EQ(store->uploads()[0].state.contiguous_end(), kPart);
  ASSERT_EQ(send(*store, kHash, range(kPart, 2 * kPart, total_), slice(bytes_, kPart, 2 * kPart)).status, 206);
  auto done = send(*store, kHash, range(2 * kPart, total_, total_), slice(bytes_, 2 * kPart, total_));
  EXPECT_EQ(done.status, 200);
  EXPECT_EQ(done.xxh3, xxh3_of(bytes_)) << "digest read back after the restart";
}

TEST_F(StoreRestart, AnInterruptedPartIsGoneAfterACrash) {
  {
    auto store = open();
    ASSERT_EQ(send(*store, kHash, range(0, kPart, total_), slice(bytes_, 0, kPart)).status, 206);
  }
  // What kill -9 in the middle of part 2 leaves: bytes past the acknowledged
  // end, a stage of a retry, a half-written metadata temp file.
  {
    std::ofstream out(upload_data(), std::ios::binary | std::ios::app);
    out << std::string(4096, 'x');
  }
  std::ofstream(dir_.path / "uploads" / (kHash + ".stage-0f0f")) << "stage";
  std::ofstream(dir_.path / "uploads" / (kHash + ".json.1234.tmp")) << "{half";
  std::ofstream(dir_.path / "uploads" / "d1d1d1d1-1111-4222-8333-444455556666.data") << "no metadata";

  auto store = open();
  EXPECT_EQ(fs::file_size(upload_data()), kPart);
  EXPECT_FALSE(fs::exists(dir_.path / "uploads" / (kHash + ".stage-0f0f")));
  EXPECT_FALSE(fs::exists(dir_.path / "uploads" / (kHash + ".json.1234.tmp")));
  EXPECT_FALSE(fs::exists(dir_.path / "uploads" / "d1d1d1d1-1111-4222-8333-444455556666.data"));
  EXPECT_EQ(code_of(send(*store, kHash, range(2 * kPart, total_, total_), slice(bytes_, 2 * kPart, total_))),
            "InvalidPartOrder");
  EXPECT_EQ(upload_all(*store, kHash, bytes_).xxh3, xxh3_of(bytes_));
}

TEST_F(StoreRestart, AnAbortedPartLeavesNoBytesBehind) {
  auto store = open();
  ASSERT_EQ(send(*store, kHash, range(0, kPart, total_), slice(bytes_, 0, kPart)).status, 206);
  {
    auto part = std::get<std::unique_ptr<PartUpload>>(store->begin_part(kHash, range(kPart, 2 * kPart, total_), {}));
    part->write(slice(bytes_, kPart, kPart + 1000));
  }  // the connection dropped
  EXPECT_EQ(fs::file_size(upload_data()), kPart);
  {
    auto first = std::get<std::unique_ptr<PartUpload>>(store->begin_part("e0e0e0e0-1111-4222-8333-444455556666",
                                                                          range(0, 10, 10), {}));
    first->write(pattern(3));
  }
  EXPECT_EQ(store->uploads().size(), 1u) << "an aborted first part makes no upload";
}

TEST_F(StoreRestart, FilesDirectoriesAndLinksSurvive) {
  std::string file_id, added_id, docs_id, token;
  {
    auto store = open();
    docs_id = store->directories().at(1).id;
    added_id = std::get<DirectoryInfo>(store->add_directory({"runtime", 5000, false})).id;
    ASSERT_EQ(send(*store, kHash, range(0, 1000, 1000), slice(bytes_, 0, 1000)).status, 200);
    file_id = std::get<std::vector<FileInfo>>(store->move(added_id, {{kHash, "kept.bin"}})).at(0).id;
    token = std::get<std::string>(store->link_for_file(file_id));
  }
  auto store = open();
  const auto dirs = store->directories();
  ASSERT_EQ(dirs.size(), 3u) << "configured directories are matched by name, not duplicated";
  EXPECT_EQ(dirs[1].id, docs_id);
  EXPECT_EQ(dirs[2].id, added_id);
  EXPECT_EQ(dirs[2].quota, 5000u);
  EXPECT_EQ(dirs[2].used, 1000u);
  auto download = store->open_download(token);
  ASSERT_EQ(code_of(download), "none");
  EXPECT_EQ(read_all(*std::get<Store::Download>(download).reader), slice(bytes_, 0, 1000));
  EXPECT_EQ(code_of(send(*store, kHash, range(0, 1000, 1000), slice(bytes_, 0, 1000))), "UploadComplete");
}

TEST_F(StoreRestart, AMoveCutShortByACrashIsFinishedAtStart) {
  std::string file_id;
  {
    auto store = open();
    ASSERT_EQ(send(*store, kHash, range(0, 1000, 1000), slice(bytes_, 0, 1000)).status, 200);
    file_id = std::get<std::vector<FileInfo>>(store->move(store->root_directory_id(), {{kHash, "x"}})).at(0).id;
  }
  // The catalog was saved, the rename had not happened yet.
  fs::rename(dir_.path / "files" / (file_id + ".data"), upload_data());
  auto store = open();
  EXPECT_EQ(download_file(*store, file_id), slice(bytes_, 0, 1000));
  EXPECT_FALSE(fs::exists(upload_data()));
  EXPECT_TRUE(store->uploads().empty());
}

TEST_F(StoreRestart, AFixedRootIdIsKept) {
  config_.root_dir_id = "f0f0f0f0-1111-4222-8333-444455556666";
  {
    auto store = open();
    EXPECT_EQ(store->root_directory_id(), *config_.root_dir_id);
    ASSERT_EQ(send(*store, kHash, range(0, 10, 10), pattern(10)).status, 200);
    ASSERT_EQ(code_of(store->move(*config_.root_dir_id, {{kHash, "x"}})), "none");
  }
  config_.root_dir_id = "f1f1f1f1-1111-4222-8333-444455556666";
  auto store = open();
  EXPECT_EQ(store->root_directory_id(), *config_.root_dir_id);
  EXPECT_EQ(std::get<Store::Listing>(store->list_directory(*config_.root_dir_id, 0, 0)).total, 2u)
      << "docs and the file followed the new root id";
}

TEST_F(StoreRestart, AConfigTheStoreCannotHonourIsRefusedAtStart) {
  config_.root_dir_id = "root";
  EXPECT_THROW(open(), std::invalid_argument);
  config_.root_dir_id.reset();
  config_.directories = {{"a", std::nullopt, false}, {"a", std::nullopt, true}};
  EXPECT_THROW(open(), std::invalid_argument);
  config_.directories = {{"a/b", std::nullopt, false}};
  EXPECT_THROW(open(), std::invalid_argument);
}

}  // namespace
}  // namespace partcheck::mock
