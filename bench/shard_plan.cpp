#include "bench/shard_plan.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

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

// Reads a fixed-width field of digits at `at`; advances it.
int digits(std::string_view text, std::size_t& at, std::size_t width, std::string_view whole) {
  if (at + width > text.size()) bad_start(whole);
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[at + i];
    if (c < '0' || c > '9') bad_start(whole);
    value = value * 10 + (c - '0');
  }
  at += width;
  return value;
}

void expect(std::string_view text, std::size_t& at, std::string_view allowed, std::string_view whole) {
  if (at >= text.size() || allowed.find(text[at]) == std::string_view::npos) bad_start(whole);
  ++at;
}

SystemTime parse_rfc3339(std::string_view t) {
  std::size_t at = 0;
  const int year = digits(t, at, 4, t);
  expect(t, at, "-", t);
  const int month = digits(t, at, 2, t);
  expect(t, at, "-", t);
  const int day = digits(t, at, 2, t);
  expect(t, at, "Tt ", t);  // RFC 3339 allows a space for readability
  const int hour = digits(t, at, 2, t);
  expect(t, at, ":", t);
  const int minute = digits(t, at, 2, t);
  expect(t, at, ":", t);
  const int second = digits(t, at, 2, t);
  std::chrono::nanoseconds fraction{0};
  if (at < t.size() && t[at] == '.') {
    ++at;
    const std::size_t first = at;
    long long scale = 100'000'000;  // nanoseconds of the first digit; digits past the ninth are below the clock's
    while (at < t.size() && t[at] >= '0' && t[at] <= '9') {
      fraction += std::chrono::nanoseconds((t[at] - '0') * scale);
      scale /= 10;
      ++at;
    }
    if (at == first) bad_start(t);
  }
  std::chrono::minutes offset{0};
  if (at < t.size() && (t[at] == 'Z' || t[at] == 'z')) {
    ++at;
  } else if (at < t.size() && (t[at] == '+' || t[at] == '-')) {
    const int sign = t[at] == '-' ? -1 : 1;
    ++at;
    const int oh = digits(t, at, 2, t);
    expect(t, at, ":", t);
    const int om = digits(t, at, 2, t);
    if (oh > 23 || om > 59) bad_start(t);
    offset = std::chrono::minutes(sign * (oh * 60 + om));
  } else {
    bad_start(t);  // RFC 3339 requires the offset: a local time would differ between machines
  }
  if (at != t.size()) bad_start(t);
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) bad_start(t);
  const auto local = std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                     std::chrono::seconds(second) + fraction;
  return SystemTime(duration_cast<SystemTime::duration>((local - offset).time_since_epoch()));
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
    at = parse_rfc3339(text);
  }
  const double away_s = duration<double>(at - now).count();
  if (std::abs(away_s) > kMaxStartDistance_s) {
    char hours[32];
    std::snprintf(hours, sizeof hours, "%.1f h", std::abs(away_s) / 3600);
    throw std::invalid_argument("--start-at " + std::string(text) + " is " + hours + (away_s > 0 ? " ahead of" : " before") +
                                " this machine's clock (" + format_utc_ms(now) + "); it must be within 24 h of now");
  }
  return at;
}

std::string format_utc_ms(SystemTime time) {
  using namespace std::chrono;
  const auto millis = floor<milliseconds>(time);
  const auto days = floor<std::chrono::days>(millis);
  const year_month_day date{days};
  const hh_mm_ss clock_time{millis - days};
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<long long>(clock_time.hours().count()),
                static_cast<long long>(clock_time.minutes().count()),
                static_cast<long long>(clock_time.seconds().count()),
                static_cast<long long>(clock_time.subseconds().count()));
  return text;
}

double unix_seconds(SystemTime time) { return duration<double>(time.time_since_epoch()).count(); }

}  // namespace partcheck::bench
