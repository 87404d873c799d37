#pragma once
// What every session shares: the configuration, the store, the admin-side
// objects, the pool for blocking work and the set of live sessions (so a
// graceful stop can reach them).
#include <atomic>
#include <condition_variable>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/thread_pool.hpp>

#include "mock_server/admin/fault_injector.hpp"
#include "mock_server/admin/journal.hpp"
#include "mock_server/admin/stats.hpp"
#include "mock_server/server_config.hpp"
#include "mock_server/store/store.hpp"

namespace partcheck::mock::http {

class Session;

class SessionRegistry {
 public:
  void add(const std::shared_ptr<Session>& session);
  void remove(const Session* session);
  void for_each(const std::function<void(const std::shared_ptr<Session>&)>& visit);
  // True when every session has ended before `deadline`.
  bool wait_empty(std::chrono::steady_clock::time_point deadline);

 private:
  std::mutex mutex_;
  std::condition_variable emptied_;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions_;
};

struct ServerContext {
  const ServerConfig& config;
  Store& store;
  FaultInjector& faults;
  Journal& journal;
  Stats& stats;
  boost::asio::thread_pool& blocking;  // fsync-bound finish() calls, TTL sweeps
  std::string listen_authority;        // "127.0.0.1:8080", for links when a request has no Host
  std::atomic<bool> stopping{false};
  SessionRegistry sessions;
};

}  // namespace partcheck::mock::http
