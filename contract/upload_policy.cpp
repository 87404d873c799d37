#include "contract/upload_policy.hpp"

#include <algorithm>

#include "contract/part_plan.hpp"

namespace partcheck::contract {
namespace {

PartDecision refuse(ErrorCode code, std::string_view rule, std::string message) {
  PartDecision d;
  d.code = code;
  d.rule = rule;
  d.message = std::move(message);
  d.status = default_status(code);
  return d;
}

std::string range_text(const ContentRange& r) { return format_content_range(r); }

bool overlaps(const StoredPart& p, const ContentRange& r) { return p.start < r.end && r.start < p.end; }

// Part-size rules (PART-1, PART-3) checked over every stored part plus `range`.
// Used eagerly per part in Strict/Lenient and at completion in S3.
std::optional<PartDecision> check_sizes(std::uint64_t part_size, const ContentRange& range,
                                        const PolicyOptions& opt) {
  const auto len = range.length();
  const bool final_part = range.is_final();
  if (!final_part && len < kMinPartSize && !opt.deviates("PART-1"))
    return refuse(ErrorCode::EntityTooSmall, "PART-1",
                  "EntityTooSmall: non-final part " + range_text(range) + " is " +
                      std::to_string(len) + " bytes, below the 5 MiB minimum");
  if (part_size != 0 && !opt.deviates("PART-3")) {
    if (!final_part && len != part_size)
      return refuse(ErrorCode::InvalidPart, "PART-3",
                    "InvalidPart: non-final part " + range_text(range) + " is " +
                        std::to_string(len) + " bytes; earlier parts are " +
                        std::to_string(part_size));
    if (final_part && len > part_size)
      return refuse(ErrorCode::InvalidPart, "PART-3",
                    "InvalidPart: final part " + range_text(range) + " is larger than the part size " +
                        std::to_string(part_size));
    if (range.start % part_size != 0)
      return refuse(ErrorCode::InvalidPartOrder, "ORDER-1",
                    "InvalidPartOrder: part " + range_text(range) +
                        " does not start on a part boundary of " + std::to_string(part_size));
  }
  return std::nullopt;
}

// S3 defers size and gap errors to the request carrying the final part.
std::optional<PartDecision> check_completion_s3(const UploadState& state, const ContentRange& range,
                                                bool retry, const PolicyOptions& opt) {
  std::vector<StoredPart> all = state.parts;
  if (!retry) all.push_back({range.start, range.end});  // a retry is already among the parts
  std::ranges::sort(all, {}, &StoredPart::start);
  std::uint64_t cursor = 0;
  for (const auto& p : all) {
    if (p.start != cursor && !opt.deviates("ORDER-3"))
      return refuse(ErrorCode::InvalidPart, "ORDER-3",
                    "InvalidPart: bytes " + std::to_string(cursor) + "-" + std::to_string(p.start) +
                        " were never uploaded");
    cursor = p.end;
  }
  const std::uint64_t part_size = all.size() > 1 ? all.front().end - all.front().start : 0;
  for (const auto& p : all)
    if (auto bad = check_sizes(part_size, ContentRange{p.start, p.end, range.total}, opt)) return bad;
  return std::nullopt;
}

}  // namespace

std::string_view profile_name(Profile profile) {
  switch (profile) {
    case Profile::Strict: return "strict";
    case Profile::S3: return "s3";
    case Profile::Lenient: return "lenient";
  }
  return "?";
}

std::optional<Profile> profile_from_name(std::string_view name) {
  for (auto p : {Profile::Strict, Profile::S3, Profile::Lenient})
    if (profile_name(p) == name) return p;
  return std::nullopt;
}

std::uint64_t UploadState::contiguous_end() const {
  std::uint64_t end = 0;
  for (const auto& p : parts) {
    if (p.start > end) break;
    end = std::max(end, p.end);
  }
  return end;
}

std::uint64_t UploadState::stored_bytes() const {
  std::uint64_t sum = 0;
  for (const auto& p : parts) sum += p.end - p.start;
  return sum;
}

PartDecision decide_part(const UploadState* existing, bool expired, const ContentRange& range,
                         const PolicyOptions& opt) {
  const bool strict = opt.profile == Profile::Strict;
  const auto len = range.length();

  if (len > kMaxPartSize && !opt.deviates("PART-2"))
    return refuse(ErrorCode::EntityTooLarge, "PART-2",
                  "EntityTooLarge: part " + range_text(range) + " is larger than 5 GiB");
  if (range.total > opt.max_total)
    return refuse(ErrorCode::EntityTooLarge, "PART-2",
                  "EntityTooLarge: file " + range_text(range) + " declares more than the " +
                      std::to_string(opt.max_total) + " bytes this server takes");

  if (!existing) {
    if (expired)
      return refuse(ErrorCode::NoSuchUpload, "TTL-1",
                    "NoSuchUpload: the upload expired and was removed");
    if (range.start > 0 && strict) {
      if (!opt.deviates("ORDER-2"))
        return refuse(ErrorCode::NoSuchUpload, "ORDER-2",
                      "NoSuchUpload: no upload with this hash; the first part must start at byte 0");
      PartDecision ok;  // deviated: a part of nothing becomes an upload
      ok.accepted = ok.creates = true;
      ok.write_offset = range.start;
      ok.completes = range.is_final();
      ok.status = ok.completes ? 200 : 206;
      return ok;
    }
    if (range.is_whole() && len < kMinPartSize && opt.deviates("WHOLE-1"))
      return refuse(ErrorCode::EntityTooSmall, "WHOLE-1",
                    "EntityTooSmall: file of " + std::to_string(len) + " bytes is below 5 MiB");
    // A new upload is judged as an empty one that already declared this total.
    UploadState empty;
    empty.total = range.total;
    PartDecision first = decide_part(&empty, false, range, opt);
    first.creates = first.accepted;
    return first;
  }

  const UploadState& state = *existing;
  PartDecision ok;
  ok.accepted = true;
  ok.write_offset = range.start;
  const bool retry = state.last_part && state.last_part->start == range.start &&
                     state.last_part->end == range.end && range.total == state.total;

  if (range.total != state.total && !opt.deviates("RANGE-3"))
    return refuse(ErrorCode::InvalidRange, "RANGE-3",
                  "InvalidRange: total " + std::to_string(range.total) + " differs from the upload's " +
                      std::to_string(state.total));
  if (state.complete && !retry)
    return refuse(ErrorCode::UploadComplete, "PART-4",
                  "UploadComplete: the upload is already complete");

  const auto contiguous = state.contiguous_end();
  if (strict && !retry) {
    // ORDER-1 covers any start other than the received end, gaps included;
    // ORDER-3 is the gap alone. Deviating either lets a gap through.
    if (range.start > contiguous && !opt.deviates("ORDER-3") && !opt.deviates("ORDER-1"))
      return refuse(ErrorCode::InvalidPartOrder, "ORDER-3",
                    "InvalidPartOrder: part " + range_text(range) + " leaves a gap; bytes received end at " +
                        std::to_string(contiguous));
    if (range.start < contiguous && !opt.deviates("ORDER-1"))
      return refuse(ErrorCode::InvalidPartOrder, "ORDER-1",
                    "InvalidPartOrder: part " + range_text(range) + " is out of order; bytes received end at " +
                        std::to_string(contiguous));
    // Deviated ORDER-1/ORDER-3: the bytes are appended where the file ends,
    // which is exactly the silently wrong file the rules forbid.
    ok.write_offset = contiguous;
  }
  if (!strict && !retry)
    for (const auto& p : state.parts)
      if (overlaps(p, range))
        return refuse(ErrorCode::InvalidPartOrder, "ORDER-1",
                      "InvalidPartOrder: part " + range_text(range) + " overlaps stored bytes " +
                          std::to_string(p.start) + "-" + std::to_string(p.end));

  if (opt.profile == Profile::S3) {
    if (range.is_final())
      if (auto bad = check_completion_s3(state, range, retry, opt)) return *bad;
  } else {
    auto part_size = state.part_size;
    if (retry && state.parts.size() == 1) part_size = 0;  // a retried first part sets it anew
    if (auto bad = check_sizes(part_size, range, opt)) return *bad;
  }

  ok.replaces = retry;
  if (strict) {
    // Equal to range.is_final() unless ORDER-1/ORDER-3 are deviated.
    ok.completes = range.is_final() || ok.write_offset + len >= state.total;
  } else {
    UploadState after = apply_part(existing, range, ok);
    ok.completes = after.covers_all();
  }
  ok.status = ok.completes ? 200 : 206;
  if (opt.deviates("PART-4")) ok.status = ok.completes ? 206 : 200;
  return ok;
}

UploadState apply_part(const UploadState* existing, const ContentRange& range,
                       const PartDecision& decision) {
  UploadState state = existing ? *existing : UploadState{};
  if (!existing) state.total = range.total;
  StoredPart part{decision.write_offset, decision.write_offset + range.length()};
  if (decision.replaces) {
    std::erase_if(state.parts, [&](const StoredPart& p) { return p == part; });
  }
  state.parts.insert(std::ranges::upper_bound(state.parts, part.start, {}, &StoredPart::start), part);
  if (!range.is_final() && state.part_size == 0) state.part_size = range.length();
  if (decision.replaces && state.parts.size() == 1 && !range.is_final())
    state.part_size = range.length();
  state.last_part = part;
  state.complete = state.complete || decision.completes;
  return state;
}

}  // namespace partcheck::contract
