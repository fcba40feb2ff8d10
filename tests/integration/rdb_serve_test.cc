// RDB persistence end to end, through the real servers: `plab serve` and a
// private redis-server 7.0 exchange dump.rdb files both ways.
//   - Redis SAVEs the dataset (rdb_dataset.h); plab serve started on a copy
//     of that file holds the same keyspace as the live Redis.
//   - plab serve SAVEs / BGSAVEs it; redis-check-rdb accepts the file and a
//     redis-server started on a copy holds the same keyspace as live plab.
//   - BGSAVE is point in time: writes made while it runs (checked through
//     INFO persistence) are not in the file.
//   - SIGTERM with save points saves and a restart loads it (with Redis's
//     log lines); SHUTDOWN NOSAVE writes nothing.
//   - A corrupt dump.rdb stops plab serve at startup, the log names the
//     offset, and the file is left untouched.
#include <doctest/doctest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/integration/rdb_dataset.h"
#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"

namespace plab::it {
namespace {

// Both servers read the same absolute expire times from the file; their
// PTTLs differ only by the time between the two calls.
constexpr int64_t kPttlToleranceMs = 5000;

std::unique_ptr<ServerProcess> StartServer(ServerProcess::Kind kind,
                                           const std::vector<std::string>& args = {}) {
  std::string error;
  auto s = ServerProcess::Start(kind, &error, args);
  REQUIRE_MESSAGE(s != nullptr, error);
  return s;
}

void Connect(RespClient& c, const ServerProcess& s) {
  REQUIRE_MESSAGE(c.Connect(s.port()), c.error());
}

void RunAll(RespClient& c, const std::vector<Command>& cmds) {
  for (const Command& cmd : cmds) {
    Reply r = Call(c, cmd);
    REQUIRE_MESSAGE(!r.is_error(), cmd[0] << ": " << r.str);
  }
  Call(c, {"SELECT", "0"});
}

std::string Persistence(RespClient& c, const std::string& field) {
  return InfoField(Call(c, {"INFO", "persistence"}), field);
}

// Polls INFO persistence until no BGSAVE runs (at most 30 s), then checks
// that the last one succeeded.
void WaitForBgsave(RespClient& c) {
  for (int waited = 0; waited < 30000; waited += 10) {
    if (Persistence(c, "rdb_bgsave_in_progress") == "0") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(Persistence(c, "rdb_bgsave_in_progress") == "0");
  CHECK(Persistence(c, "rdb_last_bgsave_status") == "ok");
}

// Saves the live server's keyspace (SAVE or BGSAVE) and returns the file.
std::string SaveAndRead(RespClient& c, const ServerProcess& s, bool background) {
  if (background) {
    REQUIRE(Call(c, {"BGSAVE"}).str == "Background saving started");
    WaitForBgsave(c);
  } else {
    REQUIRE(Call(c, {"SAVE"}).str == "OK");
  }
  std::string bytes = ReadFile(s.dir() + "/dump.rdb");
  REQUIRE(bytes.size() > 9);
  return bytes;
}

void RedisWritesPlabLoads(bool compressible) {
  auto redis = StartServer(ServerProcess::Kind::kRedis);
  RespClient rc;
  Connect(rc, *redis);
  RunAll(rc, Dataset(compressible, /*with_megabyte=*/true));
  DumpDir copy(SaveAndRead(rc, *redis, /*background=*/false));
  auto plab = StartServer(ServerProcess::Kind::kPlab, {"--dir", copy.dir, "--save", ""});
  RespClient pc;
  Connect(pc, *plab);
  int64_t keys = CompareKeyspaces(ClientCaller(rc), ClientCaller(pc), kPttlToleranceMs);
  CHECK(keys == DatasetKeys(compressible, /*with_megabyte=*/true));
}

void PlabWritesRedisLoads(bool compressible, bool background) {
  auto plab = StartServer(ServerProcess::Kind::kPlab, {"--save", ""});
  RespClient pc;
  Connect(pc, *plab);
  RunAll(pc, Dataset(compressible, /*with_megabyte=*/true));
  DumpDir copy(SaveAndRead(pc, *plab, background));
  std::string output;
  CHECK_MESSAGE(CheckRdb(copy.file(), &output), output);
  auto redis =
      StartServer(ServerProcess::Kind::kRedis, {"--dir", copy.dir, "--dbfilename", "dump.rdb"});
  RespClient rc;
  Connect(rc, *redis);
  int64_t keys = CompareKeyspaces(ClientCaller(pc), ClientCaller(rc), kPttlToleranceMs);
  CHECK(keys == DatasetKeys(compressible, /*with_megabyte=*/true));
}

// --- BGSAVE under concurrent writes ---

constexpr int kCowKeys = 200000;
constexpr int kCowLists = 1000;
constexpr int kBatch = 2000;

// LRANGE of a list as LoadOldValues left it.
constexpr char kOldList[] = "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n";

std::string OldValue(int i) { return "old:" + std::to_string(i); }
std::string Key(int i) { return "k:" + std::to_string(i); }
std::string ListKey(int i) { return "l:" + std::to_string(i); }

// Sends `cmds` as one pipeline without reading the replies.
void SendAll(RespClient& c, const std::vector<Command>& cmds) {
  std::string wire;
  for (const Command& cmd : cmds) wire += EncodeCommand(cmd);
  REQUIRE_MESSAGE(c.SendRaw(wire), c.error());
}

// Sends `cmds` as one pipeline and reads every reply; each must equal
// `want` when it is not empty, and must not be an error.
void Pipeline(RespClient& c, const std::vector<Command>& cmds, const std::string& want) {
  SendAll(c, cmds);
  for (size_t i = 0; i < cmds.size(); ++i) {
    std::optional<Reply> r = c.Read();
    REQUIRE_MESSAGE(r.has_value(), c.error());
    REQUIRE_MESSAGE(!r->is_error(), r->str);
    if (!want.empty()) REQUIRE(r->raw == want);
  }
}

void LoadOldValues(RespClient& c) {
  std::vector<Command> batch;
  for (int i = 0; i < kCowKeys; ++i) {
    batch.push_back({"SET", Key(i), OldValue(i)});
    if (batch.size() == kBatch) {
      Pipeline(c, batch, "+OK\r\n");
      batch.clear();
    }
  }
  for (int i = 0; i < kCowLists; ++i) batch.push_back({"RPUSH", ListKey(i), "a", "b", "c"});
  Pipeline(c, batch, ":3\r\n");
}

// Batch `b` of the writes made during the save: overwrite, delete, append
// to a list in place, create new keys; then INFO persistence.
std::vector<Command> OverwriteBatch(int b) {
  std::vector<Command> cmds;
  for (int i = b * kBatch; i < (b + 1) * kBatch && i < kCowKeys; ++i) {
    if (i % 3 == 0) {
      cmds.push_back({"DEL", Key(i)});
    } else {
      cmds.push_back({"SET", Key(i), "new:" + std::to_string(i)});
    }
    if (i % 200 == 0) cmds.push_back({"RPUSH", ListKey((i / 200) % kCowLists), "new"});
    if (i % 100 == 0) cmds.push_back({"SET", "fresh:" + std::to_string(i), "x"});
  }
  cmds.push_back({"INFO", "persistence"});
  return cmds;
}

// Reads one OverwriteBatch's replies; true when its final INFO still showed
// the BGSAVE in progress, i.e. every write of the batch happened during it.
bool ReadBatch(RespClient& c, size_t replies, std::string* processed) {
  Reply r;
  for (size_t i = 0; i < replies; ++i) {
    std::optional<Reply> got = c.Read();
    REQUIRE_MESSAGE(got.has_value(), c.error());
    REQUIRE_MESSAGE(!got->is_error(), got->str);
    r = *got;
  }
  *processed = InfoField(r, "current_save_keys_processed");
  return InfoField(r, "rdb_bgsave_in_progress") == "1";
}

struct OverwriteStats {
  int64_t writes_during_save = 0;
  std::vector<std::string> progress_seen;  // current_save_keys_processed
};

// An OverwriteBatch encoded for the wire, built before the BGSAVE starts so
// the writer wastes no time once it runs.
struct WireBatch {
  size_t replies = 0;
  std::string wire;
};

std::vector<WireBatch> OverwriteBatches() {
  std::vector<WireBatch> out;
  for (int b = 0; b * kBatch < kCowKeys; ++b) {
    const std::vector<Command> cmds = OverwriteBatch(b);
    WireBatch batch;
    for (const Command& cmd : cmds) batch.wire += EncodeCommand(cmd);
    batch.replies = cmds.size();
    out.push_back(std::move(batch));
  }
  return out;
}

// Sends every batch, keeping the next one in flight while reading the
// previous one's replies so the server never idles (idle time would go to
// the save and let it finish before the writes).
OverwriteStats OverwriteAll(RespClient& c, const std::vector<WireBatch>& batches) {
  OverwriteStats stats;
  REQUIRE_MESSAGE(c.SendRaw(batches[0].wire), c.error());
  for (size_t b = 0; b < batches.size(); ++b) {
    if (b + 1 < batches.size()) REQUIRE_MESSAGE(c.SendRaw(batches[b + 1].wire), c.error());
    std::string processed;
    if (ReadBatch(c, batches[b].replies, &processed)) {
      stats.writes_during_save += static_cast<int64_t>(batches[b].replies) - 1;
      stats.progress_seen.push_back(processed);
    }
  }
  return stats;
}

// The dump loaded by Redis holds exactly the values from before BGSAVE.
void CheckOldValues(RespClient& rc) {
  CHECK(Call(rc, {"DBSIZE"}).integer == kCowKeys + kCowLists);
  int64_t wrong = 0;
  std::string first_wrong;
  for (int start = 0; start < kCowKeys; start += 1000) {
    Command mget = {"MGET"};
    for (int i = start; i < start + 1000; ++i) mget.push_back(Key(i));
    Reply r = Call(rc, mget);
    REQUIRE(r.elems.size() == 1000);
    for (int i = start; i < start + 1000; ++i) {
      const Reply& v = r.elems[static_cast<size_t>(i - start)];
      if (!v.is_null && v.str == OldValue(i)) continue;
      if (wrong++ == 0) first_wrong = Key(i) + " = " + v.raw;
    }
  }
  for (int i = 0; i < kCowLists; ++i) {
    if (Call(rc, {"LRANGE", ListKey(i), "0", "-1"}).raw == kOldList) continue;
    if (wrong++ == 0) first_wrong = ListKey(i) + " changed";
  }
  CAPTURE(first_wrong);
  CHECK(wrong == 0);
  CHECK(Call(rc, {"EXISTS", "fresh:0"}).integer == 0);
}

// --- Startup on a corrupt file ---

struct ServeRun {
  int exit_code = -1;
  std::string output;
};

// Runs plab serve on `dir` until it exits (killed after 20 s: exit 124).
ServeRun RunPlabServe(const std::string& dir) {
  std::string cmd = "timeout 20 '" + PlabBinary() + "' serve --port " +
                    std::to_string(FindFreePort()) + " --dir '" + dir + "' --save '' 2>&1";
  ServeRun run;
  FILE* f = ::popen(cmd.c_str(), "r");
  REQUIRE(f != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) run.output.append(buf, n);
  int status = ::pclose(f);
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

void CheckRefusesToStart(const std::string& corrupt) {
  DumpDir d(corrupt);
  ServeRun run = RunPlabServe(d.dir);
  CAPTURE(run.output);
  CHECK(run.exit_code != 0);
  CHECK(run.exit_code != 124);  // it exited on its own, not by timeout
  CHECK(run.output.find("offset") != std::string::npos);
  CHECK(run.output.find("Terminating server after rdb file reading failure.") != std::string::npos);
  CHECK(run.output.find("Ready to accept connections") == std::string::npos);
  CHECK(ReadFile(d.file()) == corrupt);
  // Nothing else was written next to it (no temp file, no new dump).
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(d.dir)) entries += e.exists() ? 1 : 0;
  CHECK(entries == 1);
}

}  // namespace

TEST_SUITE("rdb serve") {
  TEST_CASE("plab serve loads a dump Redis 7.0 saved and holds the same keyspace") {
    SUBCASE("incompressible values") { RedisWritesPlabLoads(/*compressible=*/false); }
    SUBCASE("compressible values") { RedisWritesPlabLoads(/*compressible=*/true); }
  }

  TEST_CASE("Redis 7.0 loads what plab serve SAVEs and BGSAVEs and holds the same keyspace") {
    SUBCASE("SAVE, incompressible values") { PlabWritesRedisLoads(false, /*background=*/false); }
    SUBCASE("SAVE, compressible values") { PlabWritesRedisLoads(true, /*background=*/false); }
    SUBCASE("BGSAVE, incompressible values") { PlabWritesRedisLoads(false, /*background=*/true); }
    SUBCASE("BGSAVE, compressible values") { PlabWritesRedisLoads(true, /*background=*/true); }
  }

  TEST_CASE("a BGSAVE under concurrent writes keeps the values from when it started") {
    auto plab = StartServer(ServerProcess::Kind::kPlab, {"--save", ""});
    RespClient loader, writer;
    Connect(loader, *plab);
    Connect(writer, *plab);
    LoadOldValues(loader);
    const std::vector<WireBatch> batches = OverwriteBatches();
    REQUIRE(Call(loader, {"BGSAVE"}).str == "Background saving started");
    OverwriteStats stats = OverwriteAll(writer, batches);
    MESSAGE("writes made while the BGSAVE ran: " << stats.writes_during_save << " in "
                                                 << stats.progress_seen.size() << " batches");
    // Without writes during the save the test would prove nothing; distinct
    // progress readings show the save advanced between the write batches.
    REQUIRE(stats.writes_during_save > 0);
    std::set<std::string> progress(stats.progress_seen.begin(), stats.progress_seen.end());
    CHECK(progress.size() >= 2);
    WaitForBgsave(loader);
    CHECK(std::stoll(Persistence(loader, "rdb_last_cow_size")) > 0);
    CHECK(Call(loader, {"GET", Key(1)}).str == "new:1");  // the live data did change
    CHECK(Call(loader, {"EXISTS", Key(0)}).integer == 0);

    DumpDir copy(ReadFile(plab->dir() + "/dump.rdb"));
    auto redis =
        StartServer(ServerProcess::Kind::kRedis, {"--dir", copy.dir, "--dbfilename", "dump.rdb"});
    RespClient rc;
    Connect(rc, *redis);
    CheckOldValues(rc);
  }

  TEST_CASE("SIGTERM with save points saves, and a restarted plab serve loads the file") {
    DumpDir data;
    std::string first_log = data.dir + "/first.log";
    auto first =
        StartServer(ServerProcess::Kind::kPlab, {"--dir", data.dir, "--logfile", first_log});
    RespClient pc;
    Connect(pc, *first);
    RunAll(pc, Dataset(/*compressible=*/true, /*with_megabyte=*/true));
    CHECK(Call(pc, {"CONFIG", "GET", "save"}).elems[1].str == "3600 1 300 100 60 10000");
    first->Stop();  // SIGTERM
    REQUIRE(std::filesystem::exists(data.file()));
    std::string log = ReadFile(first_log);
    CHECK(log.find("Saving the final RDB snapshot before exiting.") != std::string::npos);
    CHECK(log.find("DB saved on disk") != std::string::npos);

    auto redis = StartServer(ServerProcess::Kind::kRedis);
    RespClient rc;
    Connect(rc, *redis);
    RunAll(rc, Dataset(/*compressible=*/true, /*with_megabyte=*/true));
    auto second = StartServer(ServerProcess::Kind::kPlab, {"--dir", data.dir, "--save", ""});
    RespClient pc2;
    Connect(pc2, *second);
    int64_t keys = CompareKeyspaces(ClientCaller(rc), ClientCaller(pc2), kPttlToleranceMs);
    CHECK(keys == DatasetKeys(/*compressible=*/true, /*with_megabyte=*/true));
    std::string log2 = second->Log();
    CAPTURE(log2);
    CHECK(log2.find("DB loaded from disk:") != std::string::npos);
    CHECK(log2.find("Done loading RDB, keys loaded: " + std::to_string(keys) +
                    ", keys expired: 0.") != std::string::npos);
  }

  TEST_CASE("SHUTDOWN NOSAVE exits without writing a dump despite save points") {
    DumpDir data;
    auto plab = StartServer(ServerProcess::Kind::kPlab, {"--dir", data.dir});
    RespClient pc;
    Connect(pc, *plab);
    CHECK(Call(pc, {"SET", "k", "v"}).str == "OK");
    REQUIRE(pc.Send({"SHUTDOWN", "NOSAVE"}));
    CHECK(pc.WaitForClose());
    plab->Stop();
    CHECK(std::filesystem::is_empty(data.dir));
  }

  TEST_CASE("plab serve refuses to start on a corrupt dump.rdb and leaves it untouched") {
    const std::string good = ReadFile(std::string(PLAB_TESTDATA_DIR) + "/redis7_types.rdb");
    REQUIRE(good.size() > 1000);
    SUBCASE("truncated in the middle") { CheckRefusesToStart(good.substr(0, good.size() / 2)); }
    SUBCASE("truncated inside the checksum") {
      CheckRefusesToStart(good.substr(0, good.size() - 3));
    }
    SUBCASE("a flipped byte in the middle") {
      std::string bad = good;
      bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x5A);
      CheckRefusesToStart(bad);
    }
    SUBCASE("a flipped byte in the header") {
      std::string bad = good;
      bad[0] = 'X';
      CheckRefusesToStart(bad);
    }
  }
}

}  // namespace plab::it
