#include "runner/embedded_target.hpp"

#include <stdexcept>

#include "contract/upload_policy.hpp"
#include "mock_server/deviations.hpp"
#include "mock_server/server.hpp"
#include "mock_server/store/store.hpp"

namespace partcheck::runner {

EmbeddedTarget::EmbeddedTarget(const EmbeddedOptions& options) {
  mock::ServerConfig config;
  config.listen_port = 0;
  config.threads = options.threads;
  config.storage = mock::StorageKind::Memory;
  config.quiet = true;
  auto profile = contract::profile_from_name(options.profile);
  if (!profile) throw std::invalid_argument("unknown mock profile '" + options.profile + "' (strict, s3, lenient)");
  config.policy.profile = *profile;
  for (const auto& rule : options.deviations) {
    if (!mock::find_deviation(rule)) throw std::invalid_argument("no mock deviation for rule '" + rule + "'");
    config.policy.deviations.insert(rule);
  }
  config.directories = {{"other", std::nullopt, false}, {"quota", kEmbeddedQuota, false}, {"readonly", std::nullopt, true}};
  server_ = std::make_unique<mock::Server>(config);
  server_->start();

  target_.url = server_->url();
  attach_transport(target_);
  target_.name = "embedded mock (" + options.profile;
  for (const auto& d : options.deviations) target_.name += ", deviate " + d;
  target_.name += ")";
  target_.api_key = server_->api_keys().front();
  target_.directories.writable = server_->root_directory_id();
  for (const auto& dir : server_->store().directories()) {
    if (dir.name == "other") target_.directories.other = dir.id;
    if (dir.name == "quota") target_.directories.quota = dir.id;
    if (dir.name == "readonly") target_.directories.readonly = dir.id;
  }
  target_.directories.quota_size = kEmbeddedQuota;
  target_.ttl_seconds = static_cast<std::uint64_t>(config.ttl.count());
  // Known rather than probed: the mock's own decisions (docs/contract.md §4).
  target_.capabilities = {"clock",           "faults",         "admin",          "readonly-directory",
                          "quota-directory", "other-directory", "links-download", "list",
                          "early-refusal",   "expect-continue", "name-limit-255", "upload-name-param"};
  target_.api.list_body = R"({"directoryID":"${dir}","limit":10000})";
  target_.api.move_id_path = "files.${i}.__id";
}

EmbeddedTarget::~EmbeddedTarget() {
  if (server_) server_->stop();
}

}  // namespace partcheck::runner
