#include "mock_server/http/session.hpp"

#include <unistd.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

#include "contract/content_range.hpp"
#include "contract/uuid.hpp"
#include "mock_server/admin/admin_api.hpp"
#include "mock_server/admin/probe.hpp"
#include "mock_server/http/api_handlers.hpp"
#include "mock_server/http/cors.hpp"
#include "mock_server/http/framing.hpp"
#include "mock_server/http/request_log.hpp"

namespace partcheck::mock::http {
namespace {

using contract::ErrorCode;

bool iequals(std::string_view a, std::string_view b) {
  return beast::iequals(a, b);
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// The code of a JSON error body ("Code: sentence"), for answers made elsewhere (admin).
std::string code_of(const std::string& body) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("error") || !parsed["error"].is_string()) return {};
  auto message = parsed["error"].get<std::string>();
  return message.substr(0, message.find(':'));
}

bool quiet_close_error(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted || ec == beast::error::timeout || ec == asio::error::bad_descriptor ||
         ec == bhttp::error::partial_message || ec == asio::ssl::error::stream_truncated;
}

// The TLS layer is set up by start(), not here: a plain stream costs nothing more.
net::AnyStream open_stream(tcp::socket&& socket, asio::ssl::context* tls) {
  if (tls) return net::AnyStream(beast::tcp_stream(std::move(socket)), *tls);
  return net::AnyStream(beast::tcp_stream(std::move(socket)));
}

}  // namespace

std::optional<tcp::endpoint> peer_of(const tcp::socket& socket) {
  beast::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  if (ec) return std::nullopt;
  if (peer.address().is_v6() && peer.address().to_v6().is_v4_mapped())
    return tcp::endpoint(peer.address().to_v6().to_v4(), peer.port());
  return peer;
}

Session::Session(tcp::socket&& socket, asio::ssl::context* tls, ServerContext& context, Admission admission)
    : context_(context),
      admission_(std::move(admission)),
      stream_(open_stream(std::move(socket), tls)),
      buffer_(kReadBufferBytes),
      timer_(stream_.get_executor()),
      deadline_(stream_.get_executor()) {
  if (auto peer = peer_of(stream_.tcp().socket())) {
    const auto address = peer->address();
    remote_loopback_ = address.is_loopback();
    remote_ = (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
              std::to_string(peer->port());
  }
  beast::error_code ec;
  stream_.tcp().socket().set_option(tcp::no_delay(true), ec);
}

Session::~Session() { context_.sessions.remove(this); }

void Session::start() {
  context_.sessions.add(shared_from_this());
  asio::dispatch(stream_.get_executor(), guarded([](Session& self) {
    if (self.stream_.is_tls()) return self.begin_tls();
    self.read_header();
  }));
}

void Session::stop(bool force) {
  asio::post(stream_.get_executor(), guarded([force](Session& self) {
    if (force || self.phase_ == Phase::Idle) self.close_now();
  }));
}

void Session::read_header() {
  if (context_.stopping) return close_now();
  phase_ = Phase::Idle;
  disarm_deadline();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(header_limit()));
  parser_->body_limit(boost::none);  // parts run to 5 GiB; their bodies are streamed
  stream_.expires_after(context_.config.idle_timeout);
  if (buffer_.size() > 0) return read_header_rest();  // the next request came with the last one
  // Between requests a connection may idle (--idle-timeout); the header
  // deadline starts with the request's first byte.
  stream_.async_read_some(buffer_.prepare(beast::read_size(buffer_, kReadBufferBytes)),
                          guarded([](Session& self, beast::error_code ec, std::size_t bytes) {
                            if (ec) return self.on_header(ec);
                            self.buffer_.commit(bytes);
                            self.read_header_rest();
                          }));
}

void Session::read_header_rest() {
  arm_deadline(std::chrono::steady_clock::now() + context_.config.header_timeout);
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           guarded([](Session& self, beast::error_code ec, std::size_t) { self.on_header(ec); }));
}

void Session::on_header(beast::error_code ec) {
  phase_ = Phase::Request;
  header_time_ = std::chrono::steady_clock::now();
  record_ = RequestRecord{};
  record_.started = std::chrono::system_clock::now();
  record_.remote = remote_;
  faults_ = FaultPlan{};
  delayed_ = false;
  pending_.reset();
  part_.reset();
  small_body_.clear();
  keep_alive_ = false;
  has_body_ = false;
  body_complete_ = true;
  if (ec) {
    if (quiet_close_error(ec) && buffer_.size() == 0) return close_now();
    if (deadline_passed_)
      return too_slow("the request header was not complete within " +
                      std::to_string(context_.config.header_timeout.count()) + " s");
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted) return close_now();
    // The stream cannot be trusted after a framing error: answer, then close.
    Reply reply = ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow
                      ? error_reply(http_refusal(ErrorCode::HeaderTooLarge,
                                                 "the request header is larger than " +
                                                     std::to_string(header_limit()) + " bytes"),
                                    context_.config.policy)
                      : error_reply(http_refusal(ErrorCode::InvalidRequest, "malformed HTTP request: " + ec.message()),
                                    context_.config.policy);
    reply.close = true;
    body_complete_ = false;
    return send(std::move(reply));
  }
  disarm_deadline();
  dispatch();
}

std::size_t Session::header_limit() const { return std::min(context_.config.max_header_bytes, kReadBufferBytes); }

std::optional<std::string> Session::header(bhttp::field name) const {
  const auto& fields = parser_->get();
  auto it = fields.find(name);
  if (it == fields.end()) return std::nullopt;
  return std::string(it->value());
}

std::optional<std::string> Session::header(std::string_view name) const {
  const auto& fields = parser_->get();
  auto it = fields.find(name);
  if (it == fields.end()) return std::nullopt;
  return std::string(it->value());
}

void Session::dispatch() {
  const auto& request = parser_->get();
  record_.method = std::string(request.method_string());
  record_.target = std::string(request.target());
  for (const auto& field : request)
    record_.headers.emplace_back(std::string(field.name_string()), kept_header_value(field.name_string(), field.value()));
  if (auto problem = framing_problem(request)) {
    // RFC 9112 6.3: the body's end is unknown, so the rest of the stream is
    // not a request either (it may be one smuggled in the body).
    auto reply = error_reply(http_refusal(ErrorCode::InvalidRequest, *problem), context_.config.policy);
    reply.close = true;
    body_complete_ = false;
    return send(std::move(reply));
  }
  keep_alive_ = request.keep_alive();
  expect_continue_ = iequals(header(bhttp::field::expect).value_or(""), "100-continue");
  chunked_ = parser_->chunked();
  body_remaining_ = chunked_ ? 0 : parser_->content_length().value_or(0);
  has_body_ = chunked_ || body_remaining_ > 0;
  body_complete_ = !has_body_;
  target_ = parse_target(request.target());

  if (!has_body_) {
    auto preflight = preflight_reply(context_.config.cors_origins, record_.method, header(bhttp::field::origin),
                                     header("Access-Control-Request-Method"), header("Access-Control-Request-Headers"),
                                     context_.config.policy);
    if (preflight) return send(std::move(*preflight));
  }
  auto routed = route(request.method_string(), target_.path);
  if (auto* refused = std::get_if<RouteRefusal>(&routed)) return refuse_before_body(refused->refusal, refused->allow);
  route_ = std::get<Route>(routed);
  if (route_.endpoint == Endpoint::Admin) return dispatch_admin(route_);

  if (context_.faults.any_armed()) {
    faults_ = context_.faults.plan_for(fault_request());
    record_.fault_ids = faults_.fault_ids;
  }
  if (faults_.advance_clock.count() > 0 && context_.store.clock().try_advance(faults_.advance_clock))
    context_.store.sweep_expired();
  if (faults_.status != 0) return refuse_before_body(injected_refusal(faults_.status));
  if (route_.endpoint == Endpoint::Download) return start_download(route_.id);

  if (auto refusal = check_api_key(header(bhttp::field::authorization), header("X-Token"), context_.config))
    return refuse_before_body(*refusal);
  if (is_part_upload(route_.endpoint)) return start_part(route_);
  start_body(BodyUse::Collect);
}

// What armed faults may match on (docs/admin-api.md, "Faults"). A part's
// index counts the upload's equal parts: its start over the part size the
// store has seen, or over its own length for the upload's first part.
FaultRequest Session::fault_request() const {
  FaultRequest request{record_.method, target_.path, std::nullopt, std::nullopt, std::nullopt,
                       presented_api_key(header(bhttp::field::authorization), header("X-Token"))};
  if (auto hash = target_.param("hash")) request.hash = contract::canonical_uuid(*hash);
  const auto content_range = header(bhttp::field::content_range);
  if (!is_part_upload(route_.endpoint) || !content_range) return request;
  const auto parsed = contract::parse_content_range(*content_range);
  if (!parsed) return request;
  const auto& range = *parsed.range;
  request.part_start = range.start;
  const auto known = request.hash ? context_.store.part_size(*request.hash) : std::nullopt;
  const std::uint64_t size = known.value_or(range.length());
  request.part_index = size == 0 ? 0 : range.start / size;
  return request;
}

void Session::dispatch_admin(const Route&) {
  const auto& admin_key = context_.config.admin_key;
  auto sent = header("X-Admin-Key");
  if (!sent) {
    auto authorization = header(bhttp::field::authorization).value_or("");
    if (authorization.size() > 7 && iequals(authorization.substr(0, 7), "Bearer ")) sent = authorization.substr(7);
  }
  admin_key_sent_ = sent.value_or("");
  // The readiness probe answers any client, with or without a key (admin/probe.hpp).
  if (is_public_probe(record_.method, target_.path)) return start_body(BodyUse::Collect);
  // The dashboard page and the redirect to it load without a key: a browser
  // cannot send one when it navigates; the data the page reads still needs it.
  if (admin_key && !admin_page_without_key(record_.method, target_.path)) {
    if (sent != *admin_key)
      return refuse_before_body(
          http_refusal(ErrorCode::Unauthorized, "the admin API needs the admin key in X-Admin-Key"));
  } else if (!remote_loopback_) {
    return refuse_before_body(http_refusal(
        ErrorCode::Unauthorized, "the admin API answers loopback clients only unless the server has --admin-key"));
  }
  start_body(BodyUse::Collect);
}

Reply Session::small_body_reply() {
  const auto& base = stream_.is_tls() ? context_.tls_link_base : context_.link_base;
  ApiCall call{context_.store, context_.config, target_, small_body_, base};
  switch (route_.endpoint) {
    case Endpoint::Move: return handle_move(call);
    case Endpoint::GetLink: return handle_get_link(call, route_.id);
    case Endpoint::LinksDownload: return handle_links_download(call);
    case Endpoint::DirectoryList: return handle_directory_list(call);
    case Endpoint::Admin: {
      AdminRequest request{record_.method, route_.id, target_.query, small_body_, remote_loopback_, admin_key_sent_};
      request.without_slash = target_.path == "/__mock";  // the router sends /__mock and /__mock/ alike
      AdminContext admin{context_.store, context_.faults, context_.journal, context_.stats, context_.config};
      auto answer = handle_admin(request, admin);
      Reply reply;
      reply.status = answer.status;
      reply.content_type = answer.content_type;
      reply.body = std::move(answer.body);
      reply.headers = std::move(answer.headers);  // Location of the redirect, the page's security fields
      if (reply.status >= 400) reply.code = code_of(reply.body);
      return reply;
    }
    default: return internal_error_reply("no handler for this endpoint");
  }
}

void Session::send(Reply reply) {
  if (faults_.reset_after_body_bytes && record_.bytes_in >= *faults_.reset_after_body_bytes) return reset_hard();
  if (faults_.delay.count() > 0 && !delayed_) {
    delayed_ = true;
    timer_.expires_after(faults_.delay);
    timer_.async_wait(guarded([reply = std::move(reply)](Session& self, beast::error_code) mutable {
      self.send(std::move(reply));
    }));
    return;
  }
  if (faults_.drop_response && body_complete_) return drop_answer(reply.status);
  const auto& request = parser_->get();
  bool close = reply.close || !keep_alive_ || !body_complete_ || context_.stopping;
  response_.emplace(static_cast<bhttp::status>(reply.status), request.version() ? request.version() : 11);
  response_->set(bhttp::field::server, "partcheck-mock");
  if (!reply.content_type.empty()) response_->set(bhttp::field::content_type, reply.content_type);
  for (const auto& [name, value] : cors_fields(context_.config.cors_origins, header(bhttp::field::origin)))
    response_->set(name, value);
  for (const auto& [name, value] : reply.headers) response_->set(name, value);
  response_->keep_alive(!close);
  response_->body() = std::move(reply.body);
  response_->prepare_payload();
  record_.status = reply.status;
  record_.code = reply.code;
  record_.bytes_out = response_->body().size();
  record_.first_byte_ms = ms_since(header_time_);
  stream_.expires_after(context_.config.idle_timeout);
  answering_ = true;
  bhttp::async_write(stream_, *response_, guarded([close](Session& self, beast::error_code ec, std::size_t) {
    self.on_written(ec, close);
  }));
}

void Session::on_written(beast::error_code ec, bool close) {
  answering_ = false;
  record_request();
  if (ec) return close_now();
  if (close) return close_gracefully();
  read_header();
}

void Session::record_request() {
  record_.duration_ms = ms_since(header_time_);
  context_.stats.record(record_);
  if (!context_.config.quiet) write_log_line(record_);
  context_.journal.record(std::move(record_));  // on_header starts the next one afresh
}

// Closing right after an answer while the client is still sending would
// reset the connection and could destroy the answer in flight; so stop
// sending, read what still comes for a moment, then close. TLS says
// close_notify first (close_tls), then lingers the same way.
void Session::close_gracefully() {
  phase_ = Phase::Closing;
  upload_.reset();
  if (tls_ready_) return close_tls();
  linger();
}

void Session::linger() {
  beast::error_code ec;
  stream_.tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return close_now();
  stream_.tcp().expires_after(kLingerTime);  // drain() reads the TCP layer itself
  drain();
}

// What comes now is only read to be dropped: raw from the TCP layer, not decrypted.
void Session::drain() {
  auto buffer = body_buffer();
  stream_.tcp().async_read_some(asio::buffer(buffer.data(), buffer.size()),
                                guarded([](Session& self, beast::error_code ec, std::size_t) {
                                  if (ec) return self.close_now();
                                  self.drain();
                                }));
}

// Ends the connection with a TCP reset (linger 0): the client sees the
// request fail without an answer. `code` goes to the journal.
void Session::reset_hard(std::string_view code) {
  upload_.reset();  // nothing of an unfinished part is kept
  record_.status = 0;
  record_.code = code;
  record_request();
  beast::error_code ec;
  stream_.tcp().socket().set_option(asio::socket_base::linger(true, 0), ec);
  close_now();
}

// The drop_response fault: the request was carried out (a part is stored),
// but the client never hears so, as when a proxy loses the answer.
void Session::drop_answer(int status) {
  record_.withheld_status = status;
  reset_hard("ResponseDropped");
}

void Session::close_now() {
  phase_ = Phase::Closed;
  answering_ = false;
  upload_.reset();
  timer_.cancel();
  deadline_.cancel();
  beast::error_code ec;
  stream_.tcp().socket().close(ec);
}

void Session::fail_request(std::exception_ptr error) noexcept {
  try {
    auto reply = failure_reply(error, context_.config);
    log_note("the request failed: " + reply.body);
    upload_.reset();
    multipart_.reset();
    // Too late to answer once the answer has begun (or nothing asked).
    if (phase_ != Phase::Request || answering_ || !parser_) return close_now();
    body_complete_ = false;
    send(std::move(reply));
  } catch (...) {
    close_now();  // even the answer failed: the client sees the connection end
  }
}

// A line on stderr for what the per-request line does not say. Failures are
// logged even with --quiet: they are the server's own trouble.
void Session::log_note(std::string_view note) const {
  std::string line = "remote=" + remote_ + " note=\"" + std::string(note) + "\"\n";
  [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
}

std::span<std::byte> Session::body_buffer() {
  if (!body_buffer_) body_buffer_ = std::make_unique_for_overwrite<std::byte[]>(kBodyBufferBytes);
  return {body_buffer_.get(), kBodyBufferBytes};
}

}  // namespace partcheck::mock::http
