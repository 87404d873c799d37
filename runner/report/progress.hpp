#pragma once
// Live progress of `partcheck run` on the terminal. Interactive (a tty): one
// bar redrawn in place with counts by verdict. Otherwise (CI logs): one plain
// line per scenario, `[12/80] PASS RANGE-2-length-short (34 ms)`, and the
// details of every FAIL (rule, expected, actual, curl) right under it.
#include <cstddef>
#include <iosfwd>
#include <mutex>

#include "runner/results.hpp"

namespace partcheck::runner {

class Progress {
 public:
  // total: number of scenarios that will be reported through scenario_done().
  Progress(std::size_t total, bool interactive, std::ostream& out);

  // Safe to call from several executor threads at once.
  void scenario_done(const ScenarioResult& result);
  // Clears the bar (interactive) and prints the totals by verdict and by rule family.
  void finish(const RunResult& run);

 private:
  void draw_bar();  // caller holds mutex_

  std::mutex mutex_;
  std::ostream& out_;
  std::size_t total_;
  bool interactive_;
  std::size_t done_ = 0;
  std::size_t counts_[5] = {};  // indexed by Verdict
};

}  // namespace partcheck::runner
