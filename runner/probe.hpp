#pragma once
// Capability discovery: before the suite, a few cheap requests find out what
// the target offers beyond the reference (docs/scenarios.md, "Capabilities")
// and how to do what the reference leaves open: which auth header it takes,
// a writable directory when none is configured, how a directory is listed,
// where a moved file's id appears, whether it answers `Expect: 100-continue`.
// The probe uploads two 16-byte files and moves them into the directories it
// finds (`partcheck-probe-<hash>.bin`); nothing else is written.
#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include "runner/results.hpp"
#include "runner/target.hpp"

namespace partcheck::runner {

struct ProbeResult {
  std::vector<Capability> table;  // for the terminal and the reports
  std::string fatal;              // non-empty: the suite cannot run here, and what to configure
};

// Fills target.capabilities, target.api and the directories the config left
// empty; configured values (forced_on/off, api, directories) win over probed ones.
ProbeResult probe_target(Target& target, std::chrono::milliseconds timeout);

// The table of a target that is not probed (the embedded mock): its known capabilities.
std::vector<Capability> known_capability_table(const Target& target);

void print_capability_table(const std::vector<Capability>& table, std::ostream& out);

}  // namespace partcheck::runner
