// `partcheck body`: writes a generated request body to stdout, so the curl
// line printed for a FAIL sends exactly the bytes the suite sent
// (`--data-binary @<(partcheck body --seed S --offset O --size N)`).
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "runner/repro.hpp"

namespace partcheck::cli {

void add_body_command(CLI::App& app) {
  auto body = std::make_shared<runner::GeneratedBody>();
  auto flip = std::make_shared<std::uint64_t>();
  auto field = std::make_shared<std::string>();
  auto filename = std::make_shared<std::string>("blob");
  auto boundary = std::make_shared<std::string>("partcheck");
  auto* cmd = app.add_subcommand("body", "Write a generated request body (as a scenario sent it) to stdout");
  cmd->add_option("--seed", body->seed, "Seed of the file's bytes (from the printed curl line)")->required();
  cmd->add_option("--offset", body->offset, "Offset of the first byte in the file");
  cmd->add_option("--size", body->size, "Number of bytes")->required();
  auto* flip_opt = cmd->add_option("--flip", *flip, "Offset within the body of a byte XOR-ed with 0x5A");
  auto* field_opt = cmd->add_option("--multipart-field", *field, "Wrap the bytes in multipart/form-data under this field");
  cmd->add_option("--filename", *filename, "Multipart file name")->needs(field_opt);
  cmd->add_option("--boundary", *boundary, "Multipart boundary")->needs(field_opt);
  cmd->callback([=] {
    if (flip_opt->count()) body->flip = *flip;
    if (field_opt->count()) {
      body->multipart_field = *field;
      body->filename = *filename;
      body->boundary = *boundary;
    }
    runner::write_generated_body(*body, [](std::string_view bytes) {
      if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size()) throw CLI::RuntimeError(kExitFailed);
    });
    std::fflush(stdout);
  });
}

}  // namespace partcheck::cli
