// `report compare` reads two `bench --out` files; bad ones are named with the
// file and the field, and good ones give the figures the comparison needs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "bench/compare.hpp"
#include "bench/latency_histogram.hpp"
#include "bench/results.hpp"

using namespace partcheck::bench;
namespace fs = std::filesystem;

namespace {

class CompareInput : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("partcheck-compare-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    auto path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  static BenchResult result(double MiBps_per_segment) {
    BenchResult r;
    r.config.file_size = 1ull << 30;
    r.config.part_size = 64ull << 20;
    for (int i = 0; i < 6; ++i)
      r.segments.push_back({double(i), 1.0, static_cast<std::uint64_t>(MiBps_per_segment * (1 << 20)), 10});
    r.segments.push_back({6.0, 0.2, 1, 0});  // the cut-off last segment: left out
    r.totals.throughput_bytes_per_s = MiBps_per_segment * (1 << 20);
    LatencyHistogram h;
    for (double v : {0.05, 0.06, 0.07, 0.08}) h.record(v);
    r.histograms["part"] = h.data();
    return r;
  }

  static std::string expect_error(const fs::path& path) {
    try {
      load_run_figures(path);
    } catch (const CompareInputError& e) {
      std::string message = e.what();
      EXPECT_NE(message.find(path.string()), std::string::npos) << message;
      return message;
    }
    ADD_FAILURE() << path << " was accepted";
    return {};
  }

  fs::path dir_;
};

}  // namespace

TEST_F(CompareInput, ReadsSegmentsAndPercentiles) {
  auto path = write("run.json", to_json(result(800)).dump());
  auto figures = load_run_figures(path);
  EXPECT_EQ(figures.source, path.string());
  ASSERT_EQ(figures.segment_MiBps.size(), 6u);
  EXPECT_NEAR(figures.throughput_MiBps, 800, 0.01);
  bool has_p99 = false;
  for (const auto& f : figures.latencies) has_p99 |= f.metric == "p99_part_s";
  EXPECT_TRUE(has_p99);
}

TEST_F(CompareInput, MissingFileIsNamed) {
  auto message = expect_error(dir_ / "absent.json");
  EXPECT_NE(message.find("cannot be read"), std::string::npos) << message;
}

TEST_F(CompareInput, BrokenJsonIsNamed) {
  auto message = expect_error(write("broken.json", "{\"schema\": \"partcheck.bench/1\",\n  \"totals\": ["));
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
}

TEST_F(CompareInput, MissingFieldIsNamed) {
  auto json = to_json(result(800));
  json["totals"].erase("throughput_bytes_per_s");
  auto message = expect_error(write("nofield.json", json.dump()));
  EXPECT_NE(message.find("throughput_bytes_per_s"), std::string::npos) << message;
}

TEST_F(CompareInput, NegativeSegmentLengthIsNamed) {
  auto r = result(800);
  r.segments[2].length_s = -1;
  auto message = expect_error(write("negative.json", to_json(r).dump()));
  EXPECT_NE(message.find("segments[2].length_s"), std::string::npos) << message;
}

TEST_F(CompareInput, RunThatMeasuredNothingIsRefused) {
  BenchResult empty;
  auto message = expect_error(write("empty.json", to_json(empty).dump()));
  EXPECT_NE(message.find("segments"), std::string::npos) << message;
}

TEST_F(CompareInput, NotAResultObjectIsRefused) { expect_error(write("array.json", "[1, 2, 3]")); }

TEST_F(CompareInput, FilesCompareEndToEnd) {
  auto base = load_run_figures(write("base.json", to_json(result(1000)).dump()));
  auto slower = load_run_figures(write("slow.json", to_json(result(850)).dump()));
  auto report = compare_runs(base, slower, {0.05, 2.0});
  EXPECT_TRUE(report.regressed());
  EXPECT_FALSE(compare_runs(base, base, {0.05, 2.0}).regressed());
}
