#include "mock_server/http/multipart_stream.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace partcheck::mock::http {
namespace {

const char* chars(std::span<const std::byte> data) { return reinterpret_cast<const char*>(data.data()); }

std::span<const std::byte> bytes(std::string_view text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parameters of a header value such as `form-data; name="file"; filename="a b.bin"`:
// calls `on(name, value)` for each, with quotes and backslash escapes removed.
template <typename F>
void for_each_parameter(std::string_view value, F on) {
  auto semi = value.find(';');
  if (semi == std::string_view::npos) return;
  value.remove_prefix(semi + 1);
  while (!value.empty()) {
    value = trim(value);
    auto eq = value.find('=');
    if (eq == std::string_view::npos) return;
    auto name = trim(value.substr(0, eq));
    value.remove_prefix(eq + 1);
    value = trim(value);
    std::string parsed;
    if (!value.empty() && value.front() == '"') {
      std::size_t i = 1;
      for (; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        parsed += value[i];
      }
      value.remove_prefix(std::min(value.size(), i + 1));
      auto next = value.find(';');
      value.remove_prefix(next == std::string_view::npos ? value.size() : next + 1);
    } else {
      auto next = value.find(';');
      parsed = trim(value.substr(0, next));
      value.remove_prefix(next == std::string_view::npos ? value.size() : next + 1);
    }
    on(name, std::string_view(parsed));
  }
}

}  // namespace

std::string_view multipart_error_text(MultipartError error) {
  switch (error) {
    case MultipartError::None: return "no error";
    case MultipartError::NoFileField: return "the multipart body has no field named `file` or `File`";
    case MultipartError::BrokenBoundary: return "a multipart boundary is not followed by `--` or a line end";
    case MultipartError::BadPartHeaders: return "the headers of a multipart part are too long or unterminated";
    case MultipartError::Truncated: return "the multipart body ends before its closing boundary";
  }
  return "unknown multipart error";
}

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  std::optional<std::string> boundary;
  for_each_parameter(content_type, [&](std::string_view name, std::string_view value) {
    if (iequals(name, "boundary") && !value.empty() && value.size() <= 200 &&
        value.find_first_of("\r\n") == std::string_view::npos)
      boundary = std::string(value);
  });
  return boundary;
}

MultipartStream::MultipartStream(std::string_view boundary, MultipartSink& sink)
    : delimiter_("\r\n--" + std::string(boundary)),
      searcher_(delimiter_.cbegin(), delimiter_.cend()),
      sink_(sink),
      // The first delimiter may open the body without its line end: pretend one came before.
      carry_("\r\n") {}

bool MultipartStream::feed(std::span<const std::byte> data) {
  while (!data.empty()) {
    std::size_t used = 0;
    switch (state_) {
      case State::Preamble:
      case State::FileData:
      case State::SkipData: used = scan_body(data); break;
      case State::AfterDelimiter: used = read_after_delimiter(data); break;
      case State::PartHeaders: used = read_part_headers(data); break;
      case State::Epilogue: return true;
      case State::Failed: return false;
    }
    data = data.subspan(used);
  }
  return state_ != State::Failed;
}

bool MultipartStream::finish() {
  if (state_ == State::Failed) return false;
  if (state_ != State::Epilogue) return fail(MultipartError::Truncated);
  if (!file_seen_) return fail(MultipartError::NoFileField);
  return true;
}

std::size_t MultipartStream::broken(MultipartError error) {
  fail(error);
  return 0;  // feed() stops at the Failed state; what is left is never read
}

bool MultipartStream::fail(MultipartError error) {
  state_ = State::Failed;
  error_ = error;
  return false;
}

void MultipartStream::emit(std::span<const std::byte> data) {
  if (state_ == State::FileData && !data.empty()) sink_.on_file_data(data);
}

void MultipartStream::delimiter_found() {
  if (state_ == State::FileData) sink_.on_file_end();
  state_ = State::AfterDelimiter;
  line_.clear();
}

std::size_t MultipartStream::scan_body(std::span<const std::byte> data) {
  const std::size_t length = delimiter_.size();
  if (!carry_.empty()) {
    // carry_ is a proper prefix of the delimiter; its only CR is its first
    // byte (boundaries hold no CR), so if the rest does not follow, no
    // delimiter starts inside it and all of it is content.
    std::size_t need = length - carry_.size();
    std::size_t take = std::min(need, data.size());
    if (std::memcmp(data.data(), delimiter_.data() + carry_.size(), take) == 0) {
      if (take == need) {
        carry_.clear();
        delimiter_found();
      } else {
        carry_.append(chars(data), take);
      }
      return take;
    }
    std::string content = std::move(carry_);
    carry_.clear();
    emit(bytes(content));
  }
  const char* begin = chars(data);
  const char* end = begin + data.size();
  auto hit = searcher_(begin, end).first;
  if (hit != end) {
    auto offset = static_cast<std::size_t>(hit - begin);
    emit(data.first(offset));
    delimiter_found();
    return offset + length;
  }
  // A delimiter may begin in the last length-1 bytes and end in the next piece.
  std::size_t from = data.size() >= length ? data.size() - (length - 1) : 0;
  for (const char* p = begin + from; p < end; ++p) {
    p = static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(end - p)));
    if (!p) break;
    auto tail = static_cast<std::size_t>(end - p);
    if (std::memcmp(p, delimiter_.data(), tail) == 0) {
      emit(data.first(static_cast<std::size_t>(p - begin)));
      carry_.assign(p, tail);
      return data.size();
    }
  }
  emit(data);
  return data.size();
}

std::size_t MultipartStream::read_after_delimiter(std::span<const std::byte> data) {
  // After a delimiter: `--` (the close delimiter) or blanks then CRLF.
  for (std::size_t i = 0; i < data.size(); ++i) {
    char c = static_cast<char>(data[i]);
    line_ += c;
    if (line_ == "--") {
      state_ = State::Epilogue;
      return data.size();
    }
    if (line_ == "-") continue;
    if (line_.front() == '-' || line_.size() > 256) return broken(MultipartError::BrokenBoundary);
    if (c == '\n') {
      if (line_.size() < 2 || line_[line_.size() - 2] != '\r') return broken(MultipartError::BrokenBoundary);
      state_ = State::PartHeaders;
      line_.clear();
      return i + 1;
    }
    if (c != ' ' && c != '\t' && c != '\r') return broken(MultipartError::BrokenBoundary);
  }
  return data.size();
}

std::size_t MultipartStream::read_part_headers(std::span<const std::byte> data) {
  std::size_t before = line_.size();
  std::size_t room = kMaxPartHeaderBytes + 4 - before;
  std::size_t take = std::min(room, data.size());
  line_.append(chars(data), take);
  std::size_t end = std::string::npos;
  if (line_.starts_with("\r\n")) {
    end = 2;  // a part without headers
  } else {
    auto found = line_.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
    if (found != std::string::npos) end = found + 4;
  }
  if (end == std::string::npos) {
    if (line_.size() >= kMaxPartHeaderBytes) return broken(MultipartError::BadPartHeaders);
    return take;
  }
  std::string headers = line_.substr(0, end);
  line_.clear();
  start_part(headers);
  return end - before;
}

void MultipartStream::start_part(std::string_view headers) {
  std::string field, file_name;
  while (!headers.empty()) {
    auto eol = headers.find("\r\n");
    auto line = headers.substr(0, eol);
    headers.remove_prefix(eol == std::string_view::npos ? headers.size() : eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos || !iequals(trim(line.substr(0, colon)), "Content-Disposition")) continue;
    for_each_parameter(line.substr(colon + 1), [&](std::string_view name, std::string_view value) {
      if (iequals(name, "name")) field = value;
      if (iequals(name, "filename")) file_name = value;
    });
  }
  if (!file_seen_ && (field == "file" || field == "File")) {
    file_seen_ = true;
    state_ = State::FileData;
    sink_.on_file_begin(field, file_name);
  } else {
    state_ = State::SkipData;
  }
}

}  // namespace partcheck::mock::http
