#include "tests/integration/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace partcheck::testing {
namespace {

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Reads one '\n'-terminated line from fd, waiting at most until `deadline`.
std::string read_line(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string line;
  char c;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("timed out waiting for the server banner");
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    auto n = ::read(fd, &c, 1);
    if (n <= 0) throw std::runtime_error("server exited before printing its banner; read: " + line);
    if (c == '\n') return line;
    line += c;
  }
}

// "http://HOST:PORT" or "https://[::1]:PORT" -> HOST and PORT (brackets kept).
void split_url(const std::string& url, std::string& host, int& port) {
  auto scheme = url.find("://");
  auto hostport = scheme == std::string::npos ? url : url.substr(scheme + 3);
  auto colon = hostport.rfind(':');
  host = hostport.substr(0, colon);
  port = std::stoi(hostport.substr(colon + 1));
}

std::string after_prefix(const std::string& line, const std::string& prefix) {
  if (line.rfind(prefix, 0) != 0)
    throw std::runtime_error("unexpected banner line '" + line + "', wanted '" + prefix + "...'");
  return line.substr(prefix.size());
}

}  // namespace

TempDir::TempDir() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (int i = 0; i < 100; ++i) {
    auto candidate = base / ("partcheck-test-" + std::to_string(rd()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult run_command(const std::vector<std::string>& argv, const std::string& input,
                          std::chrono::seconds timeout) {
  TempDir io;
  auto in_path = io.path() / "in", out_path = io.path() / "out", err_path = io.path() / "err";
  std::ofstream(in_path) << input;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid;
  auto args = c_argv(argv);
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));

  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      throw std::runtime_error(argv[0] + " ran past its timeout");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return CommandResult{decode_status(status), read_text_file(out_path), read_text_file(err_path)};
}

ServerProcess::ServerProcess(std::vector<std::string> args) {
  std::vector<std::string> argv{kPartcheck, "serve"};
  bool has_listen = false;
  for (const auto& a : args) has_listen = has_listen || a == "--listen" || a == "--listen-tls";
  if (!has_listen) argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  argv.insert(argv.end(), args.begin(), args.end());
  start(argv, true);
}

ServerProcess::ServerProcess(const std::vector<std::string>& argv, OtherServer) { start(argv, false); }

void ServerProcess::start(const std::vector<std::string>& argv, bool partcheck_banner) {
  int out_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  auto log_path = (log_.path() / "stderr.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  auto cargs = c_argv(argv);
  // The server's own temporary files (a data dir it makes for itself) go
  // under this object's directory, so they go with it even when the server
  // is killed and cannot clean up after itself.
  std::vector<std::string> env_text{"TMPDIR=" + log_.str()};
  for (char** e = environ; *e; ++e)
    if (std::string_view(*e).rfind("TMPDIR=", 0) != 0) env_text.emplace_back(*e);
  auto cenv = c_argv(env_text);
  int rc = posix_spawnp(&pid_, cargs[0], &actions, nullptr, cargs.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::string(std::strerror(rc)));
  stdout_fd_ = out_pipe[0];

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  try {
    url_ = after_prefix(read_line(stdout_fd_, deadline), "listening on ");
    if (partcheck_banner) {
      root_dir_id_ = after_prefix(read_line(stdout_fd_, deadline), "root directory ");
      api_key_ = after_prefix(read_line(stdout_fd_, deadline), "api key ");
      // The TLS lines come in the same write as the first three: what is
      // in the pipe now is all of them.
      pollfd more{stdout_fd_, POLLIN, 0};
      while (poll(&more, 1, 0) > 0 && (more.revents & POLLIN)) {
        auto line = read_line(stdout_fd_, deadline);
        banner_.push_back(line);
        if (line.rfind("also listening on ", 0) == 0) tls_url_ = after_prefix(line, "also listening on ");
        if (line.rfind("TLS certificate: ", 0) == 0) {
          auto rest = after_prefix(line, "TLS certificate: ");
          tls_certificate_ = rest.substr(0, rest.find(" ("));  // "PATH (self-signed; ...)"
        }
      }
    }
  } catch (const std::exception& e) {
    kill_hard();
    throw std::runtime_error(std::string(e.what()) + "\nserver log:\n" + log());
  }
  split_url(url_, host_, port_);
  if (url_.rfind("https://", 0) == 0) tls_url_ = url_;
  if (!tls_url_.empty()) {
    std::string tls_host;
    split_url(tls_url_, tls_host, tls_port_);
  }
}

ServerProcess::~ServerProcess() {
  // SIGTERM first: a server that cleans up on exit gets the chance to.
  if (!reaped_) stop_within(std::chrono::seconds(5));
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

std::string ServerProcess::log() const { return read_text_file(log_.path() / "stderr.log"); }

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool ServerProcess::running() const {
  return !reaped_ && ::kill(pid_, 0) == 0 && waitpid(pid_, nullptr, WNOHANG) == 0;
}

void ServerProcess::kill_hard() {
  if (reaped_) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, &status_, 0);
  reaped_ = true;
}

int ServerProcess::terminate() { return stop_within(std::chrono::seconds(30)); }

int ServerProcess::stop_within(std::chrono::seconds grace) {
  if (reaped_) return decode_status(status_);
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (waitpid(pid_, &status_, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill_hard();
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  reaped_ = true;
  return decode_status(status_);
}

long ServerProcess::peak_rss_kib() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace partcheck::testing
