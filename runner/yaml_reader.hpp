#pragma once
// Reading hand-written YAML with errors a person can act on: every problem
// is `file:line: field: message`. Shared by the scenario loaders (server
// scenarios and client scenarios).
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace partcheck::runner {

class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Keys = std::set<std::string, std::less<>>;

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& field, const std::string& message) const;
  std::string scalar(const YAML::Node& node, const std::string& field) const;
  // One value or a list of them.
  std::vector<std::string> scalars(const YAML::Node& node, const std::string& field) const;
  // Fails on a key not in `allowed`, listing the allowed ones.
  void only_keys(const YAML::Node& node, const std::string& where, const Keys& allowed) const;
  bool boolean(const YAML::Node& node, const std::string& field) const;
  std::map<std::string, std::string> string_map(const YAML::Node& node, const std::string& field) const;

 protected:
  std::string file_;
};

// The files `paths` name: a file as given, a directory's *.yaml and *.yml
// files at any depth (sorted), except under subdirectories named `skip_dir`.
// A path that does not exist is a ScenarioError.
std::vector<std::filesystem::path> yaml_files(const std::vector<std::filesystem::path>& paths,
                                              std::string_view skip_dir);
// The whole file; a ScenarioError when it cannot be read.
std::string read_yaml_text(const std::filesystem::path& file);

}  // namespace partcheck::runner
