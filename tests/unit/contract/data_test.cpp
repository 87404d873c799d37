// The deterministic data source and the digests.
#include <gtest/gtest.h>

#include <vector>

#include "contract/data_source.hpp"
#include "contract/digest.hpp"

using namespace partcheck::contract;

namespace {
std::vector<std::byte> bytes(const DataSource& s, std::uint64_t offset, std::size_t n) {
  std::vector<std::byte> out(n);
  s.fill(offset, out);
  return out;
}
}  // namespace

TEST(DataSource, AnyRangeEqualsTheSameSliceOfTheWholeStream) {
  DataSource source(1234);
  auto whole = bytes(source, 0, 100000);
  for (std::uint64_t offset : std::initializer_list<std::uint64_t>{0, 1, 7, 8, 13, 4095, 4096, 65537}) {
    for (std::size_t n : std::initializer_list<std::size_t>{0, 1, 3, 8, 9, 1000, 20000}) {
      auto slice = bytes(source, offset, n);
      ASSERT_TRUE(std::equal(slice.begin(), slice.end(), whole.begin() + static_cast<long>(offset)))
          << offset << "+" << n;
    }
  }
}

TEST(DataSource, SeedsGiveDifferentStreams) {
  EXPECT_NE(bytes(DataSource(1), 0, 64), bytes(DataSource(2), 0, 64));
  EXPECT_EQ(bytes(DataSource(1), 0, 64), bytes(DataSource(1), 0, 64));
}

TEST(DataSource, FirstMismatchFindsTheFlippedByte) {
  DataSource source(9);
  auto data = bytes(source, 1000, 200000);
  EXPECT_FALSE(source.first_mismatch(1000, data));
  data[150001] ^= std::byte{1};
  EXPECT_EQ(*source.first_mismatch(1000, data), 1000u + 150001u);
}

TEST(DataSource, CompressibleShareIsZeroBytes) {
  DataSource source(5, 50);
  auto data = bytes(source, 0, 4096 * 4);
  std::size_t zeros = 0;
  for (auto b : data) zeros += b == std::byte{0};
  EXPECT_GE(zeros, data.size() / 2);
  EXPECT_LT(zeros, data.size() / 2 + data.size() / 50);
  EXPECT_EQ(bytes(source, 2000, 5000), std::vector<std::byte>(data.begin() + 2000, data.begin() + 7000));
}

TEST(Digest, KnownVectors) {
  EXPECT_EQ(digest_hex(DigestAlgorithm::Sha256, {}),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Digest abc(DigestAlgorithm::Sha256);
  abc.update(std::string_view("abc"));
  EXPECT_EQ(abc.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(digest_hex(DigestAlgorithm::Xxh3_128, {}).size(), 32u);
}

TEST(Digest, StreamingEqualsOneShotAndCopiesAreIndependent) {
  auto data = bytes(DataSource(3), 0, 300000);
  for (auto algorithm : {DigestAlgorithm::Sha256, DigestAlgorithm::Xxh3_128}) {
    Digest d(algorithm);
    d.update(std::span(data).first(100000));
    Digest snapshot = d;
    d.update(std::span(data).subspan(100000));
    EXPECT_EQ(d.hex(), digest_hex(algorithm, data));
    snapshot.update(std::span(data).subspan(100000));  // the copy continues on its own
    EXPECT_EQ(snapshot.hex(), d.hex());
    EXPECT_EQ(*digest_from_name(digest_name(algorithm)), algorithm);
  }
}
