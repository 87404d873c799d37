#include "bench/calibration.hpp"
#include "bench/socket_tuning.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "contract/data_source.hpp"
#include "contract/digest.hpp"

namespace partcheck::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string human_size(std::size_t bytes) {
  return bytes >= (1u << 20) ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes >> 10) + " KiB";
}

// One direction of the pump: a sender writing one constant buffer in a loop
// and a receiver reading into its own buffer and dropping the bytes.
struct PumpPair {
  PumpPair(asio::io_context& sender_io, asio::io_context& receiver_io, std::size_t size)
      : out(sender_io), in(receiver_io), send_buffer(size, 'x'), receive_buffer(size) {}
  tcp::socket out, in;
  std::vector<char> send_buffer, receive_buffer;
  std::atomic<std::uint64_t> received{0};
  std::atomic<bool> stop{false};

  void pump_send() {
    asio::async_write(out, asio::buffer(send_buffer), [this](boost::system::error_code ec, std::size_t) {
      if (!ec && !stop) pump_send();
    });
  }
  void pump_receive() {
    in.async_read_some(asio::buffer(receive_buffer), [this](boost::system::error_code ec, std::size_t n) {
      received.fetch_add(n, std::memory_order_relaxed);
      if (!ec && !stop) pump_receive();
    });
  }
};

}  // namespace

Ceiling measure_tcp_loopback(unsigned connections, std::size_t io_buffer, double seconds) {
  // Sender and receiver on their own threads, as the bench client and the
  // embedded server are in their own processes.
  asio::io_context sender_io, receiver_io;
  tcp::acceptor acceptor(receiver_io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::vector<std::unique_ptr<PumpPair>> pairs;
  for (unsigned i = 0; i < connections; ++i) {
    auto pair = std::make_unique<PumpPair>(sender_io, receiver_io, io_buffer);
    pair->out.connect(acceptor.local_endpoint());
    acceptor.accept(pair->in);
    tune_sending_socket(pair->out);
    pairs.push_back(std::move(pair));
  }
  for (auto& p : pairs) {
    p->pump_send();
    p->pump_receive();
  }
  std::thread sender([&] { sender_io.run(); });
  std::thread receiver([&] { receiver_io.run(); });
  // Skip the first fifth: slow start and buffer growth are not the ceiling.
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds / 5));
  std::uint64_t start_bytes = 0;
  for (auto& p : pairs) start_bytes += p->received;
  const auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  std::uint64_t bytes = 0;
  for (auto& p : pairs) bytes += p->received;
  const double elapsed = since(start);
  for (auto& p : pairs) p->stop = true;
  for (auto& p : pairs) {
    boost::system::error_code ignored;
    p->out.shutdown(tcp::socket::shutdown_both, ignored);
    p->in.shutdown(tcp::socket::shutdown_both, ignored);
  }
  sender_io.stop();
  receiver_io.stop();
  sender.join();
  receiver.join();
  return {"tcp-loopback", static_cast<double>(bytes - start_bytes) / elapsed,
          std::to_string(connections) + " connection(s), " + human_size(io_buffer) + " writes"};
}

Ceiling measure_disk_write(const std::filesystem::path& dir, std::uint64_t bytes) {
  const auto path = dir / ("partcheck-calibrate-" + std::to_string(::getpid()));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("calibration: cannot write in " + dir.string() + ": " + std::strerror(errno));
  std::vector<char> buffer(1u << 20);
  contract::DataSource(3).fill(0, std::span(buffer));
  const auto start = Clock::now();
  std::uint64_t written = 0;
  bool ok = true;
  while (ok && written < bytes) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), bytes - written));
    ok = ::write(fd, buffer.data(), n) == static_cast<ssize_t>(n);
    written += n;
  }
  ok = ok && ::fsync(fd) == 0;
  const double elapsed = since(start);
  ::close(fd);
  std::filesystem::remove(path);
  if (!ok) throw std::runtime_error("calibration: writing " + path.string() + " failed: " + std::strerror(errno));
  return {"disk-write-fsync", static_cast<double>(bytes) / elapsed,
          human_size(static_cast<std::size_t>(bytes)) + " then fsync in " + dir.string()};
}

Ceiling measure_generator(double seconds) {
  std::vector<char> buffer(1u << 20);
  contract::DataSource source(11);
  std::uint64_t offset = 0;
  const auto start = Clock::now();
  while (since(start) < seconds) {
    source.fill(offset, std::span(buffer));
    offset += buffer.size();
  }
  return {"generator", static_cast<double>(offset) / since(start), "seeded data source, one core, 1 MiB fills"};
}

Ceiling measure_xxh3(double seconds) {
  std::vector<char> buffer(1u << 20);
  contract::DataSource(5).fill(0, std::span(buffer));
  contract::Digest digest(contract::DigestAlgorithm::Xxh3_128);
  std::uint64_t bytes = 0;
  const auto start = Clock::now();
  while (since(start) < seconds) {
    digest.update(std::as_bytes(std::span(buffer)));
    bytes += buffer.size();
  }
  return {"xxh3", static_cast<double>(bytes) / since(start), "XXH3-128, one core, 1 MiB updates (cache-warm)"};
}

Calibration calibrate(const CalibrationPlan& plan) {
  Calibration c;
  auto consider = [&](const Ceiling& ceiling, bool relevant) {
    c.ceilings.push_back(ceiling);
    if (relevant && (c.limiting.empty() || ceiling.bytes_per_s < c.limiting_bytes_per_s)) {
      c.limiting = ceiling.name;
      c.limiting_bytes_per_s = ceiling.bytes_per_s;
    }
  };
  consider(measure_tcp_loopback(plan.connections, plan.io_buffer, plan.seconds_per_probe), plan.loopback_target);
  if (plan.disk_dir) consider(measure_disk_write(*plan.disk_dir, plan.part_size), true);
  consider(measure_generator(plan.seconds_per_probe / 2), plan.generator_relevant);
  consider(measure_xxh3(plan.seconds_per_probe / 2), plan.digest_relevant);
  return c;
}

void judge_efficiency(Calibration& calibration, double throughput_bytes_per_s) {
  calibration.efficiency =
      calibration.limiting_bytes_per_s > 0 ? throughput_bytes_per_s / calibration.limiting_bytes_per_s : 0;
}

}  // namespace partcheck::bench
