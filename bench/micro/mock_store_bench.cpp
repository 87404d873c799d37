// Hot paths of the mock below HTTP: the streaming multipart parser (boundary
// scanning) and the store's write path (policy + digest + storage backend),
// each in bytes per second so they can be read against the loopback ceiling.
#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "contract/data_source.hpp"
#include "contract/uuid.hpp"
#include "mock_server/http/multipart_stream.hpp"
#include "mock_server/store/store.hpp"

using namespace partcheck;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMiB = 1 << 20;
constexpr std::size_t kChunk = 256 * 1024;  // about what one socket read hands the parser

class CountingSink final : public mock::http::MultipartSink {
 public:
  void on_file_begin(std::string_view, std::string_view) override {}
  void on_file_data(std::span<const std::byte> data) override { bytes += data.size(); }
  void on_file_end() override {}
  std::size_t bytes = 0;
};

std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

// The file content: random bytes, or text dense with CR, LF and dashes, which
// makes the scanner stop at nearly every byte that starts a delimiter.
std::string file_content(std::size_t size, bool adversarial) {
  std::string content(size, '\0');
  if (adversarial) {
    const std::string pattern = "\r\n-\r\n--x\r\n--boundar";
    for (std::size_t i = 0; i < size; ++i) content[i] = pattern[i % pattern.size()];
  } else {
    contract::DataSource(11).fill(0, std::span<char>(content.data(), content.size()));
  }
  return content;
}

}  // namespace

// Arg 0: file size; arg 1: 0 random content, 1 delimiter-like content.
static void BM_MultipartScan(benchmark::State& state) {
  const std::string boundary = "----partcheckBoundary7MA4YWxkTrZu0gW";
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string head = "--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n"
                           "Content-Type: application/octet-stream\r\n\r\n";
  const std::string body = head + file_content(size, state.range(1) != 0) + "\r\n--" + boundary + "--\r\n";
  const auto bytes = as_bytes(body);
  for (auto _ : state) {
    CountingSink sink;
    mock::http::MultipartStream stream(boundary, sink);
    for (std::size_t at = 0; at < bytes.size(); at += kChunk)
      stream.feed(bytes.subspan(at, std::min(kChunk, bytes.size() - at)));
    if (!stream.finish() || sink.bytes != size) state.SkipWithError("the parser lost bytes");
    benchmark::DoNotOptimize(sink.bytes);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.SetLabel(state.range(1) ? "delimiter-like content" : "random content");
}
BENCHMARK(BM_MultipartScan)->Args({64 << 20, 0})->Args({64 << 20, 1})->Unit(benchmark::kMillisecond);

namespace {

// A Store on a fresh data dir, removed afterwards.
struct StoreFixture {
  explicit StoreFixture(mock::StorageKind kind, mock::FsyncPolicy fsync) {
    static std::atomic<unsigned> counter{0};
    dir = fs::temp_directory_path() /
          ("partcheck-micro-" + std::to_string(std::random_device{}()) + "-" + std::to_string(counter++));
    config.storage = kind;
    config.fsync = fsync;
    config.data_dir = dir;
    config.quiet = true;
    store = std::make_unique<mock::Store>(config, clock);
  }
  ~StoreFixture() {
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  fs::path dir;
  mock::ServerConfig config;
  mock::Clock clock;
  std::unique_ptr<mock::Store> store;
};

const char* storage_label(std::int64_t kind) {
  switch (kind) {
    case 0: return "null";
    case 1: return "disk, fsync";
    default: return "disk, no fsync";
  }
}

}  // namespace

// One non-final part per iteration into a long upload (the 206 path), streamed
// in socket-sized writes. Arg 0: part size; arg 1: 0 null, 1 disk+fsync, 2 disk.
static void BM_StoreWritePart(benchmark::State& state) {
  const auto part = static_cast<std::uint64_t>(state.range(0));
  const auto kind = state.range(1);
  StoreFixture fixture(kind == 0 ? mock::StorageKind::Null : mock::StorageKind::Disk,
                       kind == 1 ? mock::FsyncPolicy::Always : mock::FsyncPolicy::Never);
  std::vector<std::byte> chunk(kChunk);
  contract::DataSource(3).fill(0, chunk);
  // Long enough never to complete; disk storage writes it sparse, in place.
  const std::uint64_t parts_per_upload = kind == 0 ? 1'000'000 : 64;
  std::string hash = contract::new_uuid();
  std::uint64_t index = 0;
  for (auto _ : state) {
    if (index == parts_per_upload - 1) {  // keep every part non-final: start another upload
      state.PauseTiming();
      fixture.store->reset();
      hash = contract::new_uuid();
      index = 0;
      state.ResumeTiming();
    }
    contract::ContentRange range{index * part, (index + 1) * part, parts_per_upload * part};
    auto begun = fixture.store->begin_part(hash, range, {});
    auto* upload = std::get_if<std::unique_ptr<mock::PartUpload>>(&begun);
    if (!upload) {
      state.SkipWithError(std::get<mock::Refusal>(begun).message.c_str());
      break;
    }
    for (std::uint64_t sent = 0; sent < part; sent += kChunk)
      (*upload)->write(std::span(chunk).first(static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, part - sent))));
    auto result = (*upload)->finish();
    if (result.status != 206) {
      state.SkipWithError(result.refusal ? result.refusal->message.c_str() : "part not stored");
      break;
    }
    ++index;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * part));
  state.SetLabel(storage_label(kind));
}
BENCHMARK(BM_StoreWritePart)
    ->Args({5 * kMiB, 0})
    ->Args({64 * kMiB, 0})
    ->Args({64 * kMiB, 1})
    ->Args({64 * kMiB, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
