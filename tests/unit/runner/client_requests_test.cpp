// From the mock's journal to ClientRequest records: what the judge relies on
// (which endpoint, which range, whether the client heard an answer), and the
// command-line placeholders `partcheck client` fills in.
#include "common/iso_time.hpp"
#include "runner/client/client_requests.hpp"

#include <chrono>

#include <gtest/gtest.h>

#include "runner/client/client_run.hpp"

namespace partcheck::runner::client {
namespace {

using namespace std::chrono;
using partcheck::parse_rfc3339;

constexpr std::uint64_t MiB = 1024 * 1024;

TEST(ClientRequestsTime, ParsesTheJournalsTimes) {
  const auto t = parse_rfc3339("2026-01-31T12:00:00.250Z");
  ASSERT_TRUE(t.has_value());
  const sys_time<milliseconds> expected = sys_days(year(2026) / January / 31) + hours(12) + milliseconds(250);
  EXPECT_EQ(*t, expected);
  const auto leap = parse_rfc3339("2028-02-29T23:59:59.999Z");
  ASSERT_TRUE(leap.has_value());
  EXPECT_EQ(*leap, sys_days(year(2028) / March / 1) - milliseconds(1));
  EXPECT_EQ(parse_rfc3339(partcheck::iso8601_utc(*leap)), leap) << "what the mock writes reads back";
  EXPECT_EQ(parse_rfc3339("2026-01-31T13:00:00.250+01:00"), t) << "an offset";
  EXPECT_EQ(parse_rfc3339("2026-01-31 12:00:00.25z"), t) << "RFC 3339's space and lower-case z";
}

TEST(ClientRequestsTime, RefusesWhatIsNotAnRfc3339Time) {
  for (const char* text : {"", "2026-01-31T12:00:00.250", "2026-01-31T12:00:00.250Zjunk", "2026-02-30T12:00:00.000Z",
                           "2026-13-01T12:00:00.000Z", "2026-01-31T24:00:00Z", "2026-01-31T12:00:00.Z",
                           "2026-01-31T12:00:00+1:00", "yesterday"})
    EXPECT_FALSE(parse_rfc3339(text).has_value()) << "'" << text << "'";
}

const auto kStarted = sys_days(year(2026) / January / 31) + hours(12);
constexpr const char* kHashUpper = "0B7C2F8E-9A51-4D3E-8F20-6C1D2E3F4A5B";
constexpr const char* kHashCanonical = "0b7c2f8e-9a51-4d3e-8f20-6c1d2e3f4a5b";

// A journal as GET /__mock/journal gives it: the setup's admin requests, one
// request from before the client started (seq 3), then the client's.
nlohmann::json journal() {
  return nlohmann::json::parse(R"({"entries": [
    {"seq": 2, "time": "2026-01-31T11:59:59.900Z", "method": "POST", "target": "/__mock/faults", "headers": {},
     "status": 201, "code": "", "withheld_status": 0, "bytes_in": 60, "duration_ms": 0.2, "faults": []},
    {"seq": 3, "time": "2026-01-31T11:59:59.950Z", "method": "GET", "target": "/pub/v1/disk/directory/list",
     "headers": {}, "status": 200, "code": "", "withheld_status": 0, "bytes_in": 0, "duration_ms": 1, "faults": []},
    {"seq": 4, "time": "2026-01-31T12:00:00.250Z", "method": "POST",
     "target": "/pub/v1/disk/file/upload?hash=0B7C2F8E-9A51-4D3E-8F20-6C1D2E3F4A5B",
     "headers": {"content-range": "bytes 0-5242880/12595257", "Content-Length": "5242880",
                 "Content-Type": "application/octet-stream", "X-Api-Key": "[redacted]"},
     "status": 200, "code": "", "withheld_status": 0, "bytes_in": 5242880, "duration_ms": 40.5, "faults": []},
    {"seq": 5, "time": "2026-01-31T12:00:00.400Z", "method": "POST",
     "target": "/pub/v1/disk/directory/1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9/upload?hash=not-a-uuid",
     "headers": {"Content-Range": "bytes 5242880-10485759/12595257", "Content-Length": "12abc",
                 "Content-Type": "multipart/form-data; boundary=x"},
     "status": 0, "code": "", "withheld_status": 200, "bytes_in": 5242880, "duration_ms": 12, "faults": ["f-1"]},
    {"seq": 6, "time": "2026-01-31T12:00:00.500Z", "method": "GET", "target": "/__mock/journal?admin=false",
     "headers": {}, "status": 200, "code": "", "withheld_status": 0, "bytes_in": 0, "duration_ms": 0.1, "faults": []},
    {"seq": 7, "time": "2026-01-31T12:00:01.000Z", "method": "POST",
     "target": "/pub/v1/disk/file/move?hash=0b7c2f8e-9a51-4d3e-8f20-6c1d2e3f4a5b&directory=x&name=report.bin",
     "headers": {}, "status": 403, "code": "Forbidden", "withheld_status": 0, "bytes_in": 0, "duration_ms": 3,
     "faults": ["f-2", 17]},
    {"seq": 8, "time": "not a time", "method": "GET", "target": "/pub/v1/disk/file/upload?hash=x",
     "headers": {}, "status": 405, "code": "", "withheld_status": 0, "bytes_in": 0, "duration_ms": 1, "faults": []},
    {"seq": 9, "time": "2026-01-31T12:00:02.000Z", "method": "POST", "target": "/pub/v1/disk/directory/list?limit=5",
     "headers": {}, "status": 200, "code": "", "withheld_status": 0, "bytes_in": 2, "duration_ms": 2, "faults": []}
  ]})");
}

TEST(ClientRequests, DropsAdminRequestsAndThoseBeforeTheClient) {
  const auto requests = client_requests(journal(), 3, kStarted);
  std::vector<std::uint64_t> seqs;
  for (const auto& r : requests) seqs.push_back(r.seq);
  EXPECT_EQ(seqs, (std::vector<std::uint64_t>{4, 5, 7, 8, 9}));
  // With nothing before, only the admin requests go.
  EXPECT_EQ(client_requests(journal(), 0, kStarted).size(), 6u);
}

TEST(ClientRequests, ClassifiesEndpoints) {
  const auto requests = client_requests(journal(), 3, kStarted);
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[0].endpoint, Endpoint::Part);   // file upload
  EXPECT_EQ(requests[1].endpoint, Endpoint::Part);   // upload into a directory
  EXPECT_EQ(requests[2].endpoint, Endpoint::Move);
  EXPECT_EQ(requests[3].endpoint, Endpoint::Other);  // GET on the upload path is not a part
  EXPECT_EQ(requests[4].endpoint, Endpoint::Other);
}

TEST(ClientRequests, ReadsHashRangeLengthAndAnswer) {
  const auto requests = client_requests(journal(), 3, kStarted);
  ASSERT_EQ(requests.size(), 5u);

  const auto& first = requests[0];
  EXPECT_EQ(first.method, "POST");
  EXPECT_EQ(first.hash, kHashCanonical);  // sent in upper case, keyed as the mock keys it
  EXPECT_EQ(first.content_range, "bytes 0-5242880/12595257");  // header names match in any case
  ASSERT_TRUE(first.range.has_value());
  EXPECT_EQ(first.range->start, 0u);
  EXPECT_EQ(first.range->end, 5 * MiB);
  EXPECT_EQ(first.range->total, 12595257u);
  EXPECT_EQ(first.content_length, 5 * MiB);
  EXPECT_EQ(first.content_type, "application/octet-stream");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.bytes_in, 5 * MiB);
  EXPECT_DOUBLE_EQ(first.duration_ms, 40.5);
  EXPECT_DOUBLE_EQ(first.at_ms, 250);
  EXPECT_EQ(first.headers.size(), 4u);

  // Carried out, its answer dropped: the client heard nothing.
  const auto& second = requests[1];
  EXPECT_EQ(second.hash, "not-a-uuid");  // not a uuid: kept as sent
  EXPECT_EQ(second.content_range, "bytes 5242880-10485759/12595257");
  ASSERT_TRUE(second.range.has_value());
  EXPECT_EQ(second.range->length(), 5 * MiB - 1);  // read with the exclusive end
  EXPECT_FALSE(second.content_length.has_value());  // "12abc" is no length
  EXPECT_EQ(second.status, 0);
  EXPECT_EQ(second.withheld_status, 200);
  EXPECT_EQ(second.faults, std::vector<std::string>{"f-1"});
  EXPECT_DOUBLE_EQ(second.at_ms, 400);

  const auto& moved = requests[2];
  EXPECT_EQ(moved.hash, kHashCanonical);
  EXPECT_FALSE(moved.content_range.has_value());
  EXPECT_FALSE(moved.range.has_value());
  EXPECT_EQ(moved.status, 403);
  EXPECT_EQ(moved.code, "Forbidden");
  EXPECT_EQ(moved.faults, std::vector<std::string>{"f-2"});  // a non-string id is left out
  EXPECT_DOUBLE_EQ(moved.at_ms, 1000);

  EXPECT_DOUBLE_EQ(requests[3].at_ms, 0);  // a time that does not parse: 0, not garbage
  EXPECT_FALSE(requests[4].hash.has_value());
}

TEST(ClientRequests, AnEntryBeforeTheStartIsAtZero) {
  const auto requests = client_requests(journal(), 2, kStarted);
  ASSERT_EQ(requests[0].seq, 3u);
  EXPECT_DOUBLE_EQ(requests[0].at_ms, 0);
}

TEST(ClientRequests, LabelsAndIdentity) {
  const auto requests = client_requests(journal(), 3, kStarted);
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[0].label(), "part 0-5242880/12595257");
  EXPECT_EQ(requests[1].label(), "part 5242880-10485759/12595257");
  EXPECT_EQ(requests[2].label(), "move");
  EXPECT_EQ(requests[3].label(), "GET /pub/v1/disk/file/upload");
  EXPECT_EQ(requests[4].label(), "POST /pub/v1/disk/directory/list");  // without the query

  EXPECT_EQ(requests[0].identity(), std::string("POST /pub/v1/disk/file/upload?hash=") + kHashUpper +
                                        " bytes 0-5242880/12595257");
  EXPECT_EQ(requests[4].identity(), "POST /pub/v1/disk/directory/list?limit=5");

  // A part whose range does not parse is labelled with what was sent.
  ClientRequest odd = requests[0];
  odd.content_range = "bytes 7-3/10";
  odd.range.reset();
  EXPECT_EQ(odd.label(), "part (bytes 7-3/10)");
  odd.content_range.reset();
  EXPECT_EQ(odd.label(), "part (no Content-Range)");
}

TEST(ClientRequests, AcknowledgedAndRetryable) {
  ClientRequest r;
  struct Case {
    int status;
    bool acknowledged;
    bool retryable;
  };
  for (const auto& c : {Case{0, false, true}, Case{200, true, false}, Case{201, true, false}, Case{299, true, false},
                        Case{302, false, false}, Case{400, false, false}, Case{403, false, false},
                        Case{408, false, true}, Case{409, false, false}, Case{429, false, true}, Case{500, false, true},
                        Case{503, false, true}}) {
    r.status = c.status;
    EXPECT_EQ(r.acknowledged(), c.acknowledged) << c.status;
    EXPECT_EQ(r.retryable_failure(), c.retryable) << c.status;
  }
}

TEST(ClientRequests, NotAJournalIsAnError) {
  EXPECT_THROW(client_requests(nlohmann::json::array(), 0, kStarted), std::runtime_error);
  EXPECT_THROW(client_requests(nlohmann::json{{"entries", "none"}}, 0, kStarted), std::runtime_error);
  EXPECT_TRUE(client_requests(nlohmann::json{{"entries", nlohmann::json::array()}}, 0, kStarted).empty());
}

TEST(ClientPlaceholders, ReplacesEveryOccurrenceInEveryArgument) {
  ClientEnvironment env;
  env.placeholders = {{"{url}", "http://127.0.0.1:8080"}, {"{api_key}", "k-1"}, {"{file}", "/tmp/w/report.bin"}};
  const std::vector<std::string> argv{"uploader", "--url={url}", "{file}", "{api_key}:{api_key}", "{unknown}", ""};
  EXPECT_EQ(expand_placeholders(argv, env),
            (std::vector<std::string>{"uploader", "--url=http://127.0.0.1:8080", "/tmp/w/report.bin", "k-1:k-1",
                                      "{unknown}", ""}));
}

TEST(ClientPlaceholders, AValueContainingItsOwnNameIsNotExpandedAgain) {
  ClientEnvironment env;
  env.placeholders = {{"{file_name}", "a{file_name}b"}};
  EXPECT_EQ(expand_placeholders({"{file_name}-{file_name}"}, env),
            std::vector<std::string>{"a{file_name}b-a{file_name}b"});
  EXPECT_TRUE(expand_placeholders({}, env).empty());
}

}  // namespace
}  // namespace partcheck::runner::client
