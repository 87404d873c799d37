#pragma once
// Each command lives in its own file and registers itself on the app. A
// command reports its exit code by throwing CLI::RuntimeError(code).
#include <CLI/CLI.hpp>

namespace partcheck::cli {

void add_serve_command(CLI::App& app);          // serve_command.cpp
void add_run_command(CLI::App& app);            // run_command.cpp
void add_client_command(CLI::App& app);         // client_command.cpp
void add_probe_command(CLI::App& app);          // probe_command.cpp
void add_body_command(CLI::App& app);           // body_command.cpp
void add_bench_command(CLI::App& app);          // bench_command.cpp
void add_report_html_command(CLI::App& report); // report_html_command.cpp
void add_report_compare_command(CLI::App& report);  // report_compare_command.cpp
void add_report_merge_command(CLI::App& report);    // report_merge_command.cpp

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // a FAIL verdict or a broken gate
inline constexpr int kExitUsage = 2;        // bad flags or a bad scenario/config file
inline constexpr int kExitUnreachable = 3;  // the target could not be reached

}  // namespace partcheck::cli
