// What the mock makes of hostile clients and of its own failures: framing
// refused per RFC 9112 6.3, connections capped per server and per address,
// exceptions mapped to 5xx codes, server paths kept out of messages
// (mock_server/http/framing.hpp, server_context.hpp, mock_server/failure.hpp).
#include <gtest/gtest.h>

#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "mock_server/failure.hpp"
#include "mock_server/http/framing.hpp"
#include "mock_server/http/server_context.hpp"
#include "mock_server/storage/storage_backend.hpp"

namespace partcheck::mock {
namespace {

namespace fs = std::filesystem;
namespace bhttp = boost::beast::http;
using contract::ErrorCode;

bhttp::fields header(std::initializer_list<std::pair<bhttp::field, const char*>> fields) {
  bhttp::fields out;
  for (const auto& [name, value] : fields) out.insert(name, value);
  return out;
}

TEST(Framing, OnlyALoneChunkedTransferEncodingIsAccepted) {
  EXPECT_FALSE(http::framing_problem(header({})));
  EXPECT_FALSE(http::framing_problem(header({{bhttp::field::content_length, "5"}})));
  EXPECT_FALSE(http::framing_problem(header({{bhttp::field::transfer_encoding, "chunked"}})));
  EXPECT_FALSE(http::framing_problem(header({{bhttp::field::transfer_encoding, "Chunked"}})));
  for (const char* coding : {"gzip", "identity", "chunked, identity", "xchunked", "gzip, chunked", ""}) {
    auto problem = http::framing_problem(header({{bhttp::field::transfer_encoding, coding}}));
    ASSERT_TRUE(problem) << coding;
    EXPECT_NE(problem->find("Transfer-Encoding"), std::string::npos) << *problem;
  }
  // Two fields are one list: "chunked, chunked" is not a lone chunked.
  EXPECT_TRUE(http::framing_problem(
      header({{bhttp::field::transfer_encoding, "chunked"}, {bhttp::field::transfer_encoding, "chunked"}})));
}

TEST(Framing, ContentLengthWithTransferEncodingIsRefused) {
  for (const char* coding : {"chunked", "gzip"}) {
    auto problem = http::framing_problem(
        header({{bhttp::field::transfer_encoding, coding}, {bhttp::field::content_length, "5"}}));
    ASSERT_TRUE(problem) << coding;
    EXPECT_NE(problem->find("Content-Length"), std::string::npos) << *problem;
  }
}

TEST(ConnectionCaps, AdmissionsAreCountedPerServerAndPerAddress) {
  http::SessionRegistry registry;
  std::vector<http::Admission> held;
  for (int i = 0; i < 2; ++i) held.push_back(std::move(*registry.admit("10.0.0.1", 3, 2)));
  EXPECT_FALSE(registry.admit("10.0.0.1", 3, 2)) << "per address";
  auto other = registry.admit("10.0.0.2", 3, 2);
  ASSERT_TRUE(other);
  EXPECT_FALSE(registry.admit("10.0.0.3", 3, 2)) << "per server";
  held.pop_back();  // a connection of 10.0.0.1 ends
  EXPECT_TRUE(registry.admit("10.0.0.1", 3, 2));
}

TEST(Failure, ExceptionsBecomeTheServersOwnCodes) {
  const fs::path dir = "/srv/pc";
  auto storage = failure_refusal(StorageError("cannot write /srv/pc/uploads/a.data: No space left on device"), dir);
  EXPECT_EQ(storage.code, ErrorCode::StorageError);
  EXPECT_EQ(storage.status, 500);
  EXPECT_EQ(storage.message, "StorageError: cannot write uploads/a.data: No space left on device");

  auto descriptors = failure_refusal(DescriptorsExhausted("cannot open /srv/pc/x: Too many open files"), dir);
  EXPECT_EQ(descriptors.code, ErrorCode::ServiceUnavailable);
  EXPECT_EQ(descriptors.status, 503);
  auto fs_descriptors = failure_refusal(
      fs::filesystem_error("cannot rename", std::make_error_code(std::errc::too_many_files_open)), dir);
  EXPECT_EQ(fs_descriptors.status, 503);
  auto fs_other = failure_refusal(
      fs::filesystem_error("cannot rename", "/srv/pc/uploads/a", std::make_error_code(std::errc::no_space_on_device)),
      dir);
  EXPECT_EQ(fs_other.code, ErrorCode::StorageError);
  EXPECT_EQ(fs_other.message.find("/srv/pc"), std::string::npos) << fs_other.message;

  auto bug = failure_refusal(std::logic_error("an invariant broke"), dir);
  EXPECT_EQ(bug.code, ErrorCode::InternalError);
  EXPECT_EQ(bug.status, 500);
  EXPECT_EQ(bug.message, "InternalError: an invariant broke");
  auto unknown = failure_refusal(std::make_exception_ptr(42), dir);
  EXPECT_EQ(unknown.code, ErrorCode::InternalError);
}

TEST(Failure, MessagesShowPathsRelativeToTheDataDir) {
  EXPECT_EQ(hide_data_dir("cannot open /srv/pc/uploads/a.data: EIO", "/srv/pc"), "cannot open uploads/a.data: EIO");
  EXPECT_EQ(hide_data_dir("cannot fsync /srv/pc: EIO", "/srv/pc/"), "cannot fsync .: EIO");
  EXPECT_EQ(hide_data_dir("[/srv/pc/a] [/srv/pc/b]", "/srv/pc"), "[a] [b]");
  EXPECT_EQ(hide_data_dir("/srv/pc-old/a stays", "/srv/pc"), "/srv/pc-old/a stays") << "another directory";
  // A relative --data-dir shows neither its own spelling nor the absolute one.
  const auto absolute = fs::absolute("pc-data").string();
  EXPECT_EQ(hide_data_dir("cannot open " + absolute + "/files/f.data", "pc-data"), "cannot open files/f.data");
  EXPECT_EQ(hide_data_dir("cannot open pc-data/files/f.data", "pc-data"), "cannot open files/f.data");
}

TEST(Failure, AnExceptionOutOfAHandlerDoesNotEndTheIoThread) {
  boost::asio::io_context io;
  bool later_ran = false;
  boost::asio::post(io, [] { throw std::runtime_error("thrown where no handler catches (a test)"); });
  boost::asio::post(io, [&] {
    later_ran = true;
    io.stop();
  });
  run_io_until_stopped(io);  // returns once stopped, not at the throw
  EXPECT_TRUE(later_ran);
}

TEST(Failure, JsonTextNeverThrowsOnBytesThatAreNotUtf8) {
  EXPECT_EQ(dump_json(nlohmann::json{{"name", "a\xff"}}), "{\"name\":\"a\xEF\xBF\xBD\"}");
}

}  // namespace
}  // namespace partcheck::mock
