#pragma once
// junit.xml for CI dashboards: one <testsuite> per rule family, one <testcase>
// per scenario. FAIL is a <failure> with expected/actual and the curl line that
// reproduces it; SKIPPED is <skipped>; NON-STRICT and INFORMATIONAL pass, with
// a <system-out> saying what the target did.
#include <string>

#include "runner/results.hpp"

namespace partcheck::runner {

std::string render_junit(const RunResult& run);

}  // namespace partcheck::runner
