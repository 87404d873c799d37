#pragma once
// --verify download: reads moved files back through get-link and compares
// every byte with what was sent (re-derived from the body source, streamed,
// never holding a file). The link may point at the target itself (then the
// same way is taken: TLS, proxy, gateway headers) or at another origin (the
// same TLS trust and proxy, but not the --header fields, which are the
// target's).
#include <vector>

#include "bench/body_source.hpp"
#include "bench/recorder.hpp"
#include "bench/request_head.hpp"
#include "bench/results.hpp"
#include "net/connector.hpp"

namespace partcheck::bench {

// Checks up to `sample` files spread over `moved`; adds to `verification`.
void verify_downloads(const net::Connector& connector, const RequestHeads& heads, const BodySource& source,
                      const std::vector<MovedFile>& moved, std::size_t sample, double timeout_s,
                      Verification& verification);

}  // namespace partcheck::bench
