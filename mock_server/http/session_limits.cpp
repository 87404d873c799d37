// Limits against slow clients (docs/contract.md, decision 19): a request
// header must be whole within --header-timeout of its first byte, a body must
// average --min-body-rate once --body-rate-window has passed. A deadline that
// passes cancels the read under way; the request is answered 408 and the
// connection closed. (The idle timeout stays the backstop for silence.)
#include "mock_server/http/session.hpp"

namespace partcheck::mock::http {

using contract::ErrorCode;

void Session::arm_deadline(std::chrono::steady_clock::time_point when) {
  deadline_passed_ = false;
  deadline_.expires_at(when);
  deadline_.async_wait(guarded([generation = ++deadline_generation_](Session& self, beast::error_code ec) {
    if (ec || generation != self.deadline_generation_) return;  // re-armed or disarmed meanwhile
    self.deadline_passed_ = true;
    beast::error_code ignored;
    self.stream_.tcp().socket().cancel(ignored);  // the read under way ends with operation_aborted
  }));
}

void Session::disarm_deadline() {
  deadline_passed_ = false;
  ++deadline_generation_;
  deadline_.cancel();
}

// A body must average --min-body-rate once --body-rate-window has passed,
// counted from the end of the header (every body path starts there, refused
// bodies that are read and dropped too): each read may wait until the bytes
// so far would still be on time.
void Session::arm_body_deadline() {
  const auto rate = context_.config.min_body_rate;
  if (rate == 0 || faults_.read_bytes_per_second > 0) return;  // under slow_read the server is the slow one
  const auto earned = std::chrono::microseconds(record_.bytes_in * 1'000'000 / rate);
  arm_deadline(header_time_ + context_.config.body_rate_window + earned);
}

void Session::too_slow(const std::string& why) {
  upload_.reset();  // nothing of a part is kept
  multipart_.reset();
  auto reply = error_reply(http_refusal(ErrorCode::RequestTimeout, why), context_.config.policy);
  reply.close = true;
  body_complete_ = false;
  send(std::move(reply));
}

std::string Session::body_rate_text() const {
  return "the body arrived slower than " + std::to_string(context_.config.min_body_rate) + " bytes/s on average (" +
         std::to_string(record_.bytes_in) + " bytes in " +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - header_time_)
                            .count()) +
         " s)";
}

}  // namespace partcheck::mock::http
