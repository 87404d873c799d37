// MOVE-1..8 and TTL-1/2 on the mock's `strict` profile: directories with a
// quota or read-only come from --directory and the admin API, time from
// POST /__mock/clock/advance.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/integration/support/mock_fixture.hpp"

using namespace partcheck::testing;
using partcheck::contract::new_uuid;

namespace {

class MoveRulesTest : public MockTest {
 protected:
  std::string complete_upload(std::uint64_t seed, std::uint64_t n) {
    auto hash = new_uuid();
    auto reply = upload_whole(hash, seed, n);
    EXPECT_EQ(reply.status, 200) << reply;
    return hash;
  }
  std::string moved_name(const std::string& hash, const std::string& dir, const std::string& name) {
    auto reply = api().move(dir, {{hash, name}});
    EXPECT_EQ(reply.status, 200) << reply;
    return reply.json.is_object() && reply.json.contains("files") ? reply.json["files"][0].value("name", "")
                                                                   : "";
  }
};

// --- MOVE-1 ------------------------------------------------------------------

TEST_F(MoveRulesTest, Move1_CompleteUploadLandsInTheDirectoryWithItsBytes) {
  auto hash = complete_upload(31, 70000);
  auto reply = api().move(root(), {{hash, "data.bin"}});
  ASSERT_EQ(reply.status, 200) << reply;
  ASSERT_EQ(reply.json["files"].size(), 1u) << reply;
  const auto& file = reply.json["files"][0];
  EXPECT_EQ(file.value("hash", ""), hash);
  EXPECT_EQ(file.value("name", ""), "data.bin");
  EXPECT_EQ(file.value("directoryID", ""), root());
  EXPECT_EQ(file.value("size", 0ULL), 70000u);
  EXPECT_EQ(api().file_names(root()), std::vector<std::string>{"data.bin"});
  EXPECT_EQ(api().download_file(file.value("__id", "")), file_bytes(31, 0, 70000));
  EXPECT_TRUE(nothing_stored(hash)) << "a moved hash is no longer a temporary upload";
}

TEST_F(MoveRulesTest, Move1_SeveralFilesInOneMove) {
  auto a = complete_upload(32, 100), b = complete_upload(33, 200);
  auto reply = api().move(root(), {{a, "a.txt"}, {b, "b.txt"}});
  ASSERT_EQ(reply.status, 200) << reply;
  auto names = api().file_names(root());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a.txt", "b.txt"}));
}

// --- MOVE-2 / MOVE-3 -----------------------------------------------------------

TEST_F(MoveRulesTest, Move2_TakenNamesGetAPostfixBeforeTheExtension) {
  EXPECT_EQ(moved_name(complete_upload(34, 10), root(), "report.pdf"), "report.pdf");
  EXPECT_EQ(moved_name(complete_upload(35, 10), root(), "report.pdf"), "report (1).pdf");
  EXPECT_EQ(moved_name(complete_upload(36, 10), root(), "report.pdf"), "report (2).pdf");
  EXPECT_EQ(moved_name(complete_upload(37, 10), root(), "archive.tar.gz"), "archive.tar.gz");
  EXPECT_EQ(moved_name(complete_upload(38, 10), root(), "archive.tar.gz"), "archive.tar (1).gz");
  EXPECT_EQ(moved_name(complete_upload(39, 10), root(), "README"), "README");
  EXPECT_EQ(moved_name(complete_upload(40, 10), root(), "README"), "README (1)");
  EXPECT_EQ(moved_name(complete_upload(41, 10), root(), ".bashrc"), ".bashrc");
  EXPECT_EQ(moved_name(complete_upload(42, 10), root(), ".bashrc"), ".bashrc (1)");
}

TEST_F(MoveRulesTest, Move3_NoUniqueNameIs409AndNothingMoved) {
  std::string name = std::string(251, 'n') + ".txt";  // 255 bytes: no room for " (1)"
  ASSERT_EQ(moved_name(complete_upload(43, 10), root(), name), name);
  auto hash = complete_upload(44, 10);
  EXPECT_REFUSED(api().move(root(), {{hash, name}}), 409, "NameConflict");
  EXPECT_EQ(api().file_names(root()).size(), 1u);
  EXPECT_EQ(moved_name(hash, root(), "other.txt"), "other.txt") << "the refused upload stays movable";
}

TEST_F(MoveRulesTest, Move3_IllegalNamesAreInvalidName) {
  const std::vector<std::string> bad_names{"", ".", "..", "a/b", "a\\b", "a\x01b", std::string(256, 'x')};
  for (const auto& bad : bad_names) {
    auto hash = complete_upload(45, 10);
    EXPECT_REFUSED(api().move(root(), {{hash, bad}}), 400, "InvalidName") << bad;
  }
  EXPECT_TRUE(api().file_names(root()).empty());
}

// --- MOVE-4 / MOVE-5 -----------------------------------------------------------

TEST_F(MoveRulesTest, Move4_OverQuotaIs402AndNothingMoved) {
  auto dir = api().add_directory("small", 100000);
  EXPECT_EQ(moved_name(complete_upload(46, 60000), dir, "first.bin"), "first.bin");
  auto second = complete_upload(47, 40001);
  EXPECT_REFUSED(api().move(dir, {{second, "second.bin"}}), 402, "NotEnoughSpace");
  EXPECT_EQ(api().file_names(dir), std::vector<std::string>{"first.bin"});
  EXPECT_EQ(moved_name(second, root(), "second.bin"), "second.bin") << "the refused upload stays movable";
  EXPECT_EQ(moved_name(complete_upload(48, 40000), dir, "fits.bin"), "fits.bin") << "exactly the quota fits";
}

TEST_F(MoveRulesTest, Move4_MultiFileMoveIsAllOrNothing) {
  auto dir = api().add_directory("pair", 1000);
  auto a = complete_upload(49, 600), b = complete_upload(50, 600);
  EXPECT_REFUSED(api().move(dir, {{a, "a"}, {b, "b"}}), 402, "NotEnoughSpace");
  EXPECT_TRUE(api().file_names(dir).empty());
}

TEST_F(MoveRulesTest, Move5_ReadOnlyDirectoryIs403AndNothingMoved) {
  auto dir = api().add_directory("archive", std::nullopt, true);
  auto hash = complete_upload(51, 100);
  EXPECT_REFUSED(api().move(dir, {{hash, "x.bin"}}), 403, "PermissionDenied");
  EXPECT_TRUE(api().file_names(dir).empty());
  EXPECT_REFUSED(api().dir_upload(dir, new_uuid(), {content_range(0, 3, 3), "abc"}), 403, "PermissionDenied");
  EXPECT_EQ(moved_name(hash, root(), "x.bin"), "x.bin");
}

TEST(MoveDirectoryFlags, Move4And5_DirectoriesFromTheCommandLine) {
  ServerProcess server({"--storage", "memory", "--quiet", "--directory", "tiny:quota=1000",
                        "--directory", "frozen:readonly"});
  ApiClient api(server);
  auto listing = api.admin_get("directories");
  ASSERT_EQ(listing.status, 200) << listing;
  const auto& list = listing.json.is_array() ? listing.json : listing.json["directories"];
  std::string tiny, frozen;
  for (const auto& d : list) {
    if (d.value("name", "") == "tiny") tiny = d.value("id", "");
    if (d.value("name", "") == "frozen") frozen = d.value("id", "");
  }
  ASSERT_FALSE(tiny.empty() || frozen.empty()) << listing;
  auto hash = new_uuid();
  ASSERT_EQ(api.upload(hash, content_range(0, 1001, 1001), file_bytes(1, 0, 1001)).status, 200);
  EXPECT_REFUSED(api.move(tiny, {{hash, "big"}}), 402, "NotEnoughSpace");
  EXPECT_REFUSED(api.move(frozen, {{hash, "big"}}), 403, "PermissionDenied");
  EXPECT_EQ(api.move(server.root_dir_id(), {{hash, "big"}}).status, 200);
}

// --- MOVE-6 / MOVE-7 / MOVE-8 ------------------------------------------------------

TEST_F(MoveRulesTest, Move6_IncompleteOrUnknownUploadIsRefusedAndNothingCreated) {
  auto partial = new_uuid();
  ASSERT_EQ(upload_part(partial, 52, 0, kMinPart, 2 * kMinPart).status, 206);
  EXPECT_REFUSED(api().move(root(), {{partial, "partial.bin"}}), 400, "InvalidPart");
  EXPECT_REFUSED(api().move(root(), {{new_uuid(), "ghost.bin"}}), 400, "NoSuchUpload");
  auto done = complete_upload(53, 10);
  EXPECT_REFUSED(api().move(root(), {{done, "done.bin"}, {new_uuid(), "ghost.bin"}}), 400, "NoSuchUpload");
  EXPECT_TRUE(api().file_names(root()).empty());
  EXPECT_EQ(upload_part(partial, 52, kMinPart, 2 * kMinPart, 2 * kMinPart).status, 200);
}

TEST_F(MoveRulesTest, Move7_MissingInvalidOrUnknownDirectoryIsRefused) {
  auto hash = complete_upload(54, 10);
  auto missing = api().move(std::nullopt, {{hash, "a"}});
  EXPECT_GE(missing.status, 400) << missing;
  EXPECT_LT(missing.status, 500) << missing;
  EXPECT_FALSE(missing.ok_json()) << missing;
  auto invalid = api().move("not-a-uuid", {{hash, "a"}});
  EXPECT_GE(invalid.status, 400) << invalid;
  EXPECT_LT(invalid.status, 500) << invalid;
  EXPECT_REFUSED(api().move(new_uuid(), {{hash, "a"}}), 404, "NoSuchDirectory");
  EXPECT_EQ(moved_name(hash, root(), "a"), "a");
}

TEST_F(MoveRulesTest, Move8_MovingAMovedHashMovesTheFile) {
  auto other = api().add_directory("other");
  auto hash = complete_upload(55, 3000);
  ASSERT_EQ(moved_name(hash, root(), "m.bin"), "m.bin");
  auto again = api().move(other, {{hash, "m2.bin"}});
  ASSERT_EQ(again.status, 200) << again;
  EXPECT_TRUE(api().file_names(root()).empty());
  EXPECT_EQ(api().file_names(other), std::vector<std::string>{"m2.bin"});
  EXPECT_EQ(api().download_file(file_id_of_move(again)), file_bytes(55, 0, 3000));
  EXPECT_REFUSED(api().upload(hash, content_range(0, 10, 10), "0123456789"), 400, "UploadComplete");
}

// --- TTL-1 / TTL-2 -----------------------------------------------------------------

TEST_F(MoveRulesTest, Ttl1_UploadIsUsableJustBeforeItsHour) {
  auto hash = new_uuid();
  ASSERT_EQ(upload_part(hash, 56, 0, kMinPart, 2 * kMinPart).status, 206);
  api().advance_clock(3590);
  EXPECT_EQ(upload_part(hash, 56, kMinPart, 2 * kMinPart, 2 * kMinPart).status, 200);
  EXPECT_EQ(moved_name(hash, root(), "in-time.bin"), "in-time.bin");
}

TEST_F(MoveRulesTest, Ttl1_ExpiredUploadIsGoneForPartsAndMoves) {
  auto partial = new_uuid();
  ASSERT_EQ(upload_part(partial, 57, 0, kMinPart, 2 * kMinPart).status, 206);
  auto complete = complete_upload(58, 100);
  api().advance_clock(3601);
  EXPECT_REFUSED(upload_part(partial, 57, kMinPart, 2 * kMinPart, 2 * kMinPart), 400, "NoSuchUpload");
  EXPECT_REFUSED(upload_part(partial, 57, 0, kMinPart, 2 * kMinPart), 400, "NoSuchUpload");
  EXPECT_REFUSED(api().move(root(), {{complete, "late.bin"}}), 400, "NoSuchUpload");
  EXPECT_TRUE(api().file_names(root()).empty());
}

TEST_F(MoveRulesTest, Ttl1_CountsFromTheFirstPartNotTheLatest) {
  auto hash = new_uuid();
  const std::uint64_t n = 3 * kMinPart;
  ASSERT_EQ(upload_part(hash, 59, 0, kMinPart, n).status, 206);
  api().advance_clock(3000);
  ASSERT_EQ(upload_part(hash, 59, kMinPart, 2 * kMinPart, n).status, 206);
  api().advance_clock(700);
  EXPECT_REFUSED(upload_part(hash, 59, 2 * kMinPart, n, n), 400, "NoSuchUpload");
}

TEST_F(MoveRulesTest, Ttl1_AdminExpireEndsAnUploadAtOnce) {
  auto hash = new_uuid();
  ASSERT_EQ(upload_part(hash, 60, 0, kMinPart, 2 * kMinPart).status, 206);
  auto expired = api().admin_post("uploads/" + hash + "/expire");
  ASSERT_EQ(expired.status, 200) << expired;
  EXPECT_REFUSED(upload_part(hash, 60, kMinPart, 2 * kMinPart, 2 * kMinPart), 400, "NoSuchUpload");
  EXPECT_TRUE(nothing_stored(hash));
}

TEST(TtlFlag, Ttl1_TtlFlagSetsTheLifetime) {
  ServerProcess server({"--storage", "memory", "--quiet", "--ttl", "60s"});
  ApiClient api(server);
  auto hash = new_uuid();
  ASSERT_EQ(api.upload(hash, content_range(0, 10, 10), "0123456789").status, 200);
  api.advance_clock(61);
  EXPECT_REFUSED(api.move(server.root_dir_id(), {{hash, "a"}}), 400, "NoSuchUpload");
}

TEST_F(MoveRulesTest, Ttl2_MovedFileOutlivesTheUploadTtl) {
  auto hash = complete_upload(61, 50000);
  auto reply = api().move(root(), {{hash, "kept.bin"}});
  ASSERT_EQ(reply.status, 200) << reply;
  api().advance_clock(10 * 3600);
  EXPECT_EQ(api().file_names(root()), std::vector<std::string>{"kept.bin"});
  EXPECT_EQ(api().download_file(file_id_of_move(reply)), file_bytes(61, 0, 50000));
}

TEST_F(MoveRulesTest, Ttl2_DirectoryUploadedFileOutlivesTheTtl) {
  auto reply = api().dir_upload(root(), new_uuid(), {content_range(0, 5, 5), "hello"}, "hello.txt");
  ASSERT_EQ(reply.status, 200) << reply;
  api().advance_clock(2 * 3600);
  EXPECT_EQ(api().download_file(reply.json["file"].value("__id", "")), "hello");
}

}  // namespace
