#pragma once
// Helpers of deploy_manifests_test.cpp: a manifest compared with kubectl's
// typed echo of it, $(VAR) and ${VAR:-default} expansion, the flags a
// `partcheck` command lists in --help, and partcheck command lines picked
// out of the shell scripts of CI files.
#include <yaml-cpp/yaml.h>

#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/support/process.hpp"

namespace partcheck::testing::deploy {

// Every field of `given` (a manifest document) must come back in `echoed`
// (kubectl's JSON of it) with the same value: a field kubectl's typed
// structs do not know is dropped on the way (a typo such as completionMod),
// and shows up here. Sequences compare as a prefix: `set env` appends a
// variable to each container's env. Defaults kubectl adds are not looked at.
inline void differences(const YAML::Node& given, const nlohmann::json& echoed, const std::string& path,
                        std::vector<std::string>& out) {
  if (given.IsMap()) {
    if (!echoed.is_object()) return out.push_back(path + ": not an object in kubectl's echo");
    for (const auto& entry : given) {
      const auto key = entry.first.as<std::string>();
      if (!echoed.contains(key)) {
        out.push_back(path + "." + key + ": dropped by kubectl (not a field of this kind)");
        continue;
      }
      differences(entry.second, echoed[key], path + "." + key, out);
    }
  } else if (given.IsSequence()) {
    if (!echoed.is_array() || echoed.size() < given.size()) return out.push_back(path + ": list shortened by kubectl");
    for (std::size_t i = 0; i < given.size(); ++i)
      differences(given[i], echoed[i], path + "[" + std::to_string(i) + "]", out);
  } else if (given.IsScalar()) {
    const auto text = given.Scalar();
    const bool same = echoed.is_string()                          ? echoed.get<std::string>() == text
                      : echoed.is_boolean() || echoed.is_number() ? echoed.dump() == text
                                                                  : false;
    if (!same) out.push_back(path + ": '" + text + "' came back as " + echoed.dump());
  }
}

// `text` with every $(NAME) replaced by values[NAME], as Kubernetes expands
// args; a name without a value is left as it is and added to `unresolved`
// (Kubernetes would pass "$(NAME)" on literally).
inline std::string expand(const std::string& text, const std::map<std::string, std::string>& values,
                          std::set<std::string>& unresolved) {
  static const std::regex reference(R"(\$\(([A-Za-z_][A-Za-z0-9_]*)\))");
  std::string out;
  auto at = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), reference), end; it != end; ++it) {
    out.append(at, (*it)[0].first);
    const auto found = values.find((*it)[1]);
    if (found != values.end()) {
      out += found->second;
    } else {
      unresolved.insert((*it)[1]);
      out += (*it)[0].str();
    }
    at = (*it)[0].second;
  }
  return out.append(at, text.cend());
}

// Compose's interpolation when the variable is not set: ${NAME:-default}
// is the default; ${NAME} without one is added to `unset`.
inline std::string interpolate_defaults(const std::string& text, std::set<std::string>& unset) {
  static const std::regex variable(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-([^}]*))?\})");
  std::string out;
  auto at = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), variable), end; it != end; ++it) {
    out.append(at, (*it)[0].first);
    if ((*it)[2].matched) {
      out += (*it)[3].str();
    } else {
      unset.insert((*it)[1]);
    }
    at = (*it)[0].second;
  }
  return out.append(at, text.cend());
}

// The words naming the command: "bench", or "report merge".
inline std::vector<std::string> command_words(const std::vector<std::string>& argv) {
  if (argv.empty()) return {};
  if (argv[0] == "report" && argv.size() > 1) return {argv[0], argv[1]};
  return {argv[0]};
}

// The flags `partcheck <command> --help` lists (--name, and -H style short ones).
inline std::set<std::string> help_flags(const std::vector<std::string>& command) {
  std::vector<std::string> argv{kPartcheck};
  argv.insert(argv.end(), command.begin(), command.end());
  argv.push_back("--help");
  const auto help = run_command(argv);
  std::set<std::string> flags;
  static const std::regex flag(R"((^|[\s,])(--?[A-Za-z][A-Za-z0-9-]*))");
  for (std::sregex_iterator it(help.out.begin(), help.out.end(), flag), end; it != end; ++it) flags.insert((*it)[2]);
  return flags;
}

// The flags an argv uses: "--out" of "--out=-" and of "--out -".
inline std::vector<std::string> flags_of(const std::vector<std::string>& argv) {
  std::vector<std::string> flags;
  for (const auto& word : argv)
    if (word.size() > 1 && word[0] == '-' && word != "--") flags.push_back(word.substr(0, word.find('=')));
  return flags;
}

// A script cut into shell words: quotes removed (no expansion inside),
// backslash-newline joined, comments left out, and the operators | || & && ; < > >> as words
// of their own, so a command ends where one begins.
inline std::vector<std::string> shell_words(const std::string& script) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  auto flush = [&] {
    if (in_word) words.push_back(word);
    word.clear();
    in_word = false;
  };
  for (std::size_t i = 0; i < script.size(); ++i) {
    const char c = script[i];
    if (c == '\\' && i + 1 < script.size()) {
      if (script[i + 1] != '\n') word += script[i + 1], in_word = true;
      ++i;
    } else if (c == '\'' || c == '"') {
      const auto close = script.find(c, i + 1);
      word += script.substr(i + 1, close - i - 1);
      in_word = true;
      i = close == std::string::npos ? script.size() : close;
    } else if (c == '#' && !in_word) {
      while (i + 1 < script.size() && script[i + 1] != '\n') ++i;  // a comment
    } else if (c == ' ' || c == '\t') {
      flush();
    } else if (c == '\n' || std::string_view("|&;<>").find(c) != std::string_view::npos) {
      flush();
      std::string op(1, c == '\n' ? ';' : c);
      while (c != '\n' && i + 1 < script.size() &&
             std::string_view("|&>").find(script[i + 1]) != std::string_view::npos)
        op += script[++i];
      words.push_back(op);
    } else {
      word += c;
      in_word = true;
    }
  }
  flush();
  return words;
}

inline bool is_operator(const std::string& word) {
  return !word.empty() && std::string_view("|&;<>").find(word[0]) != std::string_view::npos;
}

// The partcheck command lines of a script: the words after `partcheck`, or
// after the image in `docker run ... "$PARTCHECK_IMAGE" run ...`, up to the
// next operator.
inline std::vector<std::vector<std::string>> partcheck_commands(const std::string& script) {
  std::vector<std::vector<std::string>> commands;
  const auto words = shell_words(script);
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] != "partcheck" && words[i] != "$PARTCHECK_IMAGE") continue;
    std::vector<std::string> argv;
    for (std::size_t j = i + 1; j < words.size() && !is_operator(words[j]); ++j) argv.push_back(words[j]);
    if (!argv.empty()) commands.push_back(std::move(argv));
  }
  return commands;
}

}  // namespace partcheck::testing::deploy
