// net/tls_socket_stream through AnyStream, both ends in one io_context on
// loopback: bulk data larger than the socket buffers arrives whole, a write
// completes only once its bytes have left, timeouts end a stalled handshake,
// an idle stream keeps no work, and the ends of a connection read as Asio's.
#include <filesystem>
#include <random>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <gtest/gtest.h>

#include "net/any_stream.hpp"
#include "net/certificate.hpp"
#include "net/server_tls.hpp"

namespace partcheck::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

class TlsSocketStreamTest : public ::testing::Test {
 protected:
  TlsSocketStreamTest()
      : dir_(std::filesystem::temp_directory_path() / ("partcheck-tls-" + std::to_string(std::random_device{}()))),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    std::filesystem::create_directories(dir_);
    CertificateSpec spec;
    spec.common_name = "server";
    spec.alt_names = {"127.0.0.1"};
    make_certificate(spec).write(dir_ / "cert.pem", dir_ / "key.pem");
    server_tls_.emplace(make_server_tls_context({dir_ / "cert.pem", dir_ / "key.pem", std::nullopt, "1.2"}));
    client_tls_.set_verify_mode(asio::ssl::verify_none);
  }
  ~TlsSocketStreamTest() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A connected pair of TCP streams, no TLS yet.
  std::pair<TcpStream, TcpStream> connect_tcp() {
    tcp::socket client(io_);
    client.connect(acceptor_.local_endpoint());
    return {TcpStream(std::move(client)), TcpStream(acceptor_.accept())};
  }

  // Both ends after a completed handshake.
  std::pair<AnyStream, AnyStream> connect_tls() {
    auto [c, s] = connect_tcp();
    AnyStream client(std::move(c), client_tls_), server(std::move(s), *server_tls_);
    error_code cec = asio::error::would_block, sec = asio::error::would_block;
    client.async_handshake(asio::ssl::stream_base::client, [&](error_code ec) { cec = ec; });
    server.async_handshake(asio::ssl::stream_base::server, [&](error_code ec) { sec = ec; });
    io_.run();
    io_.restart();
    EXPECT_FALSE(cec) << cec.message();
    EXPECT_FALSE(sec) << sec.message();
    return {std::move(client), std::move(server)};
  }

  std::filesystem::path dir_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::optional<asio::ssl::context> server_tls_;
  asio::ssl::context client_tls_{asio::ssl::context::tls_client};
};

TEST_F(TlsSocketStreamTest, DataLargerThanTheSocketBuffersArrivesWhole) {
  auto [client, server] = connect_tls();
  std::vector<unsigned char> sent(24 << 20), got(sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<unsigned char>(i * 2654435761u >> 13);
  error_code wec, rec;
  std::size_t written = 0, read = 0;
  // One 24 MiB write: it has to wait for the socket many times over.
  asio::async_write(client, asio::buffer(sent), [&](error_code ec, std::size_t n) { wec = ec, written = n; });
  asio::async_read(server, asio::buffer(got), [&](error_code ec, std::size_t n) { rec = ec, read = n; });
  io_.run();
  EXPECT_FALSE(wec) << wec.message();
  EXPECT_FALSE(rec) << rec.message();
  EXPECT_EQ(written, sent.size());
  EXPECT_EQ(read, sent.size());
  EXPECT_TRUE(sent == got);
}

TEST_F(TlsSocketStreamTest, AWriteCompletesOnlyOnceItsBytesHaveLeft) {
  auto [client, server] = connect_tls();
  const std::string text = "a short write that fits in the batch";
  bool written = false;
  asio::async_write(client, asio::buffer(text), [&](error_code ec, std::size_t) { written = !ec; });
  io_.run();
  io_.restart();
  ASSERT_TRUE(written);
  // Nothing on the client's side runs any more: the bytes must be out already.
  std::string got(text.size(), '\0');
  error_code rec = asio::error::would_block;
  asio::async_read(server, asio::buffer(got), [&](error_code ec, std::size_t) { rec = ec; });
  io_.run();
  EXPECT_FALSE(rec) << rec.message();
  EXPECT_EQ(got, text);
}

TEST_F(TlsSocketStreamTest, AHandshakeWithASilentPeerTimesOutAndClosesTheSocket) {
  auto [c, s] = connect_tcp();  // the server end never speaks
  AnyStream client(std::move(c), client_tls_);
  client.expires_after(std::chrono::milliseconds(200));
  error_code ec;
  client.async_handshake(asio::ssl::stream_base::client, [&](error_code e) { ec = e; });
  io_.run();
  EXPECT_EQ(ec, boost::beast::error::timeout) << ec.message();
  EXPECT_FALSE(client.tcp().socket().is_open());
}

TEST_F(TlsSocketStreamTest, AnIdleStreamWithADeadlineKeepsNoWork) {
  auto [client, server] = connect_tls();
  client.expires_after(std::chrono::hours(1));
  server.expires_after(std::chrono::hours(1));
  const auto start = std::chrono::steady_clock::now();
  io_.run();  // returns at once: no operation, so no timer either
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(TlsSocketStreamTest, CloseNotifyReadsAsEofAndAVanishedPeerAsTruncated) {
  {
    auto [client, server] = connect_tls();
    error_code sec = asio::error::would_block, rec;
    char byte;
    server.async_shutdown([&](error_code ec) { sec = ec; });
    client.async_read_some(asio::buffer(&byte, 1), [&](error_code ec, std::size_t) { rec = ec; });
    io_.run();
    io_.restart();
    EXPECT_FALSE(sec) << sec.message();
    EXPECT_EQ(rec, asio::error::eof) << rec.message();
  }
  auto [client, server] = connect_tls();
  server.tcp().close();  // no close_notify
  error_code rec;
  char byte;
  client.async_read_some(asio::buffer(&byte, 1), [&](error_code ec, std::size_t) { rec = ec; });
  io_.run();
  EXPECT_EQ(rec, asio::ssl::error::stream_truncated) << rec.message();
}

TEST_F(TlsSocketStreamTest, AClosedStreamRefusesWithoutTouchingTheDescriptor) {
  auto [client, server] = connect_tls();
  client.tcp().close();
  error_code wec;
  asio::async_write(client, asio::buffer("x", 1), [&](error_code ec, std::size_t) { wec = ec; });
  io_.run();
  EXPECT_EQ(wec, asio::error::bad_descriptor) << wec.message();
}

}  // namespace
}  // namespace partcheck::net
