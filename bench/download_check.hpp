#pragma once
// --verify download: reads moved files back through get-link and compares
// every byte with what was sent (re-derived from the body source, streamed,
// never holding a file).
#include <vector>

#include "bench/body_source.hpp"
#include "bench/http_target.hpp"
#include "bench/recorder.hpp"
#include "bench/results.hpp"

namespace partcheck::bench {

// Checks up to `sample` files spread over `moved`; adds to `verification`.
void verify_downloads(const HttpTarget& target, const BodySource& source, const std::vector<MovedFile>& moved,
                      std::size_t sample, double timeout_s, Verification& verification);

}  // namespace partcheck::bench
