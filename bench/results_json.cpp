// The JSON form of BenchResult (`partcheck.bench/1`): written whole, read
// strictly, with the fields added after the first files optional.
#include "bench/results.hpp"

#include <stdexcept>

namespace partcheck::bench {

using nlohmann::json;

namespace {

template <typename T>
T field(const json& j, const char* name, const std::string& where) {
  auto it = j.find(name);
  if (it == j.end()) throw std::runtime_error("bench results: " + where + "." + name + " is missing");
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw std::runtime_error("bench results: " + where + "." + name + " has the wrong type (" +
                             std::string(it->type_name()) + ")");
  }
}

template <typename T>
std::optional<T> optional_field(const json& j, const char* name, const std::string& where) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return field<T>(j, name, where);
}

template <typename T>
void put_optional(json& j, const char* name, const std::optional<T>& value) {
  j[name] = value ? json(*value) : json(nullptr);
}

const json& object(const json& j, const char* name, const std::string& where) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_object())
    throw std::runtime_error("bench results: " + where + "." + name + " is missing or not an object");
  return *it;
}

const json& array(const json& j, const char* name, const std::string& where) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_array())
    throw std::runtime_error("bench results: " + where + "." + name + " is missing or not an array");
  return *it;
}

json usage_json(const ProcessUsage& u) {
  return {{"user_s", u.user_s}, {"sys_s", u.sys_s}, {"peak_rss_bytes", u.peak_rss_bytes}};
}

ProcessUsage usage_from(const json& j, const std::string& where) {
  return {field<double>(j, "user_s", where), field<double>(j, "sys_s", where),
          field<std::uint64_t>(j, "peak_rss_bytes", where)};
}

json histogram_json(const HistogramData& h) {
  json percentiles = {{"p50", h.quantile(0.5)},   {"p90", h.quantile(0.9)}, {"p99", h.quantile(0.99)},
                      {"p999", h.quantile(0.999)}, {"max", h.max}};
  return {{"unit", h.unit}, {"axis", "log"}, {"bins", h.bins},   {"lower", h.lower},
          {"upper", h.upper}, {"counts", h.counts}, {"count", h.count}, {"sum", h.sum},
          {"min", h.min},   {"max", h.max},   {"mean", h.mean()}, {"percentiles", percentiles}};
}

HistogramData histogram_from(const json& j, const std::string& where) {
  HistogramData h;
  h.unit = field<std::string>(j, "unit", where);
  if (auto axis = field<std::string>(j, "axis", where); axis != "log")
    throw std::runtime_error("bench results: " + where + ".axis '" + axis + "' is not supported (only 'log')");
  h.bins = field<unsigned>(j, "bins", where);
  h.lower = field<double>(j, "lower", where);
  h.upper = field<double>(j, "upper", where);
  h.counts = field<std::vector<std::uint64_t>>(j, "counts", where);
  h.count = field<std::uint64_t>(j, "count", where);
  h.sum = field<double>(j, "sum", where);
  h.min = field<double>(j, "min", where);
  h.max = field<double>(j, "max", where);
  if (h.counts.size() != h.bins + 2u)
    throw std::runtime_error("bench results: " + where + ".counts must have bins + 2 entries");
  if (!(h.lower > 0 && h.upper > h.lower))
    throw std::runtime_error("bench results: " + where + " needs 0 < lower < upper");
  return h;
}

json config_json(const BenchConfig& c) {
  json j = {{"target", c.target},
            {"target_kind", c.target_kind},
            {"file_size", c.file_size},
            {"part_size", c.part_size},
            {"concurrency", c.concurrency},
            {"part_concurrency", c.part_concurrency},
            {"warmup_s", c.warmup_s},
            {"move", c.move},
            {"verify", c.verify},
            {"compressible_percent", c.compressible_percent},
            {"source", c.source},
            {"seed", c.seed},
            {"retries", c.retries},
            {"calibrate", c.calibrate}};
  put_optional(j, "files", c.files);
  put_optional(j, "duration_s", c.duration_s);
  put_optional(j, "rate_per_s", c.rate_per_s);
  j["model"] = c.rate_per_s ? "open" : "closed";
  return j;
}

BenchConfig config_from(const json& j) {
  const std::string w = "config";
  BenchConfig c;
  c.target = field<std::string>(j, "target", w);
  c.target_kind = field<std::string>(j, "target_kind", w);
  c.file_size = field<std::uint64_t>(j, "file_size", w);
  c.part_size = field<std::uint64_t>(j, "part_size", w);
  c.files = optional_field<std::uint64_t>(j, "files", w);
  c.duration_s = optional_field<double>(j, "duration_s", w);
  c.concurrency = field<unsigned>(j, "concurrency", w);
  c.part_concurrency = field<unsigned>(j, "part_concurrency", w);
  c.rate_per_s = optional_field<double>(j, "rate_per_s", w);
  c.warmup_s = field<double>(j, "warmup_s", w);
  c.move = field<bool>(j, "move", w);
  c.verify = field<std::string>(j, "verify", w);
  c.compressible_percent = field<unsigned>(j, "compressible_percent", w);
  c.source = field<std::string>(j, "source", w);
  c.seed = field<std::uint64_t>(j, "seed", w);
  c.retries = field<unsigned>(j, "retries", w);
  c.calibrate = field<bool>(j, "calibrate", w);
  return c;
}

json totals_json(const Totals& t) {
  return {{"measured_s", t.measured_s},
          {"wall_s", t.wall_s},
          {"bytes", t.bytes},
          {"uploads", t.uploads},
          {"parts", t.parts},
          {"failed_uploads", t.failed_uploads},
          {"retries", t.retries},
          {"late_starts", t.late_starts},
          {"throughput_bytes_per_s", t.throughput_bytes_per_s},
          {"uploads_per_s", t.uploads_per_s},
          {"parts_per_s", t.parts_per_s}};
}

Totals totals_from(const json& t, const std::string& tw) {
  Totals r;
  r.measured_s = field<double>(t, "measured_s", tw);
  r.wall_s = field<double>(t, "wall_s", tw);
  r.bytes = field<std::uint64_t>(t, "bytes", tw);
  r.uploads = field<std::uint64_t>(t, "uploads", tw);
  r.parts = field<std::uint64_t>(t, "parts", tw);
  r.failed_uploads = field<std::uint64_t>(t, "failed_uploads", tw);
  r.retries = field<std::uint64_t>(t, "retries", tw);
  r.late_starts = field<std::uint64_t>(t, "late_starts", tw);
  r.throughput_bytes_per_s = field<double>(t, "throughput_bytes_per_s", tw);
  r.uploads_per_s = field<double>(t, "uploads_per_s", tw);
  r.parts_per_s = field<double>(t, "parts_per_s", tw);
  return r;
}

json shard_json(const ShardInfo& s) {
  json j = {{"index", s.index},
            {"count", s.count},
            {"run_id", s.run_id},
            {"concurrency", s.concurrency},
            {"first_file_index", s.first_file_index},
            {"late_start_s", s.late_start_s}};
  put_optional(j, "files", s.files);
  put_optional(j, "rate_per_s", s.rate_per_s);
  put_optional(j, "start_at", s.start_at);
  return j;
}

ShardInfo shard_from(const json& j) {
  const std::string w = "shard";
  ShardInfo s;
  s.index = field<unsigned>(j, "index", w);
  s.count = field<unsigned>(j, "count", w);
  if (s.count == 0 || s.index >= s.count)
    throw std::runtime_error("bench results: shard.index must be below shard.count, and the count at least 1");
  s.run_id = field<std::string>(j, "run_id", w);
  s.concurrency = field<unsigned>(j, "concurrency", w);
  s.first_file_index = field<std::uint64_t>(j, "first_file_index", w);
  s.late_start_s = field<double>(j, "late_start_s", w);
  s.files = optional_field<std::uint64_t>(j, "files", w);
  s.rate_per_s = optional_field<double>(j, "rate_per_s", w);
  s.start_at = optional_field<std::string>(j, "start_at", w);
  return s;
}

json shard_row_json(const ShardRow& row) {
  json j = {{"index", row.index},
            {"hostname", row.hostname},
            {"late_start_s", row.late_start_s},
            {"window_offset_s", row.window_offset_s},
            {"totals", totals_json(row.totals)},
            {"errors", row.errors},
            {"client", usage_json(row.client)}};
  put_optional(j, "p99_part_s", row.p99_part_s);
  return j;
}

ShardRow shard_row_from(const json& j) {
  const std::string w = "shards[]";
  ShardRow row;
  row.index = field<unsigned>(j, "index", w);
  row.hostname = field<std::string>(j, "hostname", w);
  row.late_start_s = field<double>(j, "late_start_s", w);
  row.window_offset_s = field<double>(j, "window_offset_s", w);
  row.totals = totals_from(object(j, "totals", w), w + ".totals");
  row.errors = field<std::uint64_t>(j, "errors", w);
  row.client = usage_from(object(j, "client", w), w + ".client");
  row.p99_part_s = optional_field<double>(j, "p99_part_s", w);
  return row;
}

}  // namespace

json to_json(const BenchResult& r) {
  json j;
  j["schema"] = r.schema;
  j["schema_version"] = r.schema_version;
  j["config"] = config_json(r.config);
  const auto& e = r.environment;
  j["environment"] = {{"tool_version", e.tool_version}, {"started_at", e.started_at}, {"hostname", e.hostname},
                      {"kernel", e.kernel},             {"cpu_model", e.cpu_model},   {"cores", e.cores}};
  j["totals"] = totals_json(r.totals);
  j["segments"] = json::array();
  for (const auto& s : r.segments)
    j["segments"].push_back({{"start_s", s.start_s},
                             {"length_s", s.length_s},
                             {"bytes", s.bytes},
                             {"parts_done", s.parts_done},
                             {"bytes_per_s", s.bytes_per_s()}});
  j["histograms"] = json::object();
  for (const auto& [name, h] : r.histograms) j["histograms"][name] = histogram_json(h);
  j["errors"] = json::array();
  for (const auto& err : r.errors) j["errors"].push_back({{"status", err.status}, {"code", err.code}, {"count", err.count}});
  j["resources"] = {{"client", usage_json(r.client)}, {"server", r.server ? usage_json(*r.server) : json(nullptr)}};
  if (r.calibration) {
    json ceilings = json::array();
    for (const auto& c : r.calibration->ceilings)
      ceilings.push_back({{"name", c.name}, {"bytes_per_s", c.bytes_per_s}, {"detail", c.detail}});
    j["calibration"] = {{"ceilings", ceilings},
                        {"limiting", r.calibration->limiting},
                        {"limiting_bytes_per_s", r.calibration->limiting_bytes_per_s},
                        {"efficiency", r.calibration->efficiency}};
  } else {
    j["calibration"] = nullptr;
  }
  const auto& v = r.verification;
  j["verification"] = {{"mode", v.mode}, {"checked", v.checked}, {"mismatches", v.mismatches}, {"failures", v.failures}};
  const auto& tr = r.transport;
  j["transport"] = {{"tls", tr.tls},
                    {"tls_version", tr.tls ? json(tr.tls_version) : json(nullptr)},
                    {"tls_cipher", tr.tls ? json(tr.tls_cipher) : json(nullptr)},
                    {"tls_handshakes", tr.tls_handshakes},
                    {"proxy", tr.proxy.empty() ? json(nullptr) : json(tr.proxy)}};
  j["gates"] = json::array();
  for (const auto& g : r.gates) {
    json gate = {{"expression", g.expression}, {"metric", g.metric}, {"passed", g.passed}};
    put_optional(gate, "actual", g.actual);
    j["gates"].push_back(gate);
  }
  j["timeline"] = json::array();
  for (const auto& u : r.timeline) {
    json span = {{"start_s", u.start_s},
                 {"end_s", u.end_s},
                 {"bytes", u.bytes},
                 {"part_ends_s", u.part_ends_s},
                 {"ok", u.ok},
                 {"stopped", u.stopped}};
    put_optional(span, "intended_s", u.intended_s);
    put_optional(span, "move_end_s", u.move_end_s);
    j["timeline"].push_back(std::move(span));
  }
  j["timeline_dropped"] = r.timeline_dropped;
  j["window_start_unix_s"] = r.window_start_unix_s;
  j["shard"] = r.shard ? shard_json(*r.shard) : json(nullptr);
  if (!r.shards.empty()) {
    j["shards"] = json::array();
    for (const auto& row : r.shards) j["shards"].push_back(shard_row_json(row));
  }
  j["metrics"] = r.metrics();  // derived, for readers that do not recompute
  return j;
}

BenchResult bench_result_from_json(const json& j) {
  if (!j.is_object()) throw std::runtime_error("bench results: the document is not a JSON object");
  BenchResult r;
  r.schema = field<std::string>(j, "schema", "$");
  r.schema_version = field<int>(j, "schema_version", "$");
  if (r.schema != kResultsSchema || r.schema_version > kResultsSchemaVersion)
    throw std::runtime_error("bench results: schema '" + r.schema + "' version " + std::to_string(r.schema_version) +
                             " is not supported (this build reads " + kResultsSchema + ")");
  r.config = config_from(object(j, "config", "$"));
  const auto& e = object(j, "environment", "$");
  r.environment = {field<std::string>(e, "tool_version", "environment"),
                   field<std::string>(e, "started_at", "environment"),
                   field<std::string>(e, "hostname", "environment"),
                   field<std::string>(e, "kernel", "environment"),
                   field<std::string>(e, "cpu_model", "environment"),
                   field<unsigned>(e, "cores", "environment")};
  r.totals = totals_from(object(j, "totals", "$"), "totals");
  for (const auto& s : array(j, "segments", "$"))
    r.segments.push_back({field<double>(s, "start_s", "segments[]"), field<double>(s, "length_s", "segments[]"),
                          field<std::uint64_t>(s, "bytes", "segments[]"),
                          field<std::uint64_t>(s, "parts_done", "segments[]")});
  for (const auto& [name, h] : object(j, "histograms", "$").items())
    r.histograms[name] = histogram_from(h, "histograms." + name);
  for (const auto& err : array(j, "errors", "$"))
    r.errors.push_back({field<int>(err, "status", "errors[]"), field<std::string>(err, "code", "errors[]"),
                        field<std::uint64_t>(err, "count", "errors[]")});
  const auto& res = object(j, "resources", "$");
  r.client = usage_from(object(res, "client", "resources"), "resources.client");
  if (auto it = res.find("server"); it != res.end() && !it->is_null()) r.server = usage_from(*it, "resources.server");
  if (auto it = j.find("calibration"); it != j.end() && !it->is_null()) {
    Calibration c;
    for (const auto& ceiling : array(*it, "ceilings", "calibration"))
      c.ceilings.push_back({field<std::string>(ceiling, "name", "calibration.ceilings[]"),
                            field<double>(ceiling, "bytes_per_s", "calibration.ceilings[]"),
                            field<std::string>(ceiling, "detail", "calibration.ceilings[]")});
    c.limiting = field<std::string>(*it, "limiting", "calibration");
    c.limiting_bytes_per_s = field<double>(*it, "limiting_bytes_per_s", "calibration");
    c.efficiency = field<double>(*it, "efficiency", "calibration");
    r.calibration = c;
  }
  const auto& v = object(j, "verification", "$");
  r.verification = {field<std::string>(v, "mode", "verification"), field<std::uint64_t>(v, "checked", "verification"),
                    field<std::uint64_t>(v, "mismatches", "verification"),
                    field<std::vector<std::string>>(v, "failures", "verification")};
  if (auto it = j.find("transport"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) throw std::runtime_error("bench results: $.transport is not an object");
    auto& tr = r.transport;
    tr.tls = field<bool>(*it, "tls", "transport");
    tr.tls_version = optional_field<std::string>(*it, "tls_version", "transport").value_or("");
    tr.tls_cipher = optional_field<std::string>(*it, "tls_cipher", "transport").value_or("");
    tr.tls_handshakes = optional_field<std::uint64_t>(*it, "tls_handshakes", "transport").value_or(0);
    tr.proxy = optional_field<std::string>(*it, "proxy", "transport").value_or("");
  }
  for (const auto& g : array(j, "gates", "$"))
    r.gates.push_back({field<std::string>(g, "expression", "gates[]"), field<std::string>(g, "metric", "gates[]"),
                       optional_field<double>(g, "actual", "gates[]"), field<bool>(g, "passed", "gates[]")});
  if (auto it = j.find("timeline"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) throw std::runtime_error("bench results: $.timeline is not an array");
    for (const auto& u : *it) {
      UploadSpan span;
      span.start_s = field<double>(u, "start_s", "timeline[]");
      span.end_s = field<double>(u, "end_s", "timeline[]");
      span.bytes = field<std::uint64_t>(u, "bytes", "timeline[]");
      span.part_ends_s = field<std::vector<double>>(u, "part_ends_s", "timeline[]");
      span.ok = field<bool>(u, "ok", "timeline[]");
      // Fields added after the first files were written: optional.
      span.intended_s = optional_field<double>(u, "intended_s", "timeline[]");
      span.move_end_s = optional_field<double>(u, "move_end_s", "timeline[]");
      span.stopped = optional_field<bool>(u, "stopped", "timeline[]").value_or(false);
      r.timeline.push_back(std::move(span));
    }
  }
  r.timeline_dropped = optional_field<std::uint64_t>(j, "timeline_dropped", "$").value_or(0);
  // Added with shards; older files lack them.
  r.window_start_unix_s = optional_field<double>(j, "window_start_unix_s", "$").value_or(0);
  if (auto it = j.find("shard"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) throw std::runtime_error("bench results: $.shard is not an object");
    r.shard = shard_from(*it);
  }
  if (auto it = j.find("shards"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) throw std::runtime_error("bench results: $.shards is not an array");
    for (const auto& row : *it) r.shards.push_back(shard_row_from(row));
  }
  return r;
}

}  // namespace partcheck::bench
