#pragma once
// The per-request log line on stderr, in logfmt: one line per request,
// written with a single call so lines of concurrent requests never mix.
#include <string>
#include <string_view>

#include "mock_server/admin/request_record.hpp"

namespace partcheck::mock::http {

std::string log_line(const RequestRecord& record);
void write_log_line(const RequestRecord& record);

}  // namespace partcheck::mock::http
