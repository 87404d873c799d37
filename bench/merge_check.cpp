// The input side of `report merge`: are these the shards of one run, and
// which lines of a log are results.
#include <map>
#include <optional>

#include "bench/merge.hpp"

namespace partcheck::bench {
namespace {

using nlohmann::json;

// The config as its JSON form: the same field names and values a person sees
// in the files, and every field, including ones added later, compared.
json config_json(const BenchConfig& config) {
  BenchResult only;
  only.config = config;
  return to_json(only)["config"];
}

// "file_size is 1 here, 12582912 in a.json; seed is ..." for every field that differs.
std::string config_difference(const json& mine, const json& theirs, const std::string& their_source) {
  std::string out;
  auto note = [&](const std::string& key, const json& a, const json& b) {
    out += (out.empty() ? "" : "; ") + key + " is " + (a.is_null() ? "absent" : a.dump()) + " here, " +
           (b.is_null() ? "absent" : b.dump()) + " in " + their_source;
  };
  for (const auto& [key, value] : mine.items()) {
    const json other = theirs.contains(key) ? theirs[key] : json(nullptr);
    if (value != other) note(key, value, other);
  }
  for (const auto& [key, value] : theirs.items())
    if (!mine.contains(key)) note(key, nullptr, value);
  return out;
}

// How to_json's line begins: its keys in sorted order, "calibration" first.
constexpr const char* kResultOpening = "{\"calibration\":";

}  // namespace

std::vector<std::string> check_merge_inputs(const std::vector<MergeInput>& inputs) {
  std::vector<std::string> problems;
  if (inputs.empty()) return {"no results to merge"};
  const MergeInput& first = inputs.front();
  const json first_config = config_json(first.result.config);
  // The shard count and run_id every input must share: the first shard's.
  const MergeInput* reference = nullptr;
  std::map<unsigned, const MergeInput*> seen;
  for (const auto& input : inputs) {
    const auto& r = input.result;
    if (!r.shards.empty())
      problems.push_back(input.source + ": already a merged result (" + std::to_string(r.shards.size()) +
                         " shard rows); merge the shards' own files");
    if (&input != &first) {
      const auto difference = config_difference(config_json(r.config), first_config, first.source);
      if (!difference.empty())
        problems.push_back(input.source + ": not the same run as " + first.source + ", config differs: " + difference);
    }
    if (!r.shard) {
      if (r.shards.empty())
        problems.push_back(input.source +
                           ": not a shard's result (it has no \"shard\"; run partcheck bench with --shard I/N)");
      continue;
    }
    const auto& shard = *r.shard;
    if (!reference) {
      reference = &input;
    } else {
      const auto& want = *reference->result.shard;
      if (shard.count != want.count)
        problems.push_back(input.source + ": a shard of " + std::to_string(shard.count) + ", but " +
                           reference->source + " is a shard of " + std::to_string(want.count));
      if (shard.run_id != want.run_id)
        problems.push_back(input.source + ": run_id '" + shard.run_id + "', but " + reference->source +
                           " has run_id '" + want.run_id + "'");
    }
    if (auto [at, added] = seen.emplace(shard.index, &input); !added)
      problems.push_back(input.source + ": shard index " + std::to_string(shard.index) + " again (" +
                         (at->second->source == input.source ? "the same input given twice"
                                                              : at->second->source + " has it too") +
                         ")");
    // Without its wall-clock start a window cannot be placed beside the others.
    if (r.window_start_unix_s <= 0)
      problems.push_back(input.source +
                         ": no window_start_unix_s (written by an older partcheck): its segments cannot be aligned "
                         "with the other shards'");
  }
  if (reference) {
    const auto& want = *reference->result.shard;
    for (unsigned index = 0; index < want.count; ++index)
      if (!seen.count(index))
        problems.push_back("shard index " + std::to_string(index) + " of " + std::to_string(want.count) +
                           (want.run_id.empty() ? "" : " of run '" + want.run_id + "'") +
                           " is missing: no input holds it");
  }
  return problems;
}

std::vector<MergeInput> pick_results_from_log(std::istream& log, const std::string& name) {
  std::vector<MergeInput> picked;
  std::string line;
  for (std::size_t number = 1; std::getline(log, line); ++number) {
    // A cheap test first: a pod's log is mostly progress and summary lines. A
    // result names its schema, but only in the middle of the line (keys are
    // written in sorted order), so a line cut short is known by its opening.
    const bool names_schema =
        line.find(kResultsSchema) != std::string::npos && line.find("\"schema\"") != std::string::npos;
    if (!names_schema && line.find(kResultOpening) == std::string::npos) continue;
    const auto brace = line.find('{');
    if (brace == std::string::npos) continue;  // a line of a pretty-printed file, a message naming the schema
    const std::string where = name + ":" + std::to_string(number);
    json document;
    try {
      document = json::parse(line.begin() + static_cast<std::ptrdiff_t>(brace), line.end());
    } catch (const json::parse_error& e) {
      // Most often a line cut short (a log size limit, a pod killed mid-write).
      throw LogInputError(where + ": a " + kResultsSchema + " line that is not valid JSON: " + e.what());
    }
    if (!document.is_object() || document.value("schema", json()) != kResultsSchema) continue;
    try {
      picked.push_back({where, bench_result_from_json(document)});
    } catch (const std::exception& e) {
      throw LogInputError(where + ": " + e.what());
    }
  }
  return picked;
}

}  // namespace partcheck::bench
