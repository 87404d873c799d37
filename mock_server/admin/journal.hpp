#pragma once
// A bounded ring of the latest requests (`GET /__mock/journal`). Thread-safe.
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/short_mutex.hpp"
#include "mock_server/admin/request_record.hpp"

namespace partcheck::mock {

// The value of a request header as the server keeps it: secrets
// (Authorization, Proxy-Authorization, X-Token, X-Admin-Key) are redacted,
// an authorization scheme stays: "Bearer <redacted>".
std::string kept_header_value(std::string_view name, std::string_view value);

class Journal {
 public:
  explicit Journal(std::size_t capacity);
  // Takes the record (the session moves its own in: no copy per request).
  void record(RequestRecord record);
  // The newest `limit` entries, oldest first.
  nlohmann::json to_json(std::size_t limit) const;
  void clear();

 private:
  std::size_t capacity_;
  mutable ShortMutex mutex_;
  std::deque<RequestRecord> entries_;
  std::uint64_t sequence_ = 0;
};

}  // namespace partcheck::mock
