// Many requests at once: the store's tables stay consistent, names stay
// unique, and parallel parts of one lenient upload assemble correctly.
#include <atomic>
#include <set>
#include <thread>

#include "store_test_support.hpp"

namespace partcheck::mock {
namespace {

using namespace testing;
using contract::Profile;

TEST(StoreConcurrency, ParallelUploadsAndMovesIntoOneDirectoryGetUniqueNames) {
  TempDir dir;
  auto config = config_for(StorageKind::Disk, dir.path);
  config.directories = {{"docs", std::nullopt, false}};
  Clock clock;
  Store store(config, clock);
  const auto docs = store.directories().at(1).id;
  constexpr int kThreads = 8, kEach = 30;
  std::atomic<std::uint64_t> bytes_moved{0};
  std::atomic<int> failures{0};
  std::atomic<bool> done{false};
  std::thread observer([&] {  // admin-style readers and sweeps meanwhile
    while (!done) {
      store.sweep_expired();
      store.uploads();
      store.list_directory(docs, 0, 10);
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const auto hash = contract::new_uuid();
        const auto bytes = pattern(1000 + static_cast<std::size_t>(t * kEach + i), static_cast<unsigned>(i));
        auto result = send(store, hash, range(0, bytes.size(), bytes.size()), bytes);
        auto moved = store.move(docs, {{hash, "same.txt"}});
        if (result.status != 200 || result.xxh3 != xxh3_of(bytes) || code_of(moved) != "none") ++failures;
        else bytes_moved += bytes.size();
      }
    });
  for (auto& w : workers) w.join();
  done = true;
  observer.join();
  EXPECT_EQ(failures.load(), 0);
  const auto listing = std::get<Store::Listing>(store.list_directory(docs, 0, 0));
  ASSERT_EQ(listing.total, static_cast<std::uint64_t>(kThreads * kEach));
  std::set<std::string> names;
  for (const auto& entry : listing.entries) names.insert(entry.name);
  EXPECT_EQ(names.size(), listing.entries.size());
  EXPECT_TRUE(names.contains("same.txt"));
  EXPECT_TRUE(names.contains("same (239).txt"));
  EXPECT_EQ(store.directories().at(1).used, bytes_moved.load());
  EXPECT_TRUE(store.uploads().empty());
}

TEST(StoreConcurrency, LenientPartsOfOneUploadArriveTogether) {
  TempDir dir;
  Clock clock;
  Store store(config_for(StorageKind::Disk, dir.path, Profile::Lenient), clock);
  const auto hash = contract::new_uuid();
  const auto plan = contract::plan_parts(6 * kPart + 321, kPart);
  const auto bytes = pattern(6 * kPart + 321, 5);
  std::vector<PartResult> results(plan.size());
  std::vector<std::thread> senders;
  for (std::size_t i = 0; i < plan.size(); ++i)
    senders.emplace_back([&, i] {
      const auto& r = plan[i];
      // A part may find a neighbour's request still open only if they overlap: they do not.
      results[i] = send(store, hash, r, slice(bytes, r.start, r.end));
    });
  for (auto& s : senders) s.join();
  int completed = 0;
  for (const auto& result : results) {
    EXPECT_FALSE(result.refusal) << result.refusal->message;
    if (result.status == 200) {
      ++completed;
      EXPECT_EQ(result.xxh3, xxh3_of(bytes));
    }
  }
  EXPECT_EQ(completed, 1) << "exactly the part covering the last gap completes the file";
}

}  // namespace
}  // namespace partcheck::mock
