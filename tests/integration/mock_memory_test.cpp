// Multi-gigabyte bodies are streamed, never buffered: with `--storage null`
// (sizes and digests only) one 2 GiB part keeps the server's peak RSS
// (VmHWM) under 64 MiB, and four concurrent 512 MiB parts under 128 MiB.
// The body is one 1 MiB block sent again and again; the digest in the 200
// answer proves every byte went through the server.
#include <gtest/gtest.h>

#include <span>
#include <thread>

#include "contract/digest.hpp"
#include "tests/integration/support/bodies.hpp"
#include "tests/integration/support/mock_fixture.hpp"
#include "tests/integration/support/raw_http.hpp"

using namespace partcheck::testing;
using partcheck::contract::GiB;
using partcheck::contract::MiB;
using partcheck::contract::new_uuid;

namespace {

const std::string kBlock = file_bytes(2024, 0, MiB);

std::string expected_xxh3(std::uint64_t length) {
  partcheck::contract::Digest digest(partcheck::contract::DigestAlgorithm::Xxh3_128);
  for (std::uint64_t sent = 0; sent < length; sent += kBlock.size()) digest.update(kBlock);
  return digest.hex();
}

// One whole-file part of `length` bytes (a multiple of 1 MiB), streamed.
RawResponse stream_whole_file(const ServerProcess& server, std::uint64_t length) {
  RawConnection connection(server.host(), server.port());
  connection.send_head("POST", "/pub/v1/disk/file/upload?hash=" + new_uuid(),
                       "Authorization: Bearer " + server.api_key() +
                           "\r\nContent-Type: application/octet-stream\r\nContent-Range: " +
                           content_range(0, length, length) + "\r\n",
                       length);
  for (std::uint64_t sent = 0; sent < length; sent += kBlock.size())
    if (!connection.send_all(kBlock.data(), kBlock.size())) break;
  return connection.read_response(120);
}

std::string xxh3_of(const RawResponse& response) {
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  return json.is_object() ? json.value("xxh3", "") : "";
}

std::unique_ptr<ServerProcess> null_server() {
  return std::make_unique<ServerProcess>(std::vector<std::string>{"--storage", "null", "--quiet"});
}

TEST(MemoryBound, OneTwoGiBPartStaysUnder64MiB) {
  auto server = null_server();
  auto response = stream_whole_file(*server, 2 * GiB);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(xxh3_of(response), expected_xxh3(2 * GiB));
  auto peak = server->peak_rss_kib();
  ASSERT_GT(peak, 0);
  EXPECT_LE(peak, 64 * 1024) << "peak RSS " << peak << " KiB";
}

TEST(MemoryBound, FourConcurrent512MiBPartsStayUnder128MiB) {
  auto server = null_server();
  std::vector<RawResponse> responses(4);
  std::vector<std::thread> writers;
  for (std::size_t i = 0; i < responses.size(); ++i)
    writers.emplace_back([&, i] { responses[i] = stream_whole_file(*server, 512 * MiB); });
  for (auto& w : writers) w.join();
  auto want = expected_xxh3(512 * MiB);
  for (const auto& r : responses) {
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(xxh3_of(r), want);
  }
  auto peak = server->peak_rss_kib();
  ASSERT_GT(peak, 0);
  EXPECT_LE(peak, 128 * 1024) << "peak RSS " << peak << " KiB";
}

TEST(MemoryBound, NullStorageRefusesDownloadsOfContent) {
  auto server = null_server();
  ApiClient api(*server);
  auto hash = new_uuid();
  ASSERT_EQ(api.upload(hash, content_range(0, 4, 4), "abcd").status, 200);
  auto moved = api.move(server->root_dir_id(), {{hash, "ghost.bin"}});
  ASSERT_EQ(moved.status, 200) << moved;
  auto link = api.get_link(file_id_of_move(moved));
  if (link.status != 200) {  // refusing at get-link is as good as at the download
    EXPECT_REFUSED(link, 409, "ContentNotStored");
    return;
  }
  EXPECT_REFUSED(api.fetch(link.json.value("Link", "")), 409, "ContentNotStored");
}

}  // namespace
