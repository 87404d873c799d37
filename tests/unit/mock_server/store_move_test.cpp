// Move: all or nothing, names and postfixes, quota, permissions, incomplete
// and unknown uploads, moving initialised files, and each MOVE deviation.
#include "store_test_support.hpp"

namespace partcheck::mock {
namespace {

using namespace testing;
using contract::Profile;

std::string hash_n(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "%08x-1111-4222-8333-444455556666", n);
  return text;
}

class StoreMove : public ::testing::Test {
 protected:
  void open(std::initializer_list<const char*> deviations = {}, StorageKind kind = StorageKind::Memory) {
    config_ = config_for(kind, dir_.path, Profile::Strict, deviations);
    config_.directories = {{"docs", std::nullopt, false}, {"other", std::nullopt, false},
                           {"small", 1000, false}, {"locked", std::nullopt, true}};
    store_.reset();
    store_ = std::make_unique<Store>(config_, clock_);
    for (const auto& d : store_->directories()) ids_[d.name] = d.id;
  }
  void SetUp() override { open(); }
  // A complete upload of `size` bytes under hash_n(n).
  Bytes uploaded(int n, std::size_t size = 600) {
    auto bytes = pattern(size, static_cast<unsigned>(n));
    EXPECT_EQ(send(*store_, hash_n(n), range(0, size, size), bytes).status, 200);
    return bytes;
  }
  std::variant<std::vector<FileInfo>, Refusal> move(const std::string& dir, std::vector<Store::MoveItem> items) {
    return store_->move(ids_.count(dir) ? ids_[dir] : dir, items);
  }
  std::vector<std::string> names_in(const std::string& dir) {
    std::vector<std::string> names;
    const auto listing = std::get<Store::Listing>(store_->list_directory(ids_[dir], 0, 0));
    for (const auto& e : listing.entries)
      if (e.type == "file") names.push_back(e.name);
    return names;
  }

  TempDir dir_;
  Clock clock_;
  ServerConfig config_;
  std::unique_ptr<Store> store_;
  std::map<std::string, std::string> ids_;
};

TEST_F(StoreMove, ACompleteUploadBecomesAFileWithItsBytes) {
  for (auto kind : {StorageKind::Memory, StorageKind::Disk}) {
    open({}, kind);
    const auto bytes = uploaded(1);
    auto moved = move("docs", {{hash_n(1), "report.pdf"}});
    ASSERT_EQ(code_of(moved), "none");
    const auto& file = std::get<std::vector<FileInfo>>(moved).at(0);
    EXPECT_EQ(file.name, "report.pdf");
    EXPECT_EQ(file.directory_id, ids_["docs"]);
    EXPECT_EQ(file.size, bytes.size());
    EXPECT_EQ(file.xxh3, xxh3_of(bytes));
    EXPECT_EQ(download_file(*store_, file.id), bytes);
    EXPECT_TRUE(store_->uploads().empty());
    EXPECT_EQ(code_of(send(*store_, hash_n(1), range(0, 600, 600), bytes)), "UploadComplete");
  }
}

TEST_F(StoreMove, ATakenNameGetsAPostfix) {
  uploaded(1);
  uploaded(2);
  uploaded(3);
  ASSERT_EQ(code_of(move("docs", {{hash_n(1), "report.pdf"}})), "none");
  auto second = move("docs", {{hash_n(2), "report.pdf"}, {hash_n(3), "report.pdf"}});
  ASSERT_EQ(code_of(second), "none");
  EXPECT_EQ(std::get<std::vector<FileInfo>>(second)[0].name, "report (1).pdf");
  EXPECT_EQ(std::get<std::vector<FileInfo>>(second)[1].name, "report (2).pdf");
}

TEST_F(StoreMove, NoUniqueNameIs409AndNothingMoves) {
  const std::string long_name(255, 'n');
  uploaded(1);
  uploaded(2);
  ASSERT_EQ(code_of(move("docs", {{hash_n(1), long_name}})), "none");
  auto refused = move("docs", {{hash_n(2), long_name}});
  ASSERT_EQ(code_of(refused), "NameConflict");
  EXPECT_EQ(std::get<Refusal>(refused).status, 409);
  EXPECT_EQ(store_->uploads().size(), 1u) << "the upload is still there";
}

TEST_F(StoreMove, ChecksEverythingBeforeMovingAnything) {
  uploaded(1);
  const auto total = 2 * kPart;
  ASSERT_EQ(send(*store_, hash_n(2), range(0, kPart, total), pattern(kPart)).status, 206);
  auto incomplete = move("docs", {{hash_n(1), "a"}, {hash_n(2), "b"}});
  EXPECT_EQ(code_of(incomplete), "InvalidPart");
  EXPECT_EQ(std::get<Refusal>(incomplete).status, 400);
  EXPECT_TRUE(names_in("docs").empty()) << "all or nothing";
  EXPECT_EQ(code_of(move("docs", {{hash_n(9), "x"}})), "NoSuchUpload");
  EXPECT_EQ(code_of(move("docs", {{hash_n(1), "a/b"}})), "InvalidName");
  EXPECT_EQ(code_of(move("docs", {{hash_n(1), "a"}, {hash_n(1), "b"}})), "InvalidRequest");
  EXPECT_EQ(code_of(move("docs", {})), "InvalidRequest");
}

TEST_F(StoreMove, DirectoryRules) {
  uploaded(1, 2000);
  auto quota = move("small", {{hash_n(1), "big"}});
  EXPECT_EQ(code_of(quota), "NotEnoughSpace");
  EXPECT_EQ(std::get<Refusal>(quota).status, 402);
  auto locked = move("locked", {{hash_n(1), "x"}});
  EXPECT_EQ(code_of(locked), "PermissionDenied");
  EXPECT_EQ(std::get<Refusal>(locked).status, 403);
  auto unknown = move(hash_n(77), {{hash_n(1), "x"}});
  EXPECT_EQ(code_of(unknown), "NoSuchDirectory");
  EXPECT_EQ(std::get<Refusal>(unknown).status, 404);
  EXPECT_EQ(code_of(move("not-a-uuid", {{hash_n(1), "x"}})), "InvalidRequest");
  EXPECT_EQ(store_->uploads().size(), 1u);
}

TEST_F(StoreMove, MovingAMovedHashMovesTheFile) {
  const auto bytes = uploaded(1);
  uploaded(2);
  const auto first = std::get<std::vector<FileInfo>>(move("docs", {{hash_n(1), "a.txt"}})).at(0);
  ASSERT_EQ(code_of(move("other", {{hash_n(2), "a.txt"}})), "none");
  auto again = move("other", {{hash_n(1), "a.txt"}});
  ASSERT_EQ(code_of(again), "none");
  const auto& file = std::get<std::vector<FileInfo>>(again).at(0);
  EXPECT_EQ(file.id, first.id);
  EXPECT_EQ(file.name, "a (1).txt");
  EXPECT_TRUE(names_in("docs").empty());
  EXPECT_EQ(names_in("other").size(), 2u);
  EXPECT_EQ(download_file(*store_, file.id), bytes);
  const auto used = store_->directories();
  EXPECT_EQ(std::find_if(used.begin(), used.end(), [&](auto& d) { return d.name == "other"; })->used, 1200u);
}

TEST_F(StoreMove, AMoveWhileAPartIsWrittenIsBusy) {
  uploaded(1);
  auto retry = store_->begin_part(hash_n(1), range(0, 600, 600), {});
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<PartUpload>>(retry));
  EXPECT_EQ(code_of(move("docs", {{hash_n(1), "a"}})), "UploadBusy");
  retry = Refusal{};  // abort the part
  EXPECT_EQ(code_of(move("docs", {{hash_n(1), "a"}})), "none");
}

TEST_F(StoreMove, Move1FlipsTheLastByte) {
  open({"MOVE-1"});
  const auto bytes = uploaded(1);
  const auto file = std::get<std::vector<FileInfo>>(move("docs", {{hash_n(1), "a"}})).at(0);
  auto served = download_file(*store_, file.id);
  ASSERT_TRUE(served);
  EXPECT_NE(*served, bytes);
  EXPECT_EQ(served->back(), bytes.back() ^ std::byte{0xff});
}

TEST_F(StoreMove, Move2And3OverwriteTakenNames) {
  open({"MOVE-2"});
  uploaded(1);
  uploaded(2);
  move("docs", {{hash_n(1), "a"}});
  EXPECT_EQ(std::get<std::vector<FileInfo>>(move("docs", {{hash_n(2), "a"}})).at(0).name, "a");
  EXPECT_EQ(names_in("docs"), std::vector<std::string>{"a"});

  open({"MOVE-3"});
  const std::string long_name(255, 'n');
  uploaded(1);
  uploaded(2);
  move("docs", {{hash_n(1), long_name}});
  EXPECT_EQ(code_of(move("docs", {{hash_n(2), long_name}})), "none");
  EXPECT_EQ(names_in("docs").size(), 1u);
}

TEST_F(StoreMove, Move4And5IgnoreQuotaAndPermission) {
  open({"MOVE-4", "MOVE-5"});
  uploaded(1, 2000);
  uploaded(2);
  EXPECT_EQ(code_of(move("small", {{hash_n(1), "big"}})), "none");
  EXPECT_EQ(code_of(move("locked", {{hash_n(2), "x"}})), "none");
}

TEST_F(StoreMove, Move6MovesAnIncompleteUploadAsAShortFile) {
  open({"MOVE-6"});
  const auto bytes = pattern(2 * kPart);
  ASSERT_EQ(send(*store_, hash_n(1), range(0, kPart, bytes.size()), slice(bytes, 0, kPart)).status, 206);
  auto moved = move("docs", {{hash_n(1), "short"}});
  ASSERT_EQ(code_of(moved), "none");
  const auto& file = std::get<std::vector<FileInfo>>(moved).at(0);
  EXPECT_EQ(file.size, kPart);
  EXPECT_EQ(download_file(*store_, file.id), slice(bytes, 0, kPart));
}

TEST_F(StoreMove, Move7SendsUnknownDirectoriesToTheRoot) {
  open({"MOVE-7"});
  uploaded(1);
  auto moved = move(hash_n(77), {{hash_n(1), "x"}});
  ASSERT_EQ(code_of(moved), "none");
  EXPECT_EQ(std::get<std::vector<FileInfo>>(moved).at(0).directory_id, store_->root_directory_id());
}

TEST_F(StoreMove, Move8CopiesInsteadOfMoving) {
  open({"MOVE-8"});
  const auto bytes = uploaded(1);
  const auto first = std::get<std::vector<FileInfo>>(move("docs", {{hash_n(1), "a"}})).at(0);
  const auto copy = std::get<std::vector<FileInfo>>(move("other", {{hash_n(1), "a"}})).at(0);
  EXPECT_NE(copy.id, first.id);
  EXPECT_EQ(names_in("docs"), std::vector<std::string>{"a"}) << "the original stays";
  EXPECT_EQ(names_in("other"), std::vector<std::string>{"a"});
  EXPECT_EQ(download_file(*store_, copy.id), bytes);
}

}  // namespace
}  // namespace partcheck::mock
