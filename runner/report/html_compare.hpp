#pragma once
// The comparison page of `partcheck report html A.json B.json ...`.
#include <string>
#include <vector>

#include "runner/results.hpp"

namespace partcheck::runner::html {

std::string render_comparison(const std::vector<RunResult>& runs);

}  // namespace partcheck::runner::html
