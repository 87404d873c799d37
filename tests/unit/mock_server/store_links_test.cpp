// Download links, listings, runtime directories and the admin reset.
#include "store_test_support.hpp"

namespace partcheck::mock {
namespace {

using namespace testing;
using contract::Profile;

const std::string kHash = "7c7c7c7c-1111-4222-8333-444455556666";

FileInfo moved_file(Store& store, const std::string& hash, const Bytes& bytes, const std::string& name,
                    const std::string& dir) {
  EXPECT_EQ(send(store, hash, range(0, bytes.size(), bytes.size()), bytes).status, 200);
  return std::get<std::vector<FileInfo>>(store.move(dir, {{hash, name}})).at(0);
}

TEST(StoreLinks, ALinkServesTheStoredBytesUntilItExpires) {
  Clock clock;
  Store store(config_for(StorageKind::Memory), clock);
  const auto bytes = pattern(777);
  const auto file = moved_file(store, kHash, bytes, "a.bin", store.root_directory_id());
  auto token = std::get<std::string>(store.link_for_file(file.id));
  EXPECT_GE(token.size(), 32u);
  auto download = store.open_download(token);
  ASSERT_EQ(code_of(download), "none");
  EXPECT_EQ(std::get<Store::Download>(download).file.id, file.id);
  EXPECT_EQ(read_all(*std::get<Store::Download>(download).reader), bytes);
  auto by_hash = std::get<std::string>(store.link_for_hash(kHash));
  EXPECT_EQ(read_all(*std::get<Store::Download>(store.open_download(by_hash)).reader), bytes);
  clock.advance(std::chrono::seconds(3601));
  EXPECT_EQ(code_of(store.open_download(token)), "NoSuchFile");
  EXPECT_EQ(code_of(store.open_download("nonsense")), "NoSuchFile");
  EXPECT_EQ(code_of(store.link_for_file("00000000-0000-4000-8000-000000000000")), "NoSuchFile");
  EXPECT_EQ(std::get<Refusal>(store.link_for_file("00000000-0000-4000-8000-000000000000")).status, 404);
}

TEST(StoreLinks, ACompleteUploadCanBeLinkedByHash) {
  Clock clock;
  Store store(config_for(StorageKind::Memory), clock);
  const auto bytes = pattern(100);
  ASSERT_EQ(send(store, kHash, range(0, 100, 100), bytes).status, 200);
  auto token = store.link_for_hash(kHash);
  ASSERT_EQ(code_of(token), "none");
  EXPECT_EQ(read_all(*std::get<Store::Download>(store.open_download(std::get<std::string>(token))).reader), bytes);
  const std::string partial = "8d8d8d8d-1111-4222-8333-444455556666";
  ASSERT_EQ(send(store, partial, range(0, kPart, 2 * kPart), pattern(kPart)).status, 206);
  EXPECT_EQ(code_of(store.link_for_hash(partial)), "NoSuchFile");
}

TEST(StoreLinks, NullStorageHasNoContentToServe) {
  Clock clock;
  Store store(config_for(StorageKind::Null), clock);
  const auto file = moved_file(store, kHash, pattern(10), "a", store.root_directory_id());
  auto download = store.open_download(std::get<std::string>(store.link_for_file(file.id)));
  EXPECT_EQ(code_of(download), "ContentNotStored");
  EXPECT_EQ(std::get<Refusal>(download).status, 409);
}

TEST(StoreLinks, Link1DeviatedSkipsTheFirstByte) {
  Clock clock;
  Store store(config_for(StorageKind::Memory, {}, Profile::Strict, {"LINK-1"}), clock);
  const auto bytes = pattern(50);
  const auto file = moved_file(store, kHash, bytes, "a", store.root_directory_id());
  EXPECT_EQ(download_file(store, file.id), slice(bytes, 1, 50));
}

TEST(StoreListing, RootListsDirectoriesThenFilesWithPaging) {
  Clock clock;
  auto config = config_for(StorageKind::Memory);
  config.directories = {{"docs", std::nullopt, false}};
  Store store(config, clock);
  const auto root = store.root_directory_id();
  moved_file(store, kHash, pattern(5), "b", root);
  moved_file(store, "9e9e9e9e-1111-4222-8333-444455556666", pattern(6), "a", root);
  auto all = std::get<Store::Listing>(store.list_directory(root, 0, 0));
  ASSERT_EQ(all.total, 3u);
  EXPECT_EQ(all.entries[0].type, "directory");
  EXPECT_EQ(all.entries[0].name, "docs");
  EXPECT_EQ(all.entries[1].name, "a");
  EXPECT_EQ(all.entries[1].size, 6u);
  EXPECT_EQ(all.entries[2].hash, kHash);
  auto page = std::get<Store::Listing>(store.list_directory(root, 1, 1));
  EXPECT_EQ(page.total, 3u);
  ASSERT_EQ(page.entries.size(), 1u);
  EXPECT_EQ(page.entries[0].name, "a");
  EXPECT_EQ(std::get<Store::Listing>(store.list_directory(root, 9, 5)).entries.size(), 0u);
  auto unknown = store.list_directory("00000000-0000-4000-8000-000000000000", 0, 0);
  EXPECT_EQ(code_of(unknown), "NoSuchDirectory");
  EXPECT_EQ(std::get<Refusal>(unknown).status, 404);
}

TEST(StoreReset, KeepsTheRootAndConfiguredDirectoriesOnly) {
  TempDir dir;
  Clock clock;
  auto config = config_for(StorageKind::Disk, dir.path);
  config.directories = {{"docs", 500, true}};
  Store store(config, clock);
  const auto before = store.directories();
  auto added = store.add_directory({"runtime", std::nullopt, false});
  ASSERT_EQ(code_of(added), "none");
  EXPECT_EQ(code_of(store.add_directory({"runtime", std::nullopt, false})), "NameConflict");
  EXPECT_EQ(code_of(store.add_directory({"a/b", std::nullopt, false})), "InvalidName");
  const auto file = moved_file(store, kHash, pattern(10), "f", std::get<DirectoryInfo>(added).id);
  const std::string pending = "abababab-1111-4222-8333-444455556666";
  ASSERT_EQ(send(store, pending, range(0, kPart, 2 * kPart), pattern(kPart)).status, 206);
  store.reset();
  EXPECT_TRUE(store.uploads().empty());
  const auto after = store.directories();
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_EQ(after[i].used, 0u);
  }
  EXPECT_EQ(code_of(store.link_for_file(file.id)), "NoSuchFile");
  EXPECT_EQ(send(store, kHash, range(0, 10, 10), pattern(10)).status, 200) << "the hash is free again";
  EXPECT_TRUE(std::filesystem::is_empty(dir.path / "files"));
}

}  // namespace
}  // namespace partcheck::mock
