#include "mock_server/server.hpp"

#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "contract/uuid.hpp"
#include "mock_server/admin/fault_injector.hpp"
#include "mock_server/admin/journal.hpp"
#include "mock_server/admin/stats.hpp"
#include "mock_server/failure.hpp"
#include "mock_server/http/listener.hpp"
#include "mock_server/http/server_context.hpp"
#include "mock_server/http/session.hpp"
#include "mock_server/store/store.hpp"

namespace partcheck::mock {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// In-flight requests get this long to finish once stop() is called.
constexpr std::chrono::seconds kStopGrace{5};
constexpr std::chrono::seconds kSweepInterval{1};
constexpr int kBlockingThreads = 2;

ServerConfig with_api_key(ServerConfig config) {
  if (config.api_keys.empty()) config.api_keys.push_back(contract::new_uuid());
  if (config.threads == 0) config.threads = 1;
  return config;
}

tcp::endpoint resolve(asio::io_context& io, const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (!ec) return {address, port};
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty())
    throw std::runtime_error("cannot resolve listen host '" + host + "': " + ec.message());
  return results.begin()->endpoint();
}

std::string authority(const tcp::endpoint& endpoint, const std::string& host) {
  std::string shown = host;
  if (endpoint.address().is_v6() && shown.find(':') != std::string::npos) shown = "[" + shown + "]";
  return shown + ":" + std::to_string(endpoint.port());
}

// --public-url without its trailing slashes, or why it is no base for links.
std::string link_base(const std::optional<std::string>& public_url, const std::string& listen_url) {
  if (!public_url) return listen_url;
  std::string base = *public_url;
  while (base.ends_with('/')) base.pop_back();
  const auto scheme_end = base.find("://");
  const bool http = base.starts_with("http://") || base.starts_with("https://");
  if (!http || base.size() == scheme_end + 3 ||
      base.find_first_of(" \t\r\n?#") != std::string::npos)
    throw std::runtime_error("--public-url '" + *public_url +
                             "': expected http:// or https:// and a host, without query or fragment");
  return base;
}

void log_line(const std::string& text) {
  const auto line = "partcheck serve: " + text + "\n";
  [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
}

}  // namespace

struct Server::Impl {
  ServerConfig config;
  Clock clock;
  std::unique_ptr<Store> store;
  FaultInjector faults;
  Journal journal;
  Stats stats;
  std::unique_ptr<http::ServerContext> context;
  // Declared after what sessions use: handlers still queued when the io
  // context goes hold sessions, and their destructors reach the context.
  asio::io_context io;
  asio::thread_pool blocking{kBlockingThreads};
  std::shared_ptr<http::Listener> listener;
  asio::steady_timer sweeper{io};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  std::string url;

  std::mutex mutex;
  std::condition_variable stopped_cv;
  bool started = false, stopped = false;

  explicit Impl(ServerConfig c)
      : config(with_api_key(std::move(c))), journal(config.journal_capacity), io(static_cast<int>(config.threads)) {}

  void sweep() {
    sweeper.expires_after(kSweepInterval);
    sweeper.async_wait([this](boost::system::error_code ec) {
      if (ec || context->stopping) return;
      // Removing expired uploads touches the disk: keep it off the io threads.
      asio::post(blocking, [this] {
        try {
          store->sweep_expired();
        } catch (const std::exception&) {
          // The next sweep tries again; a failing disk shows up in requests too.
        }
      });
      sweep();
    });
  }
};

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  auto& s = *impl_;
  s.store = std::make_unique<Store>(s.config, s.clock);
  auto endpoint = resolve(s.io, s.config.listen_host, s.config.listen_port);
  tcp::acceptor acceptor(s.io);
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + s.config.listen_host + ":" + std::to_string(s.config.listen_port) +
                             ": " + ec.message());
  auto bound = acceptor.local_endpoint();
  s.port = bound.port();
  auto listen_authority = authority(bound, s.config.listen_host);
  s.url = "http://" + listen_authority;
  s.context.reset(new http::ServerContext{s.config, *s.store, s.faults, s.journal, s.stats, s.blocking,
                                          link_base(s.config.public_url, s.url), {}, {}});
  if (auto reason = s.store->read_only_reason())
    log_line("the data dir cannot be written (" + *reason +
             "): read-only, part uploads and moves answer 503 until a write succeeds");
  s.listener = std::make_shared<http::Listener>(s.io, std::move(acceptor), *s.context);
}

Server::~Server() { stop(); }

std::string Server::url() const { return impl_->url; }
std::uint16_t Server::port() const { return impl_->port; }
const std::string& Server::root_directory_id() const { return impl_->store->root_directory_id(); }
const std::vector<std::string>& Server::api_keys() const { return impl_->config.api_keys; }
const ServerConfig& Server::config() const { return impl_->config; }
Store& Server::store() { return *impl_->store; }

void Server::start() {
  auto& s = *impl_;
  {
    std::lock_guard lock(s.mutex);
    if (s.started || s.stopped) return;
    s.started = true;
  }
  s.work.emplace(s.io.get_executor());
  s.listener->start();
  s.sweep();
  for (unsigned i = 0; i < s.config.threads; ++i) s.threads.emplace_back([&s] { run_io_until_stopped(s.io); });
}

void Server::wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->stopped_cv.wait(lock, [this] { return impl_->stopped || !impl_->started; });
}

void Server::stop() {
  auto& s = *impl_;
  {
    std::lock_guard lock(s.mutex);
    if (s.stopped) return;
    s.stopped = true;
  }
  s.context->stopping = true;
  s.listener->stop();
  asio::post(s.io, [&s] { s.sweeper.cancel(); });
  // Idle connections close now; busy ones after their answer (Connection: close).
  s.context->sessions.for_each([](const std::shared_ptr<http::Session>& session) { session->stop(false); });
  if (!s.threads.empty() && !s.context->sessions.wait_empty(std::chrono::steady_clock::now() + kStopGrace)) {
    // Past the grace period: cut what is left.
    s.context->sessions.for_each([](const std::shared_ptr<http::Session>& session) { session->stop(true); });
    s.context->sessions.wait_empty(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  }
  s.work.reset();
  s.io.stop();
  for (auto& thread : s.threads)
    if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
  s.blocking.join();
  {
    std::lock_guard lock(s.mutex);
    s.stopped_cv.notify_all();
  }
}

}  // namespace partcheck::mock
