// AOF persistence end to end between `plab serve` and a private
// redis-server 7.0.15, through the appendonlydir/ they write.
//   - plab → Redis: plab serve (preamble on and off, rewritten or not) gets
//     the shared dataset plus writes across databases with TTLs, MULTI,
//     SWAPDB, FLUSHDB, lazy expiry; after SHUTDOWN redis-check-aof accepts
//     the directory, its manifest is byte-identical to the one a Redis that
//     ran the same commands wrote, and a redis-server started on a copy
//     holds the same keyspace as that live reference Redis.
//   - Redis → plab: plab serve started on a copy of Redis's directory holds
//     the keyspace a restarted Redis holds, leaves the manifest as it was,
//     and appends to Redis's INCR file in a way Redis then loads.
//   - Legacy single appendonly.aof (RDB + RESP tail, and plain RESP) in the
//     data directory: plab serve moves it into appendonlydir/ with the same
//     manifest Redis 7.0 writes for it, and Redis loads the upgraded dir.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/aof_it_util.h"

namespace plab::it {
namespace {

namespace fs = std::filesystem;

// Both sides hold the same absolute deadlines, or relative ones set within
// a second of each other; PTTLs differ by the time between the reads.
constexpr int64_t kPttlToleranceMs = 5000;

int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Writes after the dataset, before any rewrite: every kind of write that
// the AOF logs in a rewritten form (SET EX → PXAT, INCRBYFLOAT → SET,
// EXPIRE in the past → DEL, RPOPLPUSH, SWAPDB, MOVE, COPY, a transaction).
// Values stay clear of encodings a reload would change (short strings
// built by APPEND/SETRANGE are raw live but embstr once loaded).
std::vector<Command> WritesBeforeRewrite() {
  const std::string in_an_hour_ms = std::to_string(UnixMillis() + kHourMs);
  const std::string in_two_hours_s = std::to_string(UnixMillis() / 1000 + 7200);
  return {
      {"SELECT", "5"},
      {"SET", "s5", "hello", "EX", "1000"},
      {"INCRBY", "c5", "10"},
      {"INCR", "c5"},
      {"INCRBYFLOAT", "f5", "1.5"},
      {"LPUSH", "l5", "a", "b", "c", "d"},
      {"LPOP", "l5"},
      {"RPOPLPUSH", "l5", "l5b"},
      {"HSET", "h5", "f", "v", "n", "1"},
      {"HINCRBY", "h5", "n", "3"},
      {"HDEL", "h5", "f"},
      {"SADD", "st5", "a", "b", "c"},
      {"SREM", "st5", "a"},
      {"SMOVE", "st5", "st5b", "b"},
      {"ZADD", "z5", "1", "a", "2", "b", "3", "c"},
      {"ZINCRBY", "z5", "5", "a"},
      {"ZREM", "z5", "c"},
      {"SETEX", "sx5", "500", "v"},
      {"GETSET", "s5", "hello2"},
      {"SET", "p5", "v", "PX", "900000"},
      {"PERSIST", "p5"},
      {"SET", "r5", "v", "EX", "800"},
      {"RENAME", "r5", "r5new"},
      {"MOVE", "r5new", "7"},
      {"SET", "gone", "v"},
      {"DEL", "gone"},
      {"SET", "neg", "v"},
      {"EXPIRE", "neg", "-1"},
      {"MSET", "m1", "1", "m2", "2"},
      {"SETNX", "m1", "not-set"},
      {"SET", "pxat", "v", "PXAT", in_an_hour_ms},
      {"SET", "exat", "v", "EXAT", in_two_hours_s},
      {"APPEND", "long", std::string(60, 'x')},
      {"MULTI"},
      {"SET", "tx1", "a"},
      {"INCR", "tx2"},
      {"LPUSH", "tx3", "x"},
      {"EXEC"},
      {"SELECT", "10"},
      {"SET", "a10", "x"},
      {"RPUSH", "l10", "1", "2", "3"},
      {"SELECT", "11"},
      {"SET", "a11", "y"},
      {"SWAPDB", "10", "11"},
      {"SELECT", "12"},
      {"SET", "f12", "1"},
      {"FLUSHDB"},
      {"SELECT", "15"},
      {"HSET", "h15", "a", "1"},
      {"PEXPIRE", "h15", "1234567"},
      {"SELECT", "0"},
      {"DEL", "db0:int"},
      {"LTRIM", "db0:biglist", "0", "99"},
      {"HDEL", "db0:bighash", "f1", "f2", "f3"},
      {"ZREM", "db0:bigzset", "m1", "m2"},
      {"SREM", "db0:bigintset", "0", "7", "14"},
      {"PEXPIRE", "db0:raw", "7200000"},
      {"PERSIST", "db0:ttl"},
      {"COPY", "db0:hash", "hashcopy", "DB", "8"},
  };
}

// Writes after the rewrite (they land in the new INCR file), again across
// databases, with a transaction that switches databases inside.
std::vector<Command> WritesAfterRewrite() {
  return {
      {"SELECT", "3"},
      {"SET", "after3", "v", "EX", "3000"},
      {"RPUSH", "l3", "a"},
      {"SELECT", "0"},
      {"INCRBY", "c0", "5"},
      {"DEL", "db0:short"},
      {"SELECT", "1"},
      {"HSET", "db1:hash", "new", "val"},
      {"ZADD", "db1:zset", "9", "newm"},
      {"EXPIRE", "db1:int", "9000"},
      {"SELECT", "5"},
      {"INCR", "c5"},
      {"LPUSH", "l5", "z"},
      {"SELECT", "9"},
      {"SET", "nine", "9"},
      {"PEXPIREAT", "nine", std::to_string(UnixMillis() + 2 * kHourMs)},
      {"SELECT", "2"},
      {"RENAME", "db2:list", "db2:list2"},
      {"UNLINK", "db2:strset"},
      {"MULTI"},
      {"SELECT", "4"},
      {"SET", "in4", "x"},
      {"SELECT", "13"},
      {"SET", "in13", "y"},
      {"EXEC"},
  };
}

// A key that expires while the servers run: the read that finds it expired
// deletes it, and that DEL is what the AOF holds.
void LazyExpiry(const std::vector<RespClient*>& clients) {
  RunOnAll(clients, {{"SELECT", "6"}, {"SET", "soon", "v", "PX", "50"}, {"SET", "stays", "v"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  RunOnAll(clients, {{"GET", "soon"}, {"SELECT", "0"}});
}

// One way of writing the AOF: the preamble setting, how many rewrites in
// the middle of the writes, how the writer stops, and extra options for the
// writing server (e.g. aof-timestamp-enabled).
struct Variant {
  bool preamble = true;
  int rewrites = 1;
  bool by_sigterm = false;
  std::vector<std::string> writer_args;
  // What the written directory must then show (so the variant is real).
  bool expect_timestamps = false;  // "#TS:" annotations in the files
  bool expect_history = false;     // "type h" lines in the manifest
};

// Checks the written directory for the variant's marks.
void CheckVariantMarks(const Variant& v, const std::string& dir) {
  std::string all;
  for (const auto& [name, bytes] : DirFiles(dir + "/appendonlydir")) all += bytes;
  CHECK((all.find("#TS:") != std::string::npos) == v.expect_timestamps);
  const std::string manifest = ReadFile(ManifestPath(dir));
  CHECK((manifest.find(" type h") != std::string::npos) == v.expect_history);
}

// The whole write sequence, with the variant's rewrites in the middle.
void WriteEverything(const std::vector<RespClient*>& clients, int rewrites) {
  RunOnAll(clients, Dataset(/*compressible=*/false, /*with_megabyte=*/true));
  RunOnAll(clients, WritesBeforeRewrite());
  LazyExpiry(clients);
  for (int i = 0; i < rewrites; ++i) {
    for (RespClient* c : clients) RewriteAndWait(*c);
  }
  RunOnAll(clients, WritesAfterRewrite());
}

// A key whose deadline passes while the writer is down: the loader
// restores it with its TTL (nothing expires while loading) and the first
// read deletes it.
constexpr char kExpiresWhileDown[] = "expires-while-down";

void SetKeyThatExpiresWhileDown(const std::vector<RespClient*>& clients) {
  RunOnAll(clients, {{"SELECT", "8"}, {"SET", kExpiresWhileDown, "v", "PX", "300"}});
}

void WaitUntilExpired() { std::this_thread::sleep_for(std::chrono::milliseconds(400)); }

void CheckExpiredOnBoth(RespClient& a, RespClient& b) {
  for (RespClient* c : {&a, &b}) {
    REQUIRE(Call(*c, {"SELECT", "8"}).str == "OK");
    CHECK(Call(*c, {"GET", kExpiresWhileDown}).is_null);
  }
}

// More than the dataset: the extra writes added keys in other databases.
void CheckSameKeyspace(RespClient& expected, RespClient& actual) {
  int64_t keys = CompareKeyspaces(ClientCaller(expected), ClientCaller(actual), kPttlToleranceMs);
  CHECK(keys > DatasetKeys(false, true));
}

void CheckRedisAccepts(const std::string& dir) {
  RunResult check = RedisCheckAof(ManifestPath(dir));
  CAPTURE(check.output);
  CHECK(check.exit_code == 0);
  CHECK(check.output.find("All AOF files and manifest are valid") != std::string::npos);
}

void CheckLoadedCleanly(const ServerProcess& s) {
  std::string log = s.Log();
  CAPTURE(log);
  CHECK(log.find("DB loaded from append only file") != std::string::npos);
  CHECK(log.find("Truncating") == std::string::npos);
  CHECK(log.find("short read") == std::string::npos);
}

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& [name, bytes] : DirFiles(dir)) names.push_back(name);
  return names;
}

// The same file names and manifest in two data directories.
void CheckSameFiles(const std::string& a, const std::string& b) {
  CHECK(Names(a + "/appendonlydir") == Names(b + "/appendonlydir"));
  CHECK(ReadFile(ManifestPath(a)) == ReadFile(ManifestPath(b)));
}

void PlabWritesRedisLoads(const Variant& v) {
  DumpDir plab_dir, ref_dir;
  auto plab = StartAof(ServerProcess::Kind::kPlab, plab_dir.dir, v.preamble, v.writer_args);
  auto ref = StartAof(ServerProcess::Kind::kRedis, ref_dir.dir, v.preamble, v.writer_args);
  RespClient pc, rc;
  Connect(pc, *plab);
  Connect(rc, *ref);
  WriteEverything({&rc, &pc}, v.rewrites);
  CheckSameKeyspace(rc, pc);  // live: the commands themselves agree
  SetKeyThatExpiresWhileDown({&rc, &pc});
  if (v.by_sigterm) {
    plab->Stop();
  } else {
    ShutdownServer(pc, *plab);
  }
  // Same config, same commands, same rewrites: the same file names.
  CheckSameFiles(plab_dir.dir, ref_dir.dir);
  CheckVariantMarks(v, plab_dir.dir);
  CheckRedisAccepts(plab_dir.dir);
  WaitUntilExpired();

  DumpDir copy;
  CopyTree(plab_dir.dir, copy.dir);
  auto loaded = StartAof(ServerProcess::Kind::kRedis, copy.dir, v.preamble);
  RespClient lc;
  Connect(lc, *loaded);
  CheckExpiredOnBoth(rc, lc);
  CheckSameKeyspace(rc, lc);
  CheckLoadedCleanly(*loaded);

  // And plab serve itself restarts on its own files.
  auto again = StartAof(ServerProcess::Kind::kPlab, plab_dir.dir, v.preamble);
  RespClient ac;
  Connect(ac, *again);
  CheckExpiredOnBoth(rc, ac);
  CheckSameKeyspace(rc, ac);
}

// The kinds of the files a recovery report lists, in load order.
std::vector<std::string> ReportKinds(const ServerProcess& s, std::string* source) {
  std::string json = RecoveryReportJson(s.Log());
  REQUIRE_MESSAGE(!json.empty(), s.Log());
  nlohmann::json doc = nlohmann::json::parse(json);
  *source = doc["source"].get<std::string>();
  std::vector<std::string> kinds;
  for (const auto& f : doc["files"]) kinds.push_back(f["kind"].get<std::string>());
  return kinds;
}

// plab serve appends to the INCR file it loaded; Redis loads the result.
void AppendThenRedisLoads(RespClient& expected, RespClient& pc, ServerProcess& plab,
                          const std::string& dir, bool preamble) {
  RunOnAll({&expected, &pc}, {{"SELECT", "14"},
                              {"SET", "appended", "by plab", "EX", "5000"},
                              {"SELECT", "0"},
                              {"INCR", "c0"},
                              {"HSET", "db0:hash", "z", "2"}});
  ShutdownServer(pc, plab);
  CheckRedisAccepts(dir);
  DumpDir copy;
  CopyTree(dir, copy.dir);
  auto loaded = StartAof(ServerProcess::Kind::kRedis, copy.dir, preamble);
  RespClient lc;
  Connect(lc, *loaded);
  CheckSameKeyspace(expected, lc);
}

void RedisWritesPlabLoads(const Variant& v) {
  DumpDir redis_dir;
  {
    auto redis = StartAof(ServerProcess::Kind::kRedis, redis_dir.dir, v.preamble, v.writer_args);
    RespClient rc;
    Connect(rc, *redis);
    WriteEverything({&rc}, v.rewrites);
    SetKeyThatExpiresWhileDown({&rc});
    ShutdownServer(rc, *redis);
  }
  WaitUntilExpired();
  CheckVariantMarks(v, redis_dir.dir);
  DumpDir for_plab, for_redis;
  CopyTree(redis_dir.dir, for_plab.dir);
  CopyTree(redis_dir.dir, for_redis.dir);
  const std::string manifest = ReadFile(ManifestPath(for_plab.dir));
  auto plab = StartAof(ServerProcess::Kind::kPlab, for_plab.dir, v.preamble);
  auto redis = StartAof(ServerProcess::Kind::kRedis, for_redis.dir, v.preamble);
  RespClient pc, rc;
  Connect(pc, *plab);
  Connect(rc, *redis);
  CheckExpiredOnBoth(rc, pc);
  CheckSameKeyspace(rc, pc);
  CheckLoadedCleanly(*plab);
  std::string source;
  std::vector<std::string> kinds = ReportKinds(*plab, &source);
  CHECK(source == "aof");
  const std::vector<std::string> want = {v.preamble ? "base-rdb" : "base-aof", "incr"};
  CHECK(kinds == want);
  // What each startup did to the directory (history files deleted, the
  // manifest persisted) is the same.
  CheckSameFiles(for_plab.dir, for_redis.dir);
  if (manifest.find(" type h") == std::string::npos) {
    CHECK(ReadFile(ManifestPath(for_plab.dir)) == manifest);
  }
  AppendThenRedisLoads(rc, pc, *plab, for_plab.dir, v.preamble);
}

// --- Legacy single-file AOF (Redis <= 6) ---

std::string Encode(const std::vector<Command>& cmds) {
  std::string out;
  for (const Command& c : cmds) out += EncodeCommand(c);
  return out;
}

// A RESP tail as Redis 6 would have appended it: database switches, TTLs
// as absolute deadlines, a transaction.
std::string LegacyTail() {
  const std::string deadline = std::to_string(UnixMillis() + 3 * kHourMs);
  return Encode({{"SELECT", "1"},
                 {"SET", "tail1", "v"},
                 {"RPUSH", "db1:list", "tail"},
                 {"SELECT", "0"},
                 {"DEL", "db0:int"},
                 {"PEXPIREAT", "db0:raw", deadline},
                 {"MULTI"},
                 {"INCR", "tailctr"},
                 {"SADD", "tailset", "a", "b"},
                 {"EXEC"},
                 {"SELECT", "7"},
                 {"SET", "tail7", "x"}});
}

// dump.rdb as Redis 7.0 SAVEs the (compressible) dataset.
std::string RedisDump() {
  auto redis = StartServer(ServerProcess::Kind::kRedis);
  RespClient rc;
  Connect(rc, *redis);
  RunOnAll({&rc}, Dataset(/*compressible=*/true, /*with_megabyte=*/false));
  REQUIRE(Call(rc, {"SAVE"}).str == "OK");
  return ReadFile(redis->dir() + "/dump.rdb");
}

// plab serve and redis-server 7.0 each upgrade their own copy of a data
// directory holding only `legacy` as appendonly.aof; then plab's upgraded
// directory (plus writes) loads in Redis.
void UpgradeLegacy(const std::string& legacy, int64_t min_keys) {
  DumpDir src, plab_dir, redis_dir;
  WriteFile(src.dir + "/appendonly.aof", legacy);
  CopyTree(src.dir, plab_dir.dir);
  CopyTree(src.dir, redis_dir.dir);
  auto plab = StartAof(ServerProcess::Kind::kPlab, plab_dir.dir, true);
  auto redis = StartAof(ServerProcess::Kind::kRedis, redis_dir.dir, true);
  RespClient pc, rc;
  Connect(pc, *plab);
  Connect(rc, *redis);
  CHECK(CompareKeyspaces(ClientCaller(rc), ClientCaller(pc), kPttlToleranceMs) >= min_keys);

  CHECK_FALSE(fs::exists(plab_dir.dir + "/appendonly.aof"));
  CHECK(ReadFile(plab_dir.dir + "/appendonlydir/appendonly.aof") == legacy);
  CHECK(Names(plab_dir.dir + "/appendonlydir") == Names(redis_dir.dir + "/appendonlydir"));
  CHECK(ReadFile(ManifestPath(plab_dir.dir)) == ReadFile(ManifestPath(redis_dir.dir)));
  std::string log = plab->Log();
  CAPTURE(log);
  CHECK(log.find("Successfully migrated an old-style AOF file") != std::string::npos);
  std::string source;
  // The INCR file is created after loading: only the old file was loaded.
  CHECK(ReportKinds(*plab, &source) == std::vector<std::string>{"legacy-aof"});
  CHECK(source == "aof");

  AppendThenRedisLoads(rc, pc, *plab, plab_dir.dir, true);
}

}  // namespace

TEST_SUITE("aof interop") {
  TEST_CASE("Redis 7.0 loads the appendonlydir plab serve wrote and holds the same keyspace") {
    Variant v;
    SUBCASE("RDB preamble, after BGREWRITEAOF") {}
    SUBCASE("command BASE, after BGREWRITEAOF") { v.preamble = false; }
    SUBCASE("never rewritten, preamble on") { v.rewrites = 0; }
    SUBCASE("never rewritten, preamble off, SIGTERM") {
      v.preamble = false;
      v.rewrites = 0;
      v.by_sigterm = true;
    }
    SUBCASE("two rewrites, command BASE with #TS annotations") {
      // The rewrite starts the BASE with one; the INCR gets one per new
      // second (none if the rewrite ended in the same second).
      v.preamble = false;
      v.rewrites = 2;
      v.writer_args = {"--aof-timestamp-enabled", "yes"};
      v.expect_timestamps = true;
    }
    PlabWritesRedisLoads(v);
  }

  TEST_CASE("plab serve loads the appendonlydir Redis 7.0 wrote and holds the same keyspace") {
    Variant v;
    SUBCASE("RDB preamble, after BGREWRITEAOF") {}
    SUBCASE("command BASE, after BGREWRITEAOF") { v.preamble = false; }
    SUBCASE("never rewritten, preamble on") { v.rewrites = 0; }
    SUBCASE("never rewritten, preamble off") {
      v.preamble = false;
      v.rewrites = 0;
    }
    SUBCASE("#TS annotations, command BASE") {
      v.preamble = false;
      v.writer_args = {"--aof-timestamp-enabled", "yes"};
      v.expect_timestamps = true;
    }
    SUBCASE("history files kept by aof-disable-auto-gc") {
      v.rewrites = 2;
      v.writer_args = {"--aof-disable-auto-gc", "yes"};
      v.expect_history = true;
    }
    RedisWritesPlabLoads(v);
  }

  TEST_CASE("plab serve upgrades a legacy appendonly.aof like Redis 7.0 and Redis loads it") {
    SUBCASE("a Redis dump.rdb followed by a RESP tail") {
      UpgradeLegacy(RedisDump() + LegacyTail(), DatasetKeys(true, false));
    }
    SUBCASE("plain RESP commands") {
      UpgradeLegacy(Encode(Dataset(/*compressible=*/false, /*with_megabyte=*/false)) + LegacyTail(),
                    DatasetKeys(false, false));
    }
  }
}

}  // namespace plab::it
