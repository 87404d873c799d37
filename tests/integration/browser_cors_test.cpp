// A real browser as the mock's client: headless Chromium loads a page from
// one loopback origin and uploads to `partcheck serve --cors <that origin>`
// on another, so every call is cross-origin, with the preflights that custom
// fields (Authorization, Content-Range) bring. The page is tests/browser/
// cors_upload.html; the test checks what the page saw and what the mock's
// journal saw.
#include <gtest/gtest.h>

#include <httplib.h>

#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "tests/integration/support/api_client.hpp"
#include "tests/integration/support/headless_chromium.hpp"
#include "tests/integration/support/process.hpp"

namespace partcheck::testing {
namespace {

const std::filesystem::path kPages = kSourceDir / "tests" / "browser";

// Serves a directory on a loopback port the kernel chose: an origin of its own.
class StaticSite {
 public:
  explicit StaticSite(const std::filesystem::path& root) {
    if (!server_.set_mount_point("/", root.string())) throw std::runtime_error("cannot serve " + root.string());
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind a loopback port for the page");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~StaticSite() {
    server_.stop();
    thread_.join();
  }
  StaticSite(const StaticSite&) = delete;
  StaticSite& operator=(const StaticSite&) = delete;

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// The page's uploadThroughCors() against `server`, from `page_origin`.
nlohmann::json upload_from_page(HeadlessBrowser& browser, const std::string& page_origin,
                                const ServerProcess& server) {
  browser.navigate(page_origin + "/cors_upload.html");
  nlohmann::json args = {{"api", server.url()}, {"key", server.api_key()}, {"directoryId", server.root_dir_id()}};
  return browser.run_async("return await uploadThroughCors(" + args.dump() + ");", std::chrono::seconds(240));
}

nlohmann::json journal(const ServerProcess& server) {
  ApiClient api(server);
  auto reply = api.admin_get("/journal");
  EXPECT_EQ(reply.status, 200) << reply;
  return reply.json.value("entries", nlohmann::json::array());
}

std::string path_of(const nlohmann::json& entry) {
  auto target = entry.value("target", "");
  return target.substr(0, target.find('?'));
}

TEST(HeadlessChromium, DumpsTheDomAndTakesAScreenshotOfTheGivenSize) {
  StaticSite site(kPages);
  auto dom = dump_dom(site.origin() + "/cors_upload.html");
  EXPECT_NE(dom.find("<pre id=\"result\">not run</pre>"), std::string::npos) << dom;

  TempDir out;
  screenshot(site.origin() + "/cors_upload.html", out.path() / "page.png", {.width = 640, .height = 360});
  EXPECT_EQ(png_size(out.path() / "page.png"), std::make_pair(640, 360));
}

TEST(BrowserCors, PageOfAnAllowedOriginUploadsInPartsMovesAndDownloads) {
  StaticSite site(kPages);
  ServerProcess server({"--storage", "memory", "--quiet", "--cors", site.origin()});
  HeadlessBrowser browser;

  auto result = upload_from_page(browser, site.origin(), server);
  SCOPED_TRACE(result.dump(1));
  ASSERT_TRUE(result["error"].is_null());
  ASSERT_EQ(result["parts"].size(), 3u);
  EXPECT_EQ(result["parts"][0]["status"], 206);
  EXPECT_EQ(result["parts"][1]["status"], 206);
  EXPECT_EQ(result["parts"][2]["status"], 200);
  EXPECT_EQ(result["move"]["status"], 200);
  EXPECT_EQ(result["move"]["body"]["files"][0]["name"], "browser.bin");
  EXPECT_EQ(result["linkStatus"], 200);
  EXPECT_EQ(result["downloadedBytes"], 12 * 1024 * 1024);
  EXPECT_EQ(result["downloadedSha256"], result["uploadedSha256"]);
  EXPECT_TRUE(result["bytesEqual"].get<bool>());

  // Each kind of call needed a preflight of its own (the uploads share one:
  // the browser keeps a preflight's answer for its Max-Age), and the mock
  // answered all of them 204.
  std::set<std::string> preflighted;
  int uploads = 0;
  for (const auto& entry : journal(server)) {
    if (entry["method"] == "OPTIONS") {
      EXPECT_EQ(entry["status"], 204) << entry.dump();
      preflighted.insert(path_of(entry));
    }
    if (entry["method"] == "POST" && path_of(entry) == "/pub/v1/disk/file/upload") ++uploads;
  }
  EXPECT_EQ(uploads, 3);
  const auto file_id = result["fileId"].get<std::string>();
  EXPECT_EQ(preflighted, (std::set<std::string>{"/pub/v1/disk/file/upload", "/pub/v1/disk/file/move",
                                                "/pub/v1/disk/file/" + file_id + "/get-link"}));
}

TEST(BrowserCors, PageOfAnotherOriginIsBlockedAtThePreflight) {
  StaticSite allowed(kPages);
  StaticSite other(kPages);
  ServerProcess server({"--storage", "memory", "--quiet", "--cors", allowed.origin()});
  HeadlessBrowser browser;

  auto result = upload_from_page(browser, other.origin(), server);
  SCOPED_TRACE(result.dump(1));
  // The browser refuses the answer and the script sees only a TypeError.
  EXPECT_NE(result["error"].get<std::string>().find("TypeError"), std::string::npos);
  EXPECT_TRUE(result["parts"].empty());

  // The preflight was refused, so the upload itself was never sent.
  int preflights = 0;
  for (const auto& entry : journal(server)) {
    if (path_of(entry).rfind("/pub/", 0) != 0) continue;
    EXPECT_EQ(entry["method"], "OPTIONS") << entry.dump();
    EXPECT_EQ(entry["status"], 403) << entry.dump();
    ++preflights;
  }
  EXPECT_GE(preflights, 1);
}

}  // namespace
}  // namespace partcheck::testing
