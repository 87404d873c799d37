// The malformed-input corpus (issue 8): every case is an exact byte sequence
// sent on a fresh connection to `partcheck serve --storage disk`, with the
// answer the mock must give (docs/contract.md §3, §4 decision 16-18 and
// docs/admin-api.md: a 4xx in the JSON envelope, never a 5xx for a client's
// mistake, 400 and close for broken framing, 431 for headers too large).
// After the whole corpus the same server must still do a normal round trip,
// answer its journal, be running, and its data dir must hold nothing but its
// own layout (no file made by a traversal name).
//
// ## The corpus format (tests/integration/corpus/<family>.txt)
//
// One file per family; a case is one entry:
//
//     # a comment (any line starting with #); blank lines are ignored
//     case te-gzip-smuggles-an-admin-call
//     expect 400 InvalidRequest close
//     POST /pub/v1/disk/directory/list HTTP/1.1\r\nHost: x\r\n
//     Transfer-Encoding: gzip\r\n\r\n
//     POST /__mock/clock/advance?seconds=1000 HTTP/1.1\r\nHost: x\r\n\r\n
//
// - `case NAME` starts a case.
// - `expect STATUSES [CODES] [close|keep] [eof]`: STATUSES is one status or
//   several joined by `|` (`400|404`); status 0 means "no answer, the
//   connection just closes". CODES (optional; `-` for any) is the code, or
//   codes joined by `|`, that the JSON error must start with. `close`: the
//   connection must end right after the answer with nothing more sent.
//   `keep`: it must stay open and answer a next request. Without either, an
//   open connection must still answer a next request in step (a desync
//   check on every case). `eof`: the client half-closes after the bytes.
// - Every other line is request bytes. The lines are joined WITHOUT the
//   file's own line ends: every byte on the wire is written explicitly.
//   Escapes: \r \n \t \0 \s (space) \\ \$ and \xNN.
//   Macros: ${KEY} the API key, ${ROOT} the root directory id, ${DONE} the
//   hash of an upload completed before the corpus and never moved, ${FILE}
//   the id of a file moved before the corpus, ${NEW} a fresh lower-case uuid
//   (each use), ${NEWUPPER} the same in upper case, ${LEN} the number of
//   bytes after the first \r\n\r\n (for Content-Length), and
//   ${REP:N:TEXT} TEXT repeated N times (TEXT may hold escapes and macros;
//   write a literal `}` in it as \x7d).
//
// Every answer with status >= 400 must be JSON {"success":false,"error":"Code: ..."}
// (the code checked when CODES is given); a 2xx answer in JSON must say
// "success":true. A case whose answer is a 5xx fails unless listed. A case
// waits at most 15 s for its answer. The server runs with a fixed key and
// root directory id (so a case can name them), and every case ends with the
// server still running; after the whole corpus its clock must not have moved
// and no fault may be armed (nothing smuggled ran). Adding a case is one
// entry in a family's file; PARTCHECK_CORPUS_ONLY=framing,auth runs only
// those families (the checks after the corpus still run).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "contract/uuid.hpp"
#include "tests/integration/support/api_client.hpp"
#include "tests/integration/support/bodies.hpp"
#include "tests/integration/support/corpus_case.hpp"
#include "tests/integration/support/process.hpp"
#include "tests/integration/support/wire.hpp"

namespace partcheck::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kKey = "corpus-key-7f3a";
const std::string kRoot = "6d1b9a52-3c1e-4f43-9a6e-0c5d2b7e8f10";
const std::string kDone = "d0d0d0d0-0000-4000-8000-0000000000d1";

// The start of run()'s answer when the server no longer takes connections.
constexpr const char* kGone = "the server takes no connection: ";

// The families, run in this order.
const std::vector<std::string> kFamilies{"framing", "auth", "hash", "content_range", "names_move",
                                          "list", "multipart", "admin"};

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

// Printable bytes for a message: \r, \n and others escaped, cut at `max`.
std::string shown(const std::string& bytes, std::size_t max = 400) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && out.size() < max; ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (c < 0x20 || c >= 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else out += static_cast<char>(c);
  }
  if (out.size() >= max) out += "... (" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

std::string describe(const wire::Response& r) {
  if (r.status == 0) return "no answer";
  return shown(r.head + "\r\n\r\n" + r.body);
}

// What one case did wrong, or empty.
std::string check_answer(const corpus::Case& c, const wire::Response& r) {
  if (std::find(c.statuses.begin(), c.statuses.end(), r.status) == c.statuses.end())
    return "status " + std::to_string(r.status);
  if (r.status == 0) return {};
  auto json = nlohmann::json::parse(r.body, nullptr, false);
  auto type = r.field("Content-Type").value_or("");
  if (r.status >= 400) {
    if (!json.is_object() || json.value("success", true) != false || !json.contains("error") ||
        !json["error"].is_string())
      return "no JSON error envelope";
    auto error = json["error"].get<std::string>();
    auto code = error.substr(0, error.find(':'));
    if (!c.codes.empty() && std::find(c.codes.begin(), c.codes.end(), code) == c.codes.end())
      return "code " + code;
  } else if (type.find("json") != std::string::npos) {
    if (!json.is_object() || json.value("success", false) != true) return "a 2xx without \"success\":true";
  }
  return {};
}

class CorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() / "data";
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--storage", "disk", "--data-dir", data_.string(), "--api-key", kKey, "--root-dir-id", kRoot, "--quiet",
        // Requests that never end (a lone LF is no line end here) meet the deadlines soon.
        "--header-timeout", "2", "--body-rate-window", "2"});
    api_ = std::make_unique<ApiClient>(*server_);
    ASSERT_EQ(server_->root_dir_id(), kRoot);
    // ${DONE}: complete, never moved. ${FILE}: moved into the root.
    auto done = api_->upload(kDone, content_range(0, 5, 5), "hello");
    ASSERT_EQ(done.status, 200) << done;
    auto hash = contract::new_uuid();
    ASSERT_EQ(api_->upload(hash, content_range(0, 100, 100), file_bytes(1, 0, 100)).status, 200);
    auto moved = api_->move(kRoot, {{hash, "corpus-file.bin"}});
    ASSERT_EQ(moved.status, 200) << moved;
    file_id_ = file_id_of_move(moved);
  }

  std::optional<std::string> macro(const std::string& name) const {
    if (name == "KEY") return kKey;
    if (name == "ROOT") return kRoot;
    if (name == "DONE") return kDone;
    if (name == "FILE") return file_id_;
    if (name == "NEW") return contract::new_uuid();
    if (name == "NEWUPPER") return upper(contract::new_uuid());
    return std::nullopt;
  }

  // Runs one case on a fresh connection; returns what went wrong, or empty.
  std::string run(const corpus::Case& c, const std::string& bytes) {
    std::optional<wire::Connection> opened;
    try {
      opened.emplace(server_->host(), server_->port());
    } catch (const std::exception& e) {
      return std::string(kGone) + e.what();
    }
    auto& connection = *opened;
    connection.send(bytes);  // the server may answer and close before it has everything
    if (c.half_close) connection.shutdown_send();
    auto answer = connection.next_response(15s);
    auto problem = check_answer(c, answer);
    if (!problem.empty()) return problem + "; got " + describe(answer);
    if (answer.status == 0) {
      if (!connection.wait_closed(10s)) return "no answer, and the connection stayed open";
      return {};
    }
    bool ends = c.must_close || answer.close || c.half_close;
    if (c.must_keep && (answer.close || c.half_close)) return "the connection was to stay open; got " + describe(answer);
    if (ends) {
      if (!connection.wait_closed(10s)) return "the connection stayed open after " + describe(answer);
      if (!connection.extra().empty()) return "more after the answer: " + shown(connection.extra());
      return {};
    }
    // Still open: a next request on it must be answered, and only it.
    connection.send("GET /__mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    auto next = connection.next_response(15s);
    auto health = nlohmann::json::parse(next.body, nullptr, false);
    if (next.status != 200 || !health.is_object() || health.value("status", "") != "ok") {
      if (c.must_keep || !(next.status == 0 && connection.closed() && connection.extra().empty()))
        return "out of step: the next request got " + describe(next) + " after " + describe(answer);
      // It closed without saying so (allowed unless `keep`).
      return {};
    }
    if (!connection.wait_closed(10s)) return "the connection stayed open after Connection: close";
    if (!connection.extra().empty()) return "more after the next answer: " + shown(connection.extra());
    return {};
  }

  TempDir dir_;
  fs::path data_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<ApiClient> api_;
  std::string file_id_;
};

// What the disk storage keeps in its data dir (mock_server/storage,
// mock_server/store): anything else was made by a request.
::testing::AssertionResult only_own_layout(const fs::path& data) {
  static const std::regex top(R"(lock|catalog\.json(\..*)?)");
  static const std::regex uuid_file(R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\..+)?)");
  std::vector<std::string> strange;
  for (const auto& entry : fs::directory_iterator(data)) {
    auto name = entry.path().filename().string();
    if (entry.is_directory() && (name == "uploads" || name == "files")) {
      for (const auto& inner : fs::recursive_directory_iterator(entry.path())) {
        auto inner_name = inner.path().filename().string();
        if (!inner.is_regular_file() || inner.path().parent_path() != entry.path() ||
            !std::regex_match(inner_name, uuid_file))
          strange.push_back(fs::relative(inner.path(), data).string());
      }
    } else if (!entry.is_regular_file() || !std::regex_match(name, top)) {
      strange.push_back(name);
    }
  }
  if (strange.empty()) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure() << "not the data dir's own layout:";
  for (const auto& s : strange) failure << " '" << shown(s) << "'";
  return failure;
}

TEST_F(CorpusTest, EveryCaseIsAnsweredAsDocumentedAndTheServerStaysIntact) {
  std::map<std::string, int> per_family;
  std::vector<std::string> failures;
  std::size_t total = 0;
  corpus::Expander expander([this](const std::string& name) { return macro(name); });
  const auto started = std::chrono::steady_clock::now();
  std::string last_case = "the start";
  std::set<std::string> only;
  if (const char* wanted = std::getenv("PARTCHECK_CORPUS_ONLY"))
    for (const auto& family : corpus::split(wanted, ',')) only.insert(family);
  for (const auto& family : kFamilies) {
    if (!only.empty() && !only.count(family)) continue;
    auto path = kSourceDir / "tests" / "integration" / "corpus" / (family + ".txt");
    std::vector<corpus::Case> cases;
    ASSERT_NO_THROW(cases = corpus::load_file(path.string(), family)) << path;
    std::set<std::string> names;
    for (const auto& c : cases) {
      EXPECT_TRUE(names.insert(c.name).second) << "two cases named " << c.where();
      std::string bytes;
      try {
        bytes = expander.expand(c.source);
      } catch (const std::exception& e) {
        ADD_FAILURE() << c.where() << ": " << e.what();
        continue;
      }
      auto problem = run(c, bytes);
      // A server that died (an abort may take a moment to dump core) takes no connection.
      ASSERT_EQ(problem.rfind(kGone, 0), std::string::npos)
          << "the server is gone before " << c.where() << ", after " << last_case << ": " << problem << "\n"
          << server_->log();
      if (!problem.empty()) {
        failures.push_back(c.where() + ": " + problem);
        ADD_FAILURE() << c.where() << "\n  sent: " << shown(bytes, 300) << "\n  " << problem;
      }
      ASSERT_TRUE(server_->running()) << c.where() << " took the server down\n" << server_->log();
      last_case = c.where();
    }
    // The journal still answers after every family (one odd byte used to poison it).
    auto journal = api_->admin_get("journal?limit=1000");
    EXPECT_EQ(journal.status, 200) << "after the " << family << " cases: " << journal;
    per_family[family] = static_cast<int>(cases.size());
    total += cases.size();
  }
  std::cout << "[ corpus   ] " << total << " cases in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()
            << " ms:";
  for (const auto& family : kFamilies) std::cout << " " << family << "=" << per_family[family];
  std::cout << "; " << failures.size() << " failed\n";
  for (const auto& f : failures) std::cout << "[ corpus   ] FAILED " << f << "\n";
  if (only.empty()) {
    EXPECT_GE(total, 200u);
  }

  // The server is still whole.
  ASSERT_TRUE(server_->running()) << server_->log();
  auto journal = api_->admin_get("journal");
  EXPECT_EQ(journal.status, 200) << journal;
  EXPECT_TRUE(journal.json.is_object() && journal.json["entries"].is_array()) << journal;
  auto clock = api_->admin_get("clock");
  EXPECT_EQ(clock.json.value("offset_s", -1LL), 0) << "a request moved the clock: " << clock;
  auto faults = api_->admin_get("faults");
  EXPECT_EQ(faults.json["faults"], nlohmann::json::array()) << "a request armed a fault: " << faults;

  // A normal round trip: a two-part upload and a whole one, moved, linked, downloaded.
  const std::uint64_t n = kMinPart + 4321;
  auto hash = contract::new_uuid();
  auto first = api_->upload(hash, content_range(0, kMinPart, n), file_bytes(7, 0, kMinPart));
  ASSERT_EQ(first.status, 206) << first;
  auto last = api_->upload(hash, content_range(kMinPart, n, n), file_bytes(7, kMinPart, n - kMinPart));
  ASSERT_EQ(last.status, 200) << last;
  auto small = contract::new_uuid();
  ASSERT_EQ(api_->upload(small, content_range(0, 999, 999), file_bytes(8, 0, 999)).status, 200);
  auto moved = api_->move(kRoot, {{hash, "after-corpus.bin"}, {small, "after-corpus-small.bin"}});
  ASSERT_EQ(moved.status, 200) << moved;
  auto bytes = api_->download_file(file_id_of_move(moved, 0));
  ASSERT_EQ(bytes.size(), n);
  EXPECT_EQ(first_mismatch(7, 0, bytes), -1);
  EXPECT_EQ(api_->download_file(file_id_of_move(moved, 1)), file_bytes(8, 0, 999));
  EXPECT_EQ(api_->download_file(file_id_), file_bytes(1, 0, 100)) << "the file made before the corpus";
  auto names = api_->file_names(kRoot);
  EXPECT_NE(std::find(names.begin(), names.end(), "after-corpus.bin"), names.end());
  for (const auto& name : names) EXPECT_EQ(name.find('/'), std::string::npos) << shown(name);
  EXPECT_EQ(api_->admin_get("journal?limit=5").status, 200);
  EXPECT_TRUE(server_->running()) << server_->log();

  // Nothing outside the data dir's own layout, nothing beside it.
  EXPECT_TRUE(only_own_layout(data_));
  std::vector<std::string> beside;
  for (const auto& entry : fs::directory_iterator(dir_.path()))
    if (entry.path().filename() != "data") beside.push_back(entry.path().filename().string());
  EXPECT_TRUE(beside.empty()) << "made beside the data dir: " << ::testing::PrintToString(beside);
  EXPECT_EQ(server_->terminate(), 0) << server_->log();
}

}  // namespace
}  // namespace partcheck::testing
