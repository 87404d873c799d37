// Placeholder until the serve command lands; replaced by its module's owner.
#include "cli/commands.hpp"

namespace partcheck::cli {

void add_serve_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "(not built yet)");
  cmd->callback([] { throw CLI::RuntimeError("not built yet", kExitUsage); });
}

}  // namespace partcheck::cli
