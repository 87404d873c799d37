#pragma once
// Runs one scenario against a target: resolves `${...}`, sends the requests,
// keeps a model of every uploaded file (which bytes were sent and accepted)
// and judges each response and the whole sequence.
#include <chrono>
#include <cstdint>

#include "runner/results.hpp"
#include "runner/scenario.hpp"
#include "runner/target.hpp"

namespace partcheck::runner {

struct ExecOptions {
  std::uint64_t seed = 1;        // file contents derive from it; hashes are fresh per run
  bool strict = false;           // SHOULD expectations missed are FAIL, not NON-STRICT
  std::chrono::milliseconds timeout{30000};  // per request: longer is a hang
};

ScenarioResult run_scenario(const Scenario& scenario, const Target& target, const ExecOptions& options);

}  // namespace partcheck::runner
