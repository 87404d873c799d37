#pragma once
// --calibrate: this machine's ceilings, measured in the same run so the
// throughput can be judged against them rather than against a guess:
// - tcp-loopback: a plain Asio sender/receiver pump over the same number of
//   connections with the same write size (what the kernel can move);
// - disk-write-fsync: writing one part-size file and fsync (disk targets);
// - generator, xxh3: bytes per second of one core (what the client and a
//   hashing server must spend per byte).
#include <cstdint>
#include <filesystem>
#include <optional>

#include "bench/results.hpp"

namespace partcheck::bench {

struct CalibrationPlan {
  unsigned connections = 1;
  std::size_t io_buffer = 1u << 20;
  std::uint64_t part_size = 64u << 20;
  bool loopback_target = true;                      // the tcp ceiling applies
  std::optional<std::filesystem::path> disk_dir;    // the disk ceiling applies (a dir on the target's filesystem)
  bool generator_relevant = true;                   // false with --source
  bool digest_relevant = false;                     // the client hashes (verify digest)
  double seconds_per_probe = 1.5;
};

Ceiling measure_tcp_loopback(unsigned connections, std::size_t io_buffer, double seconds);
Ceiling measure_disk_write(const std::filesystem::path& dir, std::uint64_t bytes);
Ceiling measure_generator(double seconds);
Ceiling measure_xxh3(double seconds);

// Runs the probes the plan names and picks the lowest relevant ceiling.
Calibration calibrate(const CalibrationPlan& plan);
// Fills efficiency from the measured throughput.
void judge_efficiency(Calibration& calibration, double throughput_bytes_per_s);

}  // namespace partcheck::bench
