#include "runner/verdict.hpp"

namespace partcheck::runner {
namespace {

int severity(Verdict v) {
  switch (v) {
    case Verdict::Skipped: return 0;
    case Verdict::Informational: return 1;
    case Verdict::Pass: return 2;
    case Verdict::NonStrict: return 3;
    case Verdict::Fail: return 4;
  }
  return 4;
}

}  // namespace

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::Pass: return "PASS";
    case Verdict::NonStrict: return "NON-STRICT";
    case Verdict::Fail: return "FAIL";
    case Verdict::Informational: return "INFORMATIONAL";
    case Verdict::Skipped: return "SKIPPED";
  }
  return "?";
}

std::optional<Verdict> verdict_from_name(std::string_view name) {
  for (auto v : {Verdict::Pass, Verdict::NonStrict, Verdict::Fail, Verdict::Informational, Verdict::Skipped})
    if (verdict_name(v) == name) return v;
  return std::nullopt;
}

Verdict worst(Verdict a, Verdict b) { return severity(a) >= severity(b) ? a : b; }

}  // namespace partcheck::runner
