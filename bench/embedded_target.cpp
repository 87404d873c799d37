#include "bench/embedded_target.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace partcheck::bench {

namespace {

std::string random_key() {
  std::random_device device;
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string key = "bench-";
  for (int i = 0; i < 24; ++i) key += kAlphabet[device() % (sizeof kAlphabet - 1)];
  return key;
}

// One line from the child's stdout, waiting at most until `deadline`.
std::string read_line(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string line;
  char c = 0;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("the embedded mock did not print its banner within 30 s");
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    auto n = ::read(fd, &c, 1);
    if (n <= 0) throw std::runtime_error("the embedded mock exited before it was ready" + (line.empty() ? "" : ": " + line));
    if (c == '\n') return line;
    line += c;
  }
}

std::string after(const std::string& line, const std::string& prefix) {
  if (line.rfind(prefix, 0) != 0)
    throw std::runtime_error("the embedded mock printed '" + line + "' where '" + prefix + "...' was expected");
  return line.substr(prefix.size());
}

}  // namespace

EmbeddedServer::EmbeddedServer(const std::string& storage, const std::vector<std::string>& extra) {
  api_key_ = random_key();
  std::vector<std::string> args = {"partcheck", "serve", "--listen", "127.0.0.1:0", "--storage", storage,
                                   "--api-key", api_key_, "--quiet"};
  if (storage == "disk") {
    char pattern[] = "/tmp/partcheck-bench-XXXXXX";
    if (!::mkdtemp(pattern)) throw std::runtime_error(std::string("cannot make a temp directory: ") + std::strerror(errno));
    data_dir_ = pattern;
    args.insert(args.end(), {"--data-dir", pattern});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
  if (pid_ == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::execv("/proc/self/exe", argv.data());
    std::fprintf(stderr, "cannot start the embedded mock: %s\n", std::strerror(errno));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  try {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    url_ = after(read_line(pipe_fds[0], deadline), "listening on ");
    root_ = after(read_line(pipe_fds[0], deadline), "root directory ");
    after(read_line(pipe_fds[0], deadline), "api key ");
  } catch (...) {
    ::close(pipe_fds[0]);
    stop();
    throw;
  }
  // Keep reading nothing more; closing would give the server SIGPIPE on a later print.
  ::fcntl(pipe_fds[0], F_SETFD, FD_CLOEXEC);
}

EmbeddedServer::~EmbeddedServer() { stop(); }

void EmbeddedServer::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 300; ++i) {  // 30 s grace, then SIGKILL
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }
  if (data_dir_) {
    std::error_code ignored;
    std::filesystem::remove_all(*data_dir_, ignored);
    data_dir_.reset();
  }
}

ProcessUsage EmbeddedServer::usage() const {
  ProcessUsage u;
  if (pid_ <= 0) return u;
  std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), {});
  // Fields after the command name (which may hold spaces) start after ')'.
  if (auto close = content.rfind(')'); close != std::string::npos) {
    std::istringstream fields(content.substr(close + 2));
    std::string field;
    const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    for (int i = 3; fields >> field; ++i) {
      if (i == 14) u.user_s = std::stod(field) / tick;
      if (i == 15) {
        u.sys_s = std::stod(field) / tick;
        break;
      }
    }
  }
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) u.peak_rss_bytes = std::stoull(line.substr(6)) * 1024;
  return u;
}

ProcessUsage self_usage() {
  rusage r{};
  ::getrusage(RUSAGE_SELF, &r);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return {seconds(r.ru_utime), seconds(r.ru_stime), static_cast<std::uint64_t>(r.ru_maxrss) * 1024};
}

ProcessUsage usage_difference(const ProcessUsage& later, const ProcessUsage& earlier) {
  return {later.user_s - earlier.user_s, later.sys_s - earlier.sys_s, later.peak_rss_bytes};
}

Environment describe_environment() {
  Environment e;
  e.tool_version = "partcheck 0.1.0";
  const auto now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  e.started_at = stamp;
  utsname u{};
  if (::uname(&u) == 0) {
    e.hostname = u.nodename;
    e.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
  }
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0) {
      e.cpu_model = line.substr(line.find(':') + 2);
      break;
    }
  e.cores = std::thread::hardware_concurrency();
  return e;
}

}  // namespace partcheck::bench
