// Disk storage with fsync starts writeback while a part is still arriving
// (every few MiB). These parts span several write-behind windows, in pieces
// that do not line up with them, so the bytes must land exactly where they
// belong whether a window boundary falls inside a piece or not.
#include "mock_server/storage/disk_storage.hpp"
#include "store_test_support.hpp"

namespace partcheck::mock {
namespace {

using namespace testing;

const std::string kHash = "3c8e0f52-7a41-4b9d-8e2c-1f6a5b4d3c2e";
constexpr std::size_t kBigPart = 21u << 20;  // over two and a half 8 MiB windows

void write_in_pieces(PartWriter& writer, const Bytes& bytes) {
  constexpr std::size_t kPiece = 777'777;  // never a multiple of a page or a window
  for (std::size_t at = 0; at < bytes.size(); at += kPiece)
    writer.write(std::span(bytes).subspan(at, std::min(kPiece, bytes.size() - at)));
}

Bytes upload_bytes(DiskStorage& storage) {
  auto reader = storage.open_upload(kHash);
  return reader ? read_all(*reader) : Bytes{};
}

TEST(DiskWriteBehind, LargeInPlacePartsLandAtTheirOffsets) {
  TempDir dir;
  DiskStorage storage(dir.path, FsyncPolicy::Always);
  const auto bytes = pattern(2 * kBigPart + 12345, 3);
  for (std::uint64_t start = 0; start < bytes.size(); start += kBigPart) {
    const auto end = std::min<std::uint64_t>(start + kBigPart, bytes.size());
    auto writer = storage.open_part(kHash, start, /*overwrites=*/false);
    write_in_pieces(*writer, slice(bytes, start, end));
    writer->commit();
  }
  EXPECT_EQ(upload_bytes(storage), bytes);
}

TEST(DiskWriteBehind, ALargeStagedRetryReplacesThePart) {
  TempDir dir;
  DiskStorage storage(dir.path, FsyncPolicy::Always);
  const auto first = pattern(kBigPart, 4);
  const auto second = pattern(kBigPart, 5);
  for (const auto* bytes : {&first, &second}) {
    auto writer = storage.open_part(kHash, 0, /*overwrites=*/bytes == &second);
    write_in_pieces(*writer, *bytes);
    writer->commit();
  }
  EXPECT_EQ(upload_bytes(storage), second);
}

}  // namespace
}  // namespace partcheck::mock
