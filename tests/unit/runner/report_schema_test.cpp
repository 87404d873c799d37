// Keeps docs/results.schema.json honest: what to_json writes must validate
// against it, and the schema must catch what run_from_json rejects.
#include <gtest/gtest.h>

#include <fstream>

#include "report_sample_test.hpp"
#include "runner/results.hpp"

namespace partcheck::runner {
namespace {

using nlohmann::json;

// The subset of JSON Schema 2020-12 the file uses: type, const, enum, required,
// properties, additionalProperties:false, items, prefixItems, minItems, maxItems, $ref.
class MiniValidator {
 public:
  explicit MiniValidator(json schema) : root_(std::move(schema)) {}

  std::vector<std::string> validate(const json& value) {
    errors_.clear();
    check(root_, value, "$");
    return errors_;
  }

 private:
  void check(const json& schema, const json& value, const std::string& path) {
    if (schema.contains("$ref")) {
      const std::string ref = schema["$ref"];
      ASSERT_EQ(ref.rfind("#/$defs/", 0), 0u) << ref;
      check(root_["$defs"][ref.substr(8)], value, path);
    }
    if (schema.contains("const") && value != schema["const"]) errors_.push_back(path + ": const");
    if (schema.contains("enum") &&
        std::find(schema["enum"].begin(), schema["enum"].end(), value) == schema["enum"].end())
      errors_.push_back(path + ": enum");
    if (schema.contains("type") && !has_type(value, schema["type"])) {
      errors_.push_back(path + ": type " + schema["type"].get<std::string>());
      return;
    }
    if (value.is_object()) check_object(schema, value, path);
    if (value.is_array()) check_array(schema, value, path);
  }

  void check_object(const json& schema, const json& value, const std::string& path) {
    for (const auto& key : schema.value("required", json::array()))
      if (!value.contains(key.get<std::string>())) errors_.push_back(path + "." + key.get<std::string>() + ": required");
    const json properties = schema.value("properties", json::object());
    for (const auto& [key, item] : value.items()) {
      if (properties.contains(key))
        check(properties[key], item, path + "." + key);
      else if (schema.value("additionalProperties", true) == false)
        errors_.push_back(path + "." + key + ": not in the schema");
    }
  }

  void check_array(const json& schema, const json& value, const std::string& path) {
    if (schema.contains("minItems") && value.size() < schema["minItems"].get<std::size_t>())
      errors_.push_back(path + ": minItems");
    if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<std::size_t>())
      errors_.push_back(path + ": maxItems");
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string item_path = path + "[" + std::to_string(i) + "]";
      if (schema.contains("prefixItems") && i < schema["prefixItems"].size())
        check(schema["prefixItems"][i], value[i], item_path);
      else if (schema.contains("items"))
        check(schema["items"], value[i], item_path);
    }
  }

  static bool has_type(const json& value, const std::string& type) {
    if (type == "object") return value.is_object();
    if (type == "array") return value.is_array();
    if (type == "string") return value.is_string();
    if (type == "integer") return value.is_number_integer();
    if (type == "number") return value.is_number();
    if (type == "boolean") return value.is_boolean();
    return false;
  }

  json root_;
  std::vector<std::string> errors_;
};

json load_schema() {
  std::ifstream in(std::string{PARTCHECK_SOURCE_DIR} + "/docs/results.schema.json");
  EXPECT_TRUE(in.good()) << "docs/results.schema.json not found";
  return json::parse(in);
}

TEST(ReportSchema, WrittenResultsValidate) {
  MiniValidator validator(load_schema());
  RunResult run = testing::sample_run();
  run.scenarios.push_back(run.scenarios.front());
  run.scenarios.back().id = "NO-RULES";
  run.scenarios.back().rules.clear();
  run.scenarios.back().transcript.front().status = 0;
  run.scenarios.back().transcript.front().error = "connection refused";
  const auto errors = validator.validate(to_json(run));
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

TEST(ReportSchema, ClientRunsValidateAndReadBack) {
  MiniValidator validator(load_schema());
  RunResult run = testing::sample_run();
  run.kind = "client";
  run.scenarios.front().transcript.front().at_ms = 12.5;
  run.scenarios.front().client_output = "good.py: moved\n";
  const json written = to_json(run);
  const auto errors = validator.validate(written);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  const auto back = run_from_json(written);
  EXPECT_EQ(back.kind, "client");
  EXPECT_EQ(back.scenarios.front().transcript.front().at_ms, 12.5);
  EXPECT_EQ(back.scenarios.front().client_output, "good.py: moved\n");

  json odd = written;
  odd["kind"] = "robot";
  EXPECT_FALSE(validator.validate(odd).empty());
  EXPECT_THROW(run_from_json(odd), std::runtime_error);
}

TEST(ReportSchema, SchemaRejectsWhatTheReaderRejects) {
  MiniValidator validator(load_schema());
  const json good = to_json(testing::sample_run());
  json bad = good;
  bad["scenarios"][0]["verdict"] = "MAYBE";
  EXPECT_FALSE(validator.validate(bad).empty());
  EXPECT_THROW(run_from_json(bad), std::runtime_error);
  bad = good;
  bad["scenarios"][0].erase("id");
  EXPECT_FALSE(validator.validate(bad).empty());
  EXPECT_THROW(run_from_json(bad), std::runtime_error);
  bad = good;
  bad["scenarios"][0]["transcript"][0]["headers"][0] = json::array({"x"});
  EXPECT_FALSE(validator.validate(bad).empty());
  EXPECT_THROW(run_from_json(bad), std::runtime_error);
  bad = good;
  bad["schema_version"] = 2;
  EXPECT_FALSE(validator.validate(bad).empty());
  EXPECT_THROW(run_from_json(bad), std::runtime_error);
}

}  // namespace
}  // namespace partcheck::runner
