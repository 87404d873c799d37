#include "mock_server/admin/admin_api.hpp"

#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "contract/byte_size.hpp"
#include "contract/uuid.hpp"

using namespace partcheck;
using namespace partcheck::mock;
using nlohmann::json;

namespace {

ServerConfig memory_config() {
  ServerConfig config;
  config.storage = StorageKind::Memory;
  config.data_dir = std::filesystem::path(testing::TempDir()) / "admin-api-test-unused";
  config.ttl = std::chrono::seconds(3600);
  config.journal_capacity = 8;
  return config;
}

class AdminApi : public testing::Test {
 protected:
  ServerConfig config = memory_config();
  Clock clock;
  Store store{config, clock};
  FaultInjector faults;
  Journal journal{config.journal_capacity};
  Stats stats;
  AdminContext context{store, faults, journal, stats, config};

  AdminResponse call(std::string method, std::string path, std::string query = {}, std::string body = {}) {
    AdminRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.query = std::move(query);
    request.body = std::move(body);
    return handle_admin(request, context);
  }

  // The JSON answer, after checking the status; a failure names the body.
  json expect(int status, const AdminResponse& response) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.content_type, "application/json");
    auto parsed = json::parse(response.body, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << response.body;
    if (parsed.is_discarded()) return json::object();
    EXPECT_EQ(parsed["success"], status == 200) << response.body;
    return parsed;
  }

  // The error message of a refusal with `status`; checks it starts with `code`.
  std::string expect_error(int status, const std::string& code, const AdminResponse& response) {
    auto parsed = expect(status, response);
    const auto message = parsed.value("error", std::string());
    EXPECT_EQ(message.rfind(code + ": ", 0), 0u) << message;
    return message;
  }

  // Stores bytes [start, end) of an upload of `total` bytes.
  void send_part(const std::string& hash, std::uint64_t start, std::uint64_t end, std::uint64_t total) {
    auto begun = store.begin_part(hash, contract::ContentRange{start, end, total}, PartTarget{});
    auto* part = std::get_if<std::unique_ptr<PartUpload>>(&begun);
    ASSERT_NE(part, nullptr) << std::get<Refusal>(begun).message;
    const std::vector<std::byte> bytes(end - start, std::byte{0x5a});
    (*part)->write(bytes);
    const auto result = (*part)->finish();
    ASSERT_FALSE(result.refusal) << result.refusal->message;
  }

  json uploads() { return expect(200, call("GET", "uploads"))["uploads"]; }
};

}  // namespace

TEST_F(AdminApi, HealthReportsProfileStorageAndClock) {
  clock.advance(std::chrono::seconds(42));
  const auto health = expect(200, call("GET", "health"));
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["profile"], "strict");
  EXPECT_EQ(health["storage"], "memory");
  EXPECT_EQ(health["clock_offset_s"], 42);
  EXPECT_EQ(health["ttl_s"], 3600);
  EXPECT_GE(health["uptime_s"].get<long long>(), 0);
  EXPECT_EQ(health["root_directory_id"], store.root_directory_id());
}

TEST_F(AdminApi, UnknownPathsAndWrongMethodsAreRefused) {
  expect_error(404, "NotFound", call("GET", "nothing-here"));
  expect_error(404, "NotFound", call("GET", "uploads/x/y/z"));
  expect_error(405, "MethodNotAllowed", call("POST", ""));  // the index only answers GET
  const auto message = expect_error(405, "MethodNotAllowed", call("GET", "clock/advance", "seconds=1"));
  EXPECT_NE(message.find("POST"), std::string::npos) << message;
  const auto faults_message = expect_error(405, "MethodNotAllowed", call("PUT", "faults"));
  EXPECT_NE(faults_message.find("GET, POST, DELETE"), std::string::npos) << faults_message;
  expect(200, call("GET", "health/"));
}

TEST_F(AdminApi, TheIndexListsEveryEndpoint) {
  const auto index = expect(200, call("GET", ""));
  EXPECT_EQ(index["endpoints"].size(), admin_routes().size());
  EXPECT_EQ(index["endpoints"][1], (json{{"method", "GET"}, {"path", "/__mock/health"}}));
  EXPECT_NE(index.value("docs", "").find("openapi.yaml"), std::string::npos);
}

TEST_F(AdminApi, WithoutAdminKeyOnlyLoopbackClientsGetIn) {
  AdminRequest request{"GET", "health", "", "", false, ""};
  expect_error(403, "Unauthorized", handle_admin(request, context));
  request.from_loopback = true;
  expect(200, handle_admin(request, context));
}

TEST_F(AdminApi, WithAdminKeyEveryClientNeedsIt) {
  config.admin_key = "open-sesame";
  AdminRequest request{"GET", "health", "", "", true, ""};
  const auto missing = expect_error(403, "Unauthorized", handle_admin(request, context));
  EXPECT_NE(missing.find("X-Admin-Key"), std::string::npos) << missing;
  request.admin_key = "open-sesamE";
  expect_error(403, "Unauthorized", handle_admin(request, context));
  request.admin_key = "open-sesame";
  request.from_loopback = false;
  expect(200, handle_admin(request, context));
  request.path = "no-such-endpoint";
  request.admin_key.clear();
  // Routes are not revealed without the key: 403, not 404.
  expect_error(403, "Unauthorized", handle_admin(request, context));
}

TEST_F(AdminApi, ClockAdvanceValidatesSeconds) {
  expect_error(400, "InvalidRequest", call("POST", "clock/advance"));
  for (const char* bad : {"seconds=", "seconds=-5", "seconds=1.5", "seconds=ten", "seconds=99999999999999999999",
                          "seconds=400000000", "second=10"}) {
    const auto message = expect_error(400, "InvalidRequest", call("POST", "clock/advance", bad));
    EXPECT_NE(message.find("second"), std::string::npos) << bad << " -> " << message;
  }
  EXPECT_EQ(clock.offset().count(), 0) << "a refused advance moves nothing";
  const auto advanced = expect(200, call("POST", "clock/advance", "seconds=90"));
  EXPECT_EQ(advanced["offset_s"], 90);
  EXPECT_EQ(advanced["expired"], 0);
  const auto now = expect(200, call("GET", "clock"));
  EXPECT_EQ(now["offset_s"], 90);
  EXPECT_TRUE(now["now"].get<std::string>().ends_with("Z"));
}

TEST_F(AdminApi, TargetsThatAreNotUtf8AreRefusedNotThrown) {
  auto message = expect_error(400, "InvalidRequest", call("POST", "clock/advance", "seconds=%ff"));
  EXPECT_NE(message.find("UTF-8"), std::string::npos) << message;
  expect_error(400, "InvalidRequest", call("POST", "clock/advance", "seconds=\xff"));
  expect_error(400, "InvalidRequest", call("POST", "uploads/\xff/expire"));
  expect_error(400, "InvalidHash", call("POST", "uploads/%ff/expire"));
  EXPECT_EQ(clock.offset().count(), 0);
}

TEST_F(AdminApi, ExpireTakesAHashInAnyCase) {
  const std::string hash = "9b2e7c1a-1111-4222-8333-444455556666";
  send_part(hash, 0, 10, 10);
  auto expired = expect(200, call("POST", "uploads/9B2E7C1A-1111-4222-8333-444455556666/expire"));
  EXPECT_EQ(expired["hash"], hash) << "answered in the canonical lower case";
  EXPECT_TRUE(uploads().empty());
}

TEST_F(AdminApi, ClockAdvanceExpiresUploadsPastTheirTtl) {
  const auto hash = contract::new_uuid();
  send_part(hash, 0, 10, 10);
  auto listed = uploads();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["hash"], hash);
  EXPECT_EQ(listed[0]["complete"], true);
  EXPECT_LE(listed[0]["seconds_left"].get<long long>(), 3600);
  EXPECT_GE(listed[0]["seconds_left"].get<long long>(), 3590);

  EXPECT_EQ(expect(200, call("POST", "clock/advance", "seconds=3590"))["expired"], 0);
  listed = uploads();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_LE(listed[0]["seconds_left"].get<long long>(), 10);

  EXPECT_EQ(expect(200, call("POST", "clock/advance", "seconds=11"))["expired"], 1);
  EXPECT_TRUE(uploads().empty());
  expect_error(404, "NoSuchUpload", call("POST", "uploads/" + hash + "/expire"));
}

TEST_F(AdminApi, UploadsShowPartProgress) {
  const auto hash = contract::new_uuid();
  const std::uint64_t part = 5 * contract::MiB, total = part + 1000;
  send_part(hash, 0, part, total);
  const auto listed = uploads();
  ASSERT_EQ(listed.size(), 1u);
  const auto& upload = listed[0];
  EXPECT_EQ(upload["total"], total);
  EXPECT_EQ(upload["received"], part);
  EXPECT_EQ(upload["stored_bytes"], part);
  EXPECT_EQ(upload["parts"], 1);
  EXPECT_EQ(upload["part_size"], part);
  EXPECT_EQ(upload["complete"], false);
  EXPECT_EQ(upload["busy"], false);
  EXPECT_LT(upload["created"].get<std::string>(), upload["deadline"].get<std::string>());
}

TEST_F(AdminApi, ExpireRemovesOneUpload) {
  const auto kept = contract::new_uuid(), gone = contract::new_uuid();
  send_part(kept, 0, 3, 3);
  send_part(gone, 0, 4, 4);
  expect_error(400, "InvalidHash", call("POST", "uploads/not-a-uuid/expire"));
  expect_error(404, "NoSuchUpload", call("POST", "uploads/" + contract::new_uuid() + "/expire"));
  const auto expired = expect(200, call("POST", "uploads/" + gone + "/expire"));
  EXPECT_EQ(expired["hash"], gone);
  const auto listed = uploads();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["hash"], kept);
}

TEST_F(AdminApi, FaultsAreArmedListedAndDisarmed) {
  const auto bad = expect_error(400, "InvalidRequest", call("POST", "faults", "", R"({"kind":"delay"})"));
  EXPECT_NE(bad.find("needs ms"), std::string::npos) << bad;
  expect_error(400, "InvalidRequest", call("POST", "faults", "", "{not json"));
  expect_error(400, "InvalidRequest", call("POST", "faults"));

  const auto added = expect(200, call("POST", "faults", "", R"({"kind":"unavailable","count":3})"));
  const auto id = added["fault"]["id"].get<std::string>();
  expect(200, call("POST", "faults", "", R"({"kind":"delay","ms":5,"count":0})"));
  EXPECT_EQ(expect(200, call("GET", "faults"))["faults"].size(), 2u);
  EXPECT_EQ(faults.plan_for("POST", "/pub/v1/disk/file/upload").status, 503) << "the HTTP layer sees it";

  expect_error(404, "NotFound", call("DELETE", "faults/f999"));
  EXPECT_EQ(expect(200, call("DELETE", "faults/" + id))["removed"], 1);
  EXPECT_EQ(expect(200, call("DELETE", "faults"))["removed"], 1);
  EXPECT_TRUE(expect(200, call("GET", "faults"))["faults"].empty());
}

TEST_F(AdminApi, JournalIsLimitedAndCleared) {
  for (int i = 0; i < 5; ++i) {
    RequestRecord record;
    record.method = "GET";
    record.target = "/t" + std::to_string(i);
    record.status = 200;
    journal.record(record);
  }
  EXPECT_EQ(expect(200, call("GET", "journal"))["entries"].size(), 5u);
  const auto last_two = expect(200, call("GET", "journal", "limit=2"))["entries"];
  ASSERT_EQ(last_two.size(), 2u);
  EXPECT_EQ(last_two[0]["target"], "/t3");
  EXPECT_EQ(last_two[1]["target"], "/t4");
  expect_error(400, "InvalidRequest", call("GET", "journal", "limit=-1"));
  expect_error(400, "InvalidRequest", call("GET", "journal", "limt=2"));
  expect(200, call("DELETE", "journal"));
  EXPECT_TRUE(expect(200, call("GET", "journal"))["entries"].empty());
}

TEST_F(AdminApi, StatsIncludeWhatTheStoreHolds) {
  RequestRecord record;
  record.status = 400;
  record.code = "InvalidRange";
  stats.record(record);
  send_part(contract::new_uuid(), 0, 10, 10);
  const auto counters = expect(200, call("GET", "stats"));
  EXPECT_EQ(counters["requests"], 1);
  EXPECT_EQ(counters["errors_by_code"]["InvalidRange"], 1);
  EXPECT_EQ(counters["store"]["uploads"], 1);
  EXPECT_EQ(counters["store"]["uploads_complete"], 1);
  EXPECT_EQ(counters["store"]["files"], 0);
  EXPECT_GE(counters["store"]["directories"].get<int>(), 1) << "the root at least";
}

TEST_F(AdminApi, DirectoriesAreCreatedWithQuotaAndPermission) {
  const auto before = expect(200, call("GET", "directories"))["directories"].size();
  const auto created =
      expect(200, call("POST", "directories", "", R"({"name":"small","quota":"10MiB","readonly":true})"));
  const auto& directory = created;
  EXPECT_TRUE(contract::is_uuid(directory["id"].get<std::string>())) << directory.dump();
  EXPECT_EQ(directory["name"], "small");
  EXPECT_EQ(directory["quota"], 10 * contract::MiB);
  EXPECT_EQ(directory["readonly"], true);
  EXPECT_EQ(directory["used"], 0);

  const auto plain = expect(200, call("POST", "directories", "", R"({"name":"plain","quota":2048})"));
  EXPECT_EQ(plain["quota"], 2048);
  EXPECT_EQ(plain["readonly"], false);

  const auto listed = expect(200, call("GET", "directories"))["directories"];
  EXPECT_EQ(listed.size(), before + 2);
  EXPECT_TRUE(std::any_of(listed.begin(), listed.end(), [&](const json& d) { return d["id"] == directory["id"]; }));

  expect_error(409, "NameConflict", call("POST", "directories", "", R"({"name":"small"})"));
  expect_error(400, "InvalidName", call("POST", "directories", "", R"({"name":"a/b"})"));
  for (const char* bad : {R"({"quota":"1MiB"})", R"({"name":""})", R"({"name":"x","quota":"lots"})",
                          R"({"name":"x","quota":-1})", R"({"name":"x","readonly":"yes"})", R"({"name":"x","owner":1})",
                          R"(["x"])", "{"}) {
    expect_error(400, "InvalidRequest", call("POST", "directories", "", bad));
  }
}

TEST_F(AdminApi, ResetForgetsEverything) {
  send_part(contract::new_uuid(), 0, 10, 10);
  expect(200, call("POST", "faults", "", R"({"kind":"unavailable","count":0})"));
  expect(200, call("POST", "clock/advance", "seconds=60"));
  RequestRecord record;
  record.status = 200;
  journal.record(record);
  stats.record(record);

  expect(200, call("POST", "reset"));
  EXPECT_TRUE(uploads().empty());
  EXPECT_TRUE(expect(200, call("GET", "faults"))["faults"].empty());
  EXPECT_TRUE(expect(200, call("GET", "journal"))["entries"].empty());
  EXPECT_EQ(expect(200, call("GET", "stats"))["requests"], 0);
  EXPECT_EQ(clock.offset().count(), 0);
}

TEST_F(AdminApi, ServesTheOpenApiDocument) {
  const auto response = call("GET", "openapi.yaml");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/yaml");
  EXPECT_EQ(response.body, openapi_yaml());
  EXPECT_TRUE(response.body.starts_with("openapi: 3."));
}
