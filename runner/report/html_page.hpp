#pragma once
// Building blocks shared by the single-run page and the comparison page.
#include <cstdint>
#include <string>
#include <string_view>

#include "runner/verdict.hpp"

namespace partcheck::runner::html {

// <!doctype html> ... <body>, with the shared stylesheet inlined.
std::string page_start(std::string_view title);
// Inlines `script` and closes the document.
std::string page_end(std::string_view script);

// Escapes `text` and shows its `backticked` parts as <code>, as the rule statements are written.
std::string text_with_code(std::string_view text);

// CSS class suffix of a verdict: "pass", "nonstrict", "fail", "info", "skipped".
std::string_view verdict_slug(Verdict verdict);
// <span class="badge v-fail">FAIL</span>
std::string verdict_badge(Verdict verdict);
// "34 ms", "2.5 ms", "1.20 s"
std::string format_duration_ms(double ms);
// "1.2 KiB" style, for bytes sent.
std::string format_bytes(std::uint64_t bytes);

}  // namespace partcheck::runner::html
