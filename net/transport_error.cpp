#include "net/transport_error.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace partcheck::net {
namespace {

constexpr const char* kTrustFix =
    "fix: --cacert FILE with the CA (or the self-signed certificate) that signed it, or --insecure to skip verification";

TransportError certificate_problem(const boost::system::error_code& ec, long verify) {
  const std::string reason = X509_verify_cert_error_string(verify);
  switch (verify) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return {ec, "the server's certificate has expired (" + reason + ")",
              "fix: renew the server's certificate, or --insecure to test anyway"};
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return {ec, "the server's certificate is not valid yet (" + reason + "); check both clocks",
              "fix: the server's certificate dates, or --insecure to test anyway"};
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return {ec, "the server's certificate is for another name (" + reason + ")",
              "fix: use in --target a host name the certificate names, or --insecure to skip verification"};
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return {ec, "the server's certificate is not signed by a CA this side trusts (" + reason + ")", kTrustFix};
    default:
      return {ec, "the server's certificate did not verify (" + reason + ")", kTrustFix};
  }
}

}  // namespace

TransportError explain(const boost::system::error_code& ec, long verify_result) {
  namespace asio = boost::asio;
  if (ec == asio::ssl::error::stream_truncated)
    return {ec, "the server closed the TLS connection without close_notify (stream truncated)"};
  if (ec.category() == asio::error::get_ssl_category()) {
    const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
    const std::string words = "TLS: " + ec.message();
    switch (reason) {
      case SSL_R_CERTIFICATE_VERIFY_FAILED:
        return certificate_problem(ec, verify_result);
      case SSL_R_WRONG_VERSION_NUMBER:
      case SSL_R_HTTP_REQUEST:
      case SSL_R_PACKET_LENGTH_TOO_LONG:
        return {ec, words + ": the server did not answer in TLS",
                "fix: use http:// for a server without TLS, or check the port"};
      case SSL_R_UNSUPPORTED_PROTOCOL:
      case SSL_R_NO_PROTOCOLS_AVAILABLE:
      case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
      case SSL_R_UNSUPPORTED_SSL_VERSION:
        return {ec, words + ": no TLS version both sides accept",
                "fix: --tls-min/--tls-max (1.2 or 1.3) to match the server's versions"};
      case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
        return {ec, words + ": the server requires a client certificate",
                "fix: --cert FILE --key FILE with a certificate the server trusts"};
      case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
      case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
      case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
      case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
        return {ec, words + ": the server refused this side's client certificate",
                "fix: --cert FILE --key FILE with a certificate signed by a CA the server trusts"};
      case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
        return {ec, words + ": the server ended the handshake",
                "fix: it may require a client certificate (--cert FILE --key FILE) or share no cipher or version (--tls-min/--tls-max)"};
      default:
        return {ec, words};
    }
  }
  if (ec == boost::beast::error::timeout) return {ec, "timed out (no answer)"};
  return {ec, ec.message()};
}

}  // namespace partcheck::net
