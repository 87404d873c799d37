#include "cli/suite_paths.hpp"

#include <chrono>
#include <ctime>

namespace partcheck::cli {

namespace fs = std::filesystem;

fs::path default_suite(const fs::path& name) {
  if (fs::is_directory(name)) return name;
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto candidate = exe.parent_path().parent_path() / name;
    if (fs::is_directory(candidate)) return candidate;
  }
  return name;
}

std::string iso_now() {
  auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace partcheck::cli
