#include "mock_server/server.hpp"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "contract/uuid.hpp"
#include "mock_server/admin/fault_injector.hpp"
#include "mock_server/admin/journal.hpp"
#include "mock_server/admin/stats.hpp"
#include "mock_server/failure.hpp"
#include "mock_server/free_memory.hpp"
#include "mock_server/http/listener.hpp"
#include "mock_server/http/server_context.hpp"
#include "mock_server/http/session.hpp"
#include "mock_server/store/store.hpp"
#include "mock_server/tls_setup.hpp"
#include "net/server_tls.hpp"

namespace partcheck::mock {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// In-flight requests get this long to finish once stop() is called.
constexpr std::chrono::seconds kStopGrace{5};
constexpr std::chrono::seconds kSweepInterval{1};
// Every this many sweeps the allocator's free pages go back to the system
// (free_memory.hpp): often enough that RSS tracks what is held, rarely
// enough that its cost (a walk of the free spans) does not show.
constexpr std::uint64_t kFreeMemoryEvery = 10;
// Finishing a part with --fsync always waits in a group flush (SyncGroup):
// each waiting completion holds a thread, so the pool must be about as large
// as the concurrency for flushes to be shared. Otherwise two threads do.
constexpr std::size_t kBlockingThreads = 2;
constexpr std::size_t kBlockingThreadsDurable = 64;
std::size_t blocking_threads(const ServerConfig& config) {
  const bool durable = config.storage == StorageKind::Disk && config.fsync == FsyncPolicy::Always;
  return durable ? kBlockingThreadsDurable : kBlockingThreads;
}

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

tcp::acceptor bind_acceptor(asio::io_context& io, const std::string& host, std::uint16_t port) {
  auto endpoint = resolve(io, host, port);
  tcp::acceptor acceptor(io);
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  return acceptor;
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
  std::optional<asio::ssl::context> tls_context;  // TLS sessions hold its SSL_CTX
  TlsFiles tls_files;
  // Declared after what sessions use (the above): handlers still queued when
  // the io context goes hold sessions, and their destructors reach the context.
  // One io_context per I/O thread, each run by its own thread alone: a
  // connection stays on one for its life, so its handlers need no strand and
  // threads never contend for (or wake each other through) one shared queue.
  // The first also runs the acceptors and the sweep timer.
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::atomic<std::size_t> next_io{0};
  asio::thread_pool blocking{blocking_threads(config)};
  // Plain HTTP first when there is one; at most one of each kind.
  std::vector<std::shared_ptr<http::Listener>> listeners;
  std::optional<asio::steady_timer> sweeper;
  std::uint64_t sweeps = 0;  // touched by the sweeper's handler only
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  std::string url, plain_url, tls_url;

  std::mutex mutex;
  std::condition_variable stopped_cv;
  bool started = false, stopped = false;

  explicit Impl(ServerConfig c)
      : config(with_api_key(std::move(c))), journal(config.journal_capacity) {
    for (unsigned i = 0; i < config.threads; ++i) ios.push_back(std::make_unique<asio::io_context>(1));
    sweeper.emplace(*ios.front());
  }

  asio::io_context& io() { return *ios.front(); }
  // Where the next connection lives: round robin over the I/O threads.
  asio::io_context& pick_io() { return *ios[next_io.fetch_add(1, std::memory_order_relaxed) % ios.size()]; }

  void sweep() {
    sweeper->expires_after(kSweepInterval);
    sweeper->async_wait([this](boost::system::error_code ec) {
      if (ec || context->stopping) return;
      // Removing expired uploads touches the disk: keep it off the io threads.
      const bool release = ++sweeps % kFreeMemoryEvery == 0;
      asio::post(blocking, [this, release] {
        try {
          store->sweep_expired();
        } catch (const std::exception&) {
          // The next sweep tries again; a failing disk shows up in requests too.
        }
        if (release) return_free_memory();
      });
      sweep();
    });
  }
};

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  auto& s = *impl_;
  if (s.config.tls_listen && !s.config.tls) throw std::runtime_error("an HTTPS listener needs a TLS certificate");
  const bool tls_apart = s.config.tls && s.config.tls_listen;
  const bool plain = !s.config.tls || (tls_apart && s.config.listen_plain);
  const auto tls_host = tls_apart ? s.config.tls_listen->host : s.config.listen_host;
  const auto tls_port = tls_apart ? s.config.tls_listen->port : s.config.listen_port;
  s.store = std::make_unique<Store>(s.config, s.clock);
  if (s.config.tls) {
    s.tls_files = prepare_tls_files(s.config, tls_host);
    s.tls_context.emplace(net::make_server_tls_context(
        {s.tls_files.cert_file, s.tls_files.key_file, s.config.tls->client_ca_file, s.config.tls->min_version}));
  }
  std::optional<tcp::acceptor> plain_acceptor, tls_acceptor;
  if (plain) {
    plain_acceptor.emplace(bind_acceptor(s.io(), s.config.listen_host, s.config.listen_port));
    s.plain_url = "http://" + authority(plain_acceptor->local_endpoint(), s.config.listen_host);
  }
  if (s.tls_context) {
    tls_acceptor.emplace(bind_acceptor(s.io(), tls_host, tls_port));
    s.tls_url = "https://" + authority(tls_acceptor->local_endpoint(), tls_host);
  }
  s.url = plain ? s.plain_url : s.tls_url;
  s.port = (plain ? plain_acceptor : tls_acceptor)->local_endpoint().port();
  s.context.reset(new http::ServerContext{s.config, *s.store, s.faults, s.journal, s.stats, s.blocking,
                                          plain ? link_base(s.config.public_url, s.plain_url) : std::string(),
                                          s.tls_context ? link_base(s.config.public_url, s.tls_url) : std::string(),
                                          {}, {}});
  if (auto reason = s.store->read_only_reason())
    log_line("the data dir cannot be written (" + *reason +
             "): read-only, part uploads and moves answer 503 until a write succeeds");
  const http::Listener::PickIo pick = [&s]() -> asio::io_context& { return s.pick_io(); };
  if (plain_acceptor)
    s.listeners.push_back(std::make_shared<http::Listener>(std::move(*plain_acceptor), pick, *s.context));
  if (tls_acceptor)
    s.listeners.push_back(
        std::make_shared<http::Listener>(std::move(*tls_acceptor), pick, *s.context, &*s.tls_context));
}

Server::~Server() { stop(); }

std::string Server::url() const { return impl_->url; }
std::string Server::plain_url() const { return impl_->plain_url; }
std::string Server::tls_url() const { return impl_->tls_url; }
const std::filesystem::path& Server::tls_certificate() const { return impl_->tls_files.cert_file; }
bool Server::tls_self_signed() const { return impl_->tls_files.self_signed; }
std::uint16_t Server::port() const { return impl_->port; }
const std::string& Server::root_directory_id() const { return impl_->store->root_directory_id(); }
const std::vector<std::string>& Server::api_keys() const { return impl_->config.api_keys; }
const ServerConfig& Server::config() const { return impl_->config; }
Store& Server::store() { return *impl_->store; }
FaultInjector& Server::faults() { return impl_->faults; }
const Journal& Server::journal() const { return impl_->journal; }

void Server::start() {
  auto& s = *impl_;
  {
    std::lock_guard lock(s.mutex);
    if (s.started || s.stopped) return;
    s.started = true;
  }
  for (auto& io : s.ios) s.work.push_back(asio::make_work_guard(*io));
  for (auto& listener : s.listeners) listener->start();
  s.sweep();
  for (auto& io : s.ios) s.threads.emplace_back([&io = *io] { run_io_until_stopped(io); });
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
  for (auto& listener : s.listeners) listener->stop();
  asio::post(s.io(), [&s] { s.sweeper->cancel(); });
  // Idle connections close now; busy ones after their answer (Connection: close).
  s.context->sessions.for_each([](const std::shared_ptr<http::Session>& session) { session->stop(false); });
  if (!s.threads.empty() && !s.context->sessions.wait_empty(std::chrono::steady_clock::now() + kStopGrace)) {
    // Past the grace period: cut what is left.
    s.context->sessions.for_each([](const std::shared_ptr<http::Session>& session) { session->stop(true); });
    s.context->sessions.wait_empty(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  }
  s.work.clear();
  for (auto& io : s.ios) io->stop();
  for (auto& thread : s.threads)
    if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
  s.blocking.join();
  {
    std::lock_guard lock(s.mutex);
    s.stopped_cv.notify_all();
  }
}

}  // namespace partcheck::mock
