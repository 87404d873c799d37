#include "tests/integration/support/curl.hpp"

#include <fstream>
#include <sstream>

#include "tests/integration/support/process.hpp"

namespace partcheck::testing {

std::ostream& operator<<(std::ostream& out, const CurlReply& reply) {
  return out << static_cast<const Reply&>(reply) << " (curl exit " << reply.exit_code << ": " << reply.err << ")";
}

CurlReply curl(const std::string& url, const std::vector<std::string>& args) {
  TempDir dir;
  const auto body_file = dir.path() / "body";
  std::vector<std::string> argv{"curl", "-sS", "--max-time", "60", "-o", body_file.string(), "-w", "%{http_code}"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(url);
  auto result = run_command(argv, {}, std::chrono::seconds(90));
  CurlReply reply;
  reply.exit_code = result.exit_code;
  reply.err = result.err;
  try {
    reply.status = std::stoi(result.out);  // "000" when there was no answer
  } catch (const std::exception&) {
    reply.status = 0;
  }
  reply.body = read_text_file(body_file);
  reply.json = nlohmann::json::parse(reply.body, nullptr, false);
  if (reply.json.is_discarded()) reply.json = nullptr;
  return reply;
}

}  // namespace partcheck::testing
