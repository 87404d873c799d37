#include "mock_server/http/server_context.hpp"

#include <vector>

namespace partcheck::mock::http {

Admission::~Admission() {
  if (registry_) registry_->release(peer_);
}

std::optional<Admission> SessionRegistry::admit(const std::string& peer, std::size_t max_total,
                                                std::size_t max_per_peer) {
  std::lock_guard lock(mutex_);
  auto& from_peer = per_peer_[peer];
  if (admitted_ >= max_total || from_peer >= max_per_peer) {
    if (from_peer == 0) per_peer_.erase(peer);
    return std::nullopt;
  }
  ++admitted_;
  ++from_peer;
  return Admission(*this, peer);
}

void SessionRegistry::release(const std::string& peer) {
  std::lock_guard lock(mutex_);
  --admitted_;
  if (auto it = per_peer_.find(peer); it != per_peer_.end() && --it->second == 0) per_peer_.erase(it);
}

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
