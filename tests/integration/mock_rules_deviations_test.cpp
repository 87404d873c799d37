// Every `partcheck serve --deviate RULE` switch (mock_server/deviations.cpp)
// visibly breaks its rule: the probe below does what the strict tests do and
// asserts the broken behaviour the switch documents. A last test checks that
// the table here covers exactly the switches `--list-deviations` prints.
#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <set>

#include "tests/integration/support/mock_fixture.hpp"
#include "tests/integration/support/raw_http.hpp"

using namespace partcheck::testing;
using partcheck::contract::GiB;
using partcheck::contract::MiB;
using partcheck::contract::new_uuid;

namespace {

constexpr std::uint64_t P = kMinPart;

struct Env {
  ServerProcess& server;
  ApiClient& api;
  const std::string& root() const { return server.root_dir_id(); }
  Reply part(const std::string& hash, std::uint64_t seed, std::uint64_t s, std::uint64_t e, std::uint64_t n) {
    return api.upload(hash, content_range(s, e, n), file_bytes(seed, s, e - s));
  }
  Reply whole(const std::string& hash, std::uint64_t seed, std::uint64_t n) { return part(hash, seed, 0, n, n); }
  std::string complete(std::uint64_t seed, std::uint64_t n) {
    auto hash = new_uuid();
    EXPECT_EQ(whole(hash, seed, n).status, 200);
    return hash;
  }
  Reply move(const std::string& dir, const std::string& hash, const std::string& name) {
    return api.move(dir, {{hash, name}});
  }
};

struct DeviationCase {
  std::string rule;
  std::function<void(Env&)> probe;
};

std::ostream& operator<<(std::ostream& out, const DeviationCase& c) { return out << c.rule; }

const std::vector<DeviationCase>& cases() {
  static const std::vector<DeviationCase> all{
      {"AUTH-1", [](Env& e) {
         e.api.set_key("", KeyStyle::None);
         EXPECT_EQ(e.whole(new_uuid(), 1, 100).status, 200);
       }},
      {"AUTH-2", [](Env& e) {
         EXPECT_EQ(e.whole(new_uuid(), 1, 100).status, 200);
         e.api.set_key(e.server.api_key(), KeyStyle::XToken);
         EXPECT_REFUSED(e.whole(new_uuid(), 1, 100), 403, "Unauthorized");
       }},
      {"HASH-1", [](Env& e) { EXPECT_EQ(e.api.upload("not-a-uuid", content_range(0, 3, 3), "abc").status, 200); }},
      {"RANGE-1", [](Env& e) {
         auto reply = e.api.upload(new_uuid(), "bytes a-b/c", "0123456789");
         EXPECT_EQ(reply.status, 200) << reply;
         EXPECT_EQ(reply.json.value("size", 0ULL), 10u);
       }},
      {"RANGE-2", [](Env& e) {
         auto hash = new_uuid();
         auto reply = e.api.upload(hash, content_range(0, 1000, 1000), file_bytes(2, 0, 999));
         EXPECT_EQ(reply.status, 200) << reply;
         auto moved = e.move(e.root(), hash, "short");
         ASSERT_EQ(moved.status, 200) << moved;
         EXPECT_EQ(e.api.download_file(file_id_of_move(moved)), file_bytes(2, 0, 999));
       }},
      {"RANGE-3", [](Env& e) {
         auto hash = new_uuid();
         ASSERT_EQ(e.part(hash, 3, 0, P, 3 * P).status, 206);
         auto other_total = e.part(hash, 3, P, 2 * P, 4 * P);
         EXPECT_TRUE(other_total.status == 200 || other_total.status == 206) << other_total;
       }},
      {"WHOLE-1", [](Env& e) { EXPECT_REFUSED(e.whole(new_uuid(), 4, 1000), 400, "EntityTooSmall"); }},
      {"PART-1", [](Env& e) { EXPECT_EQ(e.part(new_uuid(), 5, 0, MiB, 2 * P).status, 206); }},
      {"PART-2", [](Env& e) {
         RawConnection connection(e.server.host(), e.server.port());
         connection.send_head("POST", "/pub/v1/disk/file/upload?hash=" + new_uuid(),
                              "Authorization: Bearer " + e.server.api_key() +
                                  "\r\nExpect: 100-continue\r\nContent-Range: " +
                                  content_range(0, 5 * GiB + 1, 6 * GiB) + "\r\n",
                              5 * GiB + 1);
         EXPECT_EQ(connection.read_response(20).status, 100);
       }},
      {"PART-3", [](Env& e) {
         auto hash = new_uuid();
         ASSERT_EQ(e.part(hash, 6, 0, P, 4 * P).status, 206);
         EXPECT_EQ(e.part(hash, 6, P, 2 * P + MiB, 4 * P).status, 206);
       }},
      {"PART-4", [](Env& e) {
         auto hash = new_uuid();
         EXPECT_EQ(e.part(hash, 7, 0, P, P + 10).status, 200);
         EXPECT_EQ(e.part(hash, 7, P, P + 10, P + 10).status, 206);
       }},
      {"ORDER-1", [](Env& e) {
         auto hash = new_uuid();
         ASSERT_EQ(e.part(hash, 8, 0, P, 4 * P).status, 206);
         ASSERT_EQ(e.part(hash, 8, P, 2 * P, 4 * P).status, 206);
         // Back to the first part (not a retry of the last): appended at 2P instead of refused.
         auto reply = e.part(hash, 8, 0, P, 4 * P);
         EXPECT_EQ(reply.status, 206) << reply;
         EXPECT_EQ(reply.json.value("received", 0ULL), 3 * P) << reply;
       }},
      {"ORDER-2", [](Env& e) { EXPECT_EQ(e.part(new_uuid(), 9, P, 2 * P, 3 * P).status, 206); }},
      {"ORDER-3", [](Env& e) {
         auto hash = new_uuid();
         ASSERT_EQ(e.part(hash, 10, 0, P, 3 * P).status, 206);
         auto last = e.part(hash, 10, 2 * P, 3 * P, 3 * P);
         ASSERT_EQ(last.status, 200) << last;
         auto moved = e.move(e.root(), hash, "short");
         ASSERT_EQ(moved.status, 200) << moved;
         EXPECT_EQ(e.api.download_file(file_id_of_move(moved)).size(), 2 * P);
       }},
      {"CT-1", [](Env& e) {
         EXPECT_REFUSED(e.whole(new_uuid(), 11, 10), 400, "UnsupportedContentType");
         PartRequest form{content_range(0, 10, 10), file_bytes(11, 0, 10)};
         form.form_field = "file";
         EXPECT_EQ(e.api.upload(new_uuid(), form).status, 200);
       }},
      {"CT-2", [](Env& e) {
         PartRequest form{content_range(0, 10, 10), file_bytes(12, 0, 10)};
         form.form_field = "file";
         EXPECT_REFUSED(e.api.upload(new_uuid(), form), 400, "UnsupportedContentType");
         EXPECT_EQ(e.whole(new_uuid(), 12, 10).status, 200);
       }},
      {"CT-3", [](Env& e) {
         auto hash = new_uuid();
         EXPECT_EQ(e.api.upload(hash, {content_range(0, 5, 5), "hello", "text/plain"}).status, 200);
         auto moved = e.move(e.root(), hash, "t.txt");
         EXPECT_EQ(e.api.download_file(file_id_of_move(moved)), "hello");
       }},
      {"TTL-1", [](Env& e) {
         auto hash = new_uuid();
         ASSERT_EQ(e.part(hash, 13, 0, P, 2 * P).status, 206);
         e.api.advance_clock(7200);
         EXPECT_EQ(e.part(hash, 13, P, 2 * P, 2 * P).status, 200);
       }},
      {"TTL-2", [](Env& e) {
         auto moved = e.move(e.root(), e.complete(14, 100), "kept");
         ASSERT_EQ(moved.status, 200) << moved;
         e.api.advance_clock(3601);
         EXPECT_REFUSED(e.api.get_link(file_id_of_move(moved)), 404, "NoSuchFile");
       }},
      {"MOVE-1", [](Env& e) {
         auto moved = e.move(e.root(), e.complete(15, 1000), "flipped");
         auto bytes = e.api.download_file(file_id_of_move(moved));
         auto want = file_bytes(15, 0, 1000);
         ASSERT_EQ(bytes.size(), want.size());
         EXPECT_EQ(bytes.substr(0, 999), want.substr(0, 999));
         EXPECT_NE(bytes[999], want[999]);
       }},
      {"MOVE-2", [](Env& e) {
         ASSERT_EQ(e.move(e.root(), e.complete(16, 10), "r.pdf").status, 200);
         auto second = e.move(e.root(), e.complete(17, 10), "r.pdf");
         ASSERT_EQ(second.status, 200) << second;
         EXPECT_EQ(second.json["files"][0].value("name", ""), "r.pdf");
         EXPECT_EQ(e.api.file_names(e.root()).size(), 1u);
       }},
      {"MOVE-3", [](Env& e) {
         std::string name = std::string(251, 'n') + ".txt";
         ASSERT_EQ(e.move(e.root(), e.complete(18, 10), name).status, 200);
         EXPECT_EQ(e.move(e.root(), e.complete(19, 10), name).status, 200);
       }},
      {"MOVE-4", [](Env& e) {
         auto dir = e.api.add_directory("tiny", 10);
         EXPECT_EQ(e.move(dir, e.complete(20, 100), "big").status, 200);
       }},
      {"MOVE-5", [](Env& e) {
         auto dir = e.api.add_directory("frozen", std::nullopt, true);
         EXPECT_EQ(e.move(dir, e.complete(21, 100), "x").status, 200);
       }},
      {"MOVE-6", [](Env& e) {
         auto hash = new_uuid();
         ASSERT_EQ(e.part(hash, 22, 0, P, 2 * P).status, 206);
         auto moved = e.move(e.root(), hash, "partial");
         ASSERT_EQ(moved.status, 200) << moved;
         EXPECT_EQ(e.api.download_file(file_id_of_move(moved)).size(), P);
       }},
      {"MOVE-7", [](Env& e) {
         auto moved = e.move(new_uuid(), e.complete(23, 10), "lost");
         EXPECT_EQ(moved.status, 200) << moved;
         EXPECT_EQ(e.api.file_names(e.root()), std::vector<std::string>{"lost"});
       }},
      {"MOVE-8", [](Env& e) {
         auto other = e.api.add_directory("other");
         auto hash = e.complete(24, 10);
         ASSERT_EQ(e.move(e.root(), hash, "m").status, 200);
         ASSERT_EQ(e.move(other, hash, "m").status, 200);
         EXPECT_EQ(e.api.file_names(e.root()), std::vector<std::string>{"m"});
         EXPECT_EQ(e.api.file_names(other), std::vector<std::string>{"m"});
       }},
      {"DIR-1", [](Env& e) {
         auto reply = e.api.dir_upload(e.root(), new_uuid(), {content_range(0, 3, 3), "abc"}, "a.txt");
         ASSERT_EQ(reply.status, 200) << reply;
         EXPECT_FALSE(reply.json.contains("file") && reply.json["file"].contains("__id")) << reply;
       }},
      {"LINK-1", [](Env& e) {
         auto moved = e.move(e.root(), e.complete(25, 1000), "l");
         EXPECT_EQ(e.api.download_file(file_id_of_move(moved)), file_bytes(25, 1, 999));
       }},
      {"ERR-1", [](Env& e) {
         auto reply = e.api.upload("not-a-uuid", content_range(0, 3, 3), "abc");
         EXPECT_EQ(reply.status, 500) << reply;
         EXPECT_TRUE(reply.json.is_null()) << reply;
       }},
  };
  return all;
}

class DeviationTest : public ::testing::TestWithParam<DeviationCase> {};

TEST_P(DeviationTest, SwitchBreaksItsRule) {
  ServerProcess server({"--storage", "memory", "--quiet", "--deviate", GetParam().rule});
  ApiClient api(server);
  Env env{server, api};
  GetParam().probe(env);
}

INSTANTIATE_TEST_SUITE_P(AllSwitches, DeviationTest, ::testing::ValuesIn(cases()),
                         [](const auto& case_info) { return std::regex_replace(case_info.param.rule, std::regex("-"), "_"); });

TEST(DeviationList, TableCoversExactlyTheListedSwitches) {
  auto listed = run_command({kPartcheck, "serve", "--list-deviations"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  std::set<std::string> printed;
  std::regex rule_id(R"(\b([A-Z]+[0-9]?-[0-9]+)\b)");
  for (std::sregex_iterator it(listed.out.begin(), listed.out.end(), rule_id), end; it != end; ++it)
    printed.insert((*it)[1]);
  std::set<std::string> tested;
  for (const auto& c : cases()) tested.insert(c.rule);
  EXPECT_EQ(printed, tested) << listed.out;
}

TEST(DeviationList, UnknownRuleIsAUsageError) {
  auto result = run_command({kPartcheck, "serve", "--listen", "127.0.0.1:0", "--storage", "memory",
                             "--deviate", "NOPE-9"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
}

}  // namespace
