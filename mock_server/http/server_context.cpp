#include "mock_server/http/server_context.hpp"

#include <vector>

namespace partcheck::mock::http {

void SessionRegistry::add(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex_);
  sessions_[session.get()] = session;
}

void SessionRegistry::remove(const Session* session) {
  std::lock_guard lock(mutex_);
  sessions_.erase(session);
  if (sessions_.empty()) emptied_.notify_all();
}

void SessionRegistry::for_each(const std::function<void(const std::shared_ptr<Session>&)>& visit) {
  std::vector<std::shared_ptr<Session>> alive;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, weak] : sessions_)
      if (auto session = weak.lock()) alive.push_back(std::move(session));
  }
  for (const auto& session : alive) visit(session);  // outside the lock: visit may end a session
}

bool SessionRegistry::wait_empty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return emptied_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
}

}  // namespace partcheck::mock::http
