#pragma once
// The mock configuration of the store-level fuzz targets (admin_api,
// api_json): memory storage, so the data dir is never touched, no log
// lines, and the directives an input may carry to change the policy.
#include <string>
#include <utility>
#include <vector>

#include "contract/upload_policy.hpp"
#include "mock_server/server_config.hpp"

namespace partcheck::fuzz {

inline mock::ServerConfig memory_config(std::vector<mock::DirectorySpec> directories) {
  mock::ServerConfig config;
  config.storage = mock::StorageKind::Memory;
  config.data_dir = "/nonexistent/partcheck-fuzz";
  config.quiet = true;
  config.directories = std::move(directories);
  return config;
}

// "!profile NAME" (an unknown name is strict) and "!deviate RULE-ID".
inline void apply_policy_directive(mock::ServerConfig& config, const std::vector<std::string>& word) {
  if (word.size() != 2) return;
  if (word[0] == "!profile")
    config.policy.profile = contract::profile_from_name(word[1]).value_or(contract::Profile::Strict);
  if (word[0] == "!deviate") config.policy.deviations.insert(word[1]);
}

}  // namespace partcheck::fuzz
