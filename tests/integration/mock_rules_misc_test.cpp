// The mock's `strict` profile for LINK-1, ERR-1 and the INFO rules (the
// behaviour docs/contract.md §4 decides where the reference is silent).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/integration/support/mock_fixture.hpp"
#include "tests/integration/support/raw_http.hpp"

using namespace partcheck::testing;
using partcheck::contract::new_uuid;

namespace {

class MiscRulesTest : public MockTest {};

// --- LINK-1 ------------------------------------------------------------------

TEST_F(MiscRulesTest, Link1_GetAndPostGetLinkServeExactlyTheStoredBytes) {
  const std::uint64_t n = 300000;
  auto id = stored_file(11, n, root(), "linked.bin");
  ASSERT_FALSE(id.empty());
  for (bool use_post : {false, true}) {
    auto link = api().get_link(id, use_post);
    ASSERT_EQ(link.status, 200) << link;
    EXPECT_TRUE(link.json.value("success", false));
    auto got = api().fetch(link.json.value("Link", ""));
    ASSERT_EQ(got.status, 200) << got;
    EXPECT_EQ(got.body.size(), n);
    EXPECT_EQ(first_mismatch(11, 0, got.body), -1);
  }
}

TEST_F(MiscRulesTest, Link1_DownloadHonoursRange) {
  auto id = stored_file(12, 10000, root(), "ranged.bin");
  auto link = api().get_link(id);
  ASSERT_EQ(link.status, 200) << link;
  auto url = link.json.value("Link", "");
  auto path = url.substr(url.find("/pub/"));
  RawConnection connection(server().host(), server().port());
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\nRange: bytes=100-199\r\n\r\n";
  ASSERT_TRUE(connection.send_all(request.data(), request.size()));
  auto response = connection.read_response();
  EXPECT_EQ(response.status, 206) << response.headers;
  EXPECT_EQ(response.body, file_bytes(12, 100, 100));
}

TEST_F(MiscRulesTest, Link1_LinksDownloadGivesALinkPerHashOrAnError) {
  auto hash = new_uuid();
  ASSERT_EQ(upload_whole(hash, 13, 5000).status, 200);
  ASSERT_EQ(api().move(root(), {{hash, "by-hash.bin"}}).status, 200);
  auto unknown = new_uuid();
  auto reply = api().links_download({hash, unknown});
  ASSERT_EQ(reply.status, 200) << reply;
  const auto& items = reply.json["items"];
  ASSERT_EQ(items.size(), 2u) << reply;
  EXPECT_EQ(items[0].value("hash", ""), hash);
  auto got = api().fetch(items[0].value("link", ""));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, file_bytes(13, 0, 5000));
  EXPECT_EQ(items[1].value("hash", ""), unknown);
  EXPECT_FALSE(items[1].contains("link")) << reply;
  EXPECT_TRUE(items[1].contains("error")) << reply;
}

TEST_F(MiscRulesTest, Link1_UnknownFileOrTokenIs404NoSuchFile) {
  EXPECT_REFUSED(api().get_link(new_uuid()), 404, "NoSuchFile");
  auto bogus = api().fetch("/pub/v1/disk/download/not-a-real-token");
  EXPECT_REFUSED(bogus, 404, "NoSuchFile");
}

// --- ERR-1 -------------------------------------------------------------------

TEST_F(MiscRulesTest, Err1_ClientMistakesAre4xxWithTheJsonEnvelope) {
  struct Case {
    Reply reply;
    int status;
    std::string code;
  };
  auto hash = new_uuid();
  std::vector<Case> cases;
  cases.push_back({api().upload("bad", content_range(0, 1, 1), "x"), 400, "InvalidHash"});
  cases.push_back({api().upload(hash, "bytes x", "x"), 400, "InvalidRange"});
  cases.push_back({api().move_raw("directoryID=" + root(), "{not json"), 400, "InvalidRequest"});
  cases.push_back({api().move_raw("directoryID=" + root(), R"({"files":"nope"})"), 400, "InvalidRequest"});
  cases.push_back({api().move(root(), {{hash, "a"}}), 400, "NoSuchUpload"});
  cases.push_back({api().get_link(new_uuid()), 404, "NoSuchFile"});
  cases.push_back({api().fetch("/pub/v1/no/such/endpoint"), 404, "NotFound"});
  for (const auto& c : cases) {
    EXPECT_REFUSED(c.reply, c.status, c.code);
    EXPECT_NE(c.reply.content_type.find("application/json"), std::string::npos) << c.reply;
    EXPECT_TRUE(c.reply.json.contains("error") && c.reply.json["error"].is_string()) << c.reply;
  }
}

TEST_F(MiscRulesTest, Err1_WrongMethodIs405MethodNotAllowed) {
  auto reply = api().get("/pub/v1/disk/file/upload?hash=" + new_uuid());  // GET on a POST endpoint
  EXPECT_REFUSED(reply, 405, "MethodNotAllowed");
}

TEST_F(MiscRulesTest, Err1_HeadersOver16KiBAre431HeaderTooLarge) {
  RawConnection connection(server().host(), server().port());
  std::string request = "POST /pub/v1/disk/file/upload?hash=" + new_uuid() +
                        " HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(20000, 'a') +
                        "\r\nContent-Length: 0\r\n\r\n";
  connection.send_all(request.data(), request.size());
  auto response = connection.read_response();
  EXPECT_EQ(response.status, 431) << response.headers;
  EXPECT_NE(response.body.find("HeaderTooLarge"), std::string::npos) << response.body;
}

// --- INFO-1: a retry of the last part replaces it -----------------------------

TEST_F(MiscRulesTest, Info1_RetryOfTheLastPartAnswersTheSameAgain) {
  auto hash = new_uuid();
  const std::uint64_t n = kMinPart + 100;
  auto first = upload_part(hash, 14, 0, kMinPart, n);
  ASSERT_EQ(first.status, 206) << first;
  EXPECT_EQ(first.json.value("received", 0ULL), kMinPart);
  auto again = upload_part(hash, 14, 0, kMinPart, n);
  EXPECT_EQ(again.status, 206) << again;
  EXPECT_EQ(again.json.value("received", 0ULL), kMinPart);
  auto last = upload_part(hash, 14, kMinPart, n, n);
  ASSERT_EQ(last.status, 200) << last;
  auto last_again = upload_part(hash, 14, kMinPart, n, n);
  EXPECT_EQ(last_again.status, 200) << last_again;
  EXPECT_EQ(last_again.json.value("xxh3", "x"), last.json.value("xxh3", "y"));
}

TEST_F(MiscRulesTest, Info1_OnlyTheLastPartCanBeRetried) {
  auto hash = new_uuid();
  const std::uint64_t n = 2 * kMinPart + 10;
  ASSERT_EQ(upload_part(hash, 15, 0, kMinPart, n).status, 206);
  ASSERT_EQ(upload_part(hash, 15, kMinPart, 2 * kMinPart, n).status, 206);
  EXPECT_REFUSED(upload_part(hash, 15, 0, kMinPart, n), 400, "InvalidPartOrder");
  ASSERT_EQ(upload_part(hash, 15, 2 * kMinPart, n, n).status, 200);
  EXPECT_REFUSED(upload_part(hash, 15, kMinPart, 2 * kMinPart, n), 400, "UploadComplete");
}

TEST_F(MiscRulesTest, Info1_RetryWithOtherBytesReplacesThePart) {
  auto hash = new_uuid();
  ASSERT_EQ(upload_whole(hash, 16, 4096).status, 200);
  ASSERT_EQ(upload_whole(hash, 17, 4096).status, 200);
  auto moved = api().move(root(), {{hash, "replaced.bin"}});
  ASSERT_EQ(moved.status, 200) << moved;
  EXPECT_EQ(api().download_file(file_id_of_move(moved)), file_bytes(17, 0, 4096));
}

// --- INFO-2 / INFO-3 ------------------------------------------------------------

TEST_F(MiscRulesTest, Info2_EmptyFileIs200AndDownloadsEmpty) {
  auto hash = new_uuid();
  auto reply = api().upload(hash, "bytes 0-0/0", "");
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.json.value("size", 99ULL), 0u);
  auto moved = api().move(root(), {{hash, "empty.txt"}});
  ASSERT_EQ(moved.status, 200) << moved;
  auto link = api().get_link(file_id_of_move(moved));
  ASSERT_EQ(link.status, 200) << link;
  auto got = api().fetch(link.json.value("Link", ""));
  EXPECT_EQ(got.status, 200);
  EXPECT_TRUE(got.body.empty());
}

TEST_F(MiscRulesTest, Info2_EmptyRangeWithABodyIsLengthMismatch) {
  auto hash = new_uuid();
  EXPECT_REFUSED(api().upload(hash, "bytes 0-0/0", "x"), 400, "LengthMismatch");
  EXPECT_TRUE(nothing_stored(hash));
}

TEST_F(MiscRulesTest, Info3_MissingContentRangeIsAWholeFile) {
  auto hash = new_uuid();
  PartRequest part{std::nullopt, file_bytes(18, 0, 12345)};
  auto reply = api().upload(hash, part);
  ASSERT_EQ(reply.status, 200) << reply;
  EXPECT_EQ(reply.json.value("size", 0ULL), 12345u);
  auto moved = api().move(root(), {{hash, "no-range.bin"}});
  ASSERT_EQ(moved.status, 200) << moved;
  EXPECT_EQ(api().download_file(file_id_of_move(moved)), file_bytes(18, 0, 12345));
}

// --- INFO-4: one writer per hash in `strict` -------------------------------------

TEST_F(MiscRulesTest, Info4_SecondWriterOfOneHashIs409UploadBusy) {
  auto hash = new_uuid();
  const std::uint64_t n = 3 * kMinPart;
  ASSERT_EQ(upload_part(hash, 19, 0, kMinPart, n).status, 206);
  RawConnection slow(server().host(), server().port());
  slow.send_head("POST", "/pub/v1/disk/file/upload?hash=" + hash,
                 "Authorization: Bearer " + server().api_key() +
                     "\r\nContent-Type: application/octet-stream\r\nContent-Range: " +
                     content_range(kMinPart, 2 * kMinPart, n) + "\r\n",
                 kMinPart);
  ASSERT_TRUE(slow.send_file_bytes(19, kMinPart, kMinPart / 2));
  ASSERT_TRUE(api().wait_busy(hash, true)) << api().admin_get("uploads");
  EXPECT_REFUSED(upload_part(hash, 19, kMinPart, 2 * kMinPart, n), 409, "UploadBusy");
  EXPECT_REFUSED(api().move(root(), {{hash, "busy.bin"}}), 409, "UploadBusy");
  ASSERT_TRUE(slow.send_file_bytes(19, kMinPart + kMinPart / 2, kMinPart - kMinPart / 2));
  auto response = slow.read_response();
  EXPECT_EQ(response.status, 206) << response.body;
  EXPECT_EQ(upload_part(hash, 19, 2 * kMinPart, n, n).status, 200);
}

// --- INFO-5: errors are eager in `strict` ------------------------------------------

TEST_F(MiscRulesTest, Info5_StrictRefusesAtTheOffendingPart) {
  auto hash = new_uuid();
  const std::uint64_t n = 3 * kMinPart;
  ASSERT_EQ(upload_part(hash, 20, 0, kMinPart, n).status, 206);
  EXPECT_REFUSED(upload_part(hash, 20, 2 * kMinPart, n, n), 400, "InvalidPartOrder");  // not deferred
}

}  // namespace
