// Placeholder until the report_html command lands; replaced by its module's owner.
#include "cli/commands.hpp"

namespace partcheck::cli {

void add_report_html_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("html", "(not built yet)");
  cmd->callback([] { throw CLI::RuntimeError("not built yet", kExitUsage); });
}

}  // namespace partcheck::cli
