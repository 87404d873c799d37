#pragma once
// The client under test as a child process: its own process group (so a
// timeout ends it and whatever it started), the environment given, stdout
// and stderr together in one file.
#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace partcheck::runner::client {

struct ChildResult {
  int exit_code = -1;       // when it exited
  int signal = 0;           // when a signal ended it (SIGKILL after a timeout)
  bool timed_out = false;
  double duration_ms = 0;
  std::string describe() const;  // "exit 0", "killed by signal 11", "no end within 120 s (killed)"
};

// Runs argv (argv[0] looked up on PATH) with the parent's environment plus
// `extra_env`, stdin from /dev/null, stdout and stderr appended to `output`.
// Throws std::runtime_error when it cannot be started (the message names argv[0]).
ChildResult run_child(const std::vector<std::string>& argv,
                      const std::vector<std::pair<std::string, std::string>>& extra_env,
                      const std::filesystem::path& output, std::chrono::seconds timeout);

}  // namespace partcheck::runner::client
