#pragma once
// Socket settings shared by the upload connections and the calibration pump,
// so the loopback ceiling is measured with the sockets the client really uses.
#include <boost/asio/ip/tcp.hpp>

namespace partcheck::bench {

// A large send buffer halves the client's system time per byte on loopback;
// the kernel clamps it to net.core.wmem_max.
inline constexpr int kSendBufferBytes = 4 << 20;

inline void tune_sending_socket(boost::asio::ip::tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  socket.set_option(boost::asio::socket_base::send_buffer_size(kSendBufferBytes), ignored);
}

}  // namespace partcheck::bench
