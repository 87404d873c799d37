// The mock's reference (`strict`) behaviour for the request-level rules of
// docs/contract.md §2: authentication, hash, Content-Range, whole files,
// content types, links, the error envelope, and the INFO decisions. Each rule
// has a request that follows it and one that breaks it; a refusal must carry
// the exact status and code and leave nothing stored.
#include <gtest/gtest.h>

#include <span>

#include "contract/digest.hpp"
#include "tests/integration/support/mock_fixture.hpp"
#include "tests/integration/support/raw_http.hpp"

using namespace partcheck::testing;
using partcheck::contract::new_uuid;

namespace {

class RulesTest : public MockTest {};

// --- AUTH-1 / AUTH-2 --------------------------------------------------------

TEST_F(RulesTest, Auth1_ValidKeyIsAccepted) {
  auto hash = new_uuid();
  EXPECT_EQ(upload_whole(hash, 1, 1000).status, 200);
}

TEST_F(RulesTest, Auth1_MissingKeyIsRefusedAndNothingStored) {
  auto hash = new_uuid();
  api().set_key("", KeyStyle::None);
  EXPECT_REFUSED(upload_whole(hash, 1, 1000), 403, "Unauthorized");
  EXPECT_TRUE(nothing_stored(hash));
}

TEST_F(RulesTest, Auth1_WrongKeyIsRefusedEverywhere) {
  auto hash = new_uuid();
  ASSERT_EQ(upload_whole(hash, 1, 1000).status, 200);
  api().set_key("not-the-key", KeyStyle::Bearer);
  auto other = new_uuid();
  EXPECT_REFUSED(upload_whole(other, 2, 1000), 403, "Unauthorized");
  EXPECT_TRUE(nothing_stored(other));
  EXPECT_REFUSED(api().move(root(), {{hash, "a.bin"}}), 403, "Unauthorized");
  EXPECT_REFUSED(api().list(root()), 403, "Unauthorized");
  EXPECT_REFUSED(api().links_download({hash}), 403, "Unauthorized");
}

TEST_F(RulesTest, Auth1_IsCheckedBeforeTheHash) {
  api().set_key("", KeyStyle::None);
  EXPECT_REFUSED(api().upload("not-a-uuid", content_range(0, 10, 10), "0123456789"), 403, "Unauthorized");
}

TEST_F(RulesTest, Auth2_BearerAndXTokenAreBothAccepted) {
  auto key = server().api_key();
  api().set_key(key, KeyStyle::Bearer);
  EXPECT_EQ(upload_whole(new_uuid(), 1, 100).status, 200);
  api().set_key(key, KeyStyle::XToken);
  EXPECT_EQ(upload_whole(new_uuid(), 1, 100).status, 200);
}

TEST_F(RulesTest, Auth2_WrongXTokenIsRefused) {
  auto hash = new_uuid();
  api().set_key("wrong", KeyStyle::XToken);
  EXPECT_REFUSED(upload_whole(hash, 1, 100), 403, "Unauthorized");
  EXPECT_TRUE(nothing_stored(hash));
}

TEST(RulesKeys, Auth1_EveryConfiguredKeyWorksAndOnlyThose) {
  ServerProcess server({"--storage", "memory", "--quiet", "--api-key", "alpha", "--api-key", "beta"});
  for (const char* key : {"alpha", "beta"}) {
    ApiClient api(server.host(), server.port(), key);
    EXPECT_EQ(api.upload(new_uuid(), content_range(0, 3, 3), "abc").status, 200) << key;
  }
  ApiClient gamma(server.host(), server.port(), "gamma");
  EXPECT_REFUSED(gamma.upload(new_uuid(), content_range(0, 3, 3), "abc"), 403, "Unauthorized");
}

// --- HASH-1 ------------------------------------------------------------------

TEST_F(RulesTest, Hash1_MissingHashIs400InvalidHash) {
  PartRequest part{content_range(0, 10, 10), "0123456789"};
  EXPECT_REFUSED(api().upload(std::nullopt, part), 400, "InvalidHash");
}

TEST_F(RulesTest, Hash1_NonUuidHashesAre400InvalidHashAndNothingStored) {
  for (std::string bad : {"", "not-a-uuid", "1234", "0c8d7f36-5a2b-4f7e-9d1c", "0c8d7f36-5a2b-4f7e-9d1c-3e5f7a9b1c2dX",
                          "0c8d7f365a2b4f7e9d1c3e5f7a9b1c2d", "zc8d7f36-5a2b-4f7e-9d1c-3e5f7a9b1c2d"}) {
    EXPECT_REFUSED(api().upload(bad, content_range(0, 10, 10), "0123456789"), 400, "InvalidHash");
    EXPECT_TRUE(nothing_stored(bad)) << bad;
  }
}

TEST_F(RulesTest, Hash1_CanonicalUuidIsAccepted) {
  EXPECT_EQ(api().upload("0c8d7f36-5a2b-4f7e-9d1c-3e5f7a9b1c2d", content_range(0, 10, 10), "0123456789").status, 200);
}

// --- RANGE-1 / RANGE-2 / RANGE-3 ----------------------------------------------

TEST_F(RulesTest, Range1_MalformedContentRangeIs400InvalidRange) {
  for (std::string bad : {"bytes 5-5/10", "bytes 0-11/10", "bytes=0-10/10", "bytes a-b/c", "items 0-10/10",
                          "bytes -1-10/10", "bytes 0-10", "bytes 0-10/*", "bytes 6-3/10", "0-10/10"}) {
    auto hash = new_uuid();
    EXPECT_REFUSED(api().upload(hash, bad, "0123456789"), 400, "InvalidRange") << bad;
    EXPECT_TRUE(nothing_stored(hash)) << bad;
  }
}

TEST_F(RulesTest, Range2_BodyShorterOrLongerThanTheRangeIsRefusedAndNotKept) {
  auto hash = new_uuid();
  EXPECT_REFUSED(api().upload(hash, content_range(0, 1000, 1000), file_bytes(3, 0, 999)), 400, "LengthMismatch");
  EXPECT_REFUSED(api().upload(hash, content_range(0, 1000, 1000), file_bytes(3, 0, 1001)), 400, "LengthMismatch");
  EXPECT_TRUE(nothing_stored(hash));
  auto ok = upload_whole(hash, 3, 1000);
  EXPECT_EQ(ok.status, 200) << ok;
}

TEST_F(RulesTest, Range2_MismatchedSecondPartKeepsTheUploadAtItsLastGoodPart) {
  auto hash = new_uuid();
  const std::uint64_t n = kMinPart + 4096;
  ASSERT_EQ(upload_part(hash, 4, 0, kMinPart, n).status, 206);
  EXPECT_REFUSED(api().upload(hash, content_range(kMinPart, n, n), file_bytes(4, kMinPart, 4000)), 400,
                 "LengthMismatch");
  auto last = upload_part(hash, 4, kMinPart, n, n);
  ASSERT_EQ(last.status, 200) << last;
  EXPECT_EQ(last.json.value("size", 0ULL), n);
  auto moved = api().move(root(), {{hash, "r2.bin"}});
  ASSERT_EQ(moved.status, 200) << moved;
  auto bytes = api().download_file(file_id_of_move(moved));
  ASSERT_EQ(bytes.size(), n);
  EXPECT_EQ(first_mismatch(4, 0, bytes), -1);
}

TEST_F(RulesTest, Range2_ChunkedBodyOfTheWrongLengthIsLengthMismatch) {
  auto hash = new_uuid();
  RawConnection connection(server().host(), server().port());
  std::string head = "POST /pub/v1/disk/file/upload?hash=" + hash +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + server().api_key() +
                     "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-100/100\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n32\r\n" +
                     std::string(50, 'x') + "\r\n0\r\n\r\n";
  ASSERT_TRUE(connection.send_all(head.data(), head.size()));
  auto response = connection.read_response();
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_NE(response.body.find("LengthMismatch"), std::string::npos) << response.body;
  EXPECT_TRUE(nothing_stored(hash));
}

TEST_F(RulesTest, Range3_SameTotalOnEveryPartIsAccepted) {
  auto hash = new_uuid();
  const std::uint64_t n = 2 * kMinPart;
  EXPECT_EQ(upload_part(hash, 5, 0, kMinPart, n).status, 206);
  EXPECT_EQ(upload_part(hash, 5, kMinPart, n, n).status, 200);
}

TEST_F(RulesTest, Range3_AnotherTotalIs400InvalidRangeAndTheUploadContinues) {
  auto hash = new_uuid();
  const std::uint64_t n = 2 * kMinPart;
  ASSERT_EQ(upload_part(hash, 5, 0, kMinPart, n).status, 206);
  EXPECT_REFUSED(upload_part(hash, 5, kMinPart, n + 1, n + 1), 400, "InvalidRange");
  EXPECT_REFUSED(upload_part(hash, 5, kMinPart, 2 * kMinPart, 3 * kMinPart), 400, "InvalidRange");
  auto last = upload_part(hash, 5, kMinPart, n, n);
  EXPECT_EQ(last.status, 200) << last;
}

// --- WHOLE-1 -----------------------------------------------------------------

TEST_F(RulesTest, Whole1_AnySizeSentWholeCompletesWith200AndItsDigest) {
  for (std::uint64_t n : std::vector<std::uint64_t>{1, 1000, kMinPart - 1, kMinPart + 1}) {
    auto hash = new_uuid();
    auto reply = upload_whole(hash, n, n);
    ASSERT_EQ(reply.status, 200) << reply;
    EXPECT_EQ(reply.json.value("size", 0ULL), n);
    EXPECT_EQ(reply.json.value("hash", ""), hash);
    auto bytes = file_bytes(n, 0, n);
    EXPECT_EQ(reply.json.value("xxh3", ""),
              partcheck::contract::digest_hex(partcheck::contract::DigestAlgorithm::Xxh3_128,
                                              std::as_bytes(std::span(bytes.data(), bytes.size()))));
    auto moved = api().move(root(), {{hash, "whole-" + std::to_string(n)}});
    ASSERT_EQ(moved.status, 200) << moved;
    auto got = api().download_file(file_id_of_move(moved));
    EXPECT_EQ(got.size(), n);
    EXPECT_EQ(first_mismatch(n, 0, got), -1);
  }
}

TEST_F(RulesTest, Whole1_WholeFileWithAShortBodyIsNotAFile) {
  auto hash = new_uuid();
  EXPECT_REFUSED(api().upload(hash, content_range(0, 100, 100), file_bytes(1, 0, 60)), 400, "LengthMismatch");
  EXPECT_REFUSED(api().move(root(), {{hash, "short.bin"}}), 400, "NoSuchUpload");
  EXPECT_TRUE(api().file_names(root()).empty());
}

// --- CT-1 / CT-2 / CT-3 --------------------------------------------------------

TEST_F(RulesTest, Ct1_OctetStreamAndMissingContentTypeAreRawBodies) {
  PartRequest part{content_range(0, 500, 500), file_bytes(6, 0, 500)};
  EXPECT_EQ(api().upload(new_uuid(), part).status, 200);
  // cpp-httplib always sends a Content-Type; a bare socket can leave it out (decision 10).
  auto response = post_generated_part(server().host(), server().port(),
                                      "/pub/v1/disk/file/upload?hash=" + new_uuid(),
                                      "Authorization: Bearer " + server().api_key(), content_range(0, 500, 500),
                                      6, 0, 500, /*content_type=*/"");
  EXPECT_EQ(response.status, 200) << response.body;
}

TEST_F(RulesTest, Ct2_MultipartFieldFileOrFileCapitalIsAccepted) {
  for (std::string field : {"file", "File"}) {
    auto hash = new_uuid();
    const std::uint64_t n = kMinPart + 777;
    PartRequest first{content_range(0, kMinPart, n), file_bytes(7, 0, kMinPart)};
    first.form_field = field;
    auto r1 = api().upload(hash, first);
    EXPECT_EQ(r1.status, 206) << field << " " << r1;
    PartRequest second{content_range(kMinPart, n, n), file_bytes(7, kMinPart, 777)};
    second.form_field = field;
    auto r2 = api().upload(hash, second);
    ASSERT_EQ(r2.status, 200) << field << " " << r2;
    auto moved = api().move(root(), {{hash, "form-" + field}});
    ASSERT_EQ(moved.status, 200) << moved;
    auto got = api().download_file(file_id_of_move(moved));
    EXPECT_EQ(got.size(), n);
    EXPECT_EQ(first_mismatch(7, 0, got), -1);
  }
}

TEST_F(RulesTest, Ct2_MultipartWithoutAFileFieldIsRefused) {
  auto hash = new_uuid();
  PartRequest part{content_range(0, 100, 100), file_bytes(8, 0, 100)};
  part.form_field = "attachment";
  EXPECT_REFUSED(api().upload(hash, part), 400, "UnsupportedContentType");
  EXPECT_TRUE(nothing_stored(hash));
}

TEST_F(RulesTest, Ct2_MultipartBodyOfTheWrongLengthIsLengthMismatch) {
  auto hash = new_uuid();
  PartRequest part{content_range(0, 100, 100), file_bytes(8, 0, 90)};
  part.form_field = "file";
  EXPECT_REFUSED(api().upload(hash, part), 400, "LengthMismatch");
  EXPECT_TRUE(nothing_stored(hash));
}

TEST_F(RulesTest, Ct3_OtherContentTypesAre400UnsupportedContentType) {
  for (std::string type : {"text/plain", "application/json", "image/png", "application/x-www-form-urlencoded"}) {
    auto hash = new_uuid();
    PartRequest part{content_range(0, 10, 10), "0123456789", type};
    EXPECT_REFUSED(api().upload(hash, part), 400, "UnsupportedContentType") << type;
    EXPECT_TRUE(nothing_stored(hash)) << type;
  }
}

}  // namespace
