#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "report_sample_test.hpp"
#include "runner/report/ndjson_report.hpp"
#include "runner/report/report_writer.hpp"

namespace partcheck::runner {
namespace {
namespace fs = std::filesystem;

class ReportWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("partcheck-report-test-" + std::to_string(std::random_device{}()));
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path root_;
};

TEST_F(ReportWriter, WritesFourFilesAndPointsLatestAtTheNewest) {
  RunResult first = testing::sample_run();
  write_reports(first, root_ / "run1");
  for (const char* name : {"junit.xml", "results.ndjson", "results.json", "index.html"})
    EXPECT_GT(fs::file_size(root_ / "run1" / name), 100u) << name;
  EXPECT_FALSE(fs::exists(root_ / "run1" / "index.html.tmp"));
  ASSERT_TRUE(fs::is_symlink(root_ / "latest"));
  EXPECT_EQ(fs::read_symlink(root_ / "latest"), fs::path("run1"));  // relative: survives moving the folder

  RunResult second = testing::sample_run();
  second.target = "http://second.test";
  write_reports(second, root_ / "run2" / "");  // a trailing slash names the same directory
  ASSERT_TRUE(fs::is_symlink(root_ / "latest"));
  EXPECT_EQ(fs::read_symlink(root_ / "latest"), fs::path("run2"));
  const auto back = run_from_json(nlohmann::json::parse(read(root_ / "latest" / "results.json")));
  EXPECT_EQ(back.target, "http://second.test");
  EXPECT_EQ(back.scenarios.size(), second.scenarios.size());
  for (const auto& entry : fs::directory_iterator(root_))  // no staging leftovers
    EXPECT_EQ(entry.path().filename().string().find(".latest.tmp"), std::string::npos);
}

TEST_F(ReportWriter, ReplacesALatestDirectoryLeftByACopy) {
  fs::create_directories(root_ / "latest");
  std::ofstream(root_ / "latest" / "stale.txt") << "old";
  write_reports(testing::sample_run(), root_ / "run1");
  ASSERT_TRUE(fs::is_symlink(root_ / "latest"));
  EXPECT_FALSE(fs::exists(root_ / "latest" / "stale.txt"));
  EXPECT_TRUE(fs::exists(root_ / "latest" / "junit.xml"));
}

TEST_F(ReportWriter, TimestampedDirectoriesAreUnique) {
  const fs::path a = timestamped_report_dir(root_);
  EXPECT_EQ(a.parent_path(), root_);
  EXPECT_EQ(a.filename().string().size(), std::string("20261124-234400").size());
  EXPECT_EQ(a.filename().string()[8], '-');
  fs::create_directories(a);
  const fs::path b = timestamped_report_dir(root_);
  if (b.filename().string().substr(0, 15) == a.filename().string()) {  // same second
    EXPECT_EQ(b.filename().string(), a.filename().string() + "-2");
    fs::create_directories(b);
    EXPECT_EQ(timestamped_report_dir(root_).filename().string(), a.filename().string() + "-3");
  }
  EXPECT_NE(a, b);
}

TEST_F(ReportWriter, NdjsonHasOneLinePerRequest) {
  std::ostringstream out;
  write_ndjson(testing::sample_run(), out);
  std::istringstream lines(out.str());
  std::string line;
  std::size_t count = 0;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    for (const char* field : {"scenario", "step", "method", "url", "headers", "status", "code", "bytes_sent",
                              "duration_ms"})
      EXPECT_TRUE(j.contains(field)) << field;
    ++count;
  }
  EXPECT_EQ(count, 10u);
  EXPECT_NE(out.str().find(R"("scenario":"RANGE-2-length-long","step":1)"), std::string::npos);
  EXPECT_NE(out.str().find(R"("headers":[["Content-Range","bytes 0-10/10"])"), std::string::npos);
}

}  // namespace
}  // namespace partcheck::runner
