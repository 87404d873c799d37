#pragma once
// What `run` and `client` share: where the bundled scenarios are, and the
// start time reports carry.
#include <filesystem>
#include <string>

namespace partcheck::cli {

// `name` (scenarios, scenarios/client) in the working directory, else in
// the source tree next to the binary (build/partcheck -> scenarios/), so the
// commands work from anywhere in the repository.
std::filesystem::path default_suite(const std::filesystem::path& name = "scenarios");

std::string iso_now();  // "2026-01-31T12:00:00Z"

}  // namespace partcheck::cli
