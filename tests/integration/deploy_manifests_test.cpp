// deploy/ checked offline: no cluster, no container engine daemon needed.
//
// 1. kubectl reads every manifest of deploy/kubernetes, document by document,
//    with no cluster (KUBECONFIG=/dev/null). `kubectl create --dry-run=client`
//    still asks a server for API discovery, so instead workloads (Job,
//    Deployment) go through `kubectl set env --local -o json` and Services
//    through `kubectl set selector --local -o json` (with their own
//    selector): both decode into kubectl's typed structs, so a wrong type
//    (`parallelism: four`) is an error and an unknown field (`completionMod:`)
//    is dropped, which comparing the echo with the input field by field
//    catches. Kinds without a typed local command (ConfigMap,
//    PersistentVolumeClaim) are read by `kubectl label --local` (untyped) and
//    held to the fields their API reference allows. Without kubectl
//    (it is no Debian bookworm package) these checks are skipped.
// 2. The manifests hang together: Indexed Jobs with completions =
//    parallelism = --shards, every $(VAR) and ConfigMap key resolves, the
//    probes and the Service name the port the mock listens on, the bench's
//    target is the mock's Service and root directory.
// 3. Their command lines run with the real binary (there is no parse-only
//    mode): the Deployment's args start a mock on loopback, then every shard
//    of the Indexed Job runs against it with the ConfigMap's settings, the
//    run made tiny (FILE_SIZE = PART_SIZE, FILES = the number of shards), and
//    the shards' output is merged from the log as documented; the
//    shared-volume Job and its merge Job likewise.
// 4. compose.yaml and the CI files parse as YAML, and every partcheck command
//    line in them uses only flags its `--help` lists.
// 5. The Containerfile is built when `docker info` or `podman info` works and
//    its base images are at hand; otherwise skipped with the reason.
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>
#include <httplib.h>

#include "tests/integration/deploy_manifests.hpp"
#include "tests/integration/deploy_workloads.hpp"

namespace partcheck::testing {
namespace {

namespace fs = std::filesystem;
using namespace deploy;

// --- 1. kubectl --------------------------------------------------------------

CommandResult kubectl_echo(const Document& doc, const fs::path& dir) {
  const auto file = (dir / "document.yaml").string();
  std::ofstream(file) << doc.text;
  std::vector<std::string> argv{"env", "KUBECONFIG=/dev/null", "kubectl"};
  const YAML::Node& node = doc.node;
  if (node["spec"] && node["spec"]["template"]) {
    argv.insert(argv.end(), {"set", "env", "--local", "-f", file, "-o", "json", "PARTCHECK_MANIFEST_CHECK=1"});
  } else if (doc.kind() == "Service") {
    std::string selector;
    for (const auto& label : node["spec"]["selector"])
      selector += (selector.empty() ? "" : ",") + label.first.as<std::string>() + "=" + label.second.as<std::string>();
    argv.insert(argv.end(), {"set", "selector", "--local", "-f", file, selector, "-o", "json"});
  } else {
    argv.insert(argv.end(), {"label", "--local", "-f", file, "partcheck-manifest-check=1", "-o", "json"});
  }
  return run_command(argv);
}

void expect_only(const YAML::Node& node, const std::set<std::string>& allowed, const std::string& where) {
  for (const auto& entry : node) {
    const auto key = entry.first.as<std::string>();
    EXPECT_TRUE(allowed.count(key)) << where << "." << key << " is not a field of this kind";
  }
}

// The kinds kubectl has no typed local command for, held to their API reference.
void expect_known_fields(const Document& doc, const nlohmann::json& echo) {
  const std::string where = doc.file + ": " + doc.kind() + " " + doc.name();
  const YAML::Node& node = doc.node;
  expect_only(node["metadata"], {"name", "namespace", "labels", "annotations"}, where + " metadata");
  if (doc.kind() == "ConfigMap") {
    expect_only(node, {"apiVersion", "kind", "metadata", "data", "binaryData", "immutable"}, where);
    for (const auto& [key, value] : echo["data"].items())
      EXPECT_TRUE(value.is_string()) << where << " data." << key << " must be a string (quote it): " << value;
  } else if (doc.kind() == "PersistentVolumeClaim") {
    expect_only(node, {"apiVersion", "kind", "metadata", "spec"}, where);
    expect_only(node["spec"],
                {"accessModes", "resources", "storageClassName", "volumeMode", "selector", "volumeName", "dataSource",
                 "dataSourceRef", "volumeAttributesClassName"},
                where + " spec");
    const YAML::Node resources = node["spec"]["resources"];
    ASSERT_TRUE(resources.IsMap() && resources["requests"].IsMap() && resources["requests"]["storage"])
        << where << ": no spec.resources.requests.storage";
    expect_only(resources, {"requests", "limits"}, where + " spec.resources");
    for (const auto& mode : node["spec"]["accessModes"])
      EXPECT_TRUE((std::set<std::string>{"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"})
                      .count(mode.as<std::string>()))
          << where << ": access mode " << mode.as<std::string>();
  } else {
    ADD_FAILURE() << where << ": no offline check for this kind; add one to this test";
  }
}

TEST(DeployManifests, KubectlReadsEveryManifestWithItsTypes) {
  if (!installed("kubectl")) GTEST_SKIP() << "kubectl is not installed (it is no Debian bookworm package)";
  const auto docs = manifests();
  ASSERT_GE(docs.size(), 7u);
  TempDir dir;
  for (const auto& doc : docs) {
    const std::string where = doc.file + ": " + doc.kind() + " " + doc.name();
    const auto echo = kubectl_echo(doc, dir.path());
    ASSERT_EQ(echo.exit_code, 0) << where << ": kubectl refused it:\n" << echo.err;
    const auto json = nlohmann::json::parse(echo.out);
    std::vector<std::string> found;
    differences(doc.node, json, doc.kind(), found);
    for (const auto& difference : found) ADD_FAILURE() << where << ": " << difference;
    if (!doc.node["spec"] || !(doc.node["spec"]["template"] || doc.kind() == "Service")) expect_known_fields(doc, json);
  }
}

// --- 2. and 3. the manifests together, run --------------------------------------

class DeployRun : public ::testing::Test {
 protected:
  void SetUp() override {
    docs_ = manifests();
    const auto& deployment = find(docs_, "Deployment", "partcheck-mock");
    const auto& service = find(docs_, "Service", "partcheck-mock");
    const YAML::Node container = container_of(deployment);
    auto args = args_of(deployment, environment(deployment, docs_, {}, 0), volumes_.mounts(deployment, docs_));
    ASSERT_EQ(args.at(0), "serve");
    // The probes and the Service reach the port the server listens on.
    const auto listen = flag_value(args, "--listen");
    std::map<std::string, std::string> ports;
    for (const auto& port : container["ports"])
      ports[port["name"].as<std::string>()] = port["containerPort"].as<std::string>();
    for (const auto* probe : {"startupProbe", "readinessProbe", "livenessProbe"}) {
      ASSERT_TRUE(container[probe]) << "mock.yaml: no " << probe;
      EXPECT_EQ(container[probe]["httpGet"]["path"].as<std::string>(), "/__mock/ready") << probe;
      EXPECT_EQ("0.0.0.0:" + ports[container[probe]["httpGet"]["port"].as<std::string>()], listen) << probe;
    }
    EXPECT_EQ("0.0.0.0:" + ports[service.node["spec"]["ports"][0]["targetPort"].as<std::string>()], listen);
    for (const auto& label : service.node["spec"]["selector"])
      EXPECT_EQ(
          deployment.node["spec"]["template"]["metadata"]["labels"][label.first.as<std::string>()].as<std::string>(""),
          label.second.as<std::string>())
          << "the Service's selector misses the mock's pods";

    ASSERT_FALSE(HasFailure()) << "the mock is not started from a command line that failed a check";
    args.erase(args.begin());
    for (auto& arg : args)
      if (arg.starts_with("--listen=")) arg = "--listen=127.0.0.1:0";
    mock_ = std::make_unique<ServerProcess>(args);
    EXPECT_EQ(mock_->root_dir_id(), flag_value(args, "--root-dir-id"));
    for (const auto* probe : {"startupProbe", "readinessProbe", "livenessProbe"}) {
      httplib::Client client(mock_->host(), mock_->port());
      auto answer = client.Get(container[probe]["httpGet"]["path"].as<std::string>());
      ASSERT_TRUE(answer) << probe;
      EXPECT_EQ(answer->status, 200) << probe << ": " << answer->body;
    }
    // The bench's target.yaml names the Service; here it is the mock above.
    service_url_ = "http://" + service.name() + ":" + service.node["spec"]["ports"][0]["port"].as<std::string>();
    volumes_.replace[service_url_] = mock_->url();
  }

  // The target.yaml a Job mounts: the mock's Service and root directory, the key from the environment.
  void expect_target_is_the_mock(const Document& job) {
    std::vector<std::string> args;
    for (const auto& arg : container_of(job)["args"]) args.push_back(arg.as<std::string>());
    const auto path = fs::path(flag_value(args, "--target-config"));
    YAML::Node target;
    for (const auto& mount : container_of(job)["volumeMounts"])
      if (mount["mountPath"].as<std::string>() == path.parent_path().string())
        for (const auto& v : pod_spec(job)["volumes"])
          if (v["name"].as<std::string>() == mount["name"].as<std::string>() && v["configMap"])
            target = YAML::Load(find(docs_, "ConfigMap", v["configMap"]["name"].as<std::string>())
                                    .node["data"][path.filename().string()]
                                    .as<std::string>());
    ASSERT_TRUE(target.IsMap()) << job.file << ": --target-config " << path << " is no mounted ConfigMap item";
    EXPECT_EQ(target["url"].as<std::string>(), service_url_) << job.file;
    EXPECT_EQ(target["directory_id"].as<std::string>(), mock_->root_dir_id()) << job.file;
    // The key reaches the bench through the environment, from the Secret.
    bool from_secret = false;
    for (const auto& entry : container_of(job)["env"])
      from_secret = from_secret || (entry["name"].as<std::string>() == target["api_key_env"].as<std::string>("") &&
                                    entry["valueFrom"]["secretKeyRef"]);
    EXPECT_TRUE(from_secret) << job.file << ": api_key_env names no variable set from a Secret";
  }

  void expect_indexed(const Document& job) {
    const YAML::Node spec = job.node["spec"];
    EXPECT_EQ(spec["completionMode"].as<std::string>(""), "Indexed") << job.file;
    EXPECT_EQ(spec["completions"].as<int>(), spec["parallelism"].as<int>()) << job.file;
    std::vector<std::string> args;
    for (const auto& arg : container_of(job)["args"]) args.push_back(arg.as<std::string>());
    EXPECT_EQ(flag_value(args, "--shards"), spec["completions"].as<std::string>()) << job.file;
    EXPECT_EQ(pod_spec(job)["restartPolicy"].as<std::string>(), "Never") << job.file;
  }

  std::map<std::string, std::string> this_run() const {
    return {{"START_AT", rfc3339_in(5)}, {"RUN_ID", "sample-run"}};  // as documented: a few seconds ahead
  }

  std::vector<Document> docs_;
  Volumes volumes_;
  std::unique_ptr<ServerProcess> mock_;
  std::string service_url_;
};

TEST_F(DeployRun, TheIndexedJobsShardsMergeFromTheirLogs) {
  const auto& job = find(docs_, "Job", "partcheck-bench");
  expect_indexed(job);
  expect_target_is_the_mock(job);
  const auto header = slurp(kDeploy / "kubernetes" / "bench-job.yaml");
  for (const auto* documented :
       {"create configmap partcheck-bench-run", "--from-literal=START_AT=", "report merge --from-logs"})
    EXPECT_NE(header.find(documented), std::string::npos) << "bench-job.yaml does not show: " << documented;

  const auto shards = run_indexed_job(job, docs_, volumes_, this_run());
  ASSERT_EQ(shards.size(), job.node["spec"]["completions"].as<std::size_t>());
  TempDir dir;
  std::string log;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    EXPECT_EQ(shards[i].exit_code, 0) << "shard " << i << ":\n" << shards[i].err;
    EXPECT_NE(shards[i].out.find("\"schema\":\"partcheck.bench/1\""), std::string::npos)
        << "shard " << i << " printed no result line";
    log += shards[i].out + shards[i].err;  // a pod's log has both
  }
  std::ofstream(dir.path() / "shards.log") << log;
  const auto merged =
      run_command({kPartcheck, "report", "merge", "--from-logs", (dir.path() / "shards.log").string(), "--out",
                   (dir.path() / "merged.json").string(), "--html", (dir.path() / "merged.html").string()});
  ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;
  const auto result = nlohmann::json::parse(slurp(dir.path() / "merged.json"));
  EXPECT_EQ(result["shards"].size(), shards.size());
}

TEST_F(DeployRun, TheSharedVolumeJobAndItsMergeJob) {
  const auto& job = find(docs_, "Job", "partcheck-bench-files");
  const auto& merge = find(docs_, "Job", "partcheck-bench-merge");
  expect_indexed(job);
  expect_target_is_the_mock(job);
  const auto shards = run_indexed_job(job, docs_, volumes_, this_run());
  ASSERT_EQ(shards.size(), job.node["spec"]["completions"].as<std::size_t>());
  for (std::size_t i = 0; i < shards.size(); ++i)
    EXPECT_EQ(shards[i].exit_code, 0) << "shard " << i << ":\n" << shards[i].err;

  auto args = args_of(merge, environment(merge, docs_, {}, 0), volumes_.mounts(merge, docs_));
  ASSERT_GE(args.size(), 2u);
  ASSERT_EQ(args[0] + " " + args[1], "report merge");
  EXPECT_EQ(std::count_if(
                args.begin(), args.end(),
                [](const std::string& a) { return a.find("/shard-") != std::string::npos && !a.starts_with("--"); }),
            static_cast<long>(shards.size()))
      << "the merge Job names one input per shard";
  ASSERT_FALSE(HasFailure());
  std::vector<std::string> argv{kPartcheck};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto merged = run_command(argv);
  // The gates may or may not hold on this machine; an input error (2) is the failure.
  EXPECT_TRUE(merged.exit_code == 0 || merged.exit_code == 1) << merged.exit_code << "\n" << merged.out << merged.err;
  const auto out = flag_value(args, "--out");
  ASSERT_TRUE(fs::exists(out)) << out;
  EXPECT_EQ(nlohmann::json::parse(slurp(out))["shards"].size(), shards.size());
}

// --- 4. compose and CI ---------------------------------------------------------

// Checks each command's flags against its --help; returns the commands seen.
std::set<std::string> check_flags(const std::string& where, const std::vector<std::vector<std::string>>& commands) {
  static std::map<std::vector<std::string>, std::set<std::string>> helps;
  std::set<std::string> seen;
  for (const auto& argv : commands) {
    const auto command = command_words(argv);
    if (!helps.count(command)) helps[command] = help_flags(command);
    EXPECT_GT(helps[command].size(), 1u) << where << ": `partcheck " << argv[0] << "` has no --help";
    for (const auto& flag : flags_of(argv))
      EXPECT_TRUE(helps[command].count(flag)) << where << ": `partcheck " << command.back() << "` has no flag " << flag;
    seen.insert(command.size() == 2 ? command[0] + " " + command[1] : command[0]);
  }
  return seen;
}

TEST(DeployFiles, ComposeCommandsUseRealFlags) {
  const auto compose = YAML::LoadFile((kDeploy / "compose.yaml").string());
  std::vector<std::vector<std::string>> commands;
  for (const auto& service : compose["services"]) {
    if (!service.second["image"].as<std::string>("").starts_with("partcheck")) continue;
    std::vector<std::string> argv;
    std::set<std::string> unset;
    for (const auto& word : service.second["command"])
      argv.push_back(interpolate_defaults(word.as<std::string>(), unset));
    EXPECT_TRUE(unset.empty()) << service.first << ": a variable without a default";
    commands.push_back(argv);
  }
  EXPECT_EQ(check_flags("compose.yaml", commands), (std::set<std::string>{"serve", "run", "bench", "report merge"}));
  EXPECT_NE(compose["services"]["mock"]["healthcheck"]["test"][3].as<std::string>().find("/__mock/ready"),
            std::string::npos);
}

TEST(DeployFiles, GithubActionsCommandsUseRealFlags) {
  const auto workflow = YAML::LoadFile((kDeploy / "ci" / "github-actions.yml").string());
  std::vector<std::vector<std::string>> commands;
  for (const auto& job : workflow["jobs"]) {
    EXPECT_TRUE(job.second["services"]["mock"]) << job.first << ": the mock is no service container";
    for (const auto& step : job.second["steps"])
      for (auto& argv : partcheck_commands(step["run"].as<std::string>(""))) commands.push_back(argv);
  }
  EXPECT_EQ(check_flags("github-actions.yml", commands), (std::set<std::string>{"run", "bench"}));
}

TEST(DeployFiles, GitlabCiCommandsUseRealFlags) {
  const auto pipeline = YAML::LoadFile((kDeploy / "ci" / "gitlab-ci.yml").string());
  std::vector<std::vector<std::string>> commands;
  for (const auto& job : pipeline) {
    for (const auto& service : job.second["services"]) {
      std::vector<std::string> argv;
      for (const auto& word : service["command"]) argv.push_back(word.as<std::string>());
      if (!argv.empty()) commands.push_back(argv);
    }
    for (const auto* part : {"before_script", "script"})
      for (const auto& line : job.second[part])
        for (auto& argv : partcheck_commands(line.as<std::string>())) commands.push_back(argv);
  }
  EXPECT_EQ(check_flags("gitlab-ci.yml", commands), (std::set<std::string>{"serve", "run", "bench"}));
}

// --- 5. the image --------------------------------------------------------------

TEST(DeployContainerfile, BuildsAndRunsWhenAContainerEngineWorks) {
  std::string engine, why;
  for (const std::string candidate : {"docker", "podman"}) {
    if (!installed(candidate)) {
      why += candidate + " is not installed; ";
      continue;
    }
    const auto info = run_command({candidate, "info"}, {}, std::chrono::seconds(60));
    if (info.exit_code == 0) {
      engine = candidate;
      break;
    }
    why += candidate + " info fails: " + info.err.substr(0, info.err.find('\n')) + "; ";
  }
  if (engine.empty()) GTEST_SKIP() << "no container engine works here: " << why;

  std::istringstream lines(slurp(kSourceDir / "Containerfile"));
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("FROM ")) continue;
    const auto image = line.substr(5, line.find(' ', 5) - 5);
    const bool here = run_command({engine, "image", "inspect", image}).exit_code == 0;
    const auto pull =
        here ? CommandResult{0, {}, {}} : run_command({engine, "pull", image}, {}, std::chrono::seconds(600));
    if (pull.exit_code != 0)
      GTEST_SKIP() << engine << " works, but the base image " << image << " is neither here nor pullable: " << pull.err;
    // `info` can work where containers cannot start (no cgroup or rlimit
    // rights in a sandbox): that is this machine's limit, not the file's.
    const auto trial = run_command({engine, "run", "--rm", image, "true"}, {}, std::chrono::seconds(120));
    if (trial.exit_code != 0)
      GTEST_SKIP() << engine << " cannot start a container here: " << trial.err.substr(0, trial.err.find('\n'));
  }
  const auto tag = "localhost/partcheck-deploy-test:" + std::to_string(::getpid());
  const auto build =
      run_command({engine, "build", "-f", (kSourceDir / "Containerfile").string(), "-t", tag, kSourceDir.string()}, {},
                  std::chrono::seconds(3600));
  ASSERT_EQ(build.exit_code, 0) << build.out.substr(build.out.size() > 4000 ? build.out.size() - 4000 : 0) << build.err;
  const auto user = run_command({engine, "image", "inspect", "--format", "{{.Config.User}}", tag});
  EXPECT_EQ(user.out, "10001:10001\n");
  const auto help = run_command({engine, "run", "--rm", tag, "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  // The default suite is found next to the binary (cli/suite_paths.cpp).
  const auto list = run_command({engine, "run", "--rm", tag, "run", "--list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("MUST"), std::string::npos) << list.out;
  const auto ldd = run_command({engine, "run", "--rm", "--entrypoint", "ldd", tag, "/opt/partcheck/bin/partcheck"});
  EXPECT_EQ(ldd.out.find("not found"), std::string::npos) << ldd.out;
  run_command({engine, "image", "rm", tag});
}

}  // namespace
}  // namespace partcheck::testing
