#pragma once
// A bounded ring of the latest requests (`GET /__mock/journal`). Thread-safe.
#include <cstddef>
#include <deque>
#include <mutex>

#include <nlohmann/json.hpp>

#include "mock_server/admin/request_record.hpp"

namespace partcheck::mock {

class Journal {
 public:
  explicit Journal(std::size_t capacity);
  void record(const RequestRecord& record);
  // The newest `limit` entries, oldest first.
  nlohmann::json to_json(std::size_t limit) const;
  void clear();

 private:
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<RequestRecord> entries_;
  std::uint64_t sequence_ = 0;
};

}  // namespace partcheck::mock
