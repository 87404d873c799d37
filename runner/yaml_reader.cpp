#include "runner/yaml_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace partcheck::runner {

[[noreturn]] void YamlReader::fail(const YAML::Node& node, const std::string& field, const std::string& message) const {
  std::ostringstream out;
  // Keys come from the file: a NUL or control byte would cut or garble the message.
  std::string shown;
  for (unsigned char c : field) {
    if (c < 0x20 || c == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      shown += hex;
    } else {
      shown += static_cast<char>(c);
    }
  }
  out << file_ << ":" << (node.Mark().line >= 0 ? node.Mark().line + 1 : 0) << ": " << shown << ": " << message;
  throw ScenarioError(out.str());
}

std::string YamlReader::scalar(const YAML::Node& node, const std::string& field) const {
  if (!node.IsScalar()) fail(node, field, "expected a single value");
  return node.Scalar();
}

std::vector<std::string> YamlReader::scalars(const YAML::Node& node, const std::string& field) const {
  std::vector<std::string> out;
  if (node.IsSequence()) {
    for (const auto& item : node) out.push_back(scalar(item, field));
  } else {
    out.push_back(scalar(node, field));
  }
  return out;
}

void YamlReader::only_keys(const YAML::Node& node, const std::string& where, const Keys& allowed) const {
  if (!node.IsMap()) fail(node, where, "expected a mapping");
  for (const auto& kv : node) {
    auto key = kv.first.Scalar();
    if (!allowed.contains(key)) {
      std::string list;
      for (const auto& k : allowed) list += (list.empty() ? "" : ", ") + k;
      fail(kv.first, where + "." + key, "unknown field (expected one of: " + list + ")");
    }
  }
}

bool YamlReader::boolean(const YAML::Node& node, const std::string& field) const {
  auto v = scalar(node, field);
  if (v == "true" || v == "yes") return true;
  if (v == "false" || v == "no") return false;
  fail(node, field, "expected true or false");
}

std::map<std::string, std::string> YamlReader::string_map(const YAML::Node& node, const std::string& field) const {
  if (!node.IsMap()) fail(node, field, "expected a mapping");
  std::map<std::string, std::string> out;
  for (const auto& kv : node) out[kv.first.Scalar()] = scalar(kv.second, field + "." + kv.first.Scalar());
  return out;
}

std::vector<std::filesystem::path> yaml_files(const std::vector<std::filesystem::path>& paths,
                                              std::string_view skip_dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(p); it != fs::end(it); ++it) {
        if (it->is_directory() && !skip_dir.empty() && it->path().filename() == skip_dir) {
          it.disable_recursion_pending();
          continue;
        }
        const auto ext = it->path().extension();
        if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) found.push_back(it->path());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      throw ScenarioError(p.string() + ":0: path: no such file or directory");
    }
  }
  return files;
}

std::string read_yaml_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ScenarioError(file.string() + ":0: file: cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace partcheck::runner
