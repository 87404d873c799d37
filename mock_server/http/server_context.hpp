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
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include <boost/asio/thread_pool.hpp>

#include "mock_server/admin/fault_injector.hpp"
#include "mock_server/admin/journal.hpp"
#include "mock_server/admin/stats.hpp"
#include "mock_server/server_config.hpp"
#include "mock_server/store/store.hpp"

namespace partcheck::mock::http {

class Session;
class SessionRegistry;

// One counted connection of a client address; uncounted when destroyed.
class Admission {
 public:
  Admission(SessionRegistry& registry, std::string peer) : registry_(&registry), peer_(std::move(peer)) {}
  Admission(Admission&& other) noexcept : registry_(std::exchange(other.registry_, nullptr)), peer_(std::move(other.peer_)) {}
  Admission& operator=(Admission&&) = delete;
  ~Admission();

 private:
  SessionRegistry* registry_;
  std::string peer_;
};

class SessionRegistry {
 public:
  // Counts a new connection from `peer` (its address), or nothing when that
  // would pass `max_total` or `max_per_peer`: the caller closes it then.
  std::optional<Admission> admit(const std::string& peer, std::size_t max_total, std::size_t max_per_peer);
  void add(const std::shared_ptr<Session>& session);
  void remove(const Session* session);
  void for_each(const std::function<void(const std::shared_ptr<Session>&)>& visit);
  // True when every session has ended before `deadline`.
  bool wait_empty(std::chrono::steady_clock::time_point deadline);

 private:
  std::mutex mutex_;
  std::condition_variable emptied_;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions_;
  std::unordered_map<std::string, std::size_t> per_peer_;  // admitted connections by address
  std::size_t admitted_ = 0;

  friend class Admission;
  void release(const std::string& peer);
};

struct ServerContext {
  const ServerConfig& config;
  Store& store;
  FaultInjector& faults;
  Journal& journal;
  Stats& stats;
  boost::asio::thread_pool& blocking;  // fsync-bound finish() calls, TTL sweeps
  // Download links start with these: --public-url, else the scheme and bound
  // address of the listener the request came in on (link_base for plain
  // HTTP, tls_link_base for HTTPS); never the client's Host header (it could
  // point anywhere).
  std::string link_base;
  std::string tls_link_base;
  std::atomic<bool> stopping{false};
  SessionRegistry sessions;
};

}  // namespace partcheck::mock::http
