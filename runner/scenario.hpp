#pragma once
// A conformance scenario as loaded from YAML (docs/scenarios.md): rules it
// covers, what it needs from the target, its steps and the expected outcome of
// the whole sequence. Step parameters stay as JSON (converted from YAML at
// load time, already validated) because they may hold `${...}` references
// that only the executor can resolve.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/rules.hpp"

namespace partcheck::runner {

enum class StepKind {
  Upload,      // one part request
  UploadFile,  // a whole file expanded into parts (contract::plan_parts)
  Move,
  GetLink,
  Download,    // fetch stored bytes and compare with what was uploaded
  List,        // which names a directory listing shows (or does not)
  Clock,       // advance the target's clock (admin API)
  Wait,        // sleep
  Raw,         // exact bytes on the wire
  Request,     // any other API call (directory list, links/download, ...)
  Parallel,    // children at once
  Repeat,      // children `count` times, `${i}` = 0..count-1
  Include,     // a macro's steps with its own variables
};

std::string_view step_kind_name(StepKind kind);

// What a step's response must look like. Status entries are exact codes
// ("206") or classes ("4xx"); codes match anywhere in the error message.
struct Expectation {
  std::vector<std::string> status;
  std::vector<std::string> codes;
  bool defer = false;   // the refusal may come later, at the completing request
  nlohmann::json json = nlohmann::json::object();  // dotted path -> value; "*" = present, null = absent
  std::map<std::string, std::string> headers;
  std::vector<std::string> body_contains;  // texts the body must contain
  std::vector<std::string> body_lacks;     // texts it must not contain (a name absent from a listing)
  bool empty() const {
    return status.empty() && codes.empty() && json.empty() && headers.empty() && body_contains.empty() &&
           body_lacks.empty();
  }
  bool expects_refusal() const;  // a 4xx status (or a code without a status)
};

struct Step {
  StepKind kind = StepKind::Upload;
  std::string name;     // for captures and reports; "upload #2" when not given
  std::string file;     // scenario file, for messages
  int line = 0;         // 1-based
  nlohmann::json spec = nlohmann::json::object();  // kind-specific fields, `${}` unresolved
  Expectation expect;
  std::string when;     // condition; empty: always
  std::map<std::string, std::string> capture;  // var -> source ("body.file.__id")
  std::map<std::string, std::string> with;     // include: variables for the macro
  std::vector<Step> steps;                     // parallel / repeat / include children
  std::string count = "1";                     // repeat
};

// The verdict of the whole sequence, about one uploaded file (default `main`).
struct Outcome {
  enum class Kind { None, Accepted, Rejected };
  Kind kind = Kind::None;
  std::string file = "main";
  std::vector<std::string> codes;   // rejected: any of these
  bool allow_assembled = false;     // rejected: a target that accepts and assembles the right file is an alternative
};

struct Scenario {
  std::string id;
  std::string title;
  std::string description;
  std::vector<std::string> rules;
  contract::RuleLevel level = contract::RuleLevel::Must;
  std::vector<std::string> requires_caps;  // YAML `requires`
  std::map<std::string, std::string> vars;
  std::vector<Step> steps;
  Outcome outcome;
  std::string file;  // path as given / found
  int line = 0;
};

// Capabilities a scenario may require (target config `capabilities`).
const std::vector<std::string>& known_capabilities();

}  // namespace partcheck::runner
