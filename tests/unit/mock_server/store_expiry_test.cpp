// The store's memory per held upload and its expiry machinery: uuid keys,
// the deadline queue, bounded tombstones (decision 28), compact complete
// uploads, and sweeps that take only what is due.
#include "mock_server/store/expiry.hpp"
#include "mock_server/store/upload_table.hpp"
#include "mock_server/storage/uuid_key.hpp"
#include "store_test_support.hpp"

namespace partcheck::mock {
namespace {

using namespace testing;
using std::chrono::seconds;

const std::string kHash = "5a5a5a5a-1111-4222-8333-444455556666";
constexpr auto kTtl = seconds(3600);

UuidKey key_of(const std::string& text) { return *parse_uuid_key(text); }

TEST(UuidKey, RoundTripsTheCanonicalSpellingOnly) {
  EXPECT_EQ(format_uuid_key(key_of(kHash)), kHash);
  EXPECT_FALSE(parse_uuid_key("5A5A5A5A-1111-4222-8333-444455556666")) << "upper case would not print back";
  EXPECT_FALSE(parse_uuid_key("5a5a5a5a11114222-8333-444455556666-"));
  EXPECT_FALSE(parse_uuid_key("not-a-uuid"));
  UuidKeyedMap<int> map;
  map[kHash] = 1;
  map["odd name"] = 2;
  EXPECT_EQ(*map.find(kHash), 1);
  EXPECT_EQ(*map.find("odd name"), 2);
  auto names = map.names();
  std::ranges::sort(names);
  EXPECT_EQ(names, (std::vector<std::string>{kHash, "odd name"}));
  EXPECT_TRUE(map.erase(kHash));
  EXPECT_EQ(map.find(kHash), nullptr);
}

TEST(DeadlineQueue, GivesDueKeysEarliestFirstWhateverThePushOrder) {
  const Clock::time_point t0{};
  DeadlineQueue queue;
  const auto a = key_of("00000000-0000-4000-8000-00000000000a");
  const auto b = key_of("00000000-0000-4000-8000-00000000000b");
  const auto c = key_of("00000000-0000-4000-8000-00000000000c");
  queue.push(t0 + seconds(10), a);
  queue.push(t0 + seconds(30), b);
  queue.push(t0 + seconds(20), c);  // out of order: an admin expire, a clock turned back
  EXPECT_FALSE(queue.pop_due(t0 + seconds(9)));
  EXPECT_EQ(queue.pop_due(t0 + seconds(40)), a);
  EXPECT_EQ(queue.pop_due(t0 + seconds(40)), c);
  EXPECT_EQ(queue.pop_due(t0 + seconds(40)), b);
  EXPECT_FALSE(queue.pop_due(t0 + seconds(40)));
}

TEST(Tombstones, AreForgottenAfterTheirTimeOrOldestFirstBeyondTheCapacity) {
  const Clock::time_point t0{};
  Tombstones tombstones(2);
  const auto a = key_of("00000000-0000-4000-8000-00000000000a");
  const auto b = key_of("00000000-0000-4000-8000-00000000000b");
  const auto c = key_of("00000000-0000-4000-8000-00000000000c");
  tombstones.add(a, t0 + seconds(1));
  tombstones.add(b, t0 + seconds(2));
  tombstones.add(c, t0 + seconds(3));
  EXPECT_FALSE(tombstones.contains(a)) << "over capacity: the oldest goes";
  EXPECT_TRUE(tombstones.contains(b));
  tombstones.forget_before(t0 + seconds(3));
  EXPECT_FALSE(tombstones.contains(b));
  EXPECT_TRUE(tombstones.contains(c));
  EXPECT_EQ(tombstones.size(), 1u);
}

TEST(StoreExpiry, AnExpiredHashIsRememberedForOneMoreTtlThenStartsAnew) {
  Clock clock;
  Store store(config_for(StorageKind::Memory), clock);
  ASSERT_EQ(send(store, kHash, range(0, 10, 10), pattern(10)).status, 200);
  clock.advance(kTtl + seconds(1));
  EXPECT_EQ(store.sweep_expired(), 1u);
  clock.advance(kTtl - seconds(2));
  store.sweep_expired();
  EXPECT_EQ(code_of(send(store, kHash, range(0, 10, 10), pattern(10))), "NoSuchUpload") << "within one more TTL";
  clock.advance(seconds(3));
  store.sweep_expired();
  EXPECT_EQ(send(store, kHash, range(0, 10, 10), pattern(10)).status, 200) << "forgotten: a hash never seen";
}

TEST(StoreExpiry, ASweepTakesEveryDueUploadAcrossBatchesAndNoOther) {
  Clock clock;
  Store store(config_for(StorageKind::Null), clock);
  std::vector<std::string> early, late;
  for (int i = 0; i < 2500; ++i) {
    early.push_back(contract::new_uuid());
    ASSERT_EQ(send(store, early.back(), range(0, 4, 4), pattern(4)).status, 200);
  }
  clock.advance(seconds(100));
  for (int i = 0; i < 10; ++i) {
    late.push_back(contract::new_uuid());
    ASSERT_EQ(send(store, late.back(), range(0, 4, 4), pattern(4)).status, 200);
  }
  clock.advance(kTtl - seconds(50));
  EXPECT_EQ(store.sweep_expired(), early.size());
  EXPECT_EQ(store.uploads().size(), late.size());
  EXPECT_EQ(code_of(store.move(store.root_directory_id(), {{early.front(), "a"}})), "NoSuchUpload");
  EXPECT_EQ(code_of(store.move(store.root_directory_id(), {{late.front(), "b"}})), "none");
}

TEST(StoreExpiry, ADueUploadBeingWrittenGoesAtTheFirstSweepAfterItsWriter) {
  Clock clock;
  Store store(config_for(StorageKind::Memory), clock);
  const auto total = 2 * kPart;
  ASSERT_EQ(send(store, kHash, range(0, kPart, total), pattern(kPart)).status, 206);
  auto begun = store.begin_part(kHash, range(kPart, total, total), {});
  auto& writer = std::get<std::unique_ptr<PartUpload>>(begun);
  clock.advance(kTtl + seconds(1));
  EXPECT_EQ(store.sweep_expired(), 0u) << "busy: its writer decides first";
  writer.reset();  // aborted
  EXPECT_EQ(store.sweep_expired(), 1u);
  EXPECT_TRUE(store.uploads().empty());
}

TEST(StoreExpiry, ACompactCompleteUploadAnswersLikeAFullOne) {
  Clock clock;
  Store store(config_for(StorageKind::Memory, {}, contract::Profile::S3), clock);
  const auto total = 2 * kPart + 5;
  const auto bytes = pattern(static_cast<std::size_t>(total));
  ASSERT_EQ(send(store, kHash, range(0, kPart, total), slice(bytes, 0, kPart)).status, 206);
  ASSERT_EQ(send(store, kHash, range(kPart, 2 * kPart, total), slice(bytes, kPart, 2 * kPart)).status, 206);
  auto last = send(store, kHash, range(2 * kPart, total, total), slice(bytes, 2 * kPart, total));
  ASSERT_EQ(last.status, 200);
  EXPECT_EQ(last.xxh3, xxh3_of(bytes));
  auto listed = store.uploads();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].hash, kHash);
  EXPECT_EQ(listed[0].state.parts.size(), 3u);
  EXPECT_EQ(store.part_size(kHash), kPart);
  // A retry of the completing part is answered again; any other part is not.
  EXPECT_EQ(send(store, kHash, range(2 * kPart, total, total), slice(bytes, 2 * kPart, total)).status, 200);
  EXPECT_EQ(code_of(send(store, kHash, range(0, kPart, total), slice(bytes, 0, kPart))), "UploadComplete");
  auto moved = store.move(store.root_directory_id(), {{kHash, "f.bin"}});
  ASSERT_EQ(code_of(moved), "none");
  EXPECT_EQ(std::get<std::vector<FileInfo>>(moved)[0].xxh3, xxh3_of(bytes));
}

TEST(StoreExpiry, UploadCountsAgreeWithTheListingWithoutBuildingIt) {
  Clock clock;
  Store store(config_for(StorageKind::Null), clock);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(send(store, contract::new_uuid(), range(0, 4, 4), pattern(4)).status, 200);
  ASSERT_EQ(send(store, kHash, range(0, kPart, 2 * kPart), pattern(kPart)).status, 206);  // in progress
  const auto listed = store.uploads();
  const auto counts = store.upload_counts();
  EXPECT_EQ(counts.held, listed.size());
  EXPECT_EQ(counts.held, 6u);
  EXPECT_EQ(counts.complete, 5u);
}

TEST(StoreExpiry, ANonUuidHashWorksAndExpiresWithHash1Deviated) {
  Clock clock;
  Store store(config_for(StorageKind::Null, {}, contract::Profile::Strict, {"HASH-1"}), clock);
  ASSERT_EQ(send(store, "plain-name", range(0, 3, 3), pattern(3)).status, 200);
  ASSERT_EQ(store.uploads().size(), 1u);
  EXPECT_EQ(store.uploads()[0].hash, "plain-name");
  clock.advance(kTtl + seconds(1));
  EXPECT_EQ(store.sweep_expired(), 1u);
  EXPECT_EQ(code_of(send(store, "plain-name", range(0, 3, 3), pattern(3))), "NoSuchUpload");
}

TEST(UploadRecord, ACompleteIdleUploadKeepsNoProgressAndCompacts) {
  UploadRecord record(kHash);
  record.progress_for_update().digest.emplace(contract::DigestAlgorithm::Xxh3_128);
  const auto id = record.add_part(0, 10, false);
  contract::UploadState state;
  state.total = 10;
  state.parts = {{0, 10}};
  state.last_part = contract::StoredPart{0, 10};
  state.complete = true;
  record.state = state;
  EXPECT_FALSE(record.compact()) << "being written";
  record.forget_digests();
  record.remove_part(id);
  EXPECT_EQ(record.progress, nullptr);
  const auto compact = record.compact();
  ASSERT_TRUE(compact);
  const auto restored = UploadRecord::from_compact(record.key, *compact);
  EXPECT_EQ(restored->hash(), kHash);
  EXPECT_EQ(restored->state->parts, state.parts);
  EXPECT_EQ(restored->state->last_part, state.last_part);
}

}  // namespace
}  // namespace partcheck::mock
