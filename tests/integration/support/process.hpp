#pragma once
// Real processes for integration tests: the `partcheck serve` binary on a
// port the kernel picks, and one-shot commands (curl, python3, the CLI).
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace partcheck::testing {

inline const std::string kPartcheck = PARTCHECK_BIN;
inline const std::filesystem::path kSourceDir = PARTCHECK_SOURCE_DIR;

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// The whole file as bytes; empty when it cannot be read (a log not written yet).
std::string read_text_file(const std::filesystem::path& path);

struct CommandResult {
  int exit_code = -1;  // 128+signal when killed by a signal
  std::string out;
  std::string err;
};

// Runs argv[0] (looked up on PATH) to completion; stdin is /dev/null unless
// `input` is given. Throws when it cannot start or runs past `timeout`.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = {},
                          std::chrono::seconds timeout = std::chrono::seconds(300));

// `partcheck serve --listen 127.0.0.1:0 ...` (no --listen added when the args
// have --listen or --listen-tls), waiting for its three banner lines:
// `listening on http[s]://HOST:PORT`, `root directory <uuid>`, `api key <key>`,
// and taking the TLS lines that come with them: `also listening on
// https://HOST:PORT` (plain and TLS listeners at once), `TLS certificate: PATH ...`.
class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> args);  // args after `serve`
  // Any other server whose first line on stdout is `listening on http://HOST:PORT`
  // (the independent target in tests/targets/): argv as given.
  struct OtherServer {};
  ServerProcess(const std::vector<std::string>& argv, OtherServer);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  const std::string& url() const { return url_; }  // http://127.0.0.1:PORT (https:// when TLS only)
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  // The HTTPS listener (the first line's or the `also listening on` one):
  // its URL and port, empty and 0 without TLS; the certificate it serves.
  const std::string& tls_url() const { return tls_url_; }
  int tls_port() const { return tls_port_; }
  const std::string& tls_certificate() const { return tls_certificate_; }
  // The banner lines after the first three (TLS, admin API, the example curl).
  const std::vector<std::string>& banner_rest() const { return banner_; }
  const std::string& root_dir_id() const { return root_dir_id_; }
  const std::string& api_key() const { return api_key_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& log_path() const { return log_.path(); }
  std::string log() const;  // everything written to stderr so far

  bool running() const;
  void kill_hard();    // SIGKILL, then reap
  int terminate();     // SIGTERM, wait up to 30 s, return the exit status
  long peak_rss_kib() const;  // VmHWM from /proc while running

 private:
  void start(const std::vector<std::string>& argv, bool partcheck_banner);
  int stop_within(std::chrono::seconds grace);  // SIGTERM; SIGKILL once grace is over

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  TempDir log_;
  std::string url_, host_, root_dir_id_, api_key_, tls_url_, tls_certificate_;
  std::vector<std::string> banner_;
  int port_ = 0, tls_port_ = 0;
};

}  // namespace partcheck::testing
