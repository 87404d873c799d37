// The compiled-in OpenAPI document must be valid YAML, and describe every
// admin endpoint the server answers, with the methods it answers.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "mock_server/admin/admin_api.hpp"

using partcheck::mock::openapi_yaml;

namespace {

YAML::Node document() { return YAML::Load(std::string(openapi_yaml())); }

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

TEST(OpenApi, IsAnOpenApi3Document) {
  YAML::Node doc;
  ASSERT_NO_THROW(doc = document());
  ASSERT_TRUE(doc.IsMap());
  EXPECT_TRUE(doc["openapi"].as<std::string>().starts_with("3.0"));
  EXPECT_TRUE(doc["info"]["title"].IsScalar());
  EXPECT_TRUE(doc["info"]["version"].IsScalar());
  EXPECT_TRUE(doc["paths"].IsMap());
}

TEST(OpenApi, DescribesEveryAdminEndpointWithItsMethods) {
  const YAML::Node paths = document()["paths"];
  const auto served = partcheck::mock::admin_routes();
  ASSERT_GE(served.size(), 16u);
  for (const auto& [method, pattern] : served) {
    const auto path = "/__mock/" + std::string(pattern);
    const YAML::Node item = paths[path];
    ASSERT_TRUE(item.IsMap()) << path << " is missing";
    const YAML::Node operation = item[lower(std::string(method))];
    ASSERT_TRUE(operation.IsMap()) << method << " " << path << " is missing";
    EXPECT_TRUE(operation["responses"].IsMap()) << method << " " << path;
  }
  // And the other way round: no admin path is documented that is not served.
  for (const auto& entry : paths) {
    const auto path = entry.first.as<std::string>();
    if (!path.starts_with("/__mock/")) continue;
    for (const auto& operation : entry.second) {
      const auto method = operation.first.as<std::string>();
      if (method == "parameters" || method == "summary" || method == "description") continue;
      const bool found = std::any_of(served.begin(), served.end(), [&](const auto& route) {
        return "/__mock/" + std::string(route.pattern) == path && lower(std::string(route.method)) == method;
      });
      EXPECT_TRUE(found) << method << " " << path << " is documented but not served";
    }
  }
}

TEST(OpenApi, DescribesThePublicApi) {
  const auto paths = document()["paths"];
  for (const char* path : {"/pub/v1/disk/file/upload", "/pub/v1/disk/directory/{directoryID}/upload",
                           "/pub/v1/disk/file/move", "/pub/v1/disk/file/{fileID}/get-link",
                           "/pub/v1/disk/links/download", "/pub/v1/disk/directory/list",
                           "/pub/v1/disk/download/{token}"}) {
    EXPECT_TRUE(paths[path].IsMap()) << path << " is missing";
  }
  const auto upload = paths["/pub/v1/disk/file/upload"]["post"];
  EXPECT_TRUE(upload["responses"]["200"].IsMap());
  EXPECT_TRUE(upload["responses"]["206"].IsMap());
  EXPECT_TRUE(upload["responses"]["400"].IsMap());
}

namespace {

// Follows "#/components/<section>/<name>" through const nodes, which (unlike
// non-const ones) never create what they look up.
YAML::Node resolve(const YAML::Node& node, std::string_view pointer) {
  if (pointer.empty() || !node) return node;
  const auto slash = pointer.find('/');
  const YAML::Node child = node[std::string(pointer.substr(0, slash))];
  return resolve(child, slash == std::string_view::npos ? std::string_view{} : pointer.substr(slash + 1));
}

void collect_refs(const YAML::Node& node, std::vector<std::string>& refs) {
  if (node.IsMap()) {
    for (const auto& entry : node) {
      if (entry.first.as<std::string>() == "$ref") {
        refs.push_back(entry.second.as<std::string>());
      } else {
        collect_refs(entry.second, refs);
      }
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) collect_refs(item, refs);
  }
}

}  // namespace

TEST(OpenApi, EveryReferenceResolves) {
  const YAML::Node doc = document();
  std::vector<std::string> refs;
  collect_refs(doc, refs);
  EXPECT_GT(refs.size(), 20u);
  for (const auto& ref : refs) {
    ASSERT_TRUE(ref.starts_with("#/")) << ref;
    const auto target = resolve(doc, std::string_view(ref).substr(2));
    EXPECT_TRUE(target && target.IsMap()) << "unresolved " << ref;
  }
}
