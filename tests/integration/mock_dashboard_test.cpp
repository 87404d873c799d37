// The dashboard at /__mock/ui: served by the mock as one self-contained page,
// reached from /__mock, named in the banner, fed by admin JSON that exists,
// and, opened in headless Chromium, showing the mock's uploads, files and
// journal.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <iostream>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/uuid.hpp"
#include "tests/integration/support/headless_chromium.hpp"
#include "tests/integration/support/mock_fixture.hpp"

namespace partcheck::testing {
namespace {

class MockDashboardTest : public MockTest {
 protected:
  httplib::Result get(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client client(server().host(), server().port());
    client.set_read_timeout(std::chrono::seconds(10));
    return client.Get(path, headers);
  }
};

TEST_F(MockDashboardTest, ThePageIsOneHtmlDocumentThatLoadsNothingFromElsewhere) {
  auto page = get("/__mock/ui");
  ASSERT_TRUE(page) << "no answer";
  ASSERT_EQ(page->status, 200) << page->body;
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_TRUE(page->body.starts_with("<!DOCTYPE html>")) << page->body.substr(0, 100);
  EXPECT_NE(page->body.find("</html>"), std::string::npos);
  // No CDN, font or script from another host: no absolute URL at all, and no
  // protocol-relative one ("//host/...") in an attribute.
  EXPECT_EQ(page->body.find("http://"), std::string::npos);
  EXPECT_EQ(page->body.find("https://"), std::string::npos);
  EXPECT_FALSE(std::regex_search(page->body, std::regex(R"((src|href|action)\s*=\s*["']?//)")));
  EXPECT_FALSE(std::regex_search(page->body, std::regex(R"(@import|url\()")));
  EXPECT_EQ(get("/__mock/ui/")->status, 200) << "a trailing slash is the same page";
}

// Every admin endpoint the page polls answers the fields it reads.
TEST_F(MockDashboardTest, TheAdminJsonThePageReadsExists) {
  const auto page = get("/__mock/ui")->body;
  struct Read {
    std::string call;  // as the page writes it
    std::string path;
    std::vector<std::string> fields;
  };
  const std::vector<Read> reads{
      {"call(\"uploads\")", "uploads", {"uploads"}},
      {"call(\"files\")", "files", {"directories"}},
      {"call(\"journal?limit=\"", "journal?limit=250&admin=false", {"entries", "recorded", "dropped"}},
      {"call(\"faults\")", "faults", {"faults"}},
      {"call(\"clock\")", "clock", {"now", "offset_s"}},
      {"call(\"stats\")", "stats", {"requests", "bytes_in", "parts", "uploads_completed"}},
  };
  for (const auto& read : reads) {
    EXPECT_NE(page.find(read.call), std::string::npos) << "the page no longer reads " << read.path;
    auto reply = api().admin_get(read.path);
    ASSERT_EQ(reply.status, 200) << read.path << ": " << reply;
    for (const auto& field : read.fields) EXPECT_TRUE(reply.json.contains(field)) << read.path << ": " << reply;
  }
  const auto root_listing = api().admin_get("files").json["directories"][0];
  for (const char* field : {"id", "name", "used", "files", "files_total"})
    EXPECT_TRUE(root_listing.contains(field)) << root_listing;
}

TEST_F(MockDashboardTest, FilesAndJournalAnswerWhatThePageShows) {
  const auto id = stored_file(1, 5, root(), "shown.bin");
  const auto files = api().admin_get("files").json["directories"][0];
  EXPECT_EQ(files["files_total"], 1);
  ASSERT_EQ(files["files"].size(), 1u) << files;
  EXPECT_EQ(files["files"][0]["name"], "shown.bin");
  EXPECT_EQ(files["files"][0]["id"], id);
  EXPECT_EQ(files["files"][0]["size"], 5);
  EXPECT_EQ(api().admin_get("files?limit=0").json["directories"][0]["files"].size(), 0u);
  EXPECT_REFUSED(api().admin_get("files?limit=x"), 400, "InvalidRequest");

  // admin=false: only the upload and the move, though the admin calls above
  // came later.
  const auto journal = api().admin_get("journal?admin=false").json["entries"];
  ASSERT_EQ(journal.size(), 2u) << journal;
  EXPECT_TRUE(journal[1]["target"].get<std::string>().starts_with("/pub/v1/disk/file/move")) << journal;
  EXPECT_EQ(api().admin_get("journal?admin=false&limit=1").json["entries"].size(), 1u);
  EXPECT_GT(api().admin_get("journal?admin=true").json["entries"].size(), 2u);
  EXPECT_REFUSED(api().admin_get("journal?admin=no"), 400, "InvalidRequest");
}

TEST_F(MockDashboardTest, TheBarePrefixRedirectsToTheDashboardAndTheSlashKeepsTheIndex) {
  auto bare = get("/__mock");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->status, 302) << bare->body;
  EXPECT_EQ(bare->get_header_value("Location"), "/__mock/ui");

  auto index = get("/__mock/");
  ASSERT_TRUE(index);
  auto json = nlohmann::json::parse(index->body, nullptr, false);
  ASSERT_TRUE(json.is_object()) << index->body;
  EXPECT_EQ(json["dashboard"], "/__mock/ui");
  bool lists_ui = false;
  for (const auto& endpoint : json["endpoints"]) lists_ui |= endpoint["path"] == "/__mock/ui";
  EXPECT_TRUE(lists_ui) << index->body;
}

TEST_F(MockDashboardTest, TheBannerNamesTheDashboardRightAfterTheAdminApi) {
  const auto& lines = server().banner_rest();
  std::size_t admin = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].starts_with("admin API ")) admin = i;
  ASSERT_LT(admin + 1, lines.size()) << "no line after the admin API's";
  EXPECT_EQ(lines[admin + 1], "dashboard " + server().url() + "/__mock/ui");
}

// With --admin-key a browser must still get the page (it cannot send the key
// on a navigation); the data it then reads needs the key.
class MockDashboardWithKeyTest : public MockDashboardTest {
 protected:
  std::vector<std::string> serve_flags() const override { return {"--admin-key", "s3cret"}; }
};

TEST_F(MockDashboardWithKeyTest, ThePageNeedsNoKeyButItsDataDoes) {
  auto page = get("/__mock/ui");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200) << page->body;
  EXPECT_EQ(get("/__mock/uploads")->status, 403);
  EXPECT_EQ(get("/__mock/uploads", {{"X-Admin-Key", "s3cret"}})->status, 200);
}

// The page in a real browser: one upload in flight, one moved file, their
// requests in the journal. The DOM proves the page read and showed them; the
// screenshot (kept in the test's temporary directory) is for a human to look
// at when the page changes.
TEST_F(MockDashboardTest, ChromiumShowsUploadsFilesAndJournal) {
  if (!std::filesystem::exists(kChromium)) GTEST_SKIP() << kChromium << " is not installed (scripts/setup.sh)";
  const std::uint64_t part = 5 * 1024 * 1024, total = 12 * 1024 * 1024;
  const auto in_flight = contract::new_uuid();
  ASSERT_EQ(upload_part(in_flight, 7, 0, part, total).status, 206);
  stored_file(8, 4096, root(), "dashboard-report.bin");
  ASSERT_EQ(api().admin_post("faults", R"({"kind":"delay","ms":5,"count":0,"match":{"method":"DELETE"}})").status, 200);

  const auto url = server().url() + "/__mock/ui";
  PageOptions options;
  options.width = 1280;
  options.height = 800;
  options.virtual_time_budget_ms = 3000;  // the first poll is shown after a few ms
  const auto dom = dump_dom(url, options);
  EXPECT_NE(dom.find("data-loaded=\"true\""), std::string::npos) << "no poll was shown:\n" << dom.substr(0, 4000);
  EXPECT_NE(dom.find("dashboard-report.bin"), std::string::npos) << "the moved file";
  EXPECT_NE(dom.find(in_flight), std::string::npos) << "the upload in flight";
  EXPECT_NE(dom.find("/pub/v1/disk/file/move"), std::string::npos) << "the journal";
  EXPECT_NE(dom.find("delay"), std::string::npos) << "the armed fault";

  // Left in the temporary directory for a look after the run (one file,
  // replaced by the next run, so runs do not pile up screenshots).
  const auto png = std::filesystem::temp_directory_path() / ("partcheck-dashboard-" + in_flight + ".png");
  const auto kept = std::filesystem::temp_directory_path() / "partcheck-dashboard.png";
  screenshot(url, png, options);
  EXPECT_EQ(png_size(png), std::make_pair(options.width, options.height));
  std::filesystem::rename(png, kept);  // atomic: a reader never sees half a file
  std::cout << "dashboard screenshot: " << kept.string() << std::endl;
}

}  // namespace
}  // namespace partcheck::testing
