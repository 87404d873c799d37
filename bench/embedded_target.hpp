#pragma once
// The default target: the mock server started as a child process of this
// same binary (`partcheck serve --listen 127.0.0.1:0 ...`), so the client's
// and the server's CPU and memory are measured apart (the server's from /proc).
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench/results.hpp"

namespace partcheck::bench {

class EmbeddedServer {
 public:
  // storage: "null" | "memory" | "disk" (in a fresh temp directory, removed at the end).
  // extra: further `serve` flags (e.g. --profile lenient). Throws std::runtime_error
  // with the server's own words when it does not come up.
  EmbeddedServer(const std::string& storage, const std::vector<std::string>& extra);
  ~EmbeddedServer();  // stop()
  EmbeddedServer(const EmbeddedServer&) = delete;
  EmbeddedServer& operator=(const EmbeddedServer&) = delete;

  const std::string& url() const { return url_; }
  const std::string& root_directory() const { return root_; }
  const std::string& api_key() const { return api_key_; }
  const std::optional<std::filesystem::path>& data_dir() const { return data_dir_; }
  pid_t pid() const { return pid_; }

  // CPU since start and peak RSS so far, from /proc/<pid>.
  ProcessUsage usage() const;
  void stop();

 private:
  pid_t pid_ = -1;
  std::string url_, root_, api_key_;
  std::optional<std::filesystem::path> data_dir_;
};

// This process: CPU (getrusage) and peak RSS.
ProcessUsage self_usage();
ProcessUsage usage_difference(const ProcessUsage& later, const ProcessUsage& earlier);  // keeps later's peak
Environment describe_environment();

}  // namespace partcheck::bench
