#pragma once
// The malformed-input corpus (tests/integration/corpus/*.txt): a small text
// format of exact request bytes and the answer the mock must give, read and
// expanded here; tests/integration/mock_corpus_test.cpp describes the format
// and runs it. Header-only: nothing here needs the support library.
#include <cctype>
#include <cstdint>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace partcheck::testing::corpus {

struct Case {
  std::string family;  // the file's stem: "framing", "auth", ...
  std::string name;
  int line = 0;                     // of its `case` line, for messages
  std::vector<int> statuses;        // 0: no answer at all, the connection simply closed
  std::vector<std::string> codes;   // empty: any code (or none)
  bool must_close = false;          // `close`: the connection ends after the answer
  bool must_keep = false;           // `keep`: the connection stays open and in step
  bool half_close = false;          // `eof`: the client shuts down its sending side after the bytes
  std::string source;               // the bytes as written, before expansion

  std::string where() const { return family + ".txt:" + std::to_string(line) + " [" + name + "]"; }
};

inline std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, by)) out.push_back(item);
  return out;
}

// Parses one corpus file. Throws std::runtime_error naming the line.
inline std::vector<Case> parse_file(const std::string& family, const std::string& text) {
  std::vector<Case> cases;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  auto fail = [&](const std::string& why) {
    throw std::runtime_error(family + ".txt:" + std::to_string(number) + ": " + why);
  };
  bool expect_seen = false;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') fail("a CR in the file itself; write \\r instead");
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("case ", 0) == 0) {
      if (!cases.empty() && (!expect_seen || cases.back().source.empty()))
        fail("the case before has no expect line or no bytes");
      Case c;
      c.family = family;
      c.name = line.substr(5);
      c.line = number;
      cases.push_back(std::move(c));
      expect_seen = false;
      continue;
    }
    if (cases.empty()) fail("bytes before the first `case` line");
    Case& c = cases.back();
    if (line.rfind("expect ", 0) == 0 && !expect_seen) {
      expect_seen = true;
      std::istringstream words(line.substr(7));
      std::string word;
      bool first = true;
      while (words >> word) {
        if (first) {
          for (const auto& status : split(word, '|')) {
            if (status.empty() || status.find_first_not_of("0123456789") != std::string::npos)
              fail("bad status list '" + word + "'");
            c.statuses.push_back(std::stoi(status));
          }
          first = false;
        } else if (word == "close") {
          c.must_close = true;
        } else if (word == "keep") {
          c.must_keep = true;
        } else if (word == "eof") {
          c.half_close = true;
        } else if (word == "-") {
        } else if (std::isupper(static_cast<unsigned char>(word[0]))) {
          c.codes = split(word, '|');
        } else {
          fail("unknown word '" + word + "' in the expect line");
        }
      }
      if (c.statuses.empty()) fail("the expect line has no status");
      if (c.must_close && c.must_keep) fail("close and keep at once");
      continue;
    }
    if (!expect_seen) fail("bytes before the expect line");
    c.source += line;
  }
  if (!cases.empty() && (!expect_seen || cases.back().source.empty())) fail("the last case has no expect line or no bytes");
  return cases;
}

inline std::vector<Case> load_file(const std::string& path, const std::string& family) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  return parse_file(family, text.str());
}

// Expands escapes and ${...} macros. `lookup(name)` gives the value of a
// plain macro (KEY, ROOT, ...) or nullopt when there is none of that name.
class Expander {
 public:
  using Lookup = std::function<std::optional<std::string>(const std::string&)>;
  explicit Expander(Lookup lookup) : lookup_(std::move(lookup)) {}

  std::string expand(const std::string& source) const {
    std::size_t at = 0;
    auto out = expand_until(source, at, /*in_macro=*/false);
    // ${LEN}: the number of bytes after the first blank line, once everything else is in place.
    const std::string marker(kLenMarker);
    auto head_end = out.find("\r\n\r\n");
    auto body = head_end == std::string::npos ? 0 : out.size() - head_end - 4;
    for (auto pos = out.find(marker); pos != std::string::npos; pos = out.find(marker)) {
      // The length counts the body with the marker replaced: digits only change the head.
      auto marker_in_body = head_end != std::string::npos && pos > head_end;
      if (marker_in_body) throw std::runtime_error("${LEN} inside the body");
      out.replace(pos, marker.size(), std::to_string(body));
      head_end = out.find("\r\n\r\n");
    }
    return out;
  }

 private:
  // Stands for ${LEN} until the body is known: no case writes these bytes.
  static constexpr std::string_view kLenMarker = "\x02${LEN}\x03";

  std::string expand_until(const std::string& s, std::size_t& at, bool in_macro) const {
    std::string out;
    while (at < s.size()) {
      char c = s[at];
      if (in_macro && c == '}') return out;
      if (c == '\\') {
        if (at + 1 >= s.size()) throw std::runtime_error("a lone backslash at the end");
        char e = s[at + 1];
        at += 2;
        switch (e) {
          case 'r': out += '\r'; break;
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case '0': out += '\0'; break;
          case 's': out += ' '; break;
          case '\\': out += '\\'; break;
          case '$': out += '$'; break;
          case 'x': {
            if (at + 2 > s.size() || !std::isxdigit(static_cast<unsigned char>(s[at])) ||
                !std::isxdigit(static_cast<unsigned char>(s[at + 1])))
              throw std::runtime_error("\\x needs two hex digits");
            out += static_cast<char>(std::stoi(s.substr(at, 2), nullptr, 16));
            at += 2;
            break;
          }
          default: throw std::runtime_error(std::string("unknown escape \\") + e);
        }
        continue;
      }
      if (c == '$' && at + 1 < s.size() && s[at + 1] == '{') {
        at += 2;
        out += macro(s, at);
        continue;
      }
      out += c;
      ++at;
    }
    if (in_macro) throw std::runtime_error("an unclosed ${...}");
    return out;
  }

  // After "${": reads the macro through its closing brace.
  std::string macro(const std::string& s, std::size_t& at) const {
    auto name_end = s.find_first_of(":}", at);
    if (name_end == std::string::npos) throw std::runtime_error("an unclosed ${...}");
    auto name = s.substr(at, name_end - at);
    at = name_end;
    if (name == "REP") {
      if (s[at] != ':') throw std::runtime_error("${REP:count:text}");
      auto count_end = s.find(':', at + 1);
      if (count_end == std::string::npos) throw std::runtime_error("${REP:count:text}");
      auto count = std::stoull(s.substr(at + 1, count_end - at - 1));
      at = count_end + 1;
      auto unit = expand_until(s, at, /*in_macro=*/true);
      ++at;  // the closing brace
      std::string out;
      out.reserve(unit.size() * count);
      for (std::uint64_t i = 0; i < count; ++i) out += unit;
      return out;
    }
    if (s[at] != '}') throw std::runtime_error("${" + name + "} takes no argument");
    ++at;
    if (name == "LEN") return std::string(kLenMarker);
    auto value = lookup_(name);
    if (!value) throw std::runtime_error("unknown macro ${" + name + "}");
    return *value;
  }

  Lookup lookup_;
};

}  // namespace partcheck::testing::corpus
