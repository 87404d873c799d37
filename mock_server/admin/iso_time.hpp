#pragma once
// Times in admin API answers: ISO 8601 in UTC with milliseconds,
// "2026-01-31T12:00:00.250Z", so that people and scripts read them alike.
#include <chrono>
#include <string>

namespace partcheck::mock {

std::string iso8601_utc(std::chrono::system_clock::time_point time);

}  // namespace partcheck::mock
