#include "runner/repro.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "contract/data_source.hpp"

namespace partcheck::runner {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

// $'...' quoting of arbitrary bytes.
std::string ansi_quote(std::string_view bytes) {
  static const char* hex = "0123456789abcdef";
  std::string out = "$'";
  for (unsigned char c : bytes) {
    if (c == '\\' || c == '\'') out += {'\\', static_cast<char>(c)};
    else if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c >= 0x7f) out += {'\\', 'x', hex[c >> 4], hex[c & 15]};
    else out += static_cast<char>(c);
  }
  return out + "'";
}

// A process substitution that prints exactly `bytes`, NUL bytes included
// (which no shell string can hold): printf's format with octal escapes.
std::string printf_bytes(std::string_view bytes) {
  std::string fmt;
  for (unsigned char c : bytes) {
    if (c == '%') fmt += "%%";
    else if (c == '\\') fmt += "\\\\";
    else if (c == '\'') fmt += "\\047";
    else if (c < 0x20 || c >= 0x7f) {
      char oct[6];
      std::snprintf(oct, sizeof oct, "\\%03o", c);
      fmt += oct;
    } else fmt += static_cast<char>(c);
  }
  return "@<(printf '" + fmt + "')";
}

}  // namespace

MultipartFrame multipart_frame(const std::string& boundary, const std::string& field, const std::string& filename) {
  return {"--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename +
              "\"\r\nContent-Type: application/octet-stream\r\n\r\n",
          "\r\n--" + boundary + "--\r\n"};
}

std::string body_arguments(const GeneratedBody& body) {
  std::string args = "--seed " + std::to_string(body.seed) + " --offset " + std::to_string(body.offset) + " --size " +
                     std::to_string(body.size);
  if (body.flip) args += " --flip " + std::to_string(*body.flip);
  if (body.multipart_field)
    args += " --multipart-field " + ansi_quote(*body.multipart_field) + " --filename " +
            ansi_quote(body.filename.value_or("blob")) + " --boundary " + ansi_quote(body.boundary.value_or("partcheck"));
  return args;
}

void write_generated_body(const GeneratedBody& body, const std::function<void(std::string_view)>& sink) {
  MultipartFrame frame;
  if (body.multipart_field)
    frame = multipart_frame(body.boundary.value_or("partcheck"), *body.multipart_field, body.filename.value_or("blob"));
  sink(frame.head);
  const contract::DataSource source(body.seed);
  std::vector<char> buf(1 << 20);
  for (std::uint64_t done = 0; done < body.size;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), body.size - done));
    source.fill(body.offset + done, std::span<char>(buf.data(), n));
    if (body.flip && *body.flip >= done && *body.flip < done + n) buf[*body.flip - done] ^= 0x5A;
    sink(std::string_view(buf.data(), n));
    done += n;
  }
  sink(frame.tail);
}

bool is_credential(std::string_view name, std::string_view value, const std::string& api_key) {
  if (api_key.empty()) return false;
  if (iequals(name, "Authorization")) return value == "Bearer " + api_key;
  return iequals(name, "X-Token") && value == api_key;
}

std::string shell_bytes(std::string_view bytes, const std::string& api_key) {
  // Cut the key out of header lines whose whole credential it is.
  std::string out;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    auto eol = bytes.find("\r\n", pos);
    auto line = bytes.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    auto colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? std::string_view() : line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (!name.empty() && is_credential(name, value, api_key)) {
      auto prefix = line.substr(0, line.size() - api_key.size());
      out += ansi_quote(prefix) + "\"$PARTCHECK_API_KEY\"";
    } else {
      out += ansi_quote(line);
    }
    if (eol == std::string_view::npos) break;
    out += ansi_quote("\r\n");
    pos = eol + 2;
  }
  return out.empty() ? "''" : out;
}

std::string raw_pipe_command(const net::Url& origin, const net::ClientSettings& transport) {
  if (!origin.tls()) return "nc " + origin.host + " " + std::to_string(origin.port);
  std::string cmd = "openssl s_client -quiet -connect " + ansi_quote(origin.host_port());
  if (!net::is_ip_literal(origin.host)) cmd += " -servername " + ansi_quote(origin.host);
  if (!transport.cacert.empty()) cmd += " -CAfile " + ansi_quote(transport.cacert);
  if (!transport.cert.empty()) cmd += " -cert " + ansi_quote(transport.cert) + " -key " + ansi_quote(transport.key);
  return cmd;
}

std::string curl_transport_flags(const net::ClientSettings& transport) {
  std::string flags;
  if (!transport.cacert.empty()) flags += " --cacert " + ansi_quote(transport.cacert);
  if (transport.insecure) flags += " -k";
  if (!transport.cert.empty()) flags += " --cert " + ansi_quote(transport.cert) + " --key " + ansi_quote(transport.key);
  if (!transport.tls_min.empty()) flags += " --tlsv" + transport.tls_min;
  if (!transport.tls_max.empty()) flags += " --tls-max " + transport.tls_max;
  if (transport.proxy) {
    if (transport.proxy->empty() || *transport.proxy == "none") flags += " --noproxy '*'";
    else flags += " -x " + ansi_quote(*transport.proxy);
  }
  for (const auto& [k, v] : transport.headers) flags += " -H " + ansi_quote(k + ": " + v);
  return flags;
}

std::string curl_command(const std::string& base_url, const HttpRequest& request, const std::string& body_args,
                         const std::string& api_key, const net::ClientSettings& transport) {
  std::string cmd = "curl -sS -i" + curl_transport_flags(transport) + " -X " + request.method + " " +
                    ansi_quote(base_url + request.target);
  for (const auto& [k, v] : request.headers) {
    if (is_credential(k, v, api_key))
      cmd += " -H " + ansi_quote(k + ": " + v.substr(0, v.size() - api_key.size())) + "\"$PARTCHECK_API_KEY\"";
    else
      cmd += " -H " + ansi_quote(k + ": " + v);
  }
  if (request.chunked) cmd += " -H 'Transfer-Encoding: chunked'";
  // curl adds Expect to big bodies and a form Content-Type to --data-binary: only what was sent goes.
  cmd += request.expect_continue ? " -H 'Expect: 100-continue'" : " -H 'Expect:'";
  if (request.body_size == 0) return cmd;
  if (std::none_of(request.headers.begin(), request.headers.end(), [](const auto& h) { return iequals(h.first, "Content-Type"); }))
    cmd += " -H 'Content-Type:'";
  if (!body_args.empty()) return cmd + " --data-binary @<(partcheck body " + body_args + ")";
  if (request.body_size > kInlineBodyLimit || !request.body)
    return cmd + " --data-binary @<(head -c " + std::to_string(request.body_size) + " /dev/zero)";
  std::string bytes(request.body_size, '\0');
  request.body(0, std::span<char>(bytes.data(), bytes.size()));
  return cmd + " --data-binary " + (bytes.find('\0') == std::string::npos ? ansi_quote(bytes) : printf_bytes(bytes));
}

}  // namespace partcheck::runner
