// Metadata files: versions only move forward, whichever way a version is
// written (in place for the first one of an upload's file, else replaced
// atomically).
#include "mock_server/store/persistence.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "contract/uuid.hpp"
#include "mock_server/storage/sync_group.hpp"

namespace partcheck::mock {
namespace {

namespace fs = std::filesystem;

class PersistenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("partcheck-persistence-" + contract::new_uuid());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }
  fs::path dir_;
};

TEST_F(PersistenceTest, AFirstVersionInPlaceThenReplacementsOnlyForward) {
  const auto path = dir_ / "upload.json";
  VersionedJsonFile file(path, &SyncGroup::of_filesystem(dir_), VersionedJsonFile::Torn::MeansAbsent);
  file.write(1, {{"v", 1}});
  EXPECT_EQ(read_json(path), nlohmann::json({{"v", 1}}));
  file.write(3, {{"v", 3}});
  file.write(2, {{"v", 2}});  // older than what is on disk: skipped
  EXPECT_EQ(read_json(path), nlohmann::json({{"v", 3}}));
  EXPECT_EQ(entries(), 1u) << "no temp file is left behind";
}

TEST_F(PersistenceTest, AFileAlreadyThereIsReplacedNotAppendedTo) {
  // Left by a process that crashed: longer than the new version, so a write
  // in place would leave its tail behind.
  const auto path = dir_ / "upload.json";
  std::ofstream(path) << R"({"v":"an older and much longer version of this file"})";
  VersionedJsonFile file(path, /*sync=*/nullptr, VersionedJsonFile::Torn::MeansAbsent);
  file.write(1, {{"v", 1}});
  EXPECT_EQ(read_json(path), nlohmann::json({{"v", 1}}));
  EXPECT_EQ(entries(), 1u);
}

TEST_F(PersistenceTest, RemovedStaysRemovedForTheVersionsBefore) {
  const auto path = dir_ / "catalog.json";
  VersionedJsonFile file(path, &SyncGroup::of_filesystem(dir_));
  file.write(1, {{"v", 1}});
  file.remove(5);
  file.write(4, {{"v", 4}});
  EXPECT_FALSE(fs::exists(path));
  file.write(6, {{"v", 6}});
  EXPECT_EQ(read_json(path), nlohmann::json({{"v", 6}}));
}

}  // namespace
}  // namespace partcheck::mock
