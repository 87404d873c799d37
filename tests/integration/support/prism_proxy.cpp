#include "tests/integration/support/prism_proxy.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

extern char** environ;

namespace partcheck::testing {
PrismProxy::PrismProxy(const std::string& upstream, bool validate_requests) {
  std::vector<std::string> argv{kPrism.string(), "proxy", kOpenApiDocument.string(), upstream,
                                "--host", "127.0.0.1", "--port", "0", "--errors",
                                validate_requests ? "--validate-request=true" : "--validate-request=false"};
  // Node refuses headers over 16 KiB itself; a larger limit lets the
  // mock's own 431 through to be checked.
  std::vector<std::string> env{"NODE_OPTIONS=--max-http-header-size=131072"};
  for (char** e = environ; *e; ++e)
    if (std::string_view(*e).rfind("NODE_OPTIONS=", 0) != 0) env.emplace_back(*e);
  std::vector<char*> cargs, cenv;
  for (auto& a : argv) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  for (auto& e : env) cenv.push_back(e.data());
  cenv.push_back(nullptr);

  auto log = log_path();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  int rc = posix_spawn(&pid_, cargs[0], &actions, nullptr, cargs.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start prism: " + std::string(std::strerror(rc)));

  const std::regex listening(R"(Prism is listening on http://127\.0\.0\.1:(\d+))");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  std::smatch match;
  std::string text;
  while (!std::regex_search(text = read_text_file(log), match, listening)) {
    if (std::chrono::steady_clock::now() > deadline || waitpid(pid_, nullptr, WNOHANG) != 0) {
      stop();
      throw std::runtime_error("prism did not start:\n" + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  port_ = std::stoi(match[1]);
}

PrismProxy::~PrismProxy() { stop(); }

std::string PrismProxy::log() const { return read_text_file(log_path()); }

void PrismProxy::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (waitpid(pid_, nullptr, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
}

Through::Through(const PrismProxy& proxy) : client_("127.0.0.1", proxy.port()) {
  client_.set_read_timeout(std::chrono::seconds(120));
  client_.set_write_timeout(std::chrono::seconds(120));
}

Exchange Through::send(const std::string& method, const std::string& target, httplib::Headers headers,
                       const std::string& body, const std::string& content_type) {
  httplib::Request request;
  request.method = method;
  request.path = target;
  request.headers = std::move(headers);
  request.body = body;
  if (!content_type.empty()) request.set_header("Content-Type", content_type);
  auto result = client_.send(request);
  Exchange out;
  if (!result) return out;
  out.status = result->status;
  out.body = result->body;
  out.violations = result->get_header_value("sl-violations");
  if (result->get_header_value("Content-Type").find("problem+json") != std::string::npos)
    out.violations += " prism answered itself: " + result->body;
  out.json = nlohmann::json::parse(result->body, nullptr, false);
  return out;
}

::testing::AssertionResult fits(const Exchange& exchange, int status) {
  if (exchange.status == status && exchange.violations.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "wanted " << status << " without violations, got " << exchange.status
                                       << "\n  violations: " << exchange.violations
                                       << "\n  body: " << exchange.body.substr(0, 600);
}
::testing::AssertionResult refused(const Exchange& exchange, int status, const std::string& code) {
  auto result = fits(exchange, status);
  if (!result) return result;
  const auto& json = exchange.json;
  if (json.is_object() && json.contains("error") && json["error"].is_string() &&
      json["error"].get<std::string>().rfind(code + ":", 0) == 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "wanted code " << code << ", got " << exchange.body;
}

}  // namespace partcheck::testing
