#pragma once
// Where an HTTPS listener's certificate comes from: the files given
// (--tls-cert, --tls-key), or with --tls-self-signed a key and certificate in
// <data-dir>/tls/, made on the first start and used again while they are
// valid and cover the names, so a client told to trust the certificate once
// keeps trusting it across restarts.
#include <filesystem>
#include <string>
#include <vector>

#include "mock_server/server_config.hpp"

namespace partcheck::mock {

struct TlsFiles {
  std::filesystem::path cert_file, key_file;
  bool self_signed = false;
  bool made = false;  // a self-signed certificate made by this start (none to reuse)
};

// The names a self-signed certificate for `listen_host` is for: that host
// (the machine's host name for a wildcard address), localhost, 127.0.0.1, ::1.
std::vector<std::string> self_signed_names(const std::string& listen_host);

// Throws std::runtime_error when the self-signed files cannot be written.
TlsFiles prepare_tls_files(const ServerConfig& config, const std::string& listen_host);

}  // namespace partcheck::mock
