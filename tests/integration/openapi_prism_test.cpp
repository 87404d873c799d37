// docs/openapi.yaml checked against the mock's real answers: traffic goes
// through Prism (tools/, installed by scripts/setup.sh) in proxy mode with
// --errors, so an answer that does not fit the document comes back as
// Prism's own error (an `sl-violations` field, a problem+json body). Every
// success, every error class the mock can be brought to answer through a
// proxy, injected 503s and the whole admin API are sent; any violation fails.
//
// Two proxies share one mock: one validates requests too (for well-formed
// traffic: the document must accept what clients really send), the other
// does not (for requests that are wrong on purpose, so that the mock's
// refusal is what gets checked). Prism always enforces the security
// schemes, so "no key" is sent as a wrong key, and it answers unknown paths
// and methods itself, so 404s are the ones of known paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include <nlohmann/json.hpp>

#include "contract/uuid.hpp"
#include "tests/integration/support/prism_proxy.hpp"
#include "tests/integration/support/process.hpp"

namespace partcheck::testing {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;

std::string range(std::size_t start, std::size_t end, std::size_t total) {
  return "bytes " + std::to_string(start) + "-" + std::to_string(end) + "/" + std::to_string(total);
}
// Printable bytes: Prism passes a body on as text, so bytes that are not
// UTF-8 would reach the mock re-encoded (and longer).
std::string bytes_of(std::size_t n, char first = 'a') {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>(first + i % 26);
  return out;
}

// A mock and the two proxies before it; the test fails (never passes
// quietly) when Prism is not installed.
class OpenApiPrism : public ::testing::Test {
 protected:
  virtual std::vector<std::string> serve_flags() const { return {}; }

  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kPrism))
        << kPrism << " is missing: run scripts/setup.sh (it installs tools/ with npm ci)";
    std::vector<std::string> args{"--storage", "memory", "--quiet"};
    for (const auto& flag : serve_flags()) args.push_back(flag);
    mock_ = std::make_unique<ServerProcess>(args);
    checked_ = std::make_unique<PrismProxy>(mock_->url(), true);
    unchecked_ = std::make_unique<PrismProxy>(mock_->url(), false);
    valid_ = std::make_unique<Through>(*checked_);
    wrong_ = std::make_unique<Through>(*unchecked_);
  }

  void TearDown() override {
    // Prism's log names every violation, the ones Prism only warned of too.
    for (const auto* proxy : {checked_.get(), unchecked_.get()}) {
      if (!proxy) continue;
      auto log = proxy->log();
      std::istringstream lines(log);
      for (std::string line; std::getline(lines, line);) {
        std::string lower(line);
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        if (lower.find("violation") != std::string::npos) ADD_FAILURE() << "prism: " << line;
      }
    }
  }

  httplib::Headers key() const { return {{"Authorization", "Bearer " + mock_->api_key()}}; }
  httplib::Headers part(const std::string& content_range) const {
    auto headers = key();
    headers.emplace("Content-Range", content_range);
    return headers;
  }
  std::string upload_path(const std::string& hash) const { return "/pub/v1/disk/file/upload?hash=" + hash; }
  std::string move_path(const std::string& directory) const {
    return "/pub/v1/disk/file/move?directoryID=" + directory;
  }
  static std::string move_body(const std::string& hash, const std::string& name) {
    return nlohmann::json{{"files", {{{"hash", hash}, {"name", name}}}}}.dump();
  }

  // A whole small file uploaded and moved into `directory`; its file id.
  std::string stored_file(const std::string& name, const std::string& directory) {
    auto hash = contract::new_uuid();
    EXPECT_TRUE(fits(valid().send("POST", upload_path(hash), part(range(0, 100, 100)), bytes_of(100),
                                  "application/octet-stream"),
                     200));
    auto moved = valid().send("POST", move_path(directory), key(), move_body(hash, name), "application/json");
    EXPECT_TRUE(fits(moved, 200));
    return moved.json.is_object() ? moved.json["files"][0].value("__id", "") : "";
  }

  Through& valid() { return *valid_; }
  Through& wrong() { return *wrong_; }
  ServerProcess& mock() { return *mock_; }

 private:
  std::unique_ptr<ServerProcess> mock_;
  std::unique_ptr<PrismProxy> checked_, unchecked_;
  std::unique_ptr<Through> valid_, wrong_;
};

TEST_F(OpenApiPrism, SuccessfulUploadsMovesLinksListsAndDownloads) {
  const auto root = mock().root_dir_id();
  // The whole file at once, and a 12 MiB file in parts of 5, 5 and 2 MiB.
  auto whole = contract::new_uuid();
  EXPECT_TRUE(fits(valid().send("POST", upload_path(whole), part(range(0, 1000, 1000)), bytes_of(1000),
                                "application/octet-stream"), 200));
  auto parted = contract::new_uuid();
  const std::size_t total = 12 * kMiB;
  EXPECT_TRUE(fits(valid().send("POST", upload_path(parted), part(range(0, 5 * kMiB, total)), bytes_of(5 * kMiB),
                                "application/octet-stream"), 206));
  EXPECT_TRUE(fits(valid().send("POST", upload_path(parted), part(range(5 * kMiB, 10 * kMiB, total)),
                                bytes_of(5 * kMiB), "application/octet-stream"), 206));
  EXPECT_TRUE(fits(valid().send("POST", upload_path(parted), part(range(10 * kMiB, total, total)),
                                bytes_of(2 * kMiB), "application/octet-stream"), 200));
  // The empty file: `bytes 0-0/0` and no body at all.
  auto empty = contract::new_uuid();
  EXPECT_TRUE(fits(valid().send("POST", upload_path(empty), part(range(0, 0, 0)), "", "application/octet-stream"),
                   200));
  // A multipart/form-data body with the part in the field `file`, the key as X-Token.
  auto form = contract::new_uuid();
  const std::string boundary = "partcheckBoundary7MA4YWxk";
  const std::string multipart = "--" + boundary +
                                "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"form.bin\"\r\n"
                                "Content-Type: application/octet-stream\r\n\r\n" +
                                bytes_of(300) + "\r\n--" + boundary + "--\r\n";
  EXPECT_TRUE(fits(valid().send("POST", upload_path(form),
                                {{"X-Token", mock().api_key()}, {"Content-Range", range(0, 300, 300)}}, multipart,
                                "multipart/form-data; boundary=" + boundary), 200));

  // Moves: one file, then a name already taken (it gets " (1)").
  auto moved = valid().send("POST", move_path(root), key(), move_body(parted, "big.bin"), "application/json");
  ASSERT_TRUE(fits(moved, 200));
  const auto file_id = moved.json["files"][0].value("__id", "");
  auto taken = valid().send("POST", move_path(root), key(), move_body(whole, "big.bin"), "application/json");
  EXPECT_TRUE(fits(taken, 200));
  EXPECT_EQ(taken.json["files"][0].value("name", ""), "big (1).bin");
  EXPECT_TRUE(fits(valid().send("POST", move_path(root), key(), move_body(empty, "empty.bin"), "application/json"),
                   200));

  // Links, by id (GET and POST) and by hash, and what they lead to.
  auto link = valid().send("GET", "/pub/v1/disk/file/" + file_id + "/get-link", key());
  ASSERT_TRUE(fits(link, 200));
  EXPECT_TRUE(fits(valid().send("POST", "/pub/v1/disk/file/" + file_id + "/get-link", key()), 200));
  auto by_hash = valid().send("POST", "/pub/v1/disk/links/download", key(),
                              nlohmann::json{{"hashesList", {parted, contract::new_uuid()}}}.dump(),
                              "application/json");
  EXPECT_TRUE(fits(by_hash, 200));
  const auto url = link.json.value("Link", "");
  const auto path = url.substr(url.find("/pub/"));
  auto download = valid().send("GET", path);
  EXPECT_TRUE(fits(download, 200));
  EXPECT_EQ(download.body.size(), total);
  EXPECT_TRUE(fits(valid().send("GET", path, {{"Range", "bytes=0-1023"}}), 206));

  // Listings: the root named, and none named.
  EXPECT_TRUE(fits(valid().send("POST", "/pub/v1/disk/directory/list", key(),
                                nlohmann::json{{"directoryID", root}, {"limit", 10}, {"offset", 0}}.dump(),
                                "application/json"), 200));
  EXPECT_TRUE(fits(valid().send("POST", "/pub/v1/disk/directory/list", key(), "{}", "application/json"), 200));

  // A directory upload, named and in two parts.
  auto direct = contract::new_uuid();
  const auto direct_path = "/pub/v1/disk/directory/" + root + "/upload?hash=" + direct + "&name=direct.bin";
  EXPECT_TRUE(fits(valid().send("POST", direct_path, part(range(0, 5 * kMiB, 6 * kMiB)), bytes_of(5 * kMiB),
                                "application/octet-stream"), 206));
  EXPECT_TRUE(fits(valid().send("POST", direct_path, part(range(5 * kMiB, 6 * kMiB, 6 * kMiB)), bytes_of(kMiB),
                                "application/octet-stream"), 200));
}

TEST_F(OpenApiPrism, EveryErrorClassFitsTheDocument) {
  const auto root = mock().root_dir_id();
  const std::string octets = "application/octet-stream";
  EXPECT_TRUE(refused(wrong().send("POST", upload_path("not-a-uuid"), part(range(0, 5, 5)), "hello", octets), 400,
                      "InvalidHash"));
  EXPECT_TRUE(refused(wrong().send("POST", upload_path(contract::new_uuid()), part("bytes 9-3/10"), "hello", octets),
                      400, "InvalidRange"));
  EXPECT_TRUE(refused(wrong().send("POST", upload_path(contract::new_uuid()), part(range(0, kMiB, 12 * kMiB)),
                                   bytes_of(kMiB), octets), 400, "EntityTooSmall"));
  auto ordered = contract::new_uuid();
  EXPECT_TRUE(fits(valid().send("POST", upload_path(ordered), part(range(0, 5 * kMiB, 12 * kMiB)),
                                bytes_of(5 * kMiB), octets), 206));
  EXPECT_TRUE(refused(wrong().send("POST", upload_path(ordered), part(range(10 * kMiB, 12 * kMiB, 12 * kMiB)),
                                   bytes_of(2 * kMiB), octets), 400, "InvalidPartOrder"));
  EXPECT_TRUE(refused(wrong().send("POST", upload_path(contract::new_uuid()), part(range(5 * kMiB, 6 * kMiB, 6 * kMiB)),
                                   bytes_of(kMiB), octets), 400, "NoSuchUpload"));
  EXPECT_TRUE(refused(wrong().send("POST", upload_path(contract::new_uuid()), part(range(0, 10, 10)), "hello", octets),
                      400, "LengthMismatch"));
  EXPECT_TRUE(refused(wrong().send("POST", upload_path(contract::new_uuid()), part(range(0, 5, 5)), "hello",
                                   "text/plain"), 400, "UnsupportedContentType"));

  auto sized = contract::new_uuid();
  EXPECT_TRUE(fits(valid().send("POST", upload_path(sized), part(range(0, 5 * kMiB, 12 * kMiB)), bytes_of(5 * kMiB),
                                octets), 206));
  EXPECT_TRUE(refused(wrong().send("POST", upload_path(sized), part(range(5 * kMiB, 11 * kMiB, 12 * kMiB)),
                                   bytes_of(6 * kMiB), octets), 400, "InvalidPart"));
  auto done = contract::new_uuid();
  EXPECT_TRUE(fits(valid().send("POST", upload_path(done), part(range(0, 5, 5)), "hello", octets), 200));
  // The completing part sent again (a client's retry) is answered as the first time.
  EXPECT_TRUE(fits(valid().send("POST", upload_path(done), part(range(0, 5, 5)), "hello", octets), 200));
  EXPECT_TRUE(refused(valid().send("POST", move_path(root), key(), move_body(done, "a/b"), "application/json"), 400,
                      "InvalidName"));

  // A wrong key (Prism itself refuses a request with none).
  EXPECT_TRUE(refused(wrong().send("POST", upload_path(contract::new_uuid()),
                                   {{"Authorization", "Bearer not-the-key"}, {"Content-Range", range(0, 5, 5)}},
                                   "hello", octets), 403, "Unauthorized"));
  EXPECT_TRUE(refused(wrong().send("GET", "/pub/v1/disk/file/" + contract::new_uuid() + "/get-link",
                                   {{"X-Token", "not-the-key"}}), 403, "Unauthorized"));

  // A quota of 10 bytes and a 100-byte file.
  auto small = valid().send("POST", "/__mock/directories", {}, R"({"name":"small","quota":10})", "application/json");
  ASSERT_TRUE(fits(small, 200));
  auto hash = contract::new_uuid();
  EXPECT_TRUE(fits(valid().send("POST", upload_path(hash), part(range(0, 100, 100)), bytes_of(100), octets), 200));
  EXPECT_TRUE(refused(valid().send("POST", move_path(small.json.value("id", "")), key(), move_body(hash, "big.bin"),
                                   "application/json"), 402, "NotEnoughSpace"));
  auto readonly = valid().send("POST", "/__mock/directories", {}, R"({"name":"locked","readonly":true})",
                               "application/json");
  EXPECT_TRUE(refused(valid().send("POST", move_path(readonly.json.value("id", "")), key(),
                                   move_body(hash, "x.bin"), "application/json"), 403, "PermissionDenied"));

  // Unknown things behind known paths.
  const auto nowhere = contract::new_uuid();
  EXPECT_TRUE(refused(valid().send("GET", "/pub/v1/disk/file/" + nowhere + "/get-link", key()), 404, "NoSuchFile"));
  EXPECT_TRUE(refused(valid().send("POST", move_path(nowhere), key(), move_body(hash, "x.bin"), "application/json"),
                      404, "NoSuchDirectory"));
  EXPECT_TRUE(refused(valid().send("POST", "/pub/v1/disk/directory/" + nowhere + "/upload?hash=" + contract::new_uuid(),
                                   part(range(0, 5, 5)), "hello", octets), 404, "NoSuchDirectory"));
  EXPECT_TRUE(refused(valid().send("GET", "/pub/v1/disk/download/no-such-token"), 404, "NoSuchFile"));
  EXPECT_TRUE(refused(valid().send("POST", "/pub/v1/disk/directory/list", key(),
                                   nlohmann::json{{"directoryID", nowhere}}.dump(), "application/json"), 404,
                      "NoSuchDirectory"));
  EXPECT_TRUE(refused(wrong().send("POST", move_path(root), key(), move_body(contract::new_uuid(), "x.bin"),
                                   "application/json"), 400, "NoSuchUpload"));
  // (Prism answers a body that is not JSON at all itself.)
  EXPECT_TRUE(refused(wrong().send("POST", move_path(root), key(), R"({"files":"none"})", "application/json"), 400,
                      "InvalidRequest"));
  EXPECT_TRUE(refused(wrong().send("POST", "/pub/v1/disk/links/download", key(), "[]", "application/json"), 400,
                      "InvalidRequest"));

  // A range past the end of a stored file.
  auto file_id = stored_file("ranged.bin", root);
  auto link = valid().send("GET", "/pub/v1/disk/file/" + file_id + "/get-link", key());
  const auto url = link.json.value("Link", "");
  EXPECT_TRUE(fits(valid().send("GET", url.substr(url.find("/pub/")), {{"Range", "bytes=5000-6000"}}), 416));

  // A header larger than the mock takes.
  auto huge = key();
  huge.emplace("X-Padding", std::string(40 * 1024, 'p'));
  EXPECT_TRUE(refused(wrong().send("GET", "/pub/v1/disk/file/" + file_id + "/get-link", huge), 431,
                      "HeaderTooLarge"));
}

TEST_F(OpenApiPrism, InjectedUnavailableIs503OnEveryPublicOperation) {
  const auto root = mock().root_dir_id();
  auto file_id = stored_file("kept.bin", root);
  auto link = valid().send("GET", "/pub/v1/disk/file/" + file_id + "/get-link", key());
  const auto url = link.json.value("Link", "");
  auto armed = valid().send("POST", "/__mock/faults", {},
                            R"({"kind":"unavailable","count":0,"match":{"path_prefix":"/pub/"}})", "application/json");
  ASSERT_TRUE(fits(armed, 200));

  const auto hash = contract::new_uuid();
  EXPECT_TRUE(refused(valid().send("POST", upload_path(hash), part(range(0, 5, 5)), "hello",
                                   "application/octet-stream"), 503, "ServiceUnavailable"));
  EXPECT_TRUE(refused(valid().send("POST", "/pub/v1/disk/directory/" + root + "/upload?hash=" + hash,
                                   part(range(0, 5, 5)), "hello", "application/octet-stream"), 503,
                      "ServiceUnavailable"));
  EXPECT_TRUE(refused(valid().send("POST", move_path(root), key(), move_body(hash, "x.bin"), "application/json"), 503,
                      "ServiceUnavailable"));
  EXPECT_TRUE(refused(valid().send("GET", "/pub/v1/disk/file/" + file_id + "/get-link", key()), 503,
                      "ServiceUnavailable"));
  EXPECT_TRUE(refused(valid().send("POST", "/pub/v1/disk/file/" + file_id + "/get-link", key()), 503,
                      "ServiceUnavailable"));
  EXPECT_TRUE(refused(valid().send("POST", "/pub/v1/disk/links/download", key(),
                                   nlohmann::json{{"hashesList", {hash}}}.dump(), "application/json"), 503,
                      "ServiceUnavailable"));
  EXPECT_TRUE(refused(valid().send("POST", "/pub/v1/disk/directory/list", key(), "{}", "application/json"), 503,
                      "ServiceUnavailable"));
  EXPECT_TRUE(refused(valid().send("GET", url.substr(url.find("/pub/"))), 503, "ServiceUnavailable"));
  EXPECT_TRUE(fits(valid().send("DELETE", "/__mock/faults"), 200));
}

class OpenApiPrismSmallMemory : public OpenApiPrism {
 protected:
  std::vector<std::string> serve_flags() const override { return {"--max-memory", "1KiB"}; }
};

TEST_F(OpenApiPrismSmallMemory, FullMemoryStorageIs507) {
  const auto path = "/pub/v1/disk/directory/" + mock().root_dir_id() + "/upload?hash=" + contract::new_uuid();
  EXPECT_TRUE(refused(valid().send("POST", upload_path(contract::new_uuid()), part(range(0, 2000, 2000)),
                                   bytes_of(2000), "application/octet-stream"), 507, "NotEnoughSpace"));
  EXPECT_TRUE(refused(valid().send("POST", path, part(range(0, 2000, 2000)), bytes_of(2000), "application/octet-stream"),
                      507, "NotEnoughSpace"));
}

class OpenApiPrismAdmin : public OpenApiPrism {
 protected:
  std::vector<std::string> serve_flags() const override { return {"--admin-key", "adm1n-s3cret"}; }
};

TEST_F(OpenApiPrismAdmin, EveryAdminEndpointWithTheKeyEitherWay) {
  const httplib::Headers bearer{{"Authorization", "Bearer adm1n-s3cret"}};
  const httplib::Headers x_key{{"X-Admin-Key", "adm1n-s3cret"}};
  const std::string json = "application/json";

  EXPECT_TRUE(refused(valid().send("GET", "/__mock/health"), 403, "Unauthorized"));
  EXPECT_TRUE(refused(valid().send("GET", "/__mock/stats", {{"X-Admin-Key", "wrong"}}), 403, "Unauthorized"));
  EXPECT_TRUE(fits(valid().send("GET", "/__mock/", x_key), 200));
  EXPECT_TRUE(fits(valid().send("GET", "/__mock/health", bearer), 200));
  EXPECT_TRUE(fits(valid().send("GET", "/__mock/openapi.yaml", x_key), 200));
  EXPECT_TRUE(fits(valid().send("GET", "/__mock/clock", bearer), 200));
  EXPECT_TRUE(fits(valid().send("POST", "/__mock/clock/advance?seconds=60", x_key), 200));
  EXPECT_TRUE(refused(wrong().send("POST", "/__mock/clock/advance?seconds=1.5", bearer), 400, "InvalidRequest"));

  // Faults: armed (each kind, aimed fields included), listed, disarmed.
  auto hash = contract::new_uuid();
  for (const auto& spec : {R"({"kind":"delay","ms":5,"match":{"method":"POST","path_prefix":"/pub/v1/disk/file/upload"},"count":2})",
                           R"({"kind":"reset_after_bytes","bytes":1024,"match":{"hash":"HASH","part_index":1},"after":1})",
                           R"({"kind":"unavailable","times":2,"match":{"part_start":5242880,"api_key":"k"}})",
                           R"({"kind":"slow_read","bytes_per_second":65536,"count":0})",
                           R"({"kind":"status","status":403,"after":1,"times":0,"match":{"api_key":"k"}})",
                           R"({"kind":"drop_response","match":{"part_index":1}})",
                           R"({"kind":"advance_clock","seconds":3601,"match":{"path_prefix":"/pub/v1/disk/file/move"}})"}) {
    auto body = std::regex_replace(std::string(spec), std::regex("HASH"), hash);
    EXPECT_TRUE(fits(valid().send("POST", "/__mock/faults", bearer, body, json), 200)) << body;
  }
  EXPECT_TRUE(refused(wrong().send("POST", "/__mock/faults", x_key, R"({"kind":"delay","bytes":5})", json), 400,
                      "InvalidRequest"));
  EXPECT_TRUE(fits(valid().send("GET", "/__mock/faults", x_key), 200));
  EXPECT_TRUE(fits(valid().send("DELETE", "/__mock/faults/f1", bearer), 200));
  EXPECT_TRUE(refused(valid().send("DELETE", "/__mock/faults/f99", bearer), 404, "NotFound"));
  EXPECT_TRUE(fits(valid().send("DELETE", "/__mock/faults", x_key), 200));

  // An upload in progress, seen by uploads, stats and the journal; then expired.
  EXPECT_TRUE(fits(valid().send("POST", upload_path(hash), part(range(0, 5 * kMiB, 6 * kMiB)), bytes_of(5 * kMiB),
                                "application/octet-stream"), 206));
  stored_file("listed.bin", mock().root_dir_id());
  EXPECT_TRUE(fits(valid().send("GET", "/__mock/uploads", bearer), 200));
  EXPECT_TRUE(fits(valid().send("GET", "/__mock/stats", x_key), 200));
  EXPECT_TRUE(fits(valid().send("GET", "/__mock/journal", bearer), 200));
  EXPECT_TRUE(fits(valid().send("GET", "/__mock/journal?limit=2", x_key), 200));
  EXPECT_TRUE(refused(wrong().send("GET", "/__mock/journal?limit=many", x_key), 400, "InvalidRequest"));
  EXPECT_TRUE(fits(valid().send("POST", "/__mock/uploads/" + hash + "/expire", bearer), 200));
  EXPECT_TRUE(refused(valid().send("POST", "/__mock/uploads/" + hash + "/expire", bearer), 404, "NoSuchUpload"));
  EXPECT_TRUE(refused(wrong().send("POST", "/__mock/uploads/nope/expire", bearer), 400, "InvalidHash"));
  EXPECT_TRUE(fits(valid().send("DELETE", "/__mock/journal", x_key), 200));

  // Directories: with a quota as a size, read-only, none; the list.
  EXPECT_TRUE(fits(valid().send("POST", "/__mock/directories", bearer, R"({"name":"q","quota":"10MiB"})", json), 200));
  EXPECT_TRUE(fits(valid().send("POST", "/__mock/directories", x_key, R"({"name":"ro","readonly":true})", json), 200));
  EXPECT_TRUE(fits(valid().send("POST", "/__mock/directories", x_key, R"({"name":"plain","quota":null})", json), 200));
  EXPECT_TRUE(refused(wrong().send("POST", "/__mock/directories", x_key, R"({"name":"bad","quota":"lots"})", json),
                      400, "InvalidRequest"));
  EXPECT_TRUE(refused(valid().send("POST", "/__mock/directories", x_key, R"({"name":"q"})", json), 409,
                      "NameConflict"));
  EXPECT_TRUE(fits(valid().send("GET", "/__mock/directories", bearer), 200));
  EXPECT_TRUE(fits(valid().send("POST", "/__mock/reset", x_key), 200));
}

}  // namespace
}  // namespace partcheck::testing
