#include "contract/rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace partcheck::contract {
namespace {

using enum RuleLevel;

constexpr std::array kRules{
    Rule{"AUTH-1", Must, "No or wrong API key: request refused (403; 401 counts as NON-STRICT), nothing stored"},
    Rule{"AUTH-2", Should, "Both `Authorization: Bearer` and `X-Token` are accepted"},
    Rule{"HASH-1", Must, "`hash` missing or not a uuid: 400"},
    Rule{"RANGE-1", Must, "`Content-Range` syntax `bytes s-e/n`, integers, 0 <= s < e <= n; malformed: 400"},
    Rule{"RANGE-2", Must, "`end` is exclusive: body length == e - s; a mismatch is 400 and nothing of it is kept"},
    Rule{"RANGE-3", Should, "Every part of one upload declares the same total n; a different n: 400"},
    Rule{"WHOLE-1", Must, "`bytes 0-n/n` with n bytes: 200, file complete, any n (below 5 MiB too)"},
    Rule{"PART-1", Must, "A non-final part (e < n) smaller than 5 MiB: rejected, `EntityTooSmall`"},
    Rule{"PART-2", Must, "A part larger than 5 GiB: rejected (`EntityTooLarge`)"},
    Rule{"PART-3", Must, "Non-final parts all equal the first part's size; the last is no larger"},
    Rule{"PART-4", Must, "A non-final part: 206; the part that completes the file: 200"},
    Rule{"ORDER-1", Must, "Parts out of order: `InvalidPartOrder`, never a silently wrong file"},
    Rule{"ORDER-2", Must, "A part for an unknown or expired hash with s > 0: `NoSuchUpload`"},
    Rule{"ORDER-3", Must, "A gap (a part skipped): `InvalidPart` at completion or `InvalidPartOrder` at the gap, never a silently short file"},
    Rule{"CT-1", Must, "`application/octet-stream` raw body accepted"},
    Rule{"CT-2", Should, "`multipart/form-data` with field `file` (or `File`) accepted, same semantics"},
    Rule{"CT-3", Should, "Other content types: 400 (or 415)"},
    Rule{"TTL-1", Must, "An upload not moved within 1 hour is gone: further parts `NoSuchUpload`, move fails"},
    Rule{"TTL-2", Must, "A moved file does not expire"},
    Rule{"MOVE-1", Must, "Move of a complete upload: 200; the file is in the directory; its bytes equal the uploaded bytes"},
    Rule{"MOVE-2", Must, "Name taken: postfix ` (1)`, ` (2)`, ... before the extension"},
    Rule{"MOVE-3", Must, "No unique name possible: 409"},
    Rule{"MOVE-4", Must, "Not enough space: 402, nothing moved"},
    Rule{"MOVE-5", Must, "No permission on the directory: 403, nothing moved"},
    Rule{"MOVE-6", Should, "Move of an incomplete or unknown upload: 4xx, nothing created"},
    Rule{"MOVE-7", Should, "`directoryID` missing/invalid/unknown: 4xx"},
    Rule{"MOVE-8", Must, "Moving an initialised file to another directory moves it"},
    Rule{"DIR-1", Must, "Directory upload follows every part rule and the final response carries `file.__id`"},
    Rule{"LINK-1", Should, "get-link of a stored file gives a URL whose GET returns exactly the stored bytes"},
    Rule{"ERR-1", Must, "Every error is 4xx with JSON `{\"success\": false, \"error\": \"<message with code>\"}`; never 5xx for client mistakes"},
    Rule{"INFO-1", Info, "Retry of the last accepted part with the same range (idempotent?)"},
    Rule{"INFO-2", Info, "Empty file `bytes 0-0/0`"},
    Rule{"INFO-3", Info, "Missing `Content-Range` on a whole-file upload"},
    Rule{"INFO-4", Info, "Parallel uploads of distinct parts of one hash"},
    Rule{"INFO-5", Info, "Whether errors surface at the bad part (eager) or at completion (deferred)"},
};

// The rules an upload client is graded on (`partcheck client`): the same
// contract seen from the other side, plus what a client owes its user.
constexpr std::array kClientRules{
    Rule{"CLIENT-1", Must, "When the upload can succeed, the file ends in the directory with exactly the uploaded bytes, under the asked name or the postfixed one the server gave"},
    Rule{"CLIENT-2", Must, "Every part carries `Content-Range: bytes s-e/n` with an exclusive end (e - s body bytes) and n = the file size; non-final parts are equal and 5 MiB to 5 GiB, the last no larger; the body is application/octet-stream or multipart/form-data"},
    Rule{"CLIENT-3", Must, "Parts of one upload go in order: each starts where the acknowledged bytes end, never past them"},
    Rule{"CLIENT-4", Should, "A part that failed (no answer, 5xx, 408, 429) is sent again from the last acknowledged offset, not earlier; an expired upload (NoSuchUpload) is started over under a new hash or given up"},
    Rule{"CLIENT-5", Should, "Retries back off (the first wait at least 100 ms, later waits no shorter) and stop: at most 10 attempts of one request"},
    Rule{"CLIENT-6", Must, "The exit status tells the truth: 0 only when the file is stored, non-zero when it is not; the client ends within the time limit"},
    Rule{"CLIENT-7", Should, "A final answer (400, 402, 403, 404, 409) is not sent again unchanged"},
    Rule{"CLIENT-8", Should, "The client reports the id and the name the server gave (PARTCHECK_RESULT), not the name it asked for"},
};

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::span<const Rule> all_rules() { return kRules; }

std::span<const Rule> client_rules() { return kClientRules; }

std::optional<Rule> find_rule(std::string_view id) {
  for (const auto& rule : kRules)
    if (rule.id == id) return rule;
  for (const auto& rule : kClientRules)
    if (rule.id == id) return rule;
  return std::nullopt;
}

std::string_view level_name(RuleLevel level) {
  switch (level) {
    case Must: return "MUST";
    case Should: return "SHOULD";
    case Info: return "INFO";
  }
  return "?";
}

std::optional<RuleLevel> level_from_name(std::string_view name) {
  for (auto level : {Must, Should, Info})
    if (iequals(name, level_name(level))) return level;
  return std::nullopt;
}

std::string_view rule_family(std::string_view id) {
  auto dash = id.rfind('-');
  return dash == std::string_view::npos ? id : id.substr(0, dash);
}

}  // namespace partcheck::contract
