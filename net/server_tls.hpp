#pragma once
// The TLS side of a server: a boost::asio::ssl::context made from a
// certificate chain and its key, TLS 1.2 and 1.3 only, optionally requiring
// client certificates signed by a given CA (mutual TLS).
#include <filesystem>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace partcheck::net {

struct TlsServerOptions {
  std::filesystem::path cert_file;  // PEM: the server's certificate, then any intermediates
  std::filesystem::path key_file;   // PEM, unencrypted
  // Set: every client must present a certificate that this CA (PEM, one or
  // more certificates) vouches for, or the handshake fails.
  std::optional<std::filesystem::path> client_ca_file;
  std::string min_version = "1.2";  // "1.2" or "1.3"
};

// Throws std::runtime_error naming the file (or the option) and OpenSSL's
// reason: a file missing or unreadable, no certificate or key in it, a key
// that is not the certificate's, an unknown min_version.
boost::asio::ssl::context make_server_tls_context(const TlsServerOptions& options);

}  // namespace partcheck::net
