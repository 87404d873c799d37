#pragma once
// Faults the admin API arms (`POST /__mock/faults`) and the HTTP session
// applies: a delayed response, a connection reset after N body bytes, 503 (or
// any error status) to the next N requests, a slow reader, a response lost
// after the request was carried out, a jump of the mock clock. A fault can aim at one upload, one part
// (by offset or index), one API key, and at the Nth matching request
// (`after`). Thread-safe.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace partcheck::mock {

// What the session must do to one request.
struct FaultPlan {
  std::chrono::milliseconds delay{0};                   // before sending the response
  std::optional<std::uint64_t> reset_after_body_bytes;  // close the socket hard after this many body bytes
  int status = 0;                                       // answer this error status at once (503: unavailable)
  std::uint64_t read_bytes_per_second = 0;              // 0: read at full speed
  bool drop_response = false;                           // carry the request out, then reset instead of answering
  std::chrono::seconds advance_clock{0};                // move the mock clock on before handling the request
  std::vector<std::string> fault_ids;                   // which armed faults fired (for the journal)
  bool any() const {
    return delay.count() > 0 || reset_after_body_bytes || status != 0 || read_bytes_per_second > 0 || drop_response ||
           advance_clock.count() > 0;
  }
};

// What a fault can match on, as the session knows it at the request's headers.
struct FaultRequest {
  std::string_view method;
  std::string_view path;                    // a query is ignored
  std::optional<std::string> hash;          // the `hash` parameter, canonical when a uuid
  std::optional<std::uint64_t> part_start;  // a part upload's Content-Range start
  std::optional<std::uint64_t> part_index;  // its place in the upload's equal parts (0: the first)
  std::string api_key;                      // Bearer or X-Token value; empty: none
};

class FaultInjector {
 public:
  // The plan for a request; consumes one use of every fault that matches.
  FaultPlan plan_for(const FaultRequest& request);
  FaultPlan plan_for(std::string_view method, std::string_view path) {
    return plan_for(FaultRequest{method, path, std::nullopt, std::nullopt, std::nullopt, {}});
  }

  // Admin API: add one fault from its JSON form (see docs/admin-api.md);
  // returns the stored fault with its id, or an error message.
  struct AddResult {
    std::optional<nlohmann::json> fault;
    std::string error;
  };
  AddResult add(const nlohmann::json& spec);
  nlohmann::json list() const;
  bool remove(const std::string& id);
  void clear();
  // Whether any fault is armed: without one, a request need not be matched
  // (nor its part located in the store) at all.
  bool any_armed() const { return armed_.load(std::memory_order_acquire); }

 private:
  enum class Kind { Delay, ResetAfterBytes, Unavailable, SlowRead, Status, DropResponse, AdvanceClock };
  struct Fault {
    std::string id;  // "f1", "f2", ... in arming order
    Kind kind = Kind::Delay;
    std::uint64_t amount = 0;  // ms, bytes, bytes per second, status or seconds, by kind
    std::string method;        // upper case; empty: any method
    std::string path_prefix;   // empty: any path
    std::optional<std::string> hash;
    std::optional<std::uint64_t> part_start, part_index;
    std::optional<std::string> api_key;
    std::uint64_t after = 0;   // matching requests let through before it fires
    std::uint64_t seen = 0;    // matching requests so far
    std::uint64_t count = 1;   // uses armed; 0: until removed
    std::uint64_t fired = 0;   // uses consumed
  };
  static nlohmann::json to_json(const Fault& fault);
  static std::string parse_match(const nlohmann::json& match, Fault& fault);  // "" or the error
  static bool matches(const Fault& fault, const FaultRequest& request);

  mutable std::mutex mutex_;
  std::vector<Fault> faults_;  // arming order
  std::atomic<bool> armed_{false};  // !faults_.empty(), readable without the mutex
  std::uint64_t next_id_ = 1;
};

}  // namespace partcheck::mock
