// Placeholder until the bench command lands; replaced by its module's owner.
#include "cli/commands.hpp"

namespace partcheck::cli {

void add_bench_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "(not built yet)");
  cmd->callback([] { throw CLI::RuntimeError("not built yet", kExitUsage); });
}

}  // namespace partcheck::cli
