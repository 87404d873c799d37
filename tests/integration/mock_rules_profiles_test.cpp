// The documented alternative profiles (docs/contract.md §5): `s3` stores
// non-final parts in any order and reports size/gap errors at the final
// part; `lenient` assembles parts by offset, in any order and in parallel.
#include <gtest/gtest.h>

#include <thread>

#include "tests/integration/support/mock_fixture.hpp"
#include "tests/integration/support/raw_http.hpp"

using namespace partcheck::testing;
using partcheck::contract::MiB;
using partcheck::contract::new_uuid;

namespace {

constexpr std::uint64_t P = kMinPart;

class S3ProfileTest : public MockTest {
 protected:
  std::vector<std::string> serve_flags() const override { return {"--profile", "s3"}; }
};

class LenientProfileTest : public MockTest {
 protected:
  std::vector<std::string> serve_flags() const override { return {"--profile", "lenient"}; }
};

std::string download_moved(ApiClient& api, const std::string& root, const std::string& hash) {
  auto moved = api.move(root, {{hash, hash + ".bin"}});
  EXPECT_EQ(moved.status, 200) << moved;
  return api.download_file(file_id_of_move(moved));
}

TEST_F(S3ProfileTest, NonFinalPartsInAnyOrderThenTheFinalOneCompletes) {
  auto hash = new_uuid();
  const std::uint64_t n = 3 * P + 1000;
  EXPECT_EQ(upload_part(hash, 1, 2 * P, 3 * P, n).status, 206);  // a first part after byte 0
  EXPECT_EQ(upload_part(hash, 1, 0, P, n).status, 206);
  EXPECT_EQ(upload_part(hash, 1, P, 2 * P, n).status, 206);
  auto last = upload_part(hash, 1, 3 * P, n, n);
  ASSERT_EQ(last.status, 200) << last;
  auto bytes = download_moved(api(), root(), hash);
  ASSERT_EQ(bytes.size(), n);
  EXPECT_EQ(first_mismatch(1, 0, bytes), -1);
}

TEST_F(S3ProfileTest, SmallNonFinalPartIsStoredAndRefusedAtTheFinalPart) {
  auto hash = new_uuid();
  const std::uint64_t n = MiB + 1000;
  auto small = upload_part(hash, 2, 0, MiB, n);
  EXPECT_EQ(small.status, 206) << small;
  EXPECT_REFUSED(upload_part(hash, 2, MiB, n, n), 400, "EntityTooSmall");
  EXPECT_REFUSED(api().move(root(), {{hash, "x"}}), 400, "InvalidPart");
}

TEST_F(S3ProfileTest, GapIsReportedAtTheFinalPartNeverAShortFile) {
  auto hash = new_uuid();
  const std::uint64_t n = 3 * P;
  ASSERT_EQ(upload_part(hash, 3, 0, P, n).status, 206);
  auto final_part = upload_part(hash, 3, 2 * P, n, n);
  EXPECT_EQ(final_part.status, 400) << final_part;
  EXPECT_TRUE(final_part.code() == "InvalidPart" || final_part.code() == "InvalidPartOrder") << final_part;
  EXPECT_TRUE(api().file_names(root()).empty());
}

TEST_F(S3ProfileTest, OverlapIsRefusedEagerly) {
  auto hash = new_uuid();
  const std::uint64_t n = 3 * P;
  ASSERT_EQ(upload_part(hash, 4, 0, P, n).status, 206);
  ASSERT_EQ(upload_part(hash, 4, P, 2 * P, n).status, 206);
  EXPECT_REFUSED(upload_part(hash, 4, P / 2, P / 2 + P, n), 400, "InvalidPartOrder");
}

TEST_F(S3ProfileTest, ExpiredHashStaysGoneEvenAtByteZero) {
  auto hash = new_uuid();
  ASSERT_EQ(upload_part(hash, 5, P, 2 * P, 3 * P).status, 206);
  api().advance_clock(3601);
  EXPECT_REFUSED(upload_part(hash, 5, 0, P, 3 * P), 400, "NoSuchUpload");
}

TEST_F(LenientProfileTest, PartsInAnyOrderCompleteWhenCovered) {
  auto hash = new_uuid();
  const std::uint64_t n = 3 * P + 77;
  EXPECT_EQ(upload_part(hash, 6, 3 * P, n, n).status, 206);  // the final part first: a gap remains
  EXPECT_EQ(upload_part(hash, 6, P, 2 * P, n).status, 206);
  EXPECT_EQ(upload_part(hash, 6, 0, P, n).status, 206);
  auto last = upload_part(hash, 6, 2 * P, 3 * P, n);
  ASSERT_EQ(last.status, 200) << last;
  EXPECT_EQ(last.json.value("size", 0ULL), n);
  auto bytes = download_moved(api(), root(), hash);
  ASSERT_EQ(bytes.size(), n);
  EXPECT_EQ(first_mismatch(6, 0, bytes), -1);
}

TEST_F(LenientProfileTest, GapNeverCompletesAndSizesAreStillChecked) {
  auto hash = new_uuid();
  const std::uint64_t n = 3 * P;
  ASSERT_EQ(upload_part(hash, 7, 0, P, n).status, 206);
  EXPECT_EQ(upload_part(hash, 7, 2 * P, n, n).status, 206);
  EXPECT_REFUSED(api().move(root(), {{hash, "gap"}}), 400, "InvalidPart");
  EXPECT_REFUSED(upload_part(hash, 7, P, P + MiB, n), 400, "EntityTooSmall");
  EXPECT_REFUSED(upload_part(hash, 7, P / 2, P / 2 + P, n), 400, "InvalidPartOrder");
}

TEST_F(LenientProfileTest, ParallelDistinctPartsOfOneHashAreAccepted) {
  auto hash = new_uuid();
  const std::uint64_t n = 4 * P;
  std::vector<RawResponse> responses(4);
  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i)
    writers.emplace_back([&, i] {
      std::uint64_t s = static_cast<std::uint64_t>(i) * P;
      responses[static_cast<std::size_t>(i)] = post_generated_part(
          server().host(), server().port(), "/pub/v1/disk/file/upload?hash=" + hash,
          "Authorization: Bearer " + server().api_key(), content_range(s, s + P, n), 8, s, P);
    });
  for (auto& w : writers) w.join();
  int completed = 0, partial = 0;
  for (const auto& r : responses) {
    completed += r.status == 200;
    partial += r.status == 206;
  }
  EXPECT_EQ(completed, 1);
  EXPECT_EQ(partial, 3);
  auto bytes = download_moved(api(), root(), hash);
  ASSERT_EQ(bytes.size(), n);
  EXPECT_EQ(first_mismatch(8, 0, bytes), -1);
}

}  // namespace
