#pragma once
// Directories, files, tombstones of expired uploads and download links: the
// part of the store that is not an upload in progress. Plain data with its
// indexes kept consistent (names per directory, bytes used, file by hash);
// the Store locks around it. Saved as catalog.json.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mock_server/store/expiry.hpp"
#include "mock_server/store/store.hpp"

namespace partcheck::mock {

std::int64_t to_millis(Clock::time_point t);
Clock::time_point from_millis(std::int64_t ms);

struct Link {
  std::string file_id;  // a file, or else
  std::string hash;     // a complete upload not moved yet
  Clock::time_point expires;
};

class Catalog {
 public:
  std::string root_id;
  Tombstones tombstones;  // expired hashes, by upload_key_for(hash)
  std::map<std::string, Link, std::less<>> links;  // token -> target; added through add_link

  void add_link(const std::string& token, const Link& link);
  // Walks the links only when one may have expired.
  void forget_expired_links(Clock::time_point now);

  // Directories: the root first, then in the order they were made.
  const DirectoryInfo* directory(const std::string& id) const;
  const DirectoryInfo* directory_named(const std::string& name) const;  // not the root
  void add_directory(const DirectoryInfo& info, bool configured);
  void update_directory(const DirectorySpec& spec, const std::string& id);
  void remove_directory(const std::string& id);  // with its files' index entries moved away first
  std::vector<DirectoryInfo> directories() const;
  bool is_configured(const std::string& id) const;

  const FileInfo* file(const std::string& id) const;
  const FileInfo* file_for_hash(const std::string& hash) const;
  // The id of the file named `name` in `directory_id`, if any.
  std::optional<std::string> file_named(const std::string& directory_id, const std::string& name) const;
  std::vector<FileInfo> files_in(const std::string& directory_id) const;  // by name
  std::vector<FileInfo> all_files() const;
  void add_file(const FileInfo& file);
  void remove_file(const std::string& id);
  void rehome(const std::string& id, const std::string& directory_id, const std::string& name);

  // Admin reset: no files, tombstones, links or runtime directories.
  void clear_runtime();

  nlohmann::json to_json() const;
  void load(const nlohmann::json& json);

 private:
  struct DirectoryRecord {
    DirectoryInfo info;
    bool configured = false;
  };
  std::vector<std::string> order_;
  std::map<std::string, DirectoryRecord, std::less<>> directories_;
  std::map<std::string, FileInfo, std::less<>> files_;
  std::map<std::string, std::map<std::string, std::string>, std::less<>> names_;  // dir -> name -> id
  boost::unordered_flat_map<std::string, std::string> by_hash_;  // asked at every part: hashed, not ordered
  Clock::time_point earliest_link_expiry_ = Clock::time_point::max();  // no later than any link's
};

}  // namespace partcheck::mock
