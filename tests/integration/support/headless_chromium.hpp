#pragma once
// Headless Chromium for browser tests: what a page shows once its scripts ran
// (the DOM, a PNG screenshot), and, for pages that wait on the network, a
// WebDriver session (chromedriver) that runs a script and waits for the
// promise it settles.
//
// Every Chromium started here gets a fresh profile and the switches that keep
// it from calling home: on a closed network a headless Chromium otherwise
// waits on its background requests and may never finish.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/support/process.hpp"

namespace partcheck::testing {

// Where Debian's chromium and chromium-driver packages put them (setup.sh).
inline const std::string kChromium = "/usr/bin/chromium";
inline const std::string kChromedriver = "/usr/bin/chromedriver";

// The switches of every headless run, with `profile_dir` as its profile.
std::vector<std::string> headless_chromium_flags(const std::filesystem::path& profile_dir);

struct PageOptions {
  int width = 1280;
  int height = 800;
  // Virtual time the page gets for timers and rendering before it is read.
  // Chromium stops virtual time while requests are pending, so slow loads
  // do not eat into it; a page that waits on something else (a promise
  // settled by a script it fetched) should use HeadlessBrowser instead.
  int virtual_time_budget_ms = 10000;
  std::chrono::seconds timeout{120};  // wall time for the whole Chromium run
};

// The serialized DOM of `url` after its scripts ran (`--dump-dom`).
// Throws when Chromium fails or runs past the timeout (its stderr included).
std::string dump_dom(const std::string& url, const PageOptions& options = {});

// A PNG screenshot of `url`, options.width x options.height pixels, written
// to `png`. Throws when Chromium fails or writes no image.
void screenshot(const std::string& url, const std::filesystem::path& png, const PageOptions& options = {});

// Width and height of a PNG file (from its IHDR chunk); {0, 0} when `png` is
// not a PNG. For screenshot tests to check what they got.
std::pair<int, int> png_size(const std::filesystem::path& png);

// One headless Chromium driven by chromedriver over the WebDriver HTTP API:
// chromedriver on a port the kernel chose, one session, both ended (and the
// profile removed) by the destructor.
class HeadlessBrowser {
 public:
  explicit HeadlessBrowser(int width = 1280, int height = 800);
  ~HeadlessBrowser();
  HeadlessBrowser(const HeadlessBrowser&) = delete;
  HeadlessBrowser& operator=(const HeadlessBrowser&) = delete;

  // Loads `url` and returns once its load event fired.
  void navigate(const std::string& url);

  // Runs `script` in the page as the body of an async function: its return
  // value (or what it resolves to) comes back as JSON, after at most
  // `timeout`. A script that throws or runs too long throws here, with the
  // browser's message.
  nlohmann::json run_async(const std::string& script,
                           std::chrono::seconds timeout = std::chrono::seconds(120));

  std::string page_source();
  std::string screenshot_png();  // the PNG bytes of the viewport

  // chromedriver's log so far, for failure messages.
  std::string driver_log() const;

 private:
  nlohmann::json command(const std::string& method, const std::string& path, const nlohmann::json& body,
                         std::chrono::seconds timeout = std::chrono::seconds(120));
  void stop_driver();

  TempDir dir_;  // chromedriver's output and log, Chromium's profile
  pid_t driver_pid_ = -1;
  int driver_port_ = 0;
  std::string session_;
};

}  // namespace partcheck::testing
