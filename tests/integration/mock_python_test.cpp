// Real client stacks against the mock: a python3 `requests` client that
// sends multipart parts the way platform clients do (field `file`, X-Token,
// exclusive-end Content-Range) to a directory upload, then get-link and
// download; and curl on the raw octet-stream path with a temporary upload
// and a move.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/support/mock_fixture.hpp"

using namespace partcheck::testing;
using partcheck::contract::new_uuid;

namespace {

// argv: base_url root_dir key hash path_of_file part_size
const char* kPythonClient = R"PY(
import sys, requests
base, root, key, file_hash, path, part_size = sys.argv[1:7]
part_size = int(part_size)
data = open(path, 'rb').read()
total = len(data)
url = f"{base}/pub/v1/disk/directory/{root}/upload"
statuses = []
for start in range(0, total, part_size):
    end = min(start + part_size, total)
    r = requests.post(url, params={'hash': file_hash},
                      headers={'X-Token': key, 'Content-Range': f'bytes {start}-{end}/{total}'},
                      files={'file': ('report.pdf', data[start:end], 'application/octet-stream')})
    statuses.append(r.status_code)
    body = r.json()
    if r.status_code not in (200, 206) or not body.get('success'):
        sys.exit(f'part {start}-{end}: {r.status_code} {r.text}')
file_id = body['file']['__id']
link = requests.get(f"{base}/pub/v1/disk/file/{file_id}/get-link", headers={'X-Token': key})
link.raise_for_status()
got = requests.get(link.json()['Link'])
got.raise_for_status()
if got.content != data:
    sys.exit(f'downloaded {len(got.content)} bytes differ from the {total} uploaded')
print(' '.join(map(str, statuses)), body['file']['name'], body['file']['size'])
)PY";

class ClientStacksTest : public MockTest {
 protected:
  std::string write_file(std::uint64_t seed, std::uint64_t n) {
    auto path = (dir_.path() / ("file-" + std::to_string(seed))).string();
    std::ofstream(path, std::ios::binary) << file_bytes(seed, 0, n);
    return path;
  }
  TempDir dir_;
};

TEST_F(ClientStacksTest, PythonRequestsMultipartDirectoryUpload) {
  const std::uint64_t n = 2 * kMinPart + 4321;
  auto path = write_file(100, n);
  auto result = run_command({"python3", "-c", kPythonClient, server().url(), root(), server().api_key(),
                             new_uuid(), path, std::to_string(kMinPart)},
                            {}, std::chrono::seconds(120));
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out, "206 206 200 report.pdf " + std::to_string(n) + "\n");
  EXPECT_EQ(api().file_names(root()), std::vector<std::string>{"report.pdf"});
}

TEST_F(ClientStacksTest, PythonRequestsClientSeesRefusals) {
  const std::uint64_t n = 2 * kMinPart;
  auto path = write_file(101, n);
  // A 1 MiB "part size" makes the first part EntityTooSmall: the script must fail on it.
  auto result = run_command({"python3", "-c", kPythonClient, server().url(), root(), server().api_key(),
                             new_uuid(), path, std::to_string(1024 * 1024)},
                            {}, std::chrono::seconds(120));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("400"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("EntityTooSmall"), std::string::npos) << result.err;
  EXPECT_TRUE(api().file_names(root()).empty());
}

TEST_F(ClientStacksTest, CurlRawOctetStreamPartsThenMove) {
  const std::uint64_t n = kMinPart + 999;
  auto first = write_file(102, n);
  {  // split into the two part files curl sends
    std::ofstream(first + ".1", std::ios::binary) << file_bytes(102, 0, kMinPart);
    std::ofstream(first + ".2", std::ios::binary) << file_bytes(102, kMinPart, 999);
  }
  auto hash = new_uuid();
  auto url = server().url() + "/pub/v1/disk/file/upload?hash=" + hash;
  auto curl_part = [&](const std::string& file, const std::string& range) {
    return run_command({"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H",
                        "Authorization: Bearer " + server().api_key(), "-H",
                        "Content-Type: application/octet-stream", "-H", "Content-Range: " + range,
                        "--data-binary", "@" + file, url});
  };
  auto r1 = curl_part(first + ".1", content_range(0, kMinPart, n));
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  EXPECT_EQ(r1.out, "206");
  auto r2 = curl_part(first + ".2", content_range(kMinPart, n, n));
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(r2.out, "200");

  auto move = run_command({"curl", "-sS", "-X", "POST", "-H", "X-Token: " + server().api_key(), "-H",
                           "Content-Type: application/json", "--data",
                           R"({"files":[{"hash":")" + hash + R"(","name":"curl.bin"}]})",
                           server().url() + "/pub/v1/disk/file/move?directoryID=" + root()});
  ASSERT_EQ(move.exit_code, 0) << move.err;
  auto moved = nlohmann::json::parse(move.out, nullptr, false);
  ASSERT_TRUE(moved.is_object() && moved.value("success", false)) << move.out;
  auto id = moved["files"][0].value("__id", "");
  auto link = run_command({"curl", "-sS", "-H", "X-Token: " + server().api_key(),
                           server().url() + "/pub/v1/disk/file/" + id + "/get-link"});
  auto link_json = nlohmann::json::parse(link.out, nullptr, false);
  ASSERT_TRUE(link_json.is_object() && link_json.contains("Link")) << link.out;
  auto download = run_command({"curl", "-sS", "--fail", link_json["Link"].get<std::string>()});
  ASSERT_EQ(download.exit_code, 0) << download.err;
  EXPECT_EQ(download.out.size(), n);
  EXPECT_EQ(first_mismatch(102, 0, download.out), -1);
}

TEST_F(ClientStacksTest, CurlWithoutKeyGets403JsonError) {
  auto result = run_command({"curl", "-sS", "-w", "\n%{http_code}", "-X", "POST", "-H", "Content-Range: bytes 0-3/3",
                             "--data-binary", "abc", server().url() + "/pub/v1/disk/file/upload?hash=" + new_uuid()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto status = result.out.substr(result.out.rfind('\n') + 1);
  EXPECT_EQ(status, "403");
  auto body = nlohmann::json::parse(result.out.substr(0, result.out.rfind('\n')), nullptr, false);
  ASSERT_TRUE(body.is_object()) << result.out;
  EXPECT_EQ(body.value("success", true), false);
  EXPECT_EQ(body.value("error", "").rfind("Unauthorized", 0), 0u) << result.out;
}

}  // namespace
