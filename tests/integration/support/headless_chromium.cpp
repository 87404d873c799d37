#include "tests/integration/support/headless_chromium.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <httplib.h>

extern char** environ;

namespace partcheck::testing {
namespace {

std::string window_size(int width, int height) {
  return "--window-size=" + std::to_string(width) + "," + std::to_string(height);
}

// One Chromium run for `url` with `extra` switches, in a profile of its own.
CommandResult run_chromium(const std::string& url, std::vector<std::string> extra, const PageOptions& options) {
  TempDir profile;
  std::vector<std::string> argv{kChromium};
  for (auto& flag : headless_chromium_flags(profile.path())) argv.push_back(std::move(flag));
  argv.push_back(window_size(options.width, options.height));
  argv.push_back("--virtual-time-budget=" + std::to_string(options.virtual_time_budget_ms));
  for (auto& flag : extra) argv.push_back(std::move(flag));
  argv.push_back(url);
  auto result = run_command(argv, {}, options.timeout);
  if (result.exit_code != 0)
    throw std::runtime_error("chromium exited " + std::to_string(result.exit_code) + " for " + url + ":\n" +
                             result.err);
  return result;
}

pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& out, const std::filesystem::path& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  // A process group of its own: the Chromium that chromedriver starts is in
  // it too, so one signal to the group ends both if the session cannot be
  // closed politely.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  std::vector<char*> cargs;
  for (const auto& a : argv) cargs.push_back(const_cast<char*>(a.c_str()));
  cargs.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, cargs[0], &actions, &attributes, cargs.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

// WebDriver hands screenshots over in base64 (RFC 4648, with padding).
std::string base64_decode(const std::string& text) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    auto value = alphabet.find(c);
    if (value == std::string::npos) continue;  // padding, line breaks
    bits = (bits << 6) | static_cast<unsigned>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> headless_chromium_flags(const std::filesystem::path& profile_dir) {
  return {"--headless",
          "--no-sandbox",  // tests run as root, where the sandbox refuses to start
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--user-data-dir=" + profile_dir.string()};
}

std::string dump_dom(const std::string& url, const PageOptions& options) {
  return run_chromium(url, {"--dump-dom"}, options).out;
}

void screenshot(const std::string& url, const std::filesystem::path& png, const PageOptions& options) {
  std::error_code ignored;
  std::filesystem::remove(png, ignored);  // so a stale file never passes for this run's
  auto result = run_chromium(url, {"--hide-scrollbars", "--screenshot=" + png.string()}, options);
  if (png_size(png).first == 0) throw std::runtime_error("chromium wrote no screenshot of " + url + ":\n" + result.err);
}

std::pair<int, int> png_size(const std::filesystem::path& png) {
  auto bytes = read_text_file(png);
  // 8-byte signature, then the IHDR chunk: length, "IHDR", width, height (big-endian).
  if (bytes.size() < 24 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || bytes.compare(12, 4, "IHDR") != 0)
    return {0, 0};
  auto be32 = [&](std::size_t at) {
    int v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  return {be32(16), be32(20)};
}

HeadlessBrowser::HeadlessBrowser(int width, int height) {
  // Port 0: chromedriver binds a free port and names it in its start line.
  auto out = dir_.path() / "driver.out";
  driver_pid_ = spawn({kChromedriver, "--port=0", "--log-path=" + (dir_.path() / "driver.log").string()}, out,
                      dir_.path() / "driver.err");
  const std::regex started(R"(started successfully on port (\d+))");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::smatch match;
  std::string text;
  while (!std::regex_search(text = read_text_file(out), match, started)) {
    if (std::chrono::steady_clock::now() > deadline || waitpid(driver_pid_, nullptr, WNOHANG) != 0) {
      stop_driver();
      throw std::runtime_error("chromedriver did not start:\n" + text + read_text_file(dir_.path() / "driver.err"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  driver_port_ = std::stoi(match[1]);

  auto args = nlohmann::json::array();
  for (const auto& flag : headless_chromium_flags(dir_.path() / "profile")) args.push_back(flag);
  args.push_back(window_size(width, height));
  nlohmann::json capabilities = {
      {"browserName", "chrome"},
      {"goog:chromeOptions", {{"binary", kChromium}, {"args", args}}},
  };
  try {
    auto value = command("POST", "/session", {{"capabilities", {{"alwaysMatch", capabilities}}}});
    session_ = value.at("sessionId").get<std::string>();
  } catch (...) {
    stop_driver();
    throw;
  }
}

HeadlessBrowser::~HeadlessBrowser() {
  if (!session_.empty()) {
    try {
      command("DELETE", "/session/" + session_, nullptr, std::chrono::seconds(30));
    } catch (...) {
      // The group signal below ends a Chromium that did not quit.
    }
  }
  stop_driver();
}

void HeadlessBrowser::stop_driver() {
  if (driver_pid_ <= 0) return;
  ::kill(-driver_pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (waitpid(driver_pid_, nullptr, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-driver_pid_, SIGKILL);
      waitpid(driver_pid_, nullptr, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Whatever Chromium left behind in the group goes too.
  ::kill(-driver_pid_, SIGKILL);
  driver_pid_ = -1;
}

std::string HeadlessBrowser::driver_log() const { return read_text_file(dir_.path() / "driver.log"); }

nlohmann::json HeadlessBrowser::command(const std::string& method, const std::string& path,
                                        const nlohmann::json& body, std::chrono::seconds timeout) {
  httplib::Client client("127.0.0.1", driver_port_);
  client.set_connection_timeout(std::chrono::seconds(10));
  client.set_read_timeout(timeout + std::chrono::seconds(30));  // the driver's own timeout comes first
  client.set_write_timeout(std::chrono::seconds(30));
  auto result = method == "GET"      ? client.Get(path.c_str())
                : method == "DELETE" ? client.Delete(path.c_str())
                                     : client.Post(path.c_str(), body.dump(), "application/json");
  if (!result) throw std::runtime_error("chromedriver: " + method + " " + path + " got no answer");
  auto reply = nlohmann::json::parse(result->body, nullptr, false);
  if (result->status != 200 || reply.is_discarded() || !reply.contains("value")) {
    throw std::runtime_error("chromedriver: " + method + " " + path + " answered " + std::to_string(result->status) +
                             ": " + result->body.substr(0, 4000));
  }
  return reply["value"];
}

void HeadlessBrowser::navigate(const std::string& url) {
  command("POST", "/session/" + session_ + "/url", {{"url", url}});
}

nlohmann::json HeadlessBrowser::run_async(const std::string& script, std::chrono::seconds timeout) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
  command("POST", "/session/" + session_ + "/timeouts", {{"script", ms}});
  // The page's own error travels back as a value: WebDriver would report
  // only "javascript error" without the stack.
  const std::string wrapped =
      "const done = arguments[arguments.length - 1];\n"
      "(async () => {\n" +
      script +
      "\n})().then(value => done({ok: true, value: value === undefined ? null : value}),\n"
      "            error => done({ok: false, error: String(error && error.stack || error)}));";
  auto outcome = command("POST", "/session/" + session_ + "/execute/async",
                         {{"script", wrapped}, {"args", nlohmann::json::array()}}, timeout);
  if (!outcome.is_object() || !outcome.value("ok", false))
    throw std::runtime_error("page script failed: " + outcome.dump());
  return outcome["value"];
}

std::string HeadlessBrowser::page_source() {
  return command("GET", "/session/" + session_ + "/source", nullptr).get<std::string>();
}

std::string HeadlessBrowser::screenshot_png() {
  auto base64 = command("GET", "/session/" + session_ + "/screenshot", nullptr).get<std::string>();
  return base64_decode(base64);
}

}  // namespace partcheck::testing
