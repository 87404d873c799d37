#include "mock_server/http/framing.hpp"

#include <boost/beast/core/string.hpp>

namespace partcheck::mock::http {

namespace bhttp = boost::beast::http;

std::optional<std::string> framing_problem(const bhttp::fields& header) {
  if (header.count(bhttp::field::transfer_encoding) == 0) return std::nullopt;
  std::string codings;
  auto [it, end] = header.equal_range(bhttp::field::transfer_encoding);
  for (; it != end; ++it) codings += (codings.empty() ? "" : ", ") + std::string(it->value());
  if (header.count(bhttp::field::content_length) > 0)
    return "Content-Length together with Transfer-Encoding: the body's length is ambiguous";
  // Only a lone `chunked`: the mock decodes no other coding (gzip, ...), and a
  // list whose last coding is not chunked has no end at all.
  if (!boost::beast::iequals(codings, "chunked"))
    return "Transfer-Encoding '" + codings + "' is not supported; send a body with Content-Length or " +
           "Transfer-Encoding: chunked";
  return std::nullopt;
}

}  // namespace partcheck::mock::http
