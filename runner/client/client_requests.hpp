#pragma once
// What the client sent, read from the mock's journal (GET /__mock/journal's
// JSON): one entry per request, in the order the mock finished them, with
// what a judge needs (the part's range, whether the client heard an answer).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/content_range.hpp"

namespace partcheck::runner::client {

enum class Endpoint { Part, Move, Other };

struct ClientRequest {
  std::uint64_t seq = 0;
  double at_ms = 0;        // began, in ms after the client was started
  double duration_ms = 0;
  std::string method;
  std::string target;      // path and query
  Endpoint endpoint = Endpoint::Other;
  std::optional<std::string> hash;  // canonical
  std::optional<std::string> content_range;     // as sent
  std::optional<contract::ContentRange> range;  // when it parses (exclusive end)
  std::optional<std::uint64_t> content_length;
  std::string content_type;
  int status = 0;          // as the client heard it: 0 when no answer reached it
  std::string code;
  int withheld_status = 0; // carried out, answer dropped by a fault
  std::uint64_t bytes_in = 0;
  std::vector<std::string> faults;
  std::vector<std::pair<std::string, std::string>> headers;

  // The client heard a 2xx: for a part, its bytes are acknowledged.
  bool acknowledged() const { return status >= 200 && status < 300; }
  // A failure worth retrying: no answer, 5xx, 408 or 429.
  bool retryable_failure() const { return status == 0 || status >= 500 || status == 408 || status == 429; }
  // A request sent again is "the same" when these match.
  std::string identity() const;
  std::string label() const;  // "part 0-5242880/12595257", "move", "POST /pub/v1/disk/directory/list"
};

// The entries with seq > after_seq that are not admin requests. `started` is
// when the client was started (real time, as the journal's times are).
// Throws std::runtime_error when the JSON is not a journal.
std::vector<ClientRequest> client_requests(const nlohmann::json& journal, std::uint64_t after_seq,
                                           std::chrono::system_clock::time_point started);

}  // namespace partcheck::runner::client
