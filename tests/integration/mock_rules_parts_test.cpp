// The part-sequence rules (PART-1..4, ORDER-1..3, DIR-1) on the mock's
// `strict` profile, including the documented 7 MiB example end to end.
#include <gtest/gtest.h>

#include "tests/integration/support/mock_fixture.hpp"
#include "tests/integration/support/raw_http.hpp"

using namespace partcheck::testing;
using partcheck::contract::GiB;
using partcheck::contract::MiB;
using partcheck::contract::new_uuid;

namespace {

class PartRulesTest : public MockTest {
 protected:
  // Moves `hash` into the root and returns its downloaded bytes.
  std::string move_and_download(const std::string& hash, const std::string& name) {
    auto moved = api().move(root(), {{hash, name}});
    EXPECT_EQ(moved.status, 200) << moved;
    return api().download_file(file_id_of_move(moved));
  }

  // Sends only the head of a part with `Expect: 100-continue` and returns the
  // status the server answers before any body byte.
  RawResponse head_only(const std::string& hash, const std::string& range, std::uint64_t length) {
    RawConnection connection(server().host(), server().port());
    connection.send_head("POST", "/pub/v1/disk/file/upload?hash=" + hash,
                         "Authorization: Bearer " + server().api_key() +
                             "\r\nContent-Type: application/octet-stream\r\nExpect: 100-continue\r\n"
                             "Content-Range: " + range + "\r\n",
                         length);
    return connection.read_response(20);
  }
};

TEST_F(PartRulesTest, DocumentedSevenMiBExample) {
  auto hash = new_uuid();
  const std::uint64_t n = 7340032;
  auto first = api().upload(hash, "bytes 0-5242880/7340032", file_bytes(77, 0, 5242880));
  ASSERT_EQ(first.status, 206) << first;
  EXPECT_TRUE(first.json.value("success", false));
  EXPECT_EQ(first.json.value("hash", ""), hash);
  EXPECT_EQ(first.json.value("received", 0ULL), 5242880u);
  EXPECT_EQ(first.json.value("total", 0ULL), n);
  auto second = api().upload(hash, "bytes 5242880-7340032/7340032", file_bytes(77, 5242880, n - 5242880));
  ASSERT_EQ(second.status, 200) << second;
  EXPECT_EQ(second.json.value("size", 0ULL), n);
  auto bytes = move_and_download(hash, "seven.bin");
  ASSERT_EQ(bytes.size(), n);
  EXPECT_EQ(first_mismatch(77, 0, bytes), -1);
}

// --- PART-1 ------------------------------------------------------------------

TEST_F(PartRulesTest, Part1_NonFinalPartOfExactly5MiBIsAccepted) {
  EXPECT_EQ(upload_part(new_uuid(), 1, 0, kMinPart, 2 * kMinPart).status, 206);
}

TEST_F(PartRulesTest, Part1_NonFinalPartUnder5MiBIsEntityTooSmall) {
  for (std::uint64_t size : std::vector<std::uint64_t>{1, MiB, kMinPart - 1}) {
    auto hash = new_uuid();
    EXPECT_REFUSED(upload_part(hash, 1, 0, size, 2 * kMinPart), 400, "EntityTooSmall") << size;
    EXPECT_TRUE(nothing_stored(hash)) << size;
  }
}

// --- PART-2 ------------------------------------------------------------------

TEST_F(PartRulesTest, Part2_PartOver5GiBIsRefusedBeforeItsBody) {
  auto hash = new_uuid();
  const std::uint64_t part = 5 * GiB + 1;
  auto response = head_only(hash, content_range(0, part, 2 * part), part);
  EXPECT_EQ(response.status, 400) << response.headers;
  EXPECT_NE(response.body.find("EntityTooLarge"), std::string::npos) << response.body;
  EXPECT_TRUE(nothing_stored(hash));
}

TEST_F(PartRulesTest, Part2_PartOfExactly5GiBIsLetIn) {
  auto hash = new_uuid();
  auto response = head_only(hash, content_range(0, 5 * GiB, 6 * GiB), 5 * GiB);
  EXPECT_EQ(response.status, 100) << response.headers << response.body;
}

// --- PART-3 ------------------------------------------------------------------

TEST_F(PartRulesTest, Part3_EqualPartsAndASmallerLastOneComplete) {
  auto hash = new_uuid();
  const std::uint64_t n = 2 * kMinPart + 3 * MiB;
  EXPECT_EQ(upload_part(hash, 2, 0, kMinPart, n).status, 206);
  EXPECT_EQ(upload_part(hash, 2, kMinPart, 2 * kMinPart, n).status, 206);
  EXPECT_EQ(upload_part(hash, 2, 2 * kMinPart, n, n).status, 200);
  EXPECT_EQ(first_mismatch(2, 0, move_and_download(hash, "p3.bin")), -1);
}

TEST_F(PartRulesTest, Part3_NonFinalPartOfAnotherSizeIsInvalidPart) {
  auto hash = new_uuid();
  const std::uint64_t n = 4 * kMinPart;
  ASSERT_EQ(upload_part(hash, 3, 0, kMinPart, n).status, 206);
  EXPECT_REFUSED(upload_part(hash, 3, kMinPart, 2 * kMinPart + MiB, n), 400, "InvalidPart");
  auto next = upload_part(hash, 3, kMinPart, 2 * kMinPart, n);
  EXPECT_EQ(next.status, 206) << next;
  EXPECT_EQ(next.json.value("received", 0ULL), 2 * kMinPart);
}

TEST_F(PartRulesTest, Part3_LastPartLargerThanThePartSizeIsInvalidPart) {
  auto hash = new_uuid();
  const std::uint64_t n = 2 * kMinPart + MiB;  // the last part would be 5 MiB + 1 MiB
  ASSERT_EQ(upload_part(hash, 4, 0, kMinPart, n).status, 206);
  EXPECT_REFUSED(upload_part(hash, 4, kMinPart, n, n), 400, "InvalidPart");
  EXPECT_REFUSED(api().move(root(), {{hash, "never.bin"}}), 400, "InvalidPart");
}

// --- PART-4 ------------------------------------------------------------------

TEST_F(PartRulesTest, Part4_NonFinalPartsAnswer206AndTheLast200) {
  auto hash = new_uuid();
  const std::uint64_t n = 2 * kMinPart + 1;
  auto r1 = upload_part(hash, 5, 0, kMinPart, n);
  auto r2 = upload_part(hash, 5, kMinPart, 2 * kMinPart, n);
  auto r3 = upload_part(hash, 5, 2 * kMinPart, n, n);
  EXPECT_EQ(r1.status, 206) << r1;
  EXPECT_EQ(r2.status, 206) << r2;
  EXPECT_EQ(r2.json.value("received", 0ULL), 2 * kMinPart);
  EXPECT_EQ(r3.status, 200) << r3;
  EXPECT_EQ(r3.json.value("size", 0ULL), n);
  EXPECT_FALSE(r3.json.contains("error"));
}

TEST_F(PartRulesTest, Part4_APartAfterCompletionIsUploadComplete) {
  auto hash = new_uuid();
  ASSERT_EQ(upload_whole(hash, 6, 1000).status, 200);
  EXPECT_REFUSED(api().upload(hash, content_range(0, 500, 1000), file_bytes(6, 0, 500)), 400, "UploadComplete");
}

// --- ORDER-1 / ORDER-2 / ORDER-3 ----------------------------------------------

TEST_F(PartRulesTest, Order1_InOrderPartsMakeTheRightFile) {
  auto hash = new_uuid();
  const std::uint64_t n = 3 * kMinPart;
  for (std::uint64_t s = 0; s < n; s += kMinPart)
    ASSERT_EQ(upload_part(hash, 7, s, s + kMinPart, n).status, s + kMinPart == n ? 200 : 206);
  EXPECT_EQ(first_mismatch(7, 0, move_and_download(hash, "o1.bin")), -1);
}

TEST_F(PartRulesTest, Order1_OutOfOrderPartIsInvalidPartOrderAndNotKept) {
  auto hash = new_uuid();
  const std::uint64_t n = 3 * kMinPart;
  ASSERT_EQ(upload_part(hash, 8, 0, kMinPart, n).status, 206);
  ASSERT_EQ(upload_part(hash, 8, kMinPart, 2 * kMinPart, n).status, 206);
  // Going back to the first part is neither in order nor a retry of the last.
  EXPECT_REFUSED(upload_part(hash, 9, 0, kMinPart, n), 400, "InvalidPartOrder");
  ASSERT_EQ(upload_part(hash, 8, 2 * kMinPart, n, n).status, 200);
  EXPECT_EQ(first_mismatch(8, 0, move_and_download(hash, "o1b.bin")), -1);
}

TEST_F(PartRulesTest, Order2_FirstPartAtZeroStartsAnUpload) {
  auto reply = upload_part(new_uuid(), 9, 0, kMinPart, 2 * kMinPart);
  EXPECT_EQ(reply.status, 206) << reply;
}

TEST_F(PartRulesTest, Order2_PartAfterZeroForAnUnknownHashIsNoSuchUpload) {
  auto hash = new_uuid();
  EXPECT_REFUSED(upload_part(hash, 9, kMinPart, 2 * kMinPart, 3 * kMinPart), 400, "NoSuchUpload");
  EXPECT_REFUSED(upload_part(hash, 9, kMinPart, 2 * kMinPart, 2 * kMinPart), 400, "NoSuchUpload");
  EXPECT_TRUE(nothing_stored(hash));
}

TEST_F(PartRulesTest, Order3_GapIsRefusedAndTheFileNeverCompletesShort) {
  auto hash = new_uuid();
  const std::uint64_t n = 3 * kMinPart;
  ASSERT_EQ(upload_part(hash, 10, 0, kMinPart, n).status, 206);
  EXPECT_REFUSED(upload_part(hash, 10, 2 * kMinPart, n, n), 400, "InvalidPartOrder");
  EXPECT_REFUSED(api().move(root(), {{hash, "short.bin"}}), 400, "InvalidPart");
  EXPECT_TRUE(api().file_names(root()).empty());
  EXPECT_EQ(upload_part(hash, 10, kMinPart, 2 * kMinPart, n).status, 206);
  EXPECT_EQ(upload_part(hash, 10, 2 * kMinPart, n, n).status, 200);
}

// --- DIR-1 -------------------------------------------------------------------

TEST_F(PartRulesTest, Dir1_DirectoryUploadCompletesWithFileId) {
  auto dir = api().add_directory("inbox");
  auto hash = new_uuid();
  const std::uint64_t n = 2 * kMinPart + 5;
  for (std::uint64_t s = 0; s < n; s += kMinPart) {
    auto e = std::min(n, s + kMinPart);
    auto reply = api().dir_upload(dir, hash, {content_range(s, e, n), file_bytes(21, s, e - s)}, "report.pdf");
    ASSERT_EQ(reply.status, e == n ? 200 : 206) << reply;
    if (e != n) continue;
    ASSERT_TRUE(reply.json.contains("file")) << reply;
    const auto& file = reply.json["file"];
    EXPECT_EQ(file.value("name", ""), "report.pdf");
    EXPECT_EQ(file.value("directoryID", ""), dir);
    EXPECT_EQ(file.value("size", 0ULL), n);
    auto bytes = api().download_file(file.value("__id", ""));
    EXPECT_EQ(bytes.size(), n);
    EXPECT_EQ(first_mismatch(21, 0, bytes), -1);
  }
  EXPECT_EQ(api().file_names(dir), std::vector<std::string>{"report.pdf"});
}

TEST_F(PartRulesTest, Dir1_NameFallsBackToTheMultipartFileNameThenTheHash) {
  auto hash = new_uuid();
  PartRequest part{content_range(0, 10, 10), "0123456789"};
  part.form_field = "file";
  part.form_filename = "from-form.txt";
  auto reply = api().dir_upload(root(), hash, part);
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.json["file"].value("name", ""), "from-form.txt");
  auto bare = new_uuid();
  auto raw = api().dir_upload(root(), bare, {content_range(0, 10, 10), "0123456789"});
  ASSERT_EQ(raw.status, 200) << raw;
  EXPECT_EQ(raw.json["file"].value("name", ""), bare);
}

TEST_F(PartRulesTest, Dir1_DirectoryUploadFollowsThePartRules) {
  auto hash = new_uuid();
  EXPECT_REFUSED(api().dir_upload(root(), hash, {content_range(0, MiB, 2 * kMinPart), file_bytes(1, 0, MiB)}),
                 400, "EntityTooSmall");
  ASSERT_EQ(api().dir_upload(root(), hash, {content_range(0, kMinPart, 3 * kMinPart), file_bytes(1, 0, kMinPart)})
                .status,
            206);
  EXPECT_REFUSED(api().dir_upload(root(), hash,
                                  {content_range(2 * kMinPart, 3 * kMinPart, 3 * kMinPart),
                                   file_bytes(1, 2 * kMinPart, kMinPart)}),
                 400, "InvalidPartOrder");
  EXPECT_TRUE(api().file_names(root()).empty());
}

TEST_F(PartRulesTest, Dir1_UnknownDirectoryIs404NoSuchDirectory) {
  auto hash = new_uuid();
  EXPECT_REFUSED(api().dir_upload(new_uuid(), hash, {content_range(0, 10, 10), "0123456789"}), 404,
                 "NoSuchDirectory");
  EXPECT_TRUE(nothing_stored(hash));
}

}  // namespace
