#include "cli/target_flags.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "cli/commands.hpp"
#include "contract/uuid.hpp"
#include "runner/scenario_loader.hpp"
#include "runner/suite.hpp"

namespace partcheck::cli {
namespace {

[[noreturn]] void stop(int code, const std::string& command, const std::string& message) {
  std::cerr << "partcheck " << command << ": " << message << "\n";
  throw CLI::RuntimeError(code);
}

}  // namespace

void add_target_flags(CLI::App& cmd, TargetFlags& flags) {
  auto* url = cmd.add_option("--target", flags.url,
                             "Base URL of the server under test, http(s)://host[:port][/mount] (a gateway's mount path "
                             "goes before /pub/v1)");
  cmd.add_option("--target-config", flags.config, "Target config YAML (url, api key, directories, capabilities, api)")
      ->excludes(url);
  cmd.add_option("--api-key", flags.api_key, "API key (default: PARTCHECK_API_KEY)");
  cmd.add_option("--directory", flags.directory,
                 "A writable directory id for moves (default: found through the directory listing)");
  cmd.add_option("--timeout", flags.timeout_s, "Seconds a request may take before it counts as a hang (default 30)");
  add_transport_flags(cmd, flags.transport);
}

runner::Target target_from_flags(const TargetFlags& flags, const std::string& command) {
  runner::Target target;
  const char* env = std::getenv("PARTCHECK_API_KEY");
  if (flags.url.empty() && flags.config.empty()) stop(kExitUsage, command, "give --target URL or --target-config FILE");
  try {
    if (!flags.config.empty()) {
      target = runner::load_target_config(flags.config);
      if (!flags.api_key.empty()) target.api_key = flags.api_key;
    } else {
      target = runner::target_from_url(flags.url, flags.api_key.empty() && env ? env : flags.api_key);
    }
    apply_transport_flags(flags.transport, target.transport);
    runner::attach_transport(target);
  } catch (const runner::ScenarioError& e) {
    stop(kExitUsage, command, e.what());
  } catch (const std::invalid_argument& e) {
    stop(kExitUsage, command, e.what());
  }
  if (!flags.directory.empty()) {
    if (!contract::is_uuid(flags.directory)) stop(kExitUsage, command, "--directory: expected a uuid, not '" + flags.directory + "'");
    target.directories.writable = flags.directory;
  }
  if (target.api_key.empty()) stop(kExitUsage, command, "no API key: give --api-key KEY or set PARTCHECK_API_KEY");
  const auto timeout = std::chrono::milliseconds(static_cast<long>(std::min(flags.timeout_s, 10.0) * 1000));
  if (auto why = runner::unreachable_reason(target, timeout); !why.empty())
    stop(kExitUnreachable, command, "target " + target.name + " is unreachable: " + why);
  return target;
}

runner::ProbeResult probe_or_exit(runner::Target& target, const TargetFlags& flags, const std::string& command) {
  auto probed = runner::probe_target(target, std::chrono::milliseconds(static_cast<long>(flags.timeout_s * 1000)));
  runner::print_capability_table(probed.table, std::cout);
  std::cout << std::flush;
  if (!probed.fatal.empty()) stop(kExitUsage, command, "cannot run against " + target.url + ": " + probed.fatal);
  return probed;
}

}  // namespace partcheck::cli
