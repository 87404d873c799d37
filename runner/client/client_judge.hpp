#pragma once
// Grades one run of an upload client (docs/contract.md, "Client rules"):
// the requests it sent (from the mock's journal), what ended in the
// directory, its exit status and what it reported. Pure: no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runner/client/child_process.hpp"
#include "runner/client/client_requests.hpp"
#include "runner/client/client_scenario.hpp"
#include "runner/results.hpp"

namespace partcheck::runner::client {

// A file that appeared in the directory while the client ran.
struct StoredFile {
  std::string id;
  std::string name;
  std::uint64_t size = 0;
  bool bytes_match = false;  // exactly the file the client was given
};

struct ClientObservation {
  std::vector<ClientRequest> requests;
  std::vector<StoredFile> new_files;
  std::string expected_name;  // the asked name, or the postfixed one when it was taken
  std::uint64_t file_size = 0;
  ChildResult exit;
  // PARTCHECK_RESULT as the client wrote it; nullopt: not written.
  std::optional<std::string> reported;
};

struct ClientGrade {
  std::vector<Judgement> judgements;  // aspect = rule id; only the scenario's rules
  Verdict verdict = Verdict::Pass;
  std::string reason;  // the first broken rules, one line
};

// `strict`: a broken SHOULD is FAIL instead of NON-STRICT.
ClientGrade grade_client(const ClientScenario& scenario, const ClientObservation& seen, bool strict);

}  // namespace partcheck::runner::client
