#pragma once
// What the fuzz targets share: a check that stops the run with a message when
// an invariant breaks (libFuzzer then saves the input as a crash), and the
// record format of the targets that take several requests per input.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace partcheck::fuzz {

// Prints what broke and aborts: libFuzzer reports a deadly signal and keeps
// the input (crash-<sha1>) for a replay.
[[noreturn]] inline void broken(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "\n==fuzz invariant broken== %.*s\n", static_cast<int>(what.size()), what.data());
  if (!detail.empty()) std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline void check(bool ok, std::string_view what, std::string_view detail = {}) {
  if (!ok) broken(what, detail);
}

// Splits an input into records separated by a line holding only "%%", so a
// seed is easy to write by hand: each record is its first line (the request
// line) and, after it, a body that may span lines.
struct Record {
  std::string line;
  std::string body;
};

inline std::vector<Record> split_records(std::string_view text, std::size_t max_records) {
  std::vector<Record> records;
  while (!text.empty() && records.size() < max_records) {
    std::string_view chunk = text;
    const auto separator = text.find("\n%%\n");
    if (separator != std::string_view::npos) {
      chunk = text.substr(0, separator);
      text.remove_prefix(separator + 4);
    } else {
      text = {};
    }
    Record record;
    const auto eol = chunk.find('\n');
    record.line = std::string(chunk.substr(0, eol));
    if (eol != std::string_view::npos) record.body = std::string(chunk.substr(eol + 1));
    records.push_back(std::move(record));
  }
  return records;
}

// The words of a request line, split on single spaces (empty words kept).
inline std::vector<std::string> words(std::string_view line, std::size_t max_words) {
  std::vector<std::string> out;
  while (out.size() + 1 < max_words) {
    const auto space = line.find(' ');
    if (space == std::string_view::npos) break;
    out.emplace_back(line.substr(0, space));
    line.remove_prefix(space + 1);
  }
  out.emplace_back(line);
  return out;
}

// The leading digits of `text` as a number (0 when none), capped at 2^62.
inline std::uint64_t number(std::string_view text) {
  std::uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') break;
    n = std::min<std::uint64_t>(n * 10 + static_cast<unsigned>(c - '0'), std::uint64_t{1} << 62);
  }
  return n;
}

}  // namespace partcheck::fuzz
