#pragma once
// Whether one incoming part of an upload is accepted, and what it does to the
// upload. This is the contract's part-sequence logic in one place: the mock
// server calls it before reading a body, the scenario runner's fuzzer uses the
// mock as its oracle. Pure: no I/O, no clock.
//
// Profiles (docs/contract.md, "Profiles"):
//   Strict  - the reference: sequential parts, every error at the offending part.
//   S3      - non-final parts in any order are stored; size/gap errors surface
//             at the request carrying the final part.
//   Lenient - any order, in parallel; assembled by offset; complete when covered.
// Deviations name rule ids the policy breaks on purpose (mock `--deviate`).
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "contract/content_range.hpp"
#include "contract/error_code.hpp"

namespace partcheck::contract {

enum class Profile { Strict, S3, Lenient };
std::string_view profile_name(Profile profile);
std::optional<Profile> profile_from_name(std::string_view name);

using Deviations = std::set<std::string, std::less<>>;

// One acknowledged part: bytes [start, end) of the file are durable.
struct StoredPart {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  friend bool operator==(const StoredPart&, const StoredPart&) = default;
};

struct UploadState {
  std::uint64_t total = 0;
  std::uint64_t part_size = 0;       // size of non-final parts, 0 until one is seen
  std::vector<StoredPart> parts;     // sorted by start, disjoint
  std::optional<StoredPart> last_part;  // the most recently accepted part (retry target)
  bool complete = false;

  std::uint64_t contiguous_end() const;  // end of the covered run from byte 0
  std::uint64_t stored_bytes() const;
  bool covers_all() const { return contiguous_end() == total; }
};

// The largest declared file size accepted (--max-total): S3's object limit,
// which the reference's S3-like store inherits. Above it a part is refused
// from its headers, so no offset or sparse hole can run away with a server.
inline constexpr std::uint64_t kDefaultMaxTotal = std::uint64_t{5} << 40;  // 5 TiB

struct PolicyOptions {
  Profile profile = Profile::Strict;
  Deviations deviations;
  std::uint64_t max_total = kDefaultMaxTotal;
  bool deviates(std::string_view rule) const { return deviations.contains(rule); }
};

struct PartDecision {
  bool accepted = false;
  // When refused: the code, the rule it enforces and a message for people.
  ErrorCode code = ErrorCode::InvalidRequest;
  std::string_view rule;
  std::string message;
  // When accepted:
  bool creates = false;     // a new upload starts with this part
  bool replaces = false;    // identical range to the last part: a retry that replaces it
  bool completes = false;   // the file is complete once this part is stored
  std::uint64_t write_offset = 0;  // where the bytes land in the file (== start unless deviated)
  int status = 0;           // 200/206 when accepted, the error status otherwise
};

// `existing` is null for a hash with no upload. `expired` says the hash had an
// upload that the TTL removed (it never comes back, in any profile).
PartDecision decide_part(const UploadState* existing, bool expired, const ContentRange& range,
                         const PolicyOptions& options);

// The state after the accepted part is durably stored. Precondition:
// decide_part(...) accepted it for this same state.
UploadState apply_part(const UploadState* existing, const ContentRange& range,
                       const PartDecision& decision);

}  // namespace partcheck::contract
