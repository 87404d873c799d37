#pragma once
// What the server's own failures look like to a client. An exception that
// reaches a handler's edge (a full disk, descriptors exhausted, a bug) is
// answered, never let out of the I/O thread: 500 StorageError for storage,
// 503 ServiceUnavailable when descriptors ran out, 500 InternalError for
// anything else. Messages never show where the data dir is on the server.
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mock_server/store/store.hpp"

namespace boost::asio {
class io_context;
}

namespace partcheck::mock {

// The refusal (status, code, "Code: sentence") an escaped exception becomes.
Refusal failure_refusal(const std::exception& error, const std::filesystem::path& data_dir);
Refusal failure_refusal(std::exception_ptr error, const std::filesystem::path& data_dir);

// `message` with every mention of the data dir made relative to it:
// "/srv/pc/uploads/x.data" -> "uploads/x.data".
std::string hide_data_dir(std::string_view message, const std::filesystem::path& data_dir);

// io.run() until the context is stopped. An exception that got past every
// handler (one thrown inside Beast, say) is logged on stderr and run() is
// entered again: the thread keeps serving instead of taking the process down.
void run_io_until_stopped(boost::asio::io_context& io);

// JSON text that never throws: bytes that are not UTF-8 (a bad name echoed
// back) become U+FFFD.
std::string dump_json(const nlohmann::json& value);

}  // namespace partcheck::mock
