#pragma once
// A scenario's requests on a time axis (inline SVG): which request ran when,
// for how long, and how it ended. `partcheck client` shows what the client
// did under a fault this way: the reset part, the pause, the retry.
#include <string>

#include "runner/results.hpp"

namespace partcheck::runner::html {

// Empty when no request of the scenario knows when it began (RequestLog::at_ms).
std::string render_timeline(const ScenarioResult& scenario);

}  // namespace partcheck::runner::html
