// The whole server (listener, sessions, store) under concurrent clients, in
// one process so that ThreadSanitizer sees every thread (scripts/sanitize.sh
// runs these in its `thread` stage): 64 uploads at once, two writers of one
// hash, moves racing the parts of the upload they move.
#include <atomic>
#include <set>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "contract/content_range.hpp"
#include "contract/part_plan.hpp"
#include "contract/uuid.hpp"
#include "mock_server/server.hpp"

namespace partcheck::mock {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct Answer {
  int status = 0;
  nlohmann::json json;
};

class Client {
 public:
  Client(std::uint16_t port, std::string key) : port_(port), key_(std::move(key)) {}

  Answer post(const std::string& target, const std::string& body, const std::string& content_range = {},
              const std::string& content_type = "application/octet-stream") const {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + key_);
    req.set(http::field::content_type, content_type);
    if (!content_range.empty()) req.set(http::field::content_range, content_range);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return {static_cast<int>(res.result_int()), nlohmann::json::parse(res.body(), nullptr, false)};
  }

  Answer part(const std::string& hash, const contract::ContentRange& r, const std::string& file) const {
    return post("/pub/v1/disk/file/upload?hash=" + hash, file.substr(r.start, r.end - r.start),
                contract::format_content_range(r));
  }

  Answer move(const std::string& directory, const std::string& hash, const std::string& name) const {
    nlohmann::json body{{"files", {{{"hash", hash}, {"name", name}}}}};
    return post("/pub/v1/disk/file/move?directoryID=" + directory, body.dump(), {}, "application/json");
  }

 private:
  std::uint16_t port_;
  std::string key_;
};

std::string bytes_of(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed * 7) & 0xff);
  return s;
}

class ServerConcurrency : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.listen_port = 0;
    config.threads = 4;
    config.storage = StorageKind::Memory;
    config.quiet = true;
    server_ = std::make_unique<Server>(config);
    server_->start();
    client_ = std::make_unique<Client>(server_->port(), server_->api_keys().front());
  }
  void TearDown() override { server_->stop(); }

  std::unique_ptr<Server> server_;
  std::unique_ptr<Client> client_;
};

TEST_F(ServerConcurrency, SixtyFourUploadsAtOnceAllCompleteWithUniqueNames) {
  constexpr int kClients = 64;
  std::atomic<int> completed{0}, moved{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i)
    clients.emplace_back([&, i] {
      const auto file = bytes_of(1000 + static_cast<std::size_t>(i), static_cast<unsigned>(i));
      const auto hash = contract::new_uuid();
      auto up = client_->part(hash, {0, file.size(), file.size()}, file);
      completed += up.status == 200;
      moved += client_->move(server_->root_directory_id(), hash, "same.bin").status == 200;
    });
  for (auto& c : clients) c.join();
  EXPECT_EQ(completed.load(), kClients);
  EXPECT_EQ(moved.load(), kClients);
  auto listing = client_->post("/pub/v1/disk/directory/list", R"({"limit":1000})", {}, "application/json");
  ASSERT_EQ(listing.status, 200);
  std::set<std::string> names;
  for (const auto& entry : listing.json["result"]["result"]) names.insert(entry["name"].get<std::string>());
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kClients));
}

TEST_F(ServerConcurrency, TwoWritersOfOneHashNeverCorruptIt) {
  const auto file = bytes_of(2 * contract::kMinPartSize + 10, 3);
  const auto plan = contract::plan_parts(file.size(), contract::kMinPartSize);
  const auto hash = contract::new_uuid();
  // Both writers send the same first part at once: one is stored, the other
  // is refused as busy or accepted as a retry of it; never a 5xx.
  std::vector<Answer> first(2);
  std::thread a([&] { first[0] = client_->part(hash, plan[0], file); });
  std::thread b([&] { first[1] = client_->part(hash, plan[0], file); });
  a.join();
  b.join();
  for (const auto& answer : first) {
    EXPECT_LT(answer.status, 500);
    EXPECT_TRUE(answer.status == 206 || answer.status == 409) << answer.status << " " << answer.json.dump();
  }
  EXPECT_TRUE(first[0].status == 206 || first[1].status == 206);
  EXPECT_EQ(client_->part(hash, plan[1], file).status, 206);
  auto last = client_->part(hash, plan[2], file);
  EXPECT_EQ(last.status, 200) << last.json.dump();
  EXPECT_EQ(last.json.value("size", std::uint64_t{0}), file.size());
}

TEST_F(ServerConcurrency, MovesRacingThePartsNeverMoveAnIncompleteFile) {
  const auto file = bytes_of(3 * contract::kMinPartSize + 7, 5);
  const auto plan = contract::plan_parts(file.size(), contract::kMinPartSize);
  const auto hash = contract::new_uuid();
  std::atomic<bool> done{false}, moved{false};
  std::thread mover([&] {  // until a move succeeds, which it may only once the file is complete
    while (!done && !moved) {
      auto answer = client_->move(server_->root_directory_id(), hash, "racing.bin");
      EXPECT_LT(answer.status, 500) << answer.json.dump();
      moved = answer.status == 200;
    }
  });
  std::vector<int> statuses;
  for (const auto& r : plan) statuses.push_back(client_->part(hash, r, file).status);
  done = true;
  mover.join();
  // A move before the last part would have refused that part or moved a short file.
  EXPECT_EQ(statuses, (std::vector<int>{206, 206, 206, 200}));
  if (!moved) {
    EXPECT_EQ(client_->move(server_->root_directory_id(), hash, "racing.bin").status, 200);
  }
  auto listing = client_->post("/pub/v1/disk/directory/list", "{}", {}, "application/json");
  ASSERT_EQ(listing.status, 200);
  ASSERT_EQ(listing.json["result"]["result"].size(), 1u) << listing.json.dump();
  EXPECT_EQ(listing.json["result"]["result"][0]["size"].get<std::uint64_t>(), file.size());
}

}  // namespace
}  // namespace partcheck::mock
