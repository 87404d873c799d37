#pragma once
// index.html: one self-contained page (inline CSS and JS, no network, works
// from file://). With one run: totals, the rule x verdict matrix and every
// scenario with its judgements and transcript, filterable. With several runs:
// a side-by-side comparison of the targets, differences highlighted.
#include <string>
#include <vector>

#include "runner/results.hpp"

namespace partcheck::runner {

// Throws std::invalid_argument when `runs` is empty.
std::string render_html(const std::vector<RunResult>& runs);

}  // namespace partcheck::runner
