#pragma once
// The five verdicts a scenario can get (docs/contract.md, "Verdicts").
#include <optional>
#include <string_view>

namespace partcheck::runner {

enum class Verdict { Pass, NonStrict, Fail, Informational, Skipped };

std::string_view verdict_name(Verdict verdict);  // "PASS", "NON-STRICT", ...
std::optional<Verdict> verdict_from_name(std::string_view name);
// Combining the judgements of one scenario keeps the worst: FAIL > NON-STRICT > PASS.
Verdict worst(Verdict a, Verdict b);

}  // namespace partcheck::runner
