#pragma once
// Request framing the mock refuses although Beast's parser lets it through
// (RFC 9112 6.3): a Transfer-Encoding other than a lone `chunked` leaves the
// body's end unknown, and Content-Length next to Transfer-Encoding says two
// things at once. Either way the rest of the stream could be read as a
// request the client never meant (smuggling): 400 and close.
#include <optional>
#include <string>

#include <boost/beast/http/fields.hpp>

namespace partcheck::mock::http {

// Why the header's framing is refused, or nothing.
std::optional<std::string> framing_problem(const boost::beast::http::fields& header);

}  // namespace partcheck::mock::http
