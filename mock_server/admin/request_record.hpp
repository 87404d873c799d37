#pragma once
// One finished request, as the session saw it: fed to the journal, the stats
// and the per-request log line.
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace partcheck::mock {

struct RequestRecord {
  std::chrono::system_clock::time_point started;  // real time
  std::string remote;                             // "127.0.0.1:53412"
  std::string method;
  std::string target;                             // path and query
  // Request headers with secrets (Authorization, X-Token, X-Admin-Key) redacted.
  std::vector<std::pair<std::string, std::string>> headers;
  int status = 0;
  std::string code;  // error code name; empty on success
  int withheld_status = 0;  // the drop_response fault: the status carried out but never sent
  std::uint64_t bytes_in = 0;   // body bytes read
  std::uint64_t bytes_out = 0;  // body bytes sent
  double duration_ms = 0;       // header received -> response sent
  double first_byte_ms = 0;     // header received -> first response byte
  bool part = false;            // a part upload (temporary or directory)
  bool completed_upload = false;
  std::vector<std::string> fault_ids;  // armed faults that fired (FaultPlan::fault_ids)
};

}  // namespace partcheck::mock
