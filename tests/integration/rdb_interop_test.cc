// RDB interop: dumps written by core/persist/rdb_writer.h must be what Redis
// 7.0 itself would accept and load. A dataset covering every type in its
// small and large encodings, TTLs, three databases, binary keys, a 1 MB
// value and compressible strings is built in an in-process engine and
// serialized; then
//   (a) redis-check-rdb says the file is OK,
//   (b) a private redis-server started on the file holds the same keys
//       (TYPE, contents, TTL, OBJECT ENCODING), and DUMP of each key whose
//       encoding is deterministic has exactly our value bytes,
//   (c) the same dataset SAVEd by Redis is within 5% of our file's size
//       (asserted for data LZF cannot shrink, since our LZF compressor
//       differs from liblzf; printed otherwise).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/persist/rdb_writer.h"
#include "tests/integration/rdb_dataset.h"
#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"
#include "tests/unit/test_util.h"

namespace plab::it {
namespace {

// The engine's clock stands still after Subject() while Redis's TTLs keep
// counting down, so PTTLs may differ by the test's running time.
constexpr int64_t kPttlToleranceMs = 60 * 1000;

// An engine whose clock reads the real time, so TTLs are still in the
// future when Redis loads the dump.
struct Subject {
  Subject() {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    t.clock.SetMicros(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
  }
  testing::TestEngine t;
};

void RunAll(Subject& s, const std::vector<Command>& cmds) {
  for (const Command& c : cmds) {
    std::string reply = s.t.Run(c);
    REQUIRE_MESSAGE(reply[0] != '-', c[0] << ": " << reply);
  }
  s.t.Run("SELECT 0");
}

std::string Serialize(Subject& s, bool compression) {
  rdb::RdbWriteOptions o;
  o.compression = compression;
  o.ctime_s = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  o.used_mem = 1 << 20;
  Result<std::string> file = rdb::SerializeKeyspace(s.t.engine.server().keyspace(), o);
  REQUIRE(file.ok());
  return *file;
}

Reply Ours(Subject& s, const Command& argv) {
  std::string raw = s.t.Run(argv);
  Reply r;
  REQUIRE(ParseReply(raw, &r) == static_cast<int64_t>(raw.size()));
  return r;
}

// DUMP's payload is the type byte and the value exactly as in an RDB file,
// then a 2-byte version and an 8-byte CRC. `redis` must have built the key
// with the same commands (a loaded listpack or intset is kept verbatim, so
// comparing against a server that loaded our dump would prove nothing).
// Hashtable encodings iterate in table order, which differs between
// implementations; lists match because RPUSH splits quicklist nodes the
// same way in both.
void CompareDump(Subject& s, RespClient& redis, int db, const std::string& key) {
  CAPTURE(key);
  const Keyspace& ks = s.t.engine.server().keyspace();
  const Value* v = ks.keys(db).Find(key);
  REQUIRE(v != nullptr);
  if (v->EncodingName() == "hashtable") return;
  std::string sink;
  rdb::RdbWriteOptions o;
  o.compression = false;
  rdb::RdbWriter w(&sink, o);
  REQUIRE(w.WriteKey("k", *v, Keyspace::kNoExpire).ok());
  std::string ours = sink.substr(0, 1) + sink.substr(3);  // drop the key "k"
  Reply dump = Call(redis, {"DUMP", key});
  REQUIRE(dump.str.size() > 10);
  CHECK(dump.str.substr(0, dump.str.size() - 10) == ours);
}

void CheckLoadedEqual(Subject& s, const std::string& file) {
  DumpDir d(file);
  std::string output;
  CHECK_MESSAGE(CheckRdb(d.file(), &output), output);
  std::string error;
  auto redis = ServerProcess::Start(ServerProcess::Kind::kRedis, &error,
                                    {"--dir", d.dir, "--dbfilename", "dump.rdb"});
  REQUIRE_MESSAGE(redis != nullptr, error);
  RespClient c;
  REQUIRE_MESSAGE(c.Connect(redis->port()), c.error());
  Caller ours = [&s](const Command& argv) { return Ours(s, argv); };
  CompareKeyspaces(ours, ClientCaller(c), kPttlToleranceMs);
}

// Runs the dataset through a fresh Redis, compares DUMP of every key with
// our encoding (uncompressed), then SAVEs and returns the dump's size.
size_t RedisBuiltDumpSize(Subject& s, const std::vector<Command>& cmds, bool compression) {
  std::string error;
  auto redis = ServerProcess::Start(ServerProcess::Kind::kRedis, &error);
  REQUIRE_MESSAGE(redis != nullptr, error);
  RespClient c;
  REQUIRE_MESSAGE(c.Connect(redis->port()), c.error());
  for (const Command& cmd : cmds) REQUIRE(!Call(c, cmd).is_error());
  Call(c, {"CONFIG", "SET", "rdbcompression", "no"});
  const Keyspace& ks = s.t.engine.server().keyspace();
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    Call(c, {"SELECT", std::to_string(db)});
    ks.keys(db).ForEach([&](const std::string& k, const Value&) { CompareDump(s, c, db, k); });
  }
  Call(c, {"CONFIG", "SET", "rdbcompression", compression ? "yes" : "no"});
  REQUIRE(Call(c, {"SAVE"}).str == "OK");
  return ReadFile(redis->dir() + "/dump.rdb").size();
}

void CompareSizes(Subject& s, const std::vector<Command>& cmds, const std::string& ours,
                  bool compression, bool assert_close) {
  size_t theirs = RedisBuiltDumpSize(s, cmds, compression);
  std::string config = compression ? "rdbcompression yes" : "rdbcompression no";
  MESSAGE("dump size (" << config << "): plab " << ours.size() << " bytes, redis " << theirs
                        << " bytes");
  if (!assert_close) return;
  double ratio = static_cast<double>(ours.size()) / static_cast<double>(theirs);
  CHECK(ratio >= 0.95);
  CHECK(ratio <= 1.05);
}

}  // namespace

TEST_SUITE("rdb interop") {
  TEST_CASE("an incompressible dataset loads into Redis 7.0 and matches its own dump's size") {
    std::vector<Command> cmds = Dataset(/*compressible=*/false, /*with_megabyte=*/true);
    Subject s;
    RunAll(s, cmds);
    std::string file = Serialize(s, /*compression=*/true);
    CheckLoadedEqual(s, file);
    CompareSizes(s, cmds, file, /*compression=*/true, /*assert_close=*/true);
  }

  TEST_CASE("a compressible dataset loads into Redis 7.0 with and without rdbcompression") {
    std::vector<Command> cmds = Dataset(/*compressible=*/true, /*with_megabyte=*/true);
    Subject s;
    RunAll(s, cmds);
    std::string compressed = Serialize(s, /*compression=*/true);
    std::string plain = Serialize(s, /*compression=*/false);
    CHECK(compressed.size() < plain.size() / 10);
    CheckLoadedEqual(s, compressed);
    CheckLoadedEqual(s, plain);
    CompareSizes(s, cmds, compressed, /*compression=*/true, /*assert_close=*/false);
    CompareSizes(s, cmds, plain, /*compression=*/false, /*assert_close=*/true);
  }
}
}  // namespace plab::it
