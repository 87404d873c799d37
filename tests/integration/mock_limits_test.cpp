// Offsets, totals and memory bounded against a hostile client: a declared
// total above --max-total is refused from the headers (400, never 500 or a
// huge sparse file), and memory storage refuses what would pass --max-memory
// (507) instead of growing without bound.
#include "tests/integration/support/mock_fixture.hpp"

namespace partcheck::testing {
namespace {

class LenientMemoryLimits : public MockTest {
 protected:
  std::vector<std::string> serve_flags() const override {
    return {"--profile", "lenient", "--max-memory", "64MiB", "--max-total", "1TiB"};
  }
};

TEST_F(LenientMemoryLimits, APartAtOffsetTwoToTheSixtyThreeIsRefusedFromItsHeaders) {
  const std::string range = "bytes 9223372036854775808-9223372036854775818/9223372036854775818";
  EXPECT_REFUSED(api().upload(contract::new_uuid(), range, "0123456789"), 400, "EntityTooLarge");
}

TEST_F(LenientMemoryLimits, ATotalAboveMaxTotalIsRefused) {
  const std::uint64_t total = (std::uint64_t{1} << 40) + 10;  // 1 TiB + 10
  const auto range = "bytes " + std::to_string(total - 10) + "-" + std::to_string(total) + "/" + std::to_string(total);
  EXPECT_REFUSED(api().upload(contract::new_uuid(), range, "0123456789"), 400, "EntityTooLarge");
}

TEST_F(LenientMemoryLimits, APartFarPastTheHeldBytesIsRefusedBeforeTheMemoryIsTaken) {
  const long before = server().peak_rss_kib();
  const std::uint64_t offset = std::uint64_t{3} << 30, total = offset + 10;  // 3 GiB: a hole memory storage would fill
  const auto range = "bytes " + std::to_string(offset) + "-" + std::to_string(total) + "/" + std::to_string(total);
  auto reply = api().upload(contract::new_uuid(), range, "0123456789");
  EXPECT_EQ(reply.status, 507) << reply;
  EXPECT_EQ(reply.code(), "NotEnoughSpace") << reply;
  EXPECT_LT(server().peak_rss_kib() - before, 64 * 1024) << "kB of resident memory taken";
  // The server goes on: a small whole file is still taken.
  EXPECT_EQ(upload_whole(contract::new_uuid(), 7, 1000).status, 200);
}

TEST_F(LenientMemoryLimits, UploadsBeyondMaxMemoryAre507UntilSpaceIsFreed) {
  std::vector<std::string> kept;
  Reply last;
  for (int i = 0; i < 20; ++i) {  // 20 x 5 MiB > 64 MiB
    kept.push_back(contract::new_uuid());
    last = upload_whole(kept.back(), static_cast<std::uint64_t>(i), 5 << 20);
    if (last.status != 200) break;
  }
  EXPECT_EQ(last.status, 507) << last;
  EXPECT_NE(last.json.value("error", "").find("--max-memory"), std::string::npos) << last;
  EXPECT_LE(kept.size(), 13u);  // at most 64 MiB / 5 MiB were held
}

}  // namespace
}  // namespace partcheck::testing
