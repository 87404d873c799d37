// Hot paths of contract/: range parsing, the data generator, digests.
#include <benchmark/benchmark.h>

#include <vector>

#include "contract/content_range.hpp"
#include "contract/data_source.hpp"
#include "contract/digest.hpp"

using namespace partcheck::contract;

static void BM_ParseContentRange(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(parse_content_range("bytes 5242880-10485760/7340032000"));
}
BENCHMARK(BM_ParseContentRange);

static void BM_FormatContentRange(benchmark::State& state) {
  ContentRange r{5242880, 10485760, 7340032000};
  for (auto _ : state) benchmark::DoNotOptimize(format_content_range(r));
}
BENCHMARK(BM_FormatContentRange);

static void BM_DataSourceFill(benchmark::State& state) {
  DataSource source(42, static_cast<unsigned>(state.range(1)));
  std::vector<std::byte> buffer(static_cast<std::size_t>(state.range(0)));
  std::uint64_t offset = 3;  // unaligned on purpose: the head/tail paths count too
  for (auto _ : state) {
    source.fill(offset, buffer);
    offset += buffer.size();
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_DataSourceFill)->Args({256 << 10, 0})->Args({256 << 10, 50});

static void BM_Digest(benchmark::State& state) {
  auto algorithm = static_cast<DigestAlgorithm>(state.range(0));
  std::vector<std::byte> buffer(1 << 20);
  DataSource(7).fill(0, buffer);
  Digest digest(algorithm);
  for (auto _ : state) digest.update(buffer);
  benchmark::DoNotOptimize(digest.hex());
  state.SetLabel(std::string(digest_name(algorithm)));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(buffer.size()));
}
BENCHMARK(BM_Digest)->Arg(static_cast<int>(DigestAlgorithm::Sha256))->Arg(static_cast<int>(DigestAlgorithm::Xxh3_128));
