#include "common/text_escape.hpp"

#include "contract/utf8.hpp"

namespace partcheck {
namespace {

using contract::utf8_sequence_length;

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

enum class Markup { Html, XmlText, XmlAttribute };

std::string escape_markup(std::string_view text, Markup markup) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (length > 1) {
      out.append(text.substr(i, length));
      i += length;
      continue;
    }
    char c = text[i++];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t': out += markup == Markup::XmlAttribute ? "&#9;" : "\t"; break;
      case '\n': out += markup == Markup::XmlAttribute ? "&#10;" : "\n"; break;
      case '\r': out += markup == Markup::XmlAttribute ? "&#13;" : "\r"; break;
      default:
        // Other C0 controls and DEL: XML 1.0 cannot carry them and HTML calls them parse errors.
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
          out += kReplacement;
        else
          out += c;
    }
  }
  return out;
}

// Copies the valid UTF-8 of `text` and hands each invalid byte to `invalid`.
template <class OnInvalid>
std::string repair_utf8(std::string_view text, OnInvalid invalid) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      invalid(out, static_cast<unsigned char>(text[i]));
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  return repair_utf8(text, [](std::string& out, unsigned char) { out += kReplacement; });
}

std::string escape_invalid_utf8(std::string_view text) {
  return repair_utf8(text, [](std::string& out, unsigned char byte) {
    constexpr char kHex[] = "0123456789abcdef";
    out += "\\x";
    out += kHex[byte >> 4];
    out += kHex[byte & 0xF];
  });
}

std::string html_escape(std::string_view text) { return escape_markup(text, Markup::Html); }

std::string xml_escape(std::string_view text) { return escape_markup(text, Markup::XmlText); }

std::string xml_attribute_escape(std::string_view text) { return escape_markup(text, Markup::XmlAttribute); }

}  // namespace partcheck
