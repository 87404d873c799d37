#pragma once
// `partcheck run --fuzz N --seed S`: random part sequences (reordered parts,
// gaps, overlaps, duplicates, sizes around 5 MiB, wrong totals, bad headers)
// sent to the target and to an embedded mock of the same profile (the
// oracle). A difference in any answer or in the stored bytes is shrunk to a
// minimal sequence and saved as a replayable YAML scenario.
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "runner/embedded_target.hpp"
#include "runner/results.hpp"
#include "runner/target.hpp"

namespace partcheck::runner {

struct FuzzOptions {
  unsigned count = 0;
  std::uint64_t seed = 1;
  EmbeddedOptions oracle;  // the oracle mock's profile (and deviations, to test the fuzzer)
  std::chrono::milliseconds timeout{30000};
};

struct FuzzReport {
  std::vector<ScenarioResult> results;                         // one per difference found
  std::vector<std::pair<std::string, std::string>> replays;  // file name, YAML scenario
  std::string summary;
};

FuzzReport run_fuzz(const Target& target, const FuzzOptions& options, std::ostream& log);

// A random sequence and its YAML form (exposed for tests).
struct FuzzPart {
  std::uint64_t start = 0, end = 0, total = 0, body_size = 0;
  std::string header;        // Content-Range as sent
  std::string content_type = "application/octet-stream";
};
std::vector<FuzzPart> random_sequence(std::uint64_t seed);

}  // namespace partcheck::runner
