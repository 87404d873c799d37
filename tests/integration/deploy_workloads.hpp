#pragma once
// The Kubernetes side of deploy_manifests_test.cpp: the documents of
// deploy/kubernetes, and a workload's container as Kubernetes would start
// it (environment from ConfigMaps and Secrets, volumes, $(VAR) in args),
// made to run on this machine.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/deploy_manifests.hpp"
#include "tests/integration/support/process.hpp"

namespace partcheck::testing::deploy {

namespace fs = std::filesystem;

inline const fs::path kDeploy = kSourceDir / "deploy";

// The Secret the manifests' headers create by hand (kubectl create secret),
// with the values the test gives it. The other object made by hand, the
// ConfigMap partcheck-bench-run (START_AT, RUN_ID), changes with every run:
// its values are the `run` argument of environment().
inline const std::map<std::string, std::map<std::string, std::string>> kCreatedByHand{
    {"partcheck-keys", {{"api-key", "sample-api-key"}, {"admin-key", "sample-admin-key"}}},
};

inline bool installed(const std::string& program) {
  return run_command({"sh", "-c", "command -v " + program}).exit_code == 0;
}

inline std::string slurp(const fs::path& path) { return read_text_file(path); }

struct Document {
  std::string file;
  std::string text;  // as written: kubectl gets these bytes, not a re-emitted copy
  YAML::Node node;
  std::string kind() const { return node["kind"].as<std::string>(); }
  std::string name() const { return node["metadata"]["name"].as<std::string>(); }
};

inline std::vector<Document> manifests() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kDeploy / "kubernetes"))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<Document> docs;
  for (const auto& file : files) {
    std::istringstream lines(slurp(file));
    std::string text;
    auto take = [&] {
      const YAML::Node node = YAML::Load(text);
      if (node.IsMap()) docs.push_back({file.filename().string(), text, node});
      text.clear();
    };
    for (std::string line; std::getline(lines, line);) {
      if (line == "---")
        take();
      else
        text += line + "\n";
    }
    take();
  }
  return docs;
}

inline const Document& find(const std::vector<Document>& docs, const std::string& kind, const std::string& name) {
  for (const auto& doc : docs)
    if (doc.kind() == kind && doc.name() == name) return doc;
  throw std::runtime_error("no " + kind + " " + name + " in deploy/kubernetes");
}

inline const YAML::Node pod_spec(const Document& workload) { return workload.node["spec"]["template"]["spec"]; }
inline const YAML::Node container_of(const Document& workload) { return pod_spec(workload)["containers"][0]; }

// The container's environment as Kubernetes builds it, from the ConfigMaps
// of deploy/kubernetes and what is created by hand.
inline std::map<std::string, std::string> environment(const Document& workload, const std::vector<Document>& docs,
                                                      const std::map<std::string, std::string>& run, int index) {
  std::map<std::string, std::string> env;
  if (workload.node["spec"]["completionMode"].as<std::string>("") == "Indexed")
    env["JOB_COMPLETION_INDEX"] = std::to_string(index);  // set by the Job controller
  for (const auto& entry : container_of(workload)["env"]) {
    const auto name = entry["name"].as<std::string>();
    const YAML::Node from = entry["valueFrom"];
    std::string where = workload.file + ": env " + name;
    if (entry["value"]) {
      env[name] = entry["value"].as<std::string>();
    } else if (from["fieldRef"]) {
      EXPECT_NE(from["fieldRef"]["fieldPath"].as<std::string>().find("job-completion-index"), std::string::npos)
          << where;
      env[name] = std::to_string(index);
    } else {
      const YAML::Node ref = from["configMapKeyRef"] ? from["configMapKeyRef"] : from["secretKeyRef"];
      const auto source = ref["name"].as<std::string>(), key = ref["key"].as<std::string>();
      if (source == "partcheck-bench-run") {
        if (!run.count(key))
          ADD_FAILURE() << where << ": the run's ConfigMap has no key " << key;
        else
          env[name] = run.at(key);
      } else if (kCreatedByHand.count(source)) {
        if (!kCreatedByHand.at(source).count(key))
          ADD_FAILURE() << where << ": " << source << " has no key " << key;
        else
          env[name] = kCreatedByHand.at(source).at(key);
      } else {
        const YAML::Node value = find(docs, "ConfigMap", source).node["data"][key];
        if (!value)
          ADD_FAILURE() << where << ": ConfigMap " << source << " has no key " << key;
        else
          env[name] = value.as<std::string>();
      }
    }
  }
  return env;
}

// Volumes on this machine: a ConfigMap's items written into a directory (with
// `replace`'s substitutions), a claim one directory for every pod that mounts it.
struct Volumes {
  TempDir root;
  std::map<std::string, fs::path> claims;
  std::map<std::string, std::string> replace;
  int made = 0;

  std::map<std::string, fs::path> mounts(const Document& workload, const std::vector<Document>& docs) {
    std::map<std::string, fs::path> out;
    for (const auto& mount : container_of(workload)["volumeMounts"]) {
      const auto name = mount["name"].as<std::string>();
      YAML::Node volume;
      for (const auto& v : pod_spec(workload)["volumes"])
        if (v["name"].as<std::string>() == name) volume.reset(v);
      if (!volume.IsMap()) {
        ADD_FAILURE() << workload.file << ": no volume " << name;
        continue;
      }
      fs::path dir;
      if (volume["persistentVolumeClaim"]) {
        const auto claim = volume["persistentVolumeClaim"]["claimName"].as<std::string>();
        if (!claims.count(claim)) fs::create_directories(claims[claim] = root.path() / ("claim-" + claim));
        dir = claims[claim];
      } else {
        fs::create_directories(dir = root.path() / ("volume-" + std::to_string(++made)));
        if (volume["configMap"]) {
          const auto data = find(docs, "ConfigMap", volume["configMap"]["name"].as<std::string>()).node["data"];
          for (const auto& item : volume["configMap"]["items"]) {
            auto text = data[item["key"].as<std::string>()].as<std::string>();
            for (const auto& [from, to] : replace)
              for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
                text.replace(at, from.size(), to);
            std::ofstream(dir / item["path"].as<std::string>()) << text;
          }
        }
      }
      out[mount["mountPath"].as<std::string>()] = dir;
    }
    return out;
  }
};

// The workload's args, $(VAR) expanded and mount paths made local ones.
inline std::vector<std::string> args_of(const Document& workload, const std::map<std::string, std::string>& env,
                                        const std::map<std::string, fs::path>& mounts) {
  std::vector<std::string> args;
  std::set<std::string> unresolved;
  for (const auto& arg : container_of(workload)["args"]) {
    auto word = expand(arg.as<std::string>(), env, unresolved);
    const auto eq = word.starts_with("--") ? word.find('=') : std::string::npos;
    const auto head = eq == std::string::npos ? std::string() : word.substr(0, eq + 1);
    const auto value = word.substr(head.size());
    bool mounted = false;
    for (const auto& [path, dir] : mounts) {
      if (value != path && !value.starts_with(path + "/")) continue;
      word = head + dir.string() + value.substr(path.size());
      mounted = true;
    }
    // Callers run nothing once this failed: the path would be this machine's.
    if (value.starts_with("/") && !mounted)
      ADD_FAILURE() << workload.file << ": " << value << " is on no volume of the pod";
    args.push_back(word);
  }
  for (const auto& name : unresolved) ADD_FAILURE() << workload.file << ": $(" << name << ") names no env variable";
  return args;
}

inline std::string flag_value(const std::vector<std::string>& args, const std::string& flag) {
  for (const auto& arg : args)
    if (arg.starts_with(flag + "=")) return arg.substr(flag.size() + 1);
  return {};
}

inline std::string rfc3339_in(int seconds) {
  const std::time_t at = std::time(nullptr) + seconds;
  std::tm tm{};
  gmtime_r(&at, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// Every pod of an Indexed Job at once, as `env VAR=... partcheck ARGS`;
// none when their command lines have failed a check.
inline std::vector<CommandResult> run_indexed_job(const Document& job, const std::vector<Document>& docs,
                                                  Volumes& volumes, const std::map<std::string, std::string>& run) {
  const int shards = job.node["spec"]["completions"].as<int>();
  std::vector<std::vector<std::string>> pods;
  for (int index = 0; index < shards; ++index) {
    auto env = environment(job, docs, run, index);
    env["FILE_SIZE"] = env["PART_SIZE"];    // the run made tiny: one part per file,
    env["FILES"] = std::to_string(shards);  // one file per shard
    std::vector<std::string> argv{"env"};
    for (const auto& [name, value] : env) argv.push_back(name + "=" + value);
    argv.push_back(kPartcheck);
    for (auto& arg : args_of(job, env, volumes.mounts(job, docs))) argv.push_back(arg);
    pods.push_back(std::move(argv));
  }
  if (::testing::Test::HasFailure()) return {};
  std::vector<std::future<CommandResult>> running;
  for (const auto& argv : pods) running.push_back(std::async(std::launch::async, [argv] { return run_command(argv); }));
  std::vector<CommandResult> results;
  for (auto& pod : running) results.push_back(pod.get());
  return results;
}

}  // namespace partcheck::testing::deploy
