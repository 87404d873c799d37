#pragma once
// One keep-alive HTTP/1.1 connection that streams upload parts. The request
// head is written by hand and the body goes out in `io_buffer`-sized writes
// from one reusable buffer refilled by the body source (or by sendfile(2)
// from a --source file), so a 5 GiB part costs one buffer of memory. Answers
// are parsed with Beast. Every network step has a timeout.
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
#include "bench/http_target.hpp"
#include "contract/content_range.hpp"
#include "contract/digest.hpp"

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
  PartConnection(Strand strand, const HttpTarget& target, boost::asio::ip::tcp::endpoint endpoint,
                 const BodySource& source, std::size_t io_buffer, std::chrono::milliseconds timeout,
                 ProgressFn progress);

  void send_part(PartRequest request, std::function<void(Answer)> done);
  // A small request with a JSON (or empty) body: move, get-link.
  void send_small(std::string method, std::string target, std::string json_body,
                  std::function<void(Answer)> done);
  // Drops the connection; any operation in flight completes with aborted set.
  void close();
  void abort();  // close() from any thread: posts to the strand
  bool is_open() const { return stream_.socket().is_open(); }

 private:
  void connect_then(std::function<void()> next);
  void write_body_chunk();
  void write_body_sendfile();
  void write_failed(boost::system::error_code ec);
  void read_answer();
  void finish(boost::system::error_code ec, const char* during);
  std::string request_head(const char* method, const std::string& target, const std::string& content_type,
                           const std::string& extra, std::uint64_t content_length) const;

  Strand strand_;
  const HttpTarget& target_;
  boost::asio::ip::tcp::endpoint endpoint_;
  const BodySource& source_;
  std::chrono::milliseconds timeout_;
  ProgressFn progress_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer read_buffer_;
  std::vector<char> body_buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
  boost::asio::steady_timer watchdog_;  // for sendfile's readiness waits, which tcp_stream does not time

  // The request in flight.
  PartRequest part_;
  std::string head_;
  std::string small_body_;
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
