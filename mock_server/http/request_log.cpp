#include "mock_server/http/request_log.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace partcheck::mock::http {
namespace {

// A logfmt value: bare when it is plain, else quoted with escapes.
std::string value(std::string_view text) {
  bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return c > 0x20 && c < 0x7f && c != '"' && c != '=' && c != '\\';
  });
  if (plain) return std::string(text);
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string iso_time(std::chrono::system_clock::time_point when) {
  auto seconds = std::chrono::system_clock::to_time_t(when);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  return text;
}

}  // namespace

std::string log_line(const RequestRecord& record) {
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.3f", record.duration_ms);
  std::string line = "time=" + iso_time(record.started) + " remote=" + value(record.remote) +
                     " method=" + value(record.method) + " target=" + value(record.target) +
                     " status=" + std::to_string(record.status);
  if (!record.code.empty()) line += " code=" + value(record.code);
  line += " bytes_in=" + std::to_string(record.bytes_in) + " bytes_out=" + std::to_string(record.bytes_out) +
          " ms=" + ms + "\n";
  return line;
}

void write_log_line(const RequestRecord& record) {
  auto line = log_line(record);
  // One write(2): atomic enough for lines this short, and never interleaved mid-line.
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace partcheck::mock::http
