#include "mock_server/failure.hpp"

#include <unistd.h>

#include <algorithm>
#include <system_error>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "mock_server/storage/storage_backend.hpp"

namespace partcheck::mock {
namespace fs = std::filesystem;
using contract::ErrorCode;

namespace {

bool descriptors_exhausted(const std::error_code& code) {
  return code == std::errc::too_many_files_open || code == std::errc::too_many_files_open_in_system;
}

// A character that may follow a directory name inside a path.
bool continues_path(char c) { return c != ' ' && c != ':' && c != ']' && c != '\'' && c != '"' && c != ','; }

void replace_dir(std::string& text, const std::string& dir) {
  for (std::size_t at = text.find(dir); at != std::string::npos; at = text.find(dir, at)) {
    const auto end = at + dir.size();
    if (end < text.size() && text[end] == '/') {
      text.erase(at, dir.size() + 1);  // "<dir>/uploads/x" -> "uploads/x"
    } else if (end == text.size() || !continues_path(text[end])) {
      text.replace(at, dir.size(), ".");
      at += 1;
    } else {
      at = end;  // "<dir>-old": another directory
    }
  }
}

}  // namespace

std::string hide_data_dir(std::string_view message, const fs::path& data_dir) {
  std::string out(message);
  if (data_dir.empty()) return out;
  std::error_code ec;
  std::vector<std::string> spellings{data_dir.lexically_normal().string(),
                                     fs::absolute(data_dir, ec).lexically_normal().string(),
                                     fs::weakly_canonical(data_dir, ec).string()};
  for (auto& spelling : spellings)
    while (spelling.size() > 1 && spelling.back() == '/') spelling.pop_back();
  // Longest first: the absolute spelling contains the relative one.
  std::sort(spellings.begin(), spellings.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& spelling : spellings)
    if (!spelling.empty() && spelling != "." && spelling != "/") replace_dir(out, spelling);
  return out;
}

Refusal failure_refusal(const std::exception& error, const fs::path& data_dir) {
  const auto* fs_error = dynamic_cast<const fs::filesystem_error*>(&error);
  const auto text = hide_data_dir(error.what(), data_dir);
  if (dynamic_cast<const DescriptorsExhausted*>(&error) || (fs_error && descriptors_exhausted(fs_error->code())))
    return refuse(ErrorCode::ServiceUnavailable, "the server is out of file descriptors, try again: " + text);
  if (dynamic_cast<const CapacityExceeded*>(&error)) {
    auto refusal = refuse(ErrorCode::NotEnoughSpace, text);
    refusal.status = 507;  // the mock's configured capacity, not the client's mistake nor a broken disk
    return refusal;
  }
  if (dynamic_cast<const StorageError*>(&error) || fs_error) return refuse(ErrorCode::StorageError, text);
  return refuse(ErrorCode::InternalError, text);
}

Refusal failure_refusal(std::exception_ptr error, const fs::path& data_dir) {
  try {
    std::rethrow_exception(std::move(error));
  } catch (const std::exception& e) {
    return failure_refusal(e, data_dir);
  } catch (...) {
    return refuse(ErrorCode::InternalError, "an exception of an unknown type");
  }
}

void run_io_until_stopped(boost::asio::io_context& io) {
  const auto log = [](const std::string& what) {
    const auto line = "partcheck serve: an I/O handler failed: " + what + "\n";
    [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
  };
  for (;;) {
    try {
      io.run();
      return;  // stopped
    } catch (const std::exception& e) {
      log(e.what());  // run() may be called again after a handler threw
    } catch (...) {
      log("an exception of an unknown type");
    }
  }
}

std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace partcheck::mock
