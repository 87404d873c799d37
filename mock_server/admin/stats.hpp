#pragma once
// Counters since start or the last reset (`GET /__mock/stats`): requests,
// body bytes in/out, parts, uploads completed, errors by code. Thread-safe.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "common/short_mutex.hpp"
#include "mock_server/admin/request_record.hpp"

namespace partcheck::mock {

class Stats {
 public:
  void record(const RequestRecord& record);
  void connection_refused();  // closed at accept: over --max-connections(-per-peer)
  void tls_handshake_failed();  // includes plain HTTP sent to a TLS listener
  nlohmann::json to_json() const;
  void clear();
  // Time since this object was made (the server's start); clear() keeps it.
  std::chrono::steady_clock::duration uptime() const;

 private:
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::system_clock::time_point since_ = std::chrono::system_clock::now();  // start or last clear()
  mutable ShortMutex mutex_;
  std::uint64_t requests_ = 0, bytes_in_ = 0, bytes_out_ = 0, parts_ = 0, uploads_completed_ = 0;
  std::uint64_t connections_refused_ = 0, tls_handshake_failures_ = 0;
  std::map<int, std::uint64_t> by_status_;
  std::map<std::string, std::uint64_t> errors_by_code_;
};

}  // namespace partcheck::mock
