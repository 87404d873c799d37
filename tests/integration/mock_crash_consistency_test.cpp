// Crash consistency at scale (issue 8): `partcheck serve --storage disk` is
// killed with SIGKILL at 100 random moments while a client thread runs a
// workload of multi-part uploads (5 MiB parts), small whole files, directory
// uploads and moves (one to three files at once). After every restart on the
// same data dir (same --root-dir-id, same key) the client's model is checked
// against what the server shows:
//
// - every acknowledged part (206/200) is there: the upload's `received` is the
//   acknowledged end, or the end of the one part whose answer was lost; the
//   workload then continues the upload from there;
// - every acknowledged move is there: listed under its name with its size,
//   and the bytes read back through get-link are the uploaded ones;
// - nothing half-written is visible: no listing entry the client cannot
//   account for, no entry or upload shorter than acknowledged, and a move
//   whose answer was lost happened entirely (every file of it listed and
//   gone from the uploads) or not at all.
//
// The seed is printed; PARTCHECK_CRASH_SEED=N repeats a run,
// PARTCHECK_CRASH_KILLS=N changes the number of kills.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "contract/uuid.hpp"
#include "tests/integration/support/api_client.hpp"
#include "tests/integration/support/bodies.hpp"
#include "tests/integration/support/process.hpp"

namespace partcheck::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kKey = "crash-key";
const std::string kRoot = "c7a5e0d4-8b1f-4e36-9d2a-51f0e6b3a9c8";
constexpr std::uint64_t P = kMinPart;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text && *text ? std::strtoull(text, nullptr, 10) : fallback;
}

// One upload as the client knows it.
struct Upload {
  std::string hash;
  std::uint64_t seed = 0;
  std::uint64_t total = 0;
  std::optional<std::string> dir;  // a directory upload into this directory
  std::string name;                // its name there (directory uploads)
  std::uint64_t acked = 0;         // contiguous bytes acknowledged by a 206/200
  std::optional<std::uint64_t> inflight;  // end of a part sent whose answer was lost
  bool complete = false;           // acknowledged 200, or found complete after a restart
  // Where its file is, once a move (or a directory upload's last part) is known to have happened.
  bool placed = false;
  std::string file_id, file_dir, file_name;
  bool bytes_checked = false;      // read back since it was placed
  std::optional<std::size_t> pending_move;  // index into Model::moves of a move whose answer was lost
};

struct PendingMove {
  std::string dir;
  std::vector<std::pair<std::size_t, std::string>> files;  // upload index, name
  bool settled = false;
};

struct Model {
  std::vector<Upload> uploads;
  std::vector<PendingMove> moves;
  std::string sub;  // a second directory
  std::uint64_t next_seed = 1000;
  std::uint64_t next_name = 0;
  // Counts for the summary.
  std::uint64_t acked_parts = 0, acked_moves = 0, lost_answers = 0, lost_moves_done = 0, lost_moves_undone = 0,
                lost_parts_landed = 0, lost_parts_not_landed = 0, lost_5mib_parts = 0;
};

class CrashTest : public ::testing::Test {
 protected:
  std::unique_ptr<ServerProcess> start() {
    return std::make_unique<ServerProcess>(std::vector<std::string>{
        "--storage", "disk", "--data-dir", (dir_.path() / "data").string(), "--api-key", kKey, "--root-dir-id",
        kRoot, "--quiet"});
  }
  TempDir dir_;
};

// --- the client thread's workload ---------------------------------------------------

class Workload {
 public:
  Workload(Model& model, ApiClient& api, std::uint64_t seed, const std::atomic<bool>& stop)
      : model_(model), api_(api), rng_(seed), stop_(stop) {}

  // Runs until a request gets no answer (the server was killed) or `stop`.
  void run() {
    while (!stop_ && alive_) {
      ++started_;
      step();
    }
    done_ = true;
  }
  // Operations begun so far (the one under way included), read by the killer.
  int started() const { return started_; }
  bool done() const { return done_; }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::uint64_t pick(std::uint64_t low, std::uint64_t high) {
    return std::uniform_int_distribution<std::uint64_t>(low, high)(rng_);
  }

  void step() {
    std::vector<std::size_t> open, movable;
    for (std::size_t i = 0; i < model_.uploads.size(); ++i) {
      const auto& u = model_.uploads[i];
      if (!u.complete && !u.inflight) open.push_back(i);
      if (u.complete && !u.placed && !u.pending_move && !u.dir) movable.push_back(i);
    }
    auto roll = pick(0, 99);
    if (!open.empty() && roll < 35) return send_part(open[pick(0, open.size() - 1)]);
    if (!movable.empty() && roll < 60) return move(movable);
    if (roll < 72) return send_part(new_upload(/*big=*/true));
    return send_part(new_upload(/*big=*/false));
  }

  std::size_t new_upload(bool big) {
    Upload u;
    u.hash = contract::new_uuid();
    u.seed = model_.next_seed++;
    // Big: two or three parts of 5 MiB and a tail; small: a whole file, sometimes tiny or empty.
    u.total = big ? P * (pick(0, 9) < 7 ? 1 : 2) + pick(1, 64 * 1024) : pick(0, 3) == 0 ? pick(0, 16) : pick(1, 96 * 1024);
    if (pick(0, 2) == 0) {
      u.dir = pick(0, 1) == 0 ? kRoot : model_.sub;
      u.name = "d" + std::to_string(model_.next_name++) + ".bin";
    }
    model_.uploads.push_back(std::move(u));
    return model_.uploads.size() - 1;
  }

  void send_part(std::size_t index) {
    auto& u = model_.uploads[index];
    const auto s = u.acked, e = std::min(u.total, u.acked + P);
    PartRequest part(content_range(s, e, u.total), file_bytes(u.seed, s, e - s));
    auto reply = u.dir ? api_.dir_upload(*u.dir, u.hash, part, u.name) : api_.upload(u.hash, part);
    if (reply.status == 0) {
      u.inflight = e;
      ++model_.lost_answers;
      if (e - s == P) ++model_.lost_5mib_parts;
      alive_ = false;
      return;
    }
    const int wanted = e == u.total ? 200 : 206;
    if (reply.status != wanted) {
      errors_.push_back("part " + content_range(s, e, u.total) + " of " + u.hash + ": wanted " +
                        std::to_string(wanted) + ", got " + std::to_string(reply.status) + " " + reply.body);
      alive_ = false;
      return;
    }
    ++model_.acked_parts;
    u.acked = e;
    if (e == u.total) {
      u.complete = true;
      if (u.dir) {
        u.placed = true;
        u.file_id = reply.json.is_object() && reply.json.contains("file") ? reply.json["file"].value("__id", "") : "";
        u.file_dir = *u.dir;
        u.file_name = u.name;
        if (u.file_id.empty()) errors_.push_back("a directory upload's 200 without file.__id: " + reply.body);
      }
    }
  }

  void move(const std::vector<std::size_t>& movable) {
    PendingMove attempt;
    attempt.dir = pick(0, 1) == 0 ? kRoot : model_.sub;
    auto count = std::min<std::size_t>(movable.size(), pick(1, 3));
    std::set<std::size_t> chosen;
    while (chosen.size() < count) chosen.insert(movable[pick(0, movable.size() - 1)]);
    std::vector<std::pair<std::string, std::string>> body;
    for (auto index : chosen) {
      auto name = "m" + std::to_string(model_.next_name++) + ".bin";
      attempt.files.emplace_back(index, name);
      body.emplace_back(model_.uploads[index].hash, name);
    }
    auto reply = api_.move(attempt.dir, body);
    if (reply.status == 0) {
      model_.moves.push_back(attempt);
      for (const auto& [index, name] : attempt.files) model_.uploads[index].pending_move = model_.moves.size() - 1;
      ++model_.lost_answers;
      alive_ = false;
      return;
    }
    if (reply.status != 200 || !reply.json.is_object() || !reply.json["files"].is_array() ||
        reply.json["files"].size() != attempt.files.size()) {
      errors_.push_back("move: got " + std::to_string(reply.status) + " " + reply.body);
      alive_ = false;
      return;
    }
    ++model_.acked_moves;
    for (std::size_t i = 0; i < attempt.files.size(); ++i) {
      auto& u = model_.uploads[attempt.files[i].first];
      u.placed = true;
      u.file_id = reply.json["files"][i].value("__id", "");
      u.file_dir = attempt.dir;
      u.file_name = reply.json["files"][i].value("name", "");
      u.bytes_checked = false;
      if (u.file_name != attempt.files[i].second) errors_.push_back("move renamed a unique name: " + reply.body);
    }
  }

  Model& model_;
  ApiClient& api_;
  std::mt19937_64 rng_;
  const std::atomic<bool>& stop_;
  bool alive_ = true;
  std::atomic<int> started_{0};
  std::atomic<bool> done_{false};
  std::vector<std::string> errors_;
};

// --- what the server shows after a restart ------------------------------------------

struct Listed {
  std::string id, hash;
  std::uint64_t size = 0;
};

std::map<std::string, Listed> listing(ApiClient& api, const std::string& dir) {
  auto reply = api.list(dir, 0);  // 0: everything
  EXPECT_EQ(reply.status, 200) << "listing " << dir << ": " << reply;
  std::map<std::string, Listed> out;
  if (reply.status != 200) return out;
  const auto& entries = reply.json["result"]["result"];
  EXPECT_EQ(reply.json["result"].value("total", 0ULL), entries.size()) << "a partial listing of " << dir;
  for (const auto& entry : entries) {
    if (entry.value("type", "") != "file") continue;
    out[entry.value("name", "")] = Listed{entry.value("__id", ""), entry.value("hash", ""), entry.value("size", 0ULL)};
  }
  return out;
}

// Reads the file back through get-link; true when every byte is the upload's.
bool same_bytes(ApiClient& api, const Upload& u, const std::string& when) {
  auto bytes = api.download_file(u.file_id);
  EXPECT_EQ(bytes.size(), u.total) << when << ": " << u.file_name << " (" << u.hash << ") read back short";
  auto mismatch = first_mismatch(u.seed, 0, bytes);
  EXPECT_EQ(mismatch, -1) << when << ": " << u.file_name << " (" << u.hash << ") differs at byte " << mismatch;
  return bytes.size() == u.total && mismatch == -1;
}

// Checks the model against the server and settles what a lost answer left
// open. `all_bytes`: read back every placed file, not only new ones and a sample.
void reconcile(ApiClient& api, Model& model, std::mt19937_64& rng, const std::string& when, bool all_bytes) {
  auto uploads_reply = api.admin_get("uploads");
  ASSERT_EQ(uploads_reply.status, 200) << when << ": " << uploads_reply;
  std::map<std::string, json> server_uploads;
  for (const auto& entry : uploads_reply.json["uploads"]) server_uploads[entry.value("hash", "")] = entry;
  std::map<std::string, std::map<std::string, Listed>> listed{{kRoot, listing(api, kRoot)},
                                                              {model.sub, listing(api, model.sub)}};
  std::set<std::pair<std::string, std::string>> explained;  // (dir, name) the model accounts for

  // Moves whose answer was lost: all their files placed, or none.
  for (std::size_t m = 0; m < model.moves.size(); ++m) {
    auto& move = model.moves[m];
    if (move.settled) continue;
    std::size_t found = 0;
    for (const auto& [index, name] : move.files) {
      auto it = listed[move.dir].find(name);
      if (it != listed[move.dir].end() && it->second.hash == model.uploads[index].hash) ++found;
    }
    EXPECT_TRUE(found == 0 || found == move.files.size())
        << when << ": a move whose answer was lost is partial: " << found << " of " << move.files.size();
    for (const auto& [index, name] : move.files) {
      auto& u = model.uploads[index];
      u.pending_move.reset();
      if (found == move.files.size()) {
        u.placed = true;
        u.file_dir = move.dir;
        u.file_name = name;
        u.file_id = listed[move.dir][name].id;
        u.bytes_checked = false;
      }
    }
    (found ? model.lost_moves_done : model.lost_moves_undone) += 1;
    move.settled = true;
  }

  std::vector<std::size_t> to_read, older;
  for (std::size_t i = 0; i < model.uploads.size(); ++i) {
    auto& u = model.uploads[i];
    const auto label = when + ": upload " + u.hash + " (" + std::to_string(u.total) + " bytes)";
    // A directory upload whose last part's answer was lost may have landed.
    if (u.dir && !u.placed && u.inflight == u.total) {
      auto it = listed[*u.dir].find(u.name);
      if (it != listed[*u.dir].end() && it->second.hash == u.hash) {
        u.acked = u.total;
        u.complete = u.placed = true;
        ++model.lost_parts_landed;
        u.inflight.reset();
        u.file_id = it->second.id;
        u.file_dir = *u.dir;
        u.file_name = u.name;
      }
    }
    if (u.placed) {
      explained.insert({u.file_dir, u.file_name});
      auto it = listed[u.file_dir].find(u.file_name);
      if (it == listed[u.file_dir].end()) {
        ADD_FAILURE() << label << ": its file " << u.file_name << " is gone from its directory";
        continue;
      }
      EXPECT_EQ(it->second.hash, u.hash) << label << ": " << u.file_name;
      EXPECT_EQ(it->second.size, u.total) << label << ": " << u.file_name << " listed with another size";
      EXPECT_EQ(it->second.id, u.file_id) << label << ": " << u.file_name << " has another id";
      EXPECT_EQ(server_uploads.count(u.hash), 0u) << label << ": placed, yet still among the uploads";
      (u.bytes_checked && !all_bytes ? older : to_read).push_back(i);
      continue;
    }
    auto entry = server_uploads.find(u.hash);
    if (u.complete) {
      if (entry == server_uploads.end()) {
        ADD_FAILURE() << label << ": acknowledged complete, now gone";
        continue;
      }
      EXPECT_EQ(entry->second.value("received", 0ULL), u.total) << label << ": " << entry->second.dump();
      EXPECT_TRUE(entry->second.value("complete", false)) << label << ": " << entry->second.dump();
      continue;
    }
    // Incomplete: what was acknowledged, or also the part whose answer was lost.
    std::uint64_t received = 0;
    if (entry != server_uploads.end()) {
      received = entry->second.value("received", 0ULL);
      EXPECT_EQ(entry->second.value("total", 0ULL), u.total) << label << ": " << entry->second.dump();
    }
    const bool allowed = received == u.acked || (u.inflight && received == *u.inflight);
    EXPECT_TRUE(allowed) << label << ": received " << received << ", acknowledged " << u.acked
                         << (u.inflight ? ", lost answer up to " + std::to_string(*u.inflight) : std::string());
    if (allowed && u.inflight) {
      if (received == *u.inflight && received != u.acked)
        ++model.lost_parts_landed;
      else
        ++model.lost_parts_not_landed;
    }
    if (allowed) u.acked = received;
    u.inflight.reset();
    if (u.acked == u.total && u.total > 0) {
      // The completing part landed without its answer.
      u.complete = true;
      EXPECT_TRUE(entry != server_uploads.end() && entry->second.value("complete", false)) << label;
    }
    if (u.total == 0 && entry != server_uploads.end()) u.complete = entry->second.value("complete", false);
  }

  // Nothing listed that the model does not account for.
  for (const auto& [dir, files] : listed)
    for (const auto& [name, file] : files)
      EXPECT_TRUE(explained.count({dir, name})) << when << ": an unexplained file " << name << " (" << file.hash
                                                << ", " << file.size << " bytes) in " << dir;

  // Bytes: every newly placed file, and a few older ones.
  std::shuffle(older.begin(), older.end(), rng);
  for (std::size_t k = 0; k < older.size() && k < 2; ++k) to_read.push_back(older[k]);
  for (auto i : to_read) {
    if (same_bytes(api, model.uploads[i], when)) model.uploads[i].bytes_checked = true;
  }
}

TEST_F(CrashTest, HundredKillsLoseNothingAcknowledgedAndShowNothingHalfWritten) {
  const auto seed = env_number("PARTCHECK_CRASH_SEED", std::random_device{}());
  const auto kills = env_number("PARTCHECK_CRASH_KILLS", 100);
  std::cout << "[ crash    ] seed " << seed << " (PARTCHECK_CRASH_SEED=" << seed << " repeats this run), " << kills
            << " kills" << std::endl;
  SCOPED_TRACE("PARTCHECK_CRASH_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  Model model;
  const auto started = std::chrono::steady_clock::now();
  {
    auto server = start();
    ASSERT_EQ(server->root_dir_id(), kRoot);
    ApiClient api(*server);
    model.sub = api.add_directory("sub");
  }
  std::uint64_t killed = 0;
  for (std::uint64_t round = 0; round < kills; ++round) {
    const auto when = "after kill " + std::to_string(round);
    auto server = start();
    ASSERT_EQ(server->root_dir_id(), kRoot) << "the root directory changed " << when;
    ApiClient api(*server);
    if (round > 0) reconcile(api, model, rng, when, /*all_bytes=*/false);
    if (::testing::Test::HasFailure()) break;

    std::atomic<bool> stop{false};
    ApiClient client_api(*server);
    Workload workload(model, client_api, rng(), stop);
    std::thread client([&] { workload.run(); });
    // A random moment in the workload: once its k-th operation has begun,
    // 0-80 ms later (inside a 5 MiB body, between parts, in a move...). Counting
    // operations rather than time keeps the work per kill the same on a fast
    // machine and a loaded one.
    const int k = std::uniform_int_distribution<int>(1, 6)(rng);
    const auto give_up = std::chrono::steady_clock::now() + 120s;
    while (workload.started() < k && !workload.done() && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 80)(rng)));
    server->kill_hard();
    ++killed;
    stop = true;
    client.join();
    for (const auto& error : workload.errors()) ADD_FAILURE() << "round " << round << ": " << error;
    if (::testing::Test::HasFailure()) break;
  }

  // One last start: everything checked byte for byte, then every open upload
  // finished from where the server says it stands, and moved.
  auto server = start();
  ApiClient api(*server);
  reconcile(api, model, rng, "after the last kill", /*all_bytes=*/true);
  ASSERT_FALSE(::testing::Test::HasFailure());
  std::vector<std::pair<std::string, std::string>> to_move;
  std::vector<std::size_t> moved_now;
  for (std::size_t i = 0; i < model.uploads.size(); ++i) {
    auto& u = model.uploads[i];
    while (!u.complete) {
      const auto s = u.acked, e = std::min(u.total, u.acked + P);
      PartRequest part(content_range(s, e, u.total), file_bytes(u.seed, s, e - s));
      auto reply = u.dir ? api.dir_upload(*u.dir, u.hash, part, u.name) : api.upload(u.hash, part);
      ASSERT_EQ(reply.status, e == u.total ? 200 : 206) << "continuing " << u.hash << " at " << s << ": " << reply;
      u.acked = e;
      u.complete = e == u.total;
      if (u.complete && u.dir) {
        u.placed = true;
        u.file_id = reply.json["file"].value("__id", "");
        u.file_dir = *u.dir;
        u.file_name = u.name;
        moved_now.push_back(i);
      }
    }
    if (!u.placed) {
      u.file_name = "final-" + std::to_string(i) + ".bin";
      to_move.emplace_back(u.hash, u.file_name);
      moved_now.push_back(i);
    }
  }
  if (!to_move.empty()) {
    auto moved = api.move(kRoot, to_move);
    ASSERT_EQ(moved.status, 200) << moved;
    std::size_t k = 0;
    for (auto i : moved_now) {
      auto& u = model.uploads[i];
      if (u.placed) continue;
      u.placed = true;
      u.file_dir = kRoot;
      u.file_id = moved.json["files"][k++].value("__id", "");
    }
  }
  for (auto i : moved_now) same_bytes(api, model.uploads[i], "finishing");
  std::uint64_t files = 0, bytes = 0;
  for (const auto& u : model.uploads) {
    files += u.placed ? 1 : 0;
    bytes += u.total;
  }
  const auto seconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count() / 1000.0;
  std::cout << "[ crash    ] " << killed << " kills survived in " << seconds << " s: " << model.uploads.size()
            << " uploads (" << bytes / (1 << 20) << " MiB), " << model.acked_parts << " acknowledged parts, "
            << model.acked_moves << " acknowledged moves, " << model.lost_answers << " answers lost to a kill ("
            << model.lost_moves_done << " lost moves had happened, " << model.lost_moves_undone << " had not; "
            << model.lost_parts_landed << " lost parts had landed, " << model.lost_parts_not_landed << " had not; "
            << model.lost_5mib_parts << " kills during a 5 MiB part), "
            << files << " files checked" << std::endl;
  EXPECT_EQ(killed, kills);
  EXPECT_EQ(server->terminate(), 0) << server->log();
}

}  // namespace
}  // namespace partcheck::testing
