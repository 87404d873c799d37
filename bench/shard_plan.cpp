#include "bench/shard_plan.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "common/iso_time.hpp"

namespace partcheck::bench {

namespace {

using std::chrono::duration;
using std::chrono::duration_cast;

constexpr double kMaxStartDistance_s = 24 * 3600;

std::optional<unsigned> whole_number(std::string_view text) {
  unsigned value = 0;
  if (text.empty() || text.front() == '+' || text.front() == '-') return std::nullopt;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// SplitMix64's finaliser: a bijection, so distinct inputs stay distinct.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// "shard 3" or "shards 3..5": the shards a split leaves without something.
std::string shards_from(std::uint64_t first, unsigned count) {
  if (first + 1 == count) return "shard " + std::to_string(first);
  return "shards " + std::to_string(first) + ".." + std::to_string(count - 1);
}

[[noreturn]] void bad_start(std::string_view text) {
  throw std::invalid_argument("--start-at '" + std::string(text) +
                              "': expected an RFC 3339 time such as 2026-12-01T06:00:00Z (fractional seconds and an "
                              "offset such as +01:00 allowed) or seconds from now such as +30s");
}

}  // namespace

ShardSpec parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  const auto index = slash == std::string_view::npos ? std::nullopt : whole_number(text.substr(0, slash));
  const auto count = slash == std::string_view::npos ? std::nullopt : whole_number(text.substr(slash + 1));
  if (!index || !count)
    throw std::invalid_argument("--shard '" + std::string(text) + "': expected I/N, shard I (0-based) of N, such as 0/4");
  if (*count == 0) throw std::invalid_argument("--shard " + std::string(text) + ": N must be at least 1");
  if (*index >= *count)
    throw std::invalid_argument("--shard " + std::string(text) + ": the index is 0-based and must be below N (0/" +
                                std::to_string(*count) + " .. " + std::to_string(*count - 1) + "/" +
                                std::to_string(*count) + ")");
  return {*index, *count};
}

ShardSpec shard_from_job_index(unsigned count, const char* index_text) {
  if (count == 0) throw std::invalid_argument("--shards must be at least 1");
  const std::string n = std::to_string(count);
  if (index_text == nullptr)
    throw std::invalid_argument("--shards " + n +
                                " takes this shard's index from JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job), "
                                "which is not set; give --shard I/" + n + " instead");
  const auto index = whole_number(index_text);
  if (!index || *index >= count)
    throw std::invalid_argument("--shards " + n + ": JOB_COMPLETION_INDEX '" + index_text +
                                "' is not a shard index 0.." + std::to_string(count - 1));
  return {*index, count};
}

std::uint64_t shard_schedule_seed(std::uint64_t seed, ShardSpec shard) {
  if (shard.count <= 1) return seed;
  return mix(seed ^ mix(shard.index));
}

ShardPlan plan_shard(const RunTotals& totals, ShardSpec shard) {
  if (shard.count == 0 || shard.index >= shard.count)
    throw std::invalid_argument("shard " + std::to_string(shard.index) + " of " + std::to_string(shard.count) +
                                " does not exist");
  const unsigned n = shard.count;
  const std::string ways = " split over " + std::to_string(n) + " shard" + (n == 1 ? "" : "s");
  // The whole split is judged, not only this shard's part of it, so every
  // shard of an impossible split refuses alike instead of some running.
  if (totals.files && *totals.files < n)
    throw std::invalid_argument("--files " + std::to_string(*totals.files) + ways + " leaves " +
                                shards_from(*totals.files, n) + " without a file; give --files at least " +
                                std::to_string(n) + " or use fewer shards");
  if (totals.concurrency < n)
    throw std::invalid_argument("--concurrency " + std::to_string(totals.concurrency) + ways + " leaves " +
                                shards_from(totals.concurrency, n) +
                                " without an upload in flight; give --concurrency at least " + std::to_string(n) +
                                " or use fewer shards");
  ShardPlan plan;
  plan.shard = shard;
  if (totals.files) plan.files = *totals.files / n + (shard.index < *totals.files % n ? 1 : 0);
  plan.concurrency = totals.concurrency / n + (shard.index < totals.concurrency % n ? 1 : 0);
  if (totals.rate_per_s) plan.rate_per_s = *totals.rate_per_s / n;
  plan.schedule_seed = shard_schedule_seed(totals.seed, shard);
  return plan;
}

SystemTime parse_start_at(std::string_view text, SystemTime now) {
  SystemTime at;
  if (!text.empty() && text.front() == '+') {
    std::string_view number = text.substr(1);
    if (number.ends_with('s')) number.remove_suffix(1);
    double seconds = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), seconds);
    if (number.empty() || number.front() == '-' || number.front() == '+' || ec != std::errc{} ||
        ptr != number.data() + number.size() || !std::isfinite(seconds))
      bad_start(text);
    if (seconds > kMaxStartDistance_s)
      throw std::invalid_argument("--start-at " + std::string(text) + " is more than 24 h from now");
    at = now + duration_cast<SystemTime::duration>(duration<double>(seconds));
  } else {
    const auto parsed = parse_rfc3339(text);
    if (!parsed) bad_start(text);
    at = *parsed;
  }
  const double away_s = duration<double>(at - now).count();
  if (std::abs(away_s) > kMaxStartDistance_s) {
    char hours[32];
    std::snprintf(hours, sizeof hours, "%.1f h", std::abs(away_s) / 3600);
    throw std::invalid_argument("--start-at " + std::string(text) + " is " + hours + (away_s > 0 ? " ahead of" : " before") +
                                " this machine's clock (" + iso8601_utc(now) + "); it must be within 24 h of now");
  }
  return at;
}

double unix_seconds(SystemTime time) { return duration<double>(time.time_since_epoch()).count(); }

}  // namespace partcheck::bench
