// Protocol-level bad input against a real `partcheck serve`: broken framing,
// oversized headers, bodies that lie about their length, chunked and
// multipart bodies, hostile names, idle clients, Expect: 100-continue, and a
// graceful SIGTERM. Each case: a clear 4xx JSON answer or a closed
// connection, nothing stored, and the server keeps serving.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "contract/uuid.hpp"
#include "tests/integration/support/mock_fixture.hpp"
#include "tests/integration/support/raw_http.hpp"

namespace partcheck::testing {
namespace {

using namespace std::chrono_literals;

class MockHttpTest : public MockTest {
 protected:
  std::string auth() { return "Authorization: Bearer " + server().api_key() + "\r\n"; }
  std::string upload_target(const std::string& hash) { return "/pub/v1/disk/file/upload?hash=" + hash; }
  // An aborted part lets go of its upload a moment after the connection ends.
  bool eventually_nothing_stored(const std::string& hash) {
    for (int i = 0; i < 50; ++i) {
      if (nothing_stored(hash)) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  // The server answers a plain request afterwards.
  void expect_still_serving() {
    auto listing = api().list(root());
    EXPECT_EQ(listing.status, 200) << listing;
  }
};

TEST_F(MockHttpTest, MalformedRequestLineIsRefusedAndClosed) {
  for (const std::string& junk : std::vector<std::string>{"GARBAGE\r\n\r\n", "GET /x HTTP/9\r\n\r\n", "G\x01T / HTTP/1.1\r\n\r\n"}) {
    RawConnection wire(server().host(), server().port());
    wire.send(junk);
    bool closed = false;
    auto response = wire.read_until_close(5s, &closed);
    EXPECT_EQ(status_of(response), 400) << junk << " -> " << response;
    EXPECT_EQ(code_of(response), "InvalidRequest") << response;
    EXPECT_TRUE(closed);
  }
  expect_still_serving();
}

TEST_F(MockHttpTest, MalformedHeaderLineIsRefused) {
  RawConnection wire(server().host(), server().port());
  wire.send("POST /pub/v1/disk/directory/list HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n");
  bool closed = false;
  auto response = wire.read_until_close(5s, &closed);
  EXPECT_EQ(status_of(response), 400) << response;
  EXPECT_TRUE(closed);
  expect_still_serving();
}

TEST_F(MockHttpTest, HeadersOver16KiBAre431) {
  RawConnection wire(server().host(), server().port());
  wire.send("GET /pub/v1/disk/download/x HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(20 * 1024, 'a') + "\r\n\r\n");
  bool closed = false;
  auto response = wire.read_until_close(5s, &closed);
  EXPECT_EQ(status_of(response), 431) << response.substr(0, 300);
  EXPECT_EQ(code_of(response), "HeaderTooLarge");
  EXPECT_TRUE(closed);
  expect_still_serving();
}

TEST_F(MockHttpTest, UnknownPathIs404AndWrongMethodIs405) {
  auto missing = api().get("/pub/v1/disk/nothing-here");
  EXPECT_REFUSED(missing, 404, "NotFound");
  auto trailing = api().get("/pub/v1/disk/file/upload/");
  EXPECT_REFUSED(trailing, 404, "NotFound");
  auto wrong = api().get("/pub/v1/disk/file/upload?hash=" + contract::new_uuid());
  EXPECT_REFUSED(wrong, 405, "MethodNotAllowed");

  RawConnection wire(server().host(), server().port());
  wire.send("DELETE /pub/v1/disk/file/move HTTP/1.1\r\nHost: x\r\n\r\n");
  auto response = wire.read_until("\r\n\r\n", 5s);
  EXPECT_EQ(status_of(response), 405);
  EXPECT_NE(response.find("Allow: POST"), std::string::npos) << response;
}

TEST_F(MockHttpTest, BodyShorterThanDeclaredStoresNothing) {
  auto hash = contract::new_uuid();
  {
    RawConnection wire(server().host(), server().port());
    wire.send("POST " + upload_target(hash) + " HTTP/1.1\r\nHost: x\r\n" + auth() +
              "Content-Range: bytes 0-1000/1000\r\nContent-Length: 1000\r\n\r\n" + file_bytes(7, 0, 500));
    wire.shutdown_send();
    bool closed = false;
    auto response = wire.read_until_close(5s, &closed);
    EXPECT_TRUE(closed);
    EXPECT_EQ(status_of(response), 0) << response;  // nobody to answer: the client hung up
  }
  EXPECT_TRUE(eventually_nothing_stored(hash));
  // The upload is usable from its last acknowledged byte (none): the whole file goes through.
  auto retry = upload_whole(hash, 7, 1000);
  EXPECT_EQ(retry.status, 200) << retry;
}

TEST_F(MockHttpTest, BytesPastTheDeclaredLengthAreTheNextRequest) {
  auto hash = contract::new_uuid();
  RawConnection wire(server().host(), server().port());
  wire.send("POST " + upload_target(hash) + " HTTP/1.1\r\nHost: x\r\n" + auth() +
            "Content-Range: bytes 0-100/100\r\nContent-Length: 100\r\n\r\n" + file_bytes(3, 0, 100) +
            "these forty bytes are not an HTTP request\r\n\r\n");
  bool closed = false;
  auto responses = wire.read_until_close(5s, &closed);
  EXPECT_EQ(status_of(responses), 200) << responses;
  auto second = responses.find("HTTP/1.1 400");
  EXPECT_NE(second, std::string::npos) << responses;
  EXPECT_TRUE(closed);
  auto entry = api().upload_entry(hash);
  ASSERT_FALSE(entry.is_null());
  expect_still_serving();
}

TEST_F(MockHttpTest, ConflictingContentLengthAndChunkedIsRefused) {
  auto hash = contract::new_uuid();
  RawConnection wire(server().host(), server().port());
  wire.send("POST " + upload_target(hash) + " HTTP/1.1\r\nHost: x\r\n" + auth() +
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  bool closed = false;
  auto response = wire.read_until_close(5s, &closed);
  EXPECT_EQ(status_of(response), 400) << response;
  EXPECT_TRUE(closed);
  EXPECT_TRUE(nothing_stored(hash));
  expect_still_serving();
}

std::string chunked(const std::string& body, std::size_t piece) {
  std::string out;
  for (std::size_t at = 0; at < body.size(); at += piece) {
    auto n = std::min(piece, body.size() - at);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", n);
    out += size + body.substr(at, n) + "\r\n";
  }
  return out + "0\r\n\r\n";
}

TEST_F(MockHttpTest, ChunkedBodiesAreStreamedAndChecked) {
  const std::uint64_t n = 3 * 1024 * 1024 + 17;
  auto body = file_bytes(11, 0, n);
  auto hash = contract::new_uuid();
  RawConnection wire(server().host(), server().port());
  wire.send("POST " + upload_target(hash) + " HTTP/1.1\r\nHost: x\r\n" + auth() + "Content-Range: " +
            content_range(0, n, n) + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(body, 100000));
  auto response = wire.read_until("\"xxh3\"", 10s);
  EXPECT_EQ(status_of(response), 200) << response;

  auto moved = api().move(root(), {{hash, "chunked.bin"}});
  ASSERT_EQ(moved.status, 200) << moved;
  auto downloaded = api().download_file(file_id_of_move(moved));
  EXPECT_EQ(downloaded.size(), n);
  EXPECT_EQ(first_mismatch(11, 0, downloaded), -1);

  // A chunked body whose length differs from the range: LengthMismatch, nothing kept.
  auto short_hash = contract::new_uuid();
  RawConnection second(server().host(), server().port());
  second.send("POST " + upload_target(short_hash) + " HTTP/1.1\r\nHost: x\r\n" + auth() +
              "Content-Range: bytes 0-1000/1000\r\nTransfer-Encoding: chunked\r\n\r\n" +
              chunked(file_bytes(1, 0, 999), 300));
  auto refusal = second.read_until("}", 5s);
  EXPECT_EQ(status_of(refusal), 400) << refusal;
  EXPECT_EQ(code_of(refusal), "LengthMismatch") << refusal;
  EXPECT_TRUE(eventually_nothing_stored(short_hash));
}

TEST_F(MockHttpTest, MultipartWithoutFileFieldOrWithBrokenBoundary) {
  auto send_multipart = [&](const std::string& hash, const std::string& body) {
    RawConnection wire(server().host(), server().port());
    wire.send("POST " + upload_target(hash) + " HTTP/1.1\r\nHost: x\r\n" + auth() +
              "Content-Type: multipart/form-data; boundary=zzz\r\nContent-Length: " + std::to_string(body.size()) +
              "\r\n\r\n" + body);
    return wire.read_until("}", 5s);
  };
  auto no_file = contract::new_uuid();
  auto response = send_multipart(no_file, "--zzz\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nabc\r\n--zzz--\r\n");
  EXPECT_EQ(status_of(response), 400) << response;
  EXPECT_EQ(code_of(response), "UnsupportedContentType") << response;
  EXPECT_TRUE(nothing_stored(no_file));

  auto broken = contract::new_uuid();
  response = send_multipart(broken, "--zzz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--zzzXX\r\n");
  EXPECT_EQ(status_of(response), 400) << response;
  EXPECT_EQ(code_of(response), "InvalidRequest") << response;
  EXPECT_TRUE(eventually_nothing_stored(broken));

  auto truncated = contract::new_uuid();
  response = send_multipart(truncated, "--zzz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc");
  EXPECT_EQ(status_of(response), 400) << response;
  EXPECT_TRUE(eventually_nothing_stored(truncated));

  auto no_boundary = contract::new_uuid();
  PartRequest part{std::nullopt, "abc", "multipart/form-data"};
  EXPECT_REFUSED(api().upload(no_boundary, part), 400, "UnsupportedContentType");
  expect_still_serving();
}

TEST_F(MockHttpTest, MultipartFromCurlIsStored) {
  TempDir dir;
  auto path = dir.path() / "file.bin";
  const std::uint64_t n = 2 * 1024 * 1024 + 5;
  {
    std::ofstream out(path, std::ios::binary);
    out << file_bytes(5, 0, n);
  }
  auto hash = contract::new_uuid();
  auto result = run_command({"curl", "-sS", "-H", "Authorization: Bearer " + server().api_key(), "-F",
                             "file=@" + path.string(), server().url() + upload_target(hash)});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_TRUE(json.is_object()) << result.out;
  EXPECT_EQ(json.value("size", 0ull), n) << result.out;
}

TEST_F(MockHttpTest, HostileNamesAreRefusedAndNothingLeavesTheDataDir) {
  TempDir sandbox;
  auto data_dir = sandbox.path() / "data";
  start({"--storage", "disk", "--fsync", "never", "--data-dir", data_dir.string()});
  std::vector<std::string> names{"a%2Fb", "..", ".", "..%2F..%2Fescape", "nul%00byte", "bell%07", "back%5Cslash",
                                 std::string(256, 'n')};
  for (const auto& name : names) {
    auto hash = contract::new_uuid();
    RawConnection wire(server().host(), server().port());
    wire.send("POST /pub/v1/disk/directory/" + root() + "/upload?hash=" + hash + "&name=" + name +
              " HTTP/1.1\r\nHost: x\r\n" + auth() + "Content-Length: 3\r\n\r\nabc");
    auto response = wire.read_until("}", 5s);
    EXPECT_EQ(status_of(response), 400) << name << ": " << response;
    EXPECT_EQ(code_of(response), "InvalidName") << name << ": " << response;
    EXPECT_TRUE(nothing_stored(hash)) << name;
  }
  // The same through move.
  auto hash = contract::new_uuid();
  ASSERT_EQ(upload_whole(hash, 1, 10).status, 200);
  for (const std::string& name : std::vector<std::string>{"x/y", "../up", std::string("nul\0x", 5), "tab\tname", std::string(300, 'm')})
    EXPECT_REFUSED(api().move(root(), {{hash, name}}), 400, "InvalidName");
  std::vector<std::string> entries;
  for (const auto& entry : std::filesystem::directory_iterator(sandbox.path()))
    entries.push_back(entry.path().filename().string());
  EXPECT_EQ(entries, std::vector<std::string>{"data"});
}

TEST_F(MockHttpTest, IdleConnectionsAreCut) {
  start({"--idle-timeout", "1"});
  RawConnection wire(server().host(), server().port());
  wire.send("POST /pub/v1/disk/directory/list HTTP/1.1\r\nHost: x\r\n");  // never finished
  bool closed = false;
  auto started = std::chrono::steady_clock::now();
  wire.read_until_close(10s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);

  // A body that stalls halfway is cut too, and nothing of it kept.
  auto hash = contract::new_uuid();
  RawConnection stalled(server().host(), server().port());
  stalled.send("POST " + upload_target(hash) + " HTTP/1.1\r\nHost: x\r\n" + auth() +
               "Content-Length: 100\r\n\r\n" + std::string(50, 'x'));
  stalled.read_until_close(10s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(eventually_nothing_stored(hash));
}

TEST_F(MockHttpTest, ExpectContinueRefusesAnOversizedPartBeforeItsBody) {
  auto hash = contract::new_uuid();
  const std::uint64_t part = 5 * contract::GiB + 1, total = 2 * part;
  RawConnection wire(server().host(), server().port());
  wire.send("POST " + upload_target(hash) + " HTTP/1.1\r\nHost: x\r\n" + auth() + "Content-Range: " +
            content_range(0, part, total) + "\r\nContent-Length: " + std::to_string(part) +
            "\r\nExpect: 100-continue\r\n\r\n");
  bool closed = false;
  auto response = wire.read_until_close(10s, &closed);
  EXPECT_EQ(status_of(response), 400) << response;
  EXPECT_EQ(code_of(response), "EntityTooLarge") << response;
  EXPECT_EQ(response.find("100 Continue"), std::string::npos);
  EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
  EXPECT_TRUE(closed);
  EXPECT_TRUE(nothing_stored(hash));

  // Accepted: 100 Continue first, then the answer.
  auto good = contract::new_uuid();
  RawConnection accepted(server().host(), server().port());
  accepted.send("POST " + upload_target(good) + " HTTP/1.1\r\nHost: x\r\n" + auth() +
                "Content-Range: bytes 0-10/10\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
  auto interim = accepted.read_until("\r\n\r\n", 5s);
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << interim;
  accepted.send(file_bytes(2, 0, 10));
  auto final_answer = accepted.read_until("xxh3", 5s);
  EXPECT_NE(final_answer.find("HTTP/1.1 200"), std::string::npos) << final_answer;
}

TEST_F(MockHttpTest, SmallRefusedBodiesKeepTheConnection) {
  RawConnection wire(server().host(), server().port());
  std::string refused_part = "POST " + upload_target("not-a-uuid") + " HTTP/1.1\r\nHost: x\r\n" + auth() +
                             "Content-Length: 1000\r\n\r\n" + std::string(1000, 'z');
  std::string listing = "POST /pub/v1/disk/directory/list HTTP/1.1\r\nHost: x\r\n" + auth() +
                        "Content-Length: 0\r\n\r\n";
  wire.send(refused_part + listing);
  auto both = wire.read_until("\"total\"", 5s);
  EXPECT_EQ(status_of(both), 400) << both;
  EXPECT_NE(both.find("InvalidHash"), std::string::npos) << both;
  EXPECT_NE(both.find("HTTP/1.1 200"), std::string::npos) << both;
}

TEST_F(MockHttpTest, SigtermStopsGracefully) {
  expect_still_serving();
  EXPECT_EQ(server().terminate(), 0);
}


// The first minute: the banner says where the admin API is, `GET /__mock/`
// lists it, and the banner's example upload works as printed.
TEST_F(MockHttpTest, TheBannerShowsTheAdminApiAndAnExampleUploadThatWorks) {
  std::string admin, example;
  for (const auto& line : server().banner_rest()) {
    if (line.starts_with("admin API ")) admin = line;
    if (line.starts_with("try: ")) example = line.substr(5);
  }
  EXPECT_EQ(admin.substr(0, admin.find(" (")), "admin API " + server().url() + "/__mock") << admin;
  ASSERT_FALSE(example.empty());
  auto uploaded = run_command({"bash", "-c", example + " -w ' %{http_code}'"});
  ASSERT_EQ(uploaded.exit_code, 0) << uploaded.err;
  EXPECT_NE(uploaded.out.find("\"success\":true"), std::string::npos) << uploaded.out;
  EXPECT_TRUE(uploaded.out.ends_with(" 200")) << uploaded.out;

  auto index = run_command({"curl", "-sS", server().url() + "/__mock/"});
  auto json = nlohmann::json::parse(index.out, nullptr, false);
  ASSERT_TRUE(json.is_object()) << index.out;
  bool lists_health = false;
  for (const auto& endpoint : json["endpoints"]) lists_health |= endpoint["path"] == "/__mock/health";
  EXPECT_TRUE(lists_health) << index.out;
}

// A form-encoded body (what curl --data-binary sends by default) is refused
// with the header to send instead.
TEST_F(MockHttpTest, AnUnsupportedContentTypeNamesTheHeaderToSend) {
  auto reply = run_command({"curl", "-sS", "-X", "POST", "-H", "Authorization: Bearer " + server().api_key(), "-H",
                            "Content-Range: bytes 0-5/5", "--data-binary", "hello",
                            server().url() + upload_target(contract::new_uuid())});
  EXPECT_NE(reply.out.find("UnsupportedContentType"), std::string::npos) << reply.out;
  EXPECT_NE(reply.out.find("Content-Type: application/octet-stream"), std::string::npos) << reply.out;
}

// docs/admin-api.md's retry recipe: one JSON call aims 503 twice at the 2nd
// part of one upload; the part's retries, and only they, are refused.
TEST_F(MockHttpTest, AFaultAimedAtThe2ndPartOfOneUploadHitsOnlyItsFirstTwoTries) {
  const std::uint64_t part = 5 * 1024 * 1024, n = 12 * 1024 * 1024;
  const auto hash = contract::new_uuid(), other = contract::new_uuid();
  auto armed = api().admin_post("faults", R"({"kind":"unavailable","times":2,"match":{"hash":")" + hash +
                                               R"(","part_index":1}})");
  ASSERT_EQ(armed.status, 200) << armed;
  EXPECT_EQ(upload_part(other, 8, 0, part, n).status, 206) << "another upload";
  EXPECT_EQ(upload_part(other, 8, part, 2 * part, n).status, 206) << "another upload's 2nd part";
  EXPECT_EQ(upload_part(hash, 9, 0, part, n).status, 206);
  EXPECT_EQ(upload_part(hash, 9, part, 2 * part, n).status, 503);
  EXPECT_EQ(upload_part(hash, 9, part, 2 * part, n).status, 503);
  EXPECT_EQ(upload_part(hash, 9, part, 2 * part, n).status, 206);
  auto last = upload_part(hash, 9, 2 * part, n, n);
  EXPECT_EQ(last.status, 200) << last;
  auto faults = api().admin_get("faults");
  EXPECT_TRUE(faults.json["faults"].empty()) << faults;
}


// --cors: a preflight from an allowed origin gets what a browser needs to
// send an upload; the answers carry the origin; other origins get nothing.
TEST_F(MockHttpTest, CorsAnswersPreflightsAndMarksAnswersForAllowedOriginsOnly) {
  start({"--storage", "memory", "--cors", "http://app.example:5173"});
  const std::string page = "http://app.example:5173";
  auto preflight = run_command({"curl", "-sS", "-i", "-X", "OPTIONS", "-H", "Origin: " + page, "-H",
                                "Access-Control-Request-Method: POST", "-H",
                                "Access-Control-Request-Headers: authorization, content-range, content-type",
                                server().url() + upload_target(contract::new_uuid())});
  EXPECT_EQ(status_of(preflight.out), 204) << preflight.out;
  for (const char* field : {"Access-Control-Allow-Origin: http://app.example:5173", "Access-Control-Allow-Methods: ",
                            "Content-Range", "Authorization", "Access-Control-Max-Age: "})
    EXPECT_NE(preflight.out.find(field), std::string::npos) << field << " in " << preflight.out;

  auto upload = run_command({"curl", "-sS", "-i", "-X", "POST", "-H", "Origin: " + page, "-H",
                             "Authorization: Bearer " + server().api_key(), "-H", "Content-Range: bytes 0-5/5", "-H",
                             "Content-Type: application/octet-stream", "--data-binary", "hello",
                             server().url() + upload_target(contract::new_uuid())});
  EXPECT_EQ(status_of(upload.out), 200) << upload.out;
  EXPECT_NE(upload.out.find("Access-Control-Allow-Origin: http://app.example:5173"), std::string::npos) << upload.out;
  EXPECT_NE(upload.out.find("Access-Control-Expose-Headers: "), std::string::npos) << upload.out;

  auto stranger = run_command({"curl", "-sS", "-i", "-X", "OPTIONS", "-H", "Origin: http://evil.example", "-H",
                               "Access-Control-Request-Method: POST", server().url() + "/pub/v1/disk/file/move"});
  EXPECT_EQ(status_of(stranger.out), 403) << stranger.out;
  EXPECT_EQ(stranger.out.find("Access-Control-Allow-Origin"), std::string::npos) << stranger.out;

  auto bad = run_command({kPartcheck, "serve", "--cors", "app.example"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--cors"), std::string::npos) << bad.err;
  // Nor may the admin key be empty: it would lock everyone out of /__mock.
  auto empty_key = run_command({kPartcheck, "serve", "--admin-key", ""});
  EXPECT_EQ(empty_key.exit_code, 2) << empty_key.err;
  EXPECT_NE(empty_key.err.find("--admin-key"), std::string::npos) << empty_key.err;
}

// Without --cors nothing changes: OPTIONS is 405 and answers carry no CORS fields.
TEST_F(MockHttpTest, WithoutCorsOptionsIs405) {
  auto preflight = run_command({"curl", "-sS", "-i", "-X", "OPTIONS", "-H", "Origin: http://app.example", "-H",
                                "Access-Control-Request-Method: POST", server().url() + "/pub/v1/disk/file/move"});
  EXPECT_EQ(status_of(preflight.out), 405) << preflight.out;
  EXPECT_EQ(preflight.out.find("Access-Control-"), std::string::npos) << preflight.out;
}

}  // namespace
}  // namespace partcheck::testing
