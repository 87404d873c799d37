#include "runner/report/report_writer.hpp"

#include <chrono>
#include <ctime>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <unistd.h>

#include "runner/report/html_report.hpp"
#include "runner/report/junit_report.hpp"
#include "runner/report/ndjson_report.hpp"

namespace partcheck::runner {
namespace fs = std::filesystem;
namespace {

// Writes next to the destination and renames over it, so a reader (or a crash)
// never sees half a report file.
template <typename Fill>
void write_file(const fs::path& path, Fill&& fill) {
  fs::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path.string() + ": cannot open for writing");
    fill(out);
    out.flush();
    if (!out) throw std::runtime_error(path.string() + ": write failed");
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) throw std::runtime_error(path.string() + ": " + error.message());
}

// "reports/x/" and "reports/x" both name the directory x.
fs::path normalized(const fs::path& dir) {
  fs::path absolute = fs::absolute(dir).lexically_normal();
  if (absolute.filename().empty()) absolute = absolute.parent_path();
  return absolute;
}

std::string utc_stamp() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%d-%H%M%S", &utc);
  return buffer;
}

}  // namespace

fs::path timestamped_report_dir(const fs::path& root) {
  const std::string stamp = utc_stamp();
  fs::path candidate = root / stamp;
  for (int n = 2; fs::exists(candidate); ++n) candidate = root / (stamp + "-" + std::to_string(n));
  return candidate;
}

void update_latest_link(const fs::path& dir) {
  const fs::path target = normalized(dir);
  if (target.filename() == "latest") return;  // the report is `latest` itself: nothing to point
  const fs::path latest = target.parent_path() / "latest";
  const fs::path staging = target.parent_path() / (".latest.tmp-" + std::to_string(::getpid()));
  std::error_code error;
  fs::remove_all(staging, error);

  // A relative link keeps working when the reports folder is moved or mounted elsewhere.
  fs::create_directory_symlink(target.filename(), staging, error);
  if (!error) {
    if (fs::is_directory(fs::symlink_status(latest)))
      fs::remove_all(latest, error);  // an earlier copy: rename cannot replace a directory
    fs::rename(staging, latest, error);  // atomic replacement of an older link
    if (!error) return;
    fs::remove(staging, error);
  }

  // No symlinks here (some file systems, some CI caches): copy the report instead.
  fs::remove_all(staging, error);
  fs::copy(target, staging, fs::copy_options::recursive, error);
  if (error) throw std::runtime_error(latest.string() + ": cannot link or copy the report: " + error.message());
  fs::remove_all(latest, error);
  fs::rename(staging, latest, error);
  if (error) throw std::runtime_error(latest.string() + ": " + error.message());
}

void write_reports(const RunResult& run, const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw std::runtime_error(dir.string() + ": cannot create the report directory: " + error.message());

  write_file(dir / "junit.xml", [&](std::ostream& out) { out << render_junit(run); });
  write_file(dir / "results.ndjson", [&](std::ostream& out) { write_ndjson(run, out); });
  write_file(dir / "results.json", [&](std::ostream& out) {
    out << to_json(run).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  });
  write_file(dir / "index.html", [&](std::ostream& out) { out << render_html({run}); });
  update_latest_link(dir);
}

}  // namespace partcheck::runner
