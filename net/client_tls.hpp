#pragma once
// The client side of TLS: one OpenSSL context per run, made from the
// settings (trust, client certificate, versions), and the per-connection
// setup (SNI, which name to verify).
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

#include "net/client_settings.hpp"

namespace partcheck::net {

// Throws std::invalid_argument naming the flag (--cacert, --cert, --key,
// --tls-min, --tls-max) and OpenSSL's reason when a file or value is wrong.
std::shared_ptr<boost::asio::ssl::context> make_client_context(const ClientSettings& settings);

// Before the handshake: SNI (host names only) and the name or address the
// certificate must carry (unless --insecure).
void prepare_client_stream(SSL* ssl, const std::string& host, bool insecure);

// OpenSSL's queued errors as one line ("" when none); clears the queue.
std::string openssl_errors();

}  // namespace partcheck::net
