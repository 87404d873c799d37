#pragma once
// One client connection: read a request header, route it, stream its body
// where it belongs (a part upload, a small JSON body, or the bin), answer,
// and go round again while the connection is kept alive.
//
// Part bodies with a Content-Length bypass the HTTP parser: after the header
// the bytes go from the socket straight into one session buffer and from
// there into storage, so nothing is copied in between. Chunked bodies go
// through the parser (one copy). Only one operation is in flight per session
// at a time; all of them run on the session's strand.
//
// The stream is plain TCP or TLS (net::AnyStream): everything above reads
// and writes it alike. A TLS session first does the server handshake
// (session_tls.cpp); timeouts and closing work on its TCP layer.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "mock_server/admin/fault_injector.hpp"
#include "mock_server/admin/request_record.hpp"
#include "mock_server/http/multipart_stream.hpp"
#include "mock_server/http/part_request.hpp"
#include "mock_server/http/reply.hpp"
#include "mock_server/http/request_target.hpp"
#include "mock_server/http/router.hpp"
#include "mock_server/http/server_context.hpp"
#include "net/any_stream.hpp"

namespace partcheck::mock::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// The client's address (an IPv4-mapped one as IPv4) and port; nothing when
// the socket no longer knows its peer.
std::optional<tcp::endpoint> peer_of(const tcp::socket& socket);

class Session : public std::enable_shared_from_this<Session>, private MultipartSink {
 public:
  static constexpr std::size_t kBodyBufferBytes = 1024 * 1024;
  // Decision 2: a refused body up to this size is read and dropped to keep the connection.
  static constexpr std::uint64_t kDropLimit = 1024 * 1024;
  static constexpr std::size_t kSmallBodyLimit = 4 * 1024 * 1024;  // JSON and admin bodies
  static constexpr std::chrono::seconds kLingerTime{2};
  // How long a TLS close waits for the client's close_notify.
  static constexpr std::chrono::seconds kTlsCloseTime{1};
  // The read buffer holds a request header, a chunk header or a chunked
  // trailer whole; past it the request is 431. Beast stores a field of
  // 64 KiB or more by throwing, so this stays below that.
  static constexpr std::size_t kReadBufferBytes = 60 * 1024;

  // `tls` set: the connection speaks TLS with that context.
  Session(tcp::socket&& socket, asio::ssl::context* tls, ServerContext& context, Admission admission);
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();
  // The server is stopping: close at once if waiting for a request (or when
  // `force`d), else after the answer under way.
  void stop(bool force);

 private:
  using Parser = bhttp::request_parser<bhttp::buffer_body>;
  enum class Phase { Idle, Request, Closing, Closed };
  enum class BodyUse { Part, Collect, Drop };

  // session.cpp: the request cycle
  void read_header();
  void read_header_rest();
  void on_header(beast::error_code ec);
  void dispatch();
  void dispatch_admin(const Route& route);
  std::size_t header_limit() const;
  std::optional<std::string> header(bhttp::field name) const;
  std::optional<std::string> header(std::string_view name) const;
  void send(Reply reply);
  void on_written(beast::error_code ec, bool close);
  void record_request();
  void close_gracefully();
  void linger();
  void drain();
  void reset_hard(std::string_view code = "ConnectionReset");
  void drop_answer(int status);
  void close_now();

  // Every completion handler is made by guarded(): an exception must not
  // leave the strand, where it would end io.run() on this thread; it ends
  // this request instead (fail_request), and the server goes on.
  template <class Fn>
  auto guarded(Fn fn) {
    return [self = shared_from_this(), fn = std::move(fn)](auto&&... args) mutable {
      try {
        fn(*self, std::forward<decltype(args)>(args)...);
      } catch (...) {
        self->fail_request(std::current_exception());
      }
    };
  }
  // 500 InternalError / StorageError (503 without descriptors) and close;
  // only a close once the answer has begun.
  void fail_request(std::exception_ptr error) noexcept;
  void log_note(std::string_view note) const;

  // session_limits.cpp: deadlines against slow clients (--header-timeout,
  // --min-body-rate): when one passes, the read under way is cancelled and
  // the request answered 408 RequestTimeout (too_slow).
  void arm_deadline(std::chrono::steady_clock::time_point when);
  void disarm_deadline();
  void arm_body_deadline();
  void too_slow(const std::string& why);
  std::string body_rate_text() const;

  // session_body.cpp: bodies and parts
  void start_part(const Route& route);
  bool begin_upload(const PartTarget& target);
  void start_body(BodyUse use);
  void read_body();
  void on_body_read(beast::error_code ec, std::size_t bytes);
  void on_chunked_read(beast::error_code ec);
  bool consume(std::span<const std::byte> data);
  bool consume_part(std::span<const std::byte> data);
  void pace(std::size_t bytes);
  std::size_t read_window() const;
  void on_body_end();
  void finish_part();
  void body_broken(std::string_view why);
  void refuse_before_body(const Refusal& refusal, const std::string& allow = {});
  bool refuse_during_body(Reply reply);
  Reply small_body_reply();
  std::span<std::byte> body_buffer();

  // MultipartSink: the file field of a multipart part body.
  void on_file_begin(std::string_view field_name, std::string_view file_name) override;
  void on_file_data(std::span<const std::byte> data) override;
  void on_file_end() override {}

  // session_tls.cpp: the handshake, plain HTTP sent to a TLS listener, close_notify
  FaultRequest fault_request() const;
  void begin_tls();
  void on_first_bytes(beast::error_code ec);
  void on_handshake(beast::error_code ec);
  void refuse_plain_http(unsigned char first);
  void tls_failed(const std::string& why);  // counts and logs
  void close_tls();

  // session_download.cpp
  void start_download(const std::string& token);
  void write_download_chunk();

  ServerContext& context_;
  Admission admission_;
  net::AnyStream stream_;
  bool tls_ready_ = false;  // handshake done, close_notify not yet sent
  beast::flat_buffer buffer_;
  asio::steady_timer timer_;
  asio::steady_timer deadline_;
  bool deadline_passed_ = false;
  // Bumped by every arm and disarm: a wait that had already expired when
  // re-armed still runs, and must then do nothing.
  std::uint64_t deadline_generation_ = 0;
  std::unique_ptr<std::byte[]> body_buffer_;
  std::string remote_;
  bool remote_loopback_ = false;
  std::string admin_key_sent_;  // X-Admin-Key, or the Bearer token, of an admin request
  Phase phase_ = Phase::Idle;

  // The request in progress.
  std::optional<Parser> parser_;
  RequestTarget target_;
  Route route_{};
  FaultPlan faults_;
  RequestRecord record_;
  std::chrono::steady_clock::time_point header_time_;  // also where the body starts
  bool keep_alive_ = true;
  bool expect_continue_ = false;
  bool chunked_ = false;
  bool has_body_ = false;
  bool body_complete_ = true;
  bool delayed_ = false;
  bool answering_ = false;  // a response (or a download) is being written
  std::uint64_t body_remaining_ = 0;  // Content-Length bodies

  BodyUse body_use_ = BodyUse::Drop;
  std::optional<Reply> pending_;  // the answer to send once a dropped body is read
  std::string small_body_;
  std::optional<PartPlan> part_;
  std::unique_ptr<PartUpload> upload_;
  std::unique_ptr<MultipartStream> multipart_;
  std::optional<Reply> sink_refusal_;  // set by the multipart sink to stop the body

  std::optional<bhttp::response<bhttp::string_body>> response_;
  std::optional<bhttp::response<bhttp::empty_body>> download_head_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> download_serializer_;
  std::unique_ptr<ContentReader> download_reader_;
  std::uint64_t download_offset_ = 0, download_remaining_ = 0;
};

}  // namespace partcheck::mock::http
