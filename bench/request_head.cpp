#include "bench/request_head.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace partcheck::bench {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

// Fields the bench writes for every request: a second copy from --header
// would make the message ambiguous (two lengths, two hosts).
constexpr std::string_view kOwnFields[] = {"Host",       "Content-Length", "Transfer-Encoding",
                                           "Content-Range", "Content-Type", "Connection"};

}  // namespace

RequestHeads::RequestHeads(const HttpTarget& target, const net::Connector& connector)
    : connector_(connector), prefix_(target.path_prefix) {
  bool own_authorization = false;
  std::string extra;
  for (const auto& [name, value] : connector.headers()) {
    for (auto own : kOwnFields)
      if (same_name(name, own))
        throw std::invalid_argument("--header '" + name + "': the bench writes " + std::string(own) +
                                    " itself; it cannot be replaced");
    own_authorization = own_authorization || same_name(name, "Authorization");
    extra.append(name).append(": ").append(value).append("\r\n");
  }
  fields_ = "Host: " + connector.host_header() + "\r\n";
  if (!own_authorization) fields_ += "Authorization: Bearer " + target.api_key + "\r\n";
  fields_ += extra;
}

std::string RequestHeads::target_for(std::string_view path) const {
  std::string path_on_server = prefix_;
  path_on_server.append(path);
  return connector_.request_target(path_on_server);
}

std::string RequestHeads::make(std::string_view method, std::string_view path, std::string_view content_type,
                               std::string_view extra, std::uint64_t content_length) const {
  const std::string target = target_for(path);
  std::string head;
  head.reserve(96 + target.size() + fields_.size() + extra.size());
  head.append(method).append(" ").append(target).append(" HTTP/1.1\r\n").append(fields_);
  head.append("Content-Type: ").append(content_type).append("\r\n").append(extra);
  head.append("Content-Length: ").append(std::to_string(content_length)).append("\r\n\r\n");
  return head;
}

}  // namespace partcheck::bench
