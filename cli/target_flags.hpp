#pragma once
// The flags that name a target (`--target`, `--target-config`, `--api-key`,
// `--directory`, and the transport flags: TLS, proxy, headers) shared by
// `partcheck run` and `partcheck probe`, and the step that turns them into a
// probed runner::Target.
#include <chrono>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/transport_flags.hpp"
#include "runner/probe.hpp"
#include "runner/target.hpp"

namespace partcheck::cli {

struct TargetFlags {
  std::string url;
  std::string config;
  std::string api_key;
  std::string directory;
  double timeout_s = 30;
  TransportFlags transport;
};

void add_target_flags(CLI::App& cmd, TargetFlags& flags);

// The target the flags name (the key from PARTCHECK_API_KEY when no flag gives
// one). Throws CLI::RuntimeError(kExitUsage) with a message on stderr for a
// bad config, (kExitUnreachable) when it cannot be reached.
runner::Target target_from_flags(const TargetFlags& flags, const std::string& command);

// Probes the target, prints the capability table, and stops with exit 2 and
// what to configure when the suite cannot run there.
runner::ProbeResult probe_or_exit(runner::Target& target, const TargetFlags& flags, const std::string& command);

}  // namespace partcheck::cli
