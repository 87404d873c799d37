#pragma once
// One keep-alive HTTP/1.1 connection that streams upload parts, plain or
// TLS, directly or through a proxy (net::Connector makes the connection; one
// TLS handshake per connection, reused across parts). The request head is
// written by hand and the body goes out in `io_buffer`-sized writes from one
// reusable buffer refilled by the body source (or by sendfile(2) from a
// --source file on a plain connection), so a 5 GiB part costs one buffer of
// memory. Answers are parsed with Beast. Every network step has a timeout.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/body_source.hpp"
#include "bench/request_head.hpp"
#include "contract/content_range.hpp"
#include "contract/digest.hpp"
#include "net/any_stream.hpp"
#include "net/connector.hpp"

namespace partcheck::bench {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
using Clock = std::chrono::steady_clock;

struct PartRequest {
  std::string hash;
  std::uint64_t file_index = 0;
  contract::ContentRange range;
  contract::Digest* digest = nullptr;  // updated with every body byte when set
};

// What happened to one request. status 0: no answer (transport error or timeout).
struct Answer {
  int status = 0;
  std::string body;
  std::string transport_error;  // when status == 0
  bool aborted = false;         // the run was stopped under it
  Clock::time_point started, body_sent, first_byte, finished;
};

// Called with (bytes, write started, write finished) after every body write.
using ProgressFn = std::function<void(std::uint64_t, Clock::time_point, Clock::time_point)>;

class PartConnection : public std::enable_shared_from_this<PartConnection> {
 public:
  // `connector` and `heads` outlive the connection (one of each per run).
  PartConnection(Strand strand, const net::Connector& connector, const RequestHeads& heads, const BodySource& source,
                 std::size_t io_buffer, std::chrono::milliseconds timeout, ProgressFn progress);

  void send_part(PartRequest request, std::function<void(Answer)> done);
  // A small request with a JSON (or empty) body: move, get-link.
  void send_small(std::string method, std::string target, std::string json_body,
                  std::function<void(Answer)> done);
  // Drops the connection; any operation in flight completes with aborted set.
  void close();
  void abort();  // close() from any thread: posts to the strand
  bool is_open() const { return stream_ && stream_->tcp().socket().is_open(); }

 private:
  void connect_then(std::function<void()> next);
  void write_body_chunk();
  void write_body_sendfile();
  void write_failed(boost::system::error_code ec);
  void read_answer();
  // `words`: the transport error as people read it, when known better than `ec`.
  void finish(boost::system::error_code ec, const char* during, std::string words = {});

  Strand strand_;
  const net::Connector& connector_;
  const RequestHeads& heads_;
  const BodySource& source_;
  std::size_t io_buffer_;
  std::chrono::milliseconds timeout_;
  ProgressFn progress_;
  std::unique_ptr<net::AnyStream> stream_;  // null until the first connect and after a failed one
  boost::asio::cancellation_signal connect_cancel_;  // ends a connect in flight when the run stops
  bool connecting_ = false;
  boost::beast::flat_buffer read_buffer_;
  std::vector<char> body_buffer_;  // allocated on first use: sendfile runs need none
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
  boost::asio::steady_timer watchdog_;  // for sendfile's readiness waits, which tcp_stream does not time

  // The request in flight.
  PartRequest part_;
  std::string head_;
  bool head_sent_ = false;
  boost::system::error_code write_error_;  // a failed body write whose answer we still try to read
  std::uint64_t sent_ = 0;  // absolute offset of the next body byte
  std::uint64_t body_end_ = 0;
  Clock::time_point last_write_;
  Answer answer_;
  std::function<void(Answer)> done_;
  bool stopped_ = false;
};

// "EntityTooSmall" from {"error":"EntityTooSmall: ..."}; "" when the body has no code.
std::string error_code_of(const std::string& body);

}  // namespace partcheck::bench
