// `partcheck probe`: what a target offers beyond the reference (the table
// `partcheck run` prints before the suite), without running any scenario.
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/target_flags.hpp"

namespace partcheck::cli {

void add_probe_command(CLI::App& app) {
  auto flags = std::make_shared<TargetFlags>();
  auto* cmd = app.add_subcommand("probe", "Show what a target offers beyond the reference (capability table)");
  auto url = std::make_shared<std::string>();
  cmd->add_option("url", *url, "The target's base URL (same as --target)");
  add_target_flags(*cmd, *flags);
  cmd->callback([flags, url] {
    if (!url->empty()) {
      if (!flags->url.empty() || !flags->config.empty()) {
        std::cerr << "partcheck probe: give the target once (URL, --target or --target-config)\n";
        throw CLI::RuntimeError(kExitUsage);
      }
      flags->url = *url;
    }
    auto target = target_from_flags(*flags, "probe");
    probe_or_exit(target, *flags, "probe");
  });
}

}  // namespace partcheck::cli
