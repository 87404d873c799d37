// Hostile and careless clients against a real `partcheck serve` (issue 8):
// inputs that used to abort the process (an exception out of an I/O thread),
// desync its request stream or poison its journal, and the smaller leaks
// (links built from Host, server paths, hash case, the Bearer scheme, a
// start on a full disk). Each case: the documented answer, then the server
// still serving.
#include <sys/resource.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <thread>

#include "contract/part_plan.hpp"
#include "contract/uuid.hpp"
#include "tests/integration/support/mock_fixture.hpp"
#include "tests/integration/support/raw_http.hpp"
#include "tests/support/frozen_dir.hpp"

namespace partcheck::testing {
namespace {

using namespace std::chrono_literals;

class MockHostileTest : public MockTest {
 protected:
  std::string auth() { return "Authorization: Bearer " + server().api_key() + "\r\n"; }
  std::string upload_target(const std::string& hash) { return "/pub/v1/disk/file/upload?hash=" + hash; }

  // One request on its own connection: everything the server sent until it
  // closed (`closed`) or went quiet.
  std::string exchange(const std::string& request, bool* closed, std::chrono::milliseconds wait = 10s) {
    RawConnection wire(server().host(), server().port());
    wire.send(request);
    return wire.read_until_close(wait, closed);
  }
  // The server answers health and a listing afterwards.
  void expect_still_serving() {
    EXPECT_EQ(api().admin_get("health").status, 200);
    auto listing = api().list(root());
    EXPECT_EQ(listing.status, 200) << listing;
  }
  long long clock_offset() { return api().admin_get("clock").json.value("offset_s", -1LL); }
  // A disk-backed server on `data` (extra flags after).
  void start_on_disk(const TempDir& data, std::vector<std::string> extra = {}) {
    extra.insert(extra.begin(), {"--storage", "disk", "--data-dir", data.str()});
    start(extra);
  }
};

std::string chunked_request(const std::string& target, const std::string& headers, const std::string& trailer) {
  return "POST " + target + " HTTP/1.1\r\nHost: x\r\n" + headers + "Transfer-Encoding: chunked\r\n\r\n" +
         "5\r\nhello\r\n0\r\n" + trailer + "\r\n";
}

// --- 1. crashes: an exception that escaped an I/O thread ---------------------

TEST_F(MockHostileTest, ATrailerTooLargeForTheReadBufferIs431AndTheServerGoesOn) {
  const std::string huge = "X-Big: " + std::string(70 * 1024, 'a') + "\r\n";
  const auto part_headers = auth() + "Content-Range: bytes 0-5/5\r\n";
  for (const auto& request : {chunked_request(upload_target(contract::new_uuid()), part_headers, huge),
                              chunked_request("/__mock/clock/advance?seconds=60", "", huge)}) {
    bool closed = false;
    auto response = exchange(request, &closed);
    EXPECT_EQ(status_of(response), 431) << response.substr(0, 300);
    EXPECT_EQ(code_of(response), "HeaderTooLarge") << response.substr(0, 300);
    EXPECT_TRUE(closed);
  }
  EXPECT_EQ(clock_offset(), 0);
  // A trailer of ordinary size is read and ignored.
  bool closed = false;
  auto fine = exchange(
      chunked_request(upload_target(contract::new_uuid()), part_headers + "Connection: close\r\n", "X-Sum: 1\r\n"),
      &closed);
  EXPECT_EQ(status_of(fine), 200) << fine;
  expect_still_serving();
}

TEST_F(MockHostileTest, AdminTargetsThatAreNotUtf8Are400) {
  for (const std::string target : {"/__mock/clock/advance?seconds=%ff", "/__mock/clock/advance?seconds=\xff",
                                   "/__mock/uploads/%ff/expire", "/__mock/uploads/\xff/expire"}) {
    bool closed = false;
    auto response = exchange("POST " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &closed);
    EXPECT_EQ(status_of(response), 400) << target << " -> " << response;
    EXPECT_TRUE(code_of(response) == "InvalidRequest" || code_of(response) == "InvalidHash") << response;
  }
  EXPECT_EQ(clock_offset(), 0);
  expect_still_serving();
}

TEST_F(MockHostileTest, CatalogSaveFailuresAre500StorageErrorAndChangeNothing) {
  TempDir data;
  start_on_disk(data);
  auto file_id = stored_file(1, 1000, root(), "kept.bin");
  auto hash = contract::new_uuid();
  ASSERT_EQ(upload_whole(hash, 2, 1000).status, 200);
  {
    FrozenDir frozen(data.path());  // catalog.json can no longer be replaced
    if (!frozen.frozen()) GTEST_SKIP() << "cannot make a directory immutable here (chattr +i)";
    for (const auto& reply : {api().move(root(), {{hash, "new.bin"}}), api().get_link(file_id),
                              api().links_download({hash})}) {
      EXPECT_REFUSED(reply, 500, "StorageError");
      EXPECT_EQ(reply.body.find(data.str()), std::string::npos) << "a server path in " << reply.body;
    }
  }
  expect_still_serving();
  auto moved = api().move(root(), {{hash, "new.bin"}});  // the failed move did not happen
  ASSERT_EQ(moved.status, 200) << moved;
  EXPECT_EQ(api().download_file(file_id_of_move(moved)), file_bytes(2, 0, 1000));
}

TEST_F(MockHostileTest, WithoutFreeDescriptorsAPartIs503AndTheServerGoesOn) {
  TempDir data;
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = 64;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  start_on_disk(data);  // inherits the low limit
  ::setrlimit(RLIMIT_NOFILE, &saved);

  // Idle keep-alive connections until the server accepts no more.
  std::vector<std::unique_ptr<RawConnection>> idle;
  while (idle.size() < 200) {
    auto wire = std::make_unique<RawConnection>(server().host(), server().port());
    wire->send("GET /__mock/health HTTP/1.1\r\nHost: x\r\n\r\n");
    if (status_of(wire->read_until("\r\n\r\n", 1s)) != 200) break;  // left in the backlog, now closed
    idle.push_back(std::move(wire));
  }
  ASSERT_LT(idle.size(), 200u) << "the descriptor limit did not bite";
  // The part waits behind the closed connection; one idle connection ends,
  // so the server takes both in turn and holds the part's socket with its
  // last descriptor: none is left to open the upload's file.
  RawConnection part(server().host(), server().port());
  part.send("POST " + upload_target(contract::new_uuid()) + " HTTP/1.1\r\nHost: x\r\n" + auth() +
            "Content-Length: 10\r\n\r\n0123456789");
  idle.erase(idle.begin());
  bool closed = false;
  auto response = part.read_until_close(10s, &closed);
  EXPECT_EQ(status_of(response), 503) << response;
  EXPECT_EQ(code_of(response), "ServiceUnavailable") << response;
  EXPECT_TRUE(closed);
  idle.clear();
  std::this_thread::sleep_for(200ms);  // the server sees the idle connections end
  EXPECT_EQ(upload_whole(contract::new_uuid(), 3, 1000).status, 200);
}

// --- 2. request desync (RFC 9112 6.3) ----------------------------------------

TEST_F(MockHostileTest, FramingOtherThanALoneChunkedIs400AndNothingIsSmuggled) {
  const std::string smuggled = "POST /__mock/clock/advance?seconds=1000 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
  const std::string list = "POST /pub/v1/disk/directory/list HTTP/1.1\r\nHost: x\r\n" + auth();
  std::vector<std::string> framings;
  for (const char* coding : {"gzip", "identity", "chunked, identity", "xchunked", "gzip, chunked"})
    framings.push_back(std::string("Transfer-Encoding: ") + coding + "\r\n");
  framings.push_back("Transfer-Encoding: gzip\r\nContent-Length: 0\r\n");
  framings.push_back("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n");
  for (const auto& framing : framings) {
    bool closed = false;
    auto response = exchange(list + framing + "\r\n" + smuggled, &closed);
    EXPECT_EQ(status_of(response), 400) << framing << " -> " << response;
    EXPECT_EQ(code_of(response), "InvalidRequest") << response;
    EXPECT_EQ(response.find("HTTP/1.1", 1), std::string::npos) << "a second answer: " << response;
    EXPECT_TRUE(closed);
  }
  EXPECT_EQ(clock_offset(), 0) << "a smuggled admin call ran";
  expect_still_serving();
}

// --- 3. poisoning ------------------------------------------------------------

TEST_F(MockHostileTest, ABadByteInATargetOrHeaderDoesNotPoisonTheJournal) {
  bool closed = false;
  auto response =
      exchange("GET /pub/v1/disk/\xff\xfe HTTP/1.1\r\nHost: x\r\nX-Odd: caf\xe9\r\nConnection: close\r\n\r\n", &closed);
  EXPECT_EQ(status_of(response), 404) << response;
  auto journal = api().admin_get("journal?limit=1");
  ASSERT_EQ(journal.status, 200) << journal;
  const auto& entry = journal.json["entries"][0];
  EXPECT_EQ(entry["target"], "/pub/v1/disk/\\xff\\xfe") << "bytes kept as \\xNN";
  EXPECT_EQ(entry["headers"]["X-Odd"], "caf\\xe9");
}

// --- slow and many clients ---------------------------------------------------

TEST_F(MockHostileTest, SlowHeadersAndBodiesAre408AndExtraConnectionsAreClosedAtAccept) {
  start({"--header-timeout", "1", "--min-body-rate", "1000", "--body-rate-window", "1",
         "--max-connections-per-peer", "3"});
  const auto started = std::chrono::steady_clock::now();
  bool closed = false;
  auto header = exchange("GET /__mock/health HTTP/1.1\r\nHo", &closed);  // and not a byte more
  EXPECT_EQ(status_of(header), 408) << header;
  EXPECT_EQ(code_of(header), "RequestTimeout") << header;
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);

  // A body trickled a byte at a time falls below 1000 B/s once the 1 s window is over.
  auto hash = contract::new_uuid();
  {
    RawConnection trickle(server().host(), server().port());
    trickle.send("POST " + upload_target(hash) + " HTTP/1.1\r\nHost: x\r\n" + auth() +
                 "Content-Length: 100000\r\n\r\n");
    std::string answer;
    for (int i = 0; i < 50 && answer.find('}') == std::string::npos; ++i) {
      trickle.send("x");
      answer = trickle.read_until("}", 200ms);
    }
    EXPECT_EQ(status_of(answer), 408) << answer;
    EXPECT_EQ(code_of(answer), "RequestTimeout") << answer;
  }
  EXPECT_TRUE(nothing_stored(hash));
  std::this_thread::sleep_for(200ms);  // the server sees the connections above end

  // Three connections of one address are served; a fourth is closed at accept.
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawConnection>(server().host(), server().port()));
    held.back()->send("GET /__mock/health HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(status_of(held.back()->read_until("\r\n\r\n", 5s)), 200);
  }
  RawConnection extra(server().host(), server().port());
  extra.send("GET /__mock/health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(extra.read_until_close(5s, &closed), "");
  EXPECT_TRUE(closed);
  held.clear();
  std::this_thread::sleep_for(200ms);  // the server sees them end
  EXPECT_EQ(api().admin_get("stats").json["connections_refused"], 1);
}

// --- 4. the smaller leaks ------------------------------------------------------

TEST_F(MockHostileTest, LinksNeverComeFromTheHostHeader) {
  auto file_id = stored_file(4, 100, root(), "a.bin");
  RawConnection wire(server().host(), server().port());
  wire.send("GET /pub/v1/disk/file/" + file_id + "/get-link HTTP/1.1\r\nHost: evil.example\r\n" + auth() + "\r\n");
  auto response = wire.read_until("}", 5s);
  EXPECT_NE(response.find("\"Link\":\"" + server().url() + "/pub/v1/disk/download/"), std::string::npos) << response;
  EXPECT_EQ(response.find("evil.example"), std::string::npos) << response;

  start({"--public-url", "https://files.example/mock/"});
  auto link = api().get_link(stored_file(4, 100, root(), "a.bin"));
  EXPECT_EQ(link.json.value("Link", "").rfind("https://files.example/mock/pub/v1/disk/download/", 0), 0u) << link;
  auto bad = run_command({kPartcheck, "serve", "--listen", "127.0.0.1:0", "--storage", "memory", "--public-url",
                          "ftp://files.example"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--public-url"), std::string::npos) << bad.err;
}

TEST_F(MockHostileTest, AHashInUpperCaseIsTheSameUpload) {
  const auto hash = contract::new_uuid();
  auto upper = hash;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  const std::uint64_t part = contract::kMinPartSize, n = part + 100;
  auto first = upload_part(upper, 5, 0, part, n);
  ASSERT_EQ(first.status, 206) << first;
  EXPECT_EQ(first.json["hash"], hash) << "answered in the canonical lower case";
  EXPECT_EQ(upload_part(hash, 5, part, n, n).status, 200);
  auto moved = api().move(root(), {{upper, "upper.bin"}});
  ASSERT_EQ(moved.status, 200) << moved;
  EXPECT_EQ(moved.json["files"][0]["hash"], hash);
}

TEST_F(MockHostileTest, TheJournalKeepsTheBearerScheme) {
  ASSERT_EQ(api().list(root()).status, 200);  // Authorization: Bearer <key>
  // The entry is recorded once the answer is written: it may come a moment late.
  Reply journal;
  for (int i = 0; i < 50; ++i, std::this_thread::sleep_for(20ms)) {
    journal = api().admin_get("journal?limit=1");
    if (journal.json.is_object() && journal.json.value("recorded", 0) > 0) break;
  }
  ASSERT_EQ(journal.status, 200);
  const auto& entry = journal.json["entries"][0];
  EXPECT_EQ(entry["target"], "/pub/v1/disk/directory/list");
  EXPECT_EQ(entry["headers"]["Authorization"], "Bearer <redacted>");
}

TEST_F(MockHostileTest, AServerOnADiskItCannotWriteStartsAndIsReadOnlyUntilItCan) {
  TempDir data;
  start_on_disk(data);
  // Links are kept in the catalog: this one is made before the disk "fills".
  auto link = api().get_link(stored_file(6, 1000, root(), "kept.bin")).json.value("Link", "");
  FrozenDir frozen(data.path());
  if (!frozen.frozen()) GTEST_SKIP() << "cannot make a directory immutable here (chattr +i)";
  start_on_disk(data);  // nothing changed: nothing to write
  EXPECT_EQ(api().admin_get("health").json["read_only"], false);
  EXPECT_EQ(api().file_names(root()), std::vector<std::string>{"kept.bin"});

  start_on_disk(data, {"--directory", "inbox"});  // a change the start cannot save
  EXPECT_NE(server().log().find("read-only"), std::string::npos) << server().log();
  EXPECT_EQ(api().admin_get("health").json["read_only"], true);
  EXPECT_REFUSED(upload_whole(contract::new_uuid(), 7, 100), 503, "ServiceUnavailable");
  auto path = link.substr(link.find("/pub/"));
  EXPECT_EQ(api().fetch(path).body, file_bytes(6, 0, 1000)) << "reading still works";
  frozen.thaw();
  EXPECT_EQ(upload_whole(contract::new_uuid(), 7, 100).status, 200);
  EXPECT_EQ(api().admin_get("health").json["read_only"], false);
}

}  // namespace
}  // namespace partcheck::testing
