#include "mock_server/admin/stats.hpp"

#include "common/iso_time.hpp"

namespace partcheck::mock {

void Stats::record(const RequestRecord& record) {
  std::lock_guard lock(mutex_);
  ++requests_;
  bytes_in_ += record.bytes_in;
  bytes_out_ += record.bytes_out;
  // A part counts when it was accepted (206, or 200 for the completing one);
  // refused parts show up in errors_by_code instead.
  if (record.part && (record.status == 200 || record.status == 206)) ++parts_;
  if (record.completed_upload) ++uploads_completed_;
  ++by_status_[record.status];
  if (!record.code.empty()) ++errors_by_code_[record.code];
}

void Stats::connection_refused() {
  std::lock_guard lock(mutex_);
  ++connections_refused_;
}

void Stats::tls_handshake_failed() {
  std::lock_guard lock(mutex_);
  ++tls_handshake_failures_;
}

nlohmann::json Stats::to_json() const {
  std::lock_guard lock(mutex_);
  nlohmann::json by_status = nlohmann::json::object();
  for (const auto& [status, count] : by_status_) by_status[std::to_string(status)] = count;
  nlohmann::json errors = nlohmann::json::object();
  for (const auto& [code, count] : errors_by_code_) errors[code] = count;
  return {
      {"since", iso8601_utc(since_)},
      {"requests", requests_},
      {"bytes_in", bytes_in_},
      {"bytes_out", bytes_out_},
      {"parts", parts_},
      {"uploads_completed", uploads_completed_},
      {"connections_refused", connections_refused_},
      {"tls_handshake_failures", tls_handshake_failures_},
      {"by_status", std::move(by_status)},
      {"errors_by_code", std::move(errors)},
  };
}

void Stats::clear() {
  std::lock_guard lock(mutex_);
  requests_ = bytes_in_ = bytes_out_ = parts_ = uploads_completed_ = connections_refused_ = tls_handshake_failures_ = 0;
  by_status_.clear();
  errors_by_code_.clear();
  since_ = std::chrono::system_clock::now();
}

std::chrono::steady_clock::duration Stats::uptime() const { return std::chrono::steady_clock::now() - started_; }

}  // namespace partcheck::mock
