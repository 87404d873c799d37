#pragma once
// The mock server as a library: `partcheck serve` runs one, and the runner and
// the benchmark embed one (on a free port) when no target is given.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "mock_server/server_config.hpp"

namespace partcheck::mock {

class Store;
class FaultInjector;
class Journal;

class Server {
 public:
  // Opens the store, sets up TLS and binds the listeners (port 0: the kernel
  // picks one). Throws std::runtime_error with a message for people when it cannot.
  explicit Server(ServerConfig config);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The first listener: plain HTTP when there is one ("http://127.0.0.1:PORT"),
  // else HTTPS; port() is its port.
  std::string url() const;
  std::uint16_t port() const;
  std::string plain_url() const;  // empty when only HTTPS is served
  std::string tls_url() const;    // "https://127.0.0.1:PORT"; empty without TLS
  // The certificate the HTTPS listener presents (empty without TLS), and
  // whether it is the --tls-self-signed one in <data-dir>/tls/.
  const std::filesystem::path& tls_certificate() const;
  bool tls_self_signed() const;
  const std::string& root_directory_id() const;
  const std::vector<std::string>& api_keys() const;  // includes a generated one
  const ServerConfig& config() const;
  Store& store();
  // What the admin API arms and reads, for an embedding program (partcheck
  // client arms a scenario's faults and judges the client from the journal).
  FaultInjector& faults();
  const Journal& journal() const;

  void start();  // serves on config.threads background threads; returns at once
  void wait();   // blocks until stop() (or a signal handled by the caller) ends serving
  // Stops accepting, lets in-flight requests finish for a grace period, then
  // cuts them; joins the threads. Safe to call twice and from any thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace partcheck::mock
