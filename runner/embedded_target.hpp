#pragma once
// The default target: the reference mock server started in-process on a free
// loopback port with memory storage, a second writable directory, a
// directory with a small quota and a read-only one. Profile and deviations
// are selectable so the suite can be pointed at a broken mock on purpose.
#include <memory>
#include <string>
#include <vector>

#include "runner/target.hpp"

namespace partcheck::mock {
class Server;
}

namespace partcheck::runner {

struct EmbeddedOptions {
  std::string profile = "strict";       // strict | s3 | lenient
  std::vector<std::string> deviations;  // rule ids (mock --deviate)
  unsigned threads = 4;
};

class EmbeddedTarget {
 public:
  // Throws std::invalid_argument for an unknown profile or deviation.
  explicit EmbeddedTarget(const EmbeddedOptions& options);
  ~EmbeddedTarget();
  EmbeddedTarget(const EmbeddedTarget&) = delete;
  EmbeddedTarget& operator=(const EmbeddedTarget&) = delete;

  const Target& target() const { return target_; }

 private:
  std::unique_ptr<mock::Server> server_;
  Target target_;
};

inline constexpr std::uint64_t kEmbeddedQuota = 6 * 1024 * 1024;

}  // namespace partcheck::runner
