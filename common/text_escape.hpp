#pragma once
// Escaping for the report formats of the runner and the benchmark, and for
// what the mock keeps of a request (its journal). Scenario data (URLs, headers, response
// excerpts) comes from the target and is untrusted: it may carry markup,
// control characters or bytes that are not UTF-8.
#include <string>
#include <string_view>

namespace partcheck {

// Replaces every invalid UTF-8 sequence by U+FFFD.
std::string valid_utf8(std::string_view text);
// Writes every byte that is not part of a valid UTF-8 sequence as `\xNN`, so
// the text is valid UTF-8 and still shows which bytes were sent.
std::string escape_invalid_utf8(std::string_view text);

// Text and attribute content for HTML (and inline SVG): & < > " ' become entities;
// invalid UTF-8 and C0 controls other than tab, LF, CR become U+FFFD.
std::string html_escape(std::string_view text);

// Text and attribute content for XML 1.0: as html_escape, and characters XML 1.0
// cannot carry at all (controls other than tab, LF, CR) become U+FFFD.
std::string xml_escape(std::string_view text);
// As xml_escape, and tab/LF/CR as character references so attribute values keep them.
std::string xml_attribute_escape(std::string_view text);

}  // namespace partcheck
