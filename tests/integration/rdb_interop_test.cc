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
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/persist/rdb_writer.h"
#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"
#include "tests/unit/test_util.h"

namespace plab::it {
namespace {

using Command = std::vector<std::string>;
constexpr int kDbs = 3;
constexpr int64_t kHourMs = 3600 * 1000;

// Random bytes (all 256 values): binary-safe and incompressible by LZF.
std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

// The same commands for db 0..2 with per-db key prefixes, so each database
// has every type. `compressible` swaps random payloads for repetitive ones.
void AddDb(std::mt19937_64& rng, bool compressible, int db, std::vector<Command>* out) {
  std::string p = "db" + std::to_string(db) + ":";
  auto payload = [&](size_t n) {
    return compressible ? std::string(n, static_cast<char>('a' + db)) : RandomBytes(rng, n);
  };
  out->push_back({"SELECT", std::to_string(db)});
  out->push_back({"SET", p + "int", "12345"});
  out->push_back({"SET", p + "neg", "-129"});
  out->push_back({"SET", p + "bigint", "12345678901"});
  out->push_back({"SET", p + "short", payload(15)});
  out->push_back({"SET", p + "raw", payload(200)});
  out->push_back({"SET", p + std::string("bin\0\xff\r\n", 7), payload(30)});
  out->push_back({"SET", p + "ttl", "v", "PX", std::to_string(kHourMs)});
  Command small_list = {"RPUSH", p + "list", "a", "1", "-7", payload(20)};
  out->push_back(small_list);
  Command big_list = {"RPUSH", p + "biglist"};
  for (int i = 0; i < 3000; ++i) big_list.push_back(payload(5 + rng() % 20));
  big_list.push_back(payload(10000));  // larger than a node: a node of its own
  out->push_back(big_list);
  out->push_back({"HSET", p + "hash", "z", "1", "a", payload(10), "m", "3"});
  Command big_hash = {"HSET", p + "bighash"};
  for (int i = 0; i < 600; ++i) {
    big_hash.push_back("f" + std::to_string(i));
    big_hash.push_back(payload(8));
  }
  out->push_back(big_hash);
  out->push_back({"HSET", p + "longhash", "f", payload(100)});
  out->push_back({"SADD", p + "intset", "5", "-3", "100000", "2", "-2147483649"});
  Command big_set = {"SADD", p + "bigintset"};
  for (int i = 0; i < 600; ++i) big_set.push_back(std::to_string(i * 7));
  out->push_back(big_set);
  out->push_back({"SADD", p + "strset", "x", payload(12), "3"});
  out->push_back({"ZADD", p + "zset", "1.5", "a", "3", "b", "-0", "c", "inf", "d", "0.1", "e",
                  "-inf", "f", "1e300", "g"});
  Command big_zset = {"ZADD", p + "bigzset"};
  for (int i = 0; i < 200; ++i) {
    big_zset.push_back(std::to_string(i * 0.25));
    big_zset.push_back("m" + std::to_string(i));
  }
  out->push_back(big_zset);
  out->push_back({"ZADD", p + "longzset", "2", payload(80)});
  for (const char* k : {"list", "hash", "intset", "zset", "bigzset"}) {
    out->push_back({"PEXPIRE", p + k, std::to_string(kHourMs + db)});
  }
}

std::vector<Command> Dataset(bool compressible, bool with_megabyte) {
  std::mt19937_64 rng(compressible ? 7 : 8);
  std::vector<Command> cmds;
  for (int db = 0; db < kDbs; ++db) AddDb(rng, compressible, db, &cmds);
  if (with_megabyte) {
    std::string mb = compressible ? std::string(1 << 20, 'M') : RandomBytes(rng, 1 << 20);
    cmds.push_back({"SET", "megabyte", std::move(mb)});
  }
  if (compressible) {
    std::string text;
    for (int i = 0; i < 300; ++i) text += "compress me " + std::to_string(i % 7) + "; ";
    cmds.push_back({"SET", "text", text});
  }
  return cmds;
}

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

// A fresh directory holding `bytes` as dump.rdb; removed on destruction.
struct DumpDir {
  explicit DumpDir(const std::string& bytes) {
    char tmpl[] = "/tmp/plab-rdb-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    std::ofstream(dir + "/dump.rdb", std::ios::binary) << bytes;
  }
  ~DumpDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string file() const { return dir + "/dump.rdb"; }
  std::string dir;
};

// redis-check-rdb's verdict and output.
bool CheckRdb(const std::string& path, std::string* output) {
  std::string cmd = FindProgram("redis-check-rdb") + " '" + path + "' 2>&1";
  FILE* f = ::popen(cmd.c_str(), "r");
  if (f == nullptr) return false;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) output->append(buf, n);
  int status = ::pclose(f);
  return status == 0 && output->find("RDB looks OK") != std::string::npos;
}

Reply Call(RespClient& c, const Command& argv) {
  std::optional<Reply> r = c.Call(argv);
  REQUIRE_MESSAGE(r.has_value(), c.error());
  return *r;
}

Reply Ours(Subject& s, const Command& argv) {
  std::string raw = s.t.Run(argv);
  Reply r;
  REQUIRE(ParseReply(raw, &r) == static_cast<int64_t>(raw.size()));
  return r;
}

// An unordered reply's elements (pairs kept together), sorted.
std::vector<std::string> Sorted(const Reply& r, bool pairs) {
  std::vector<std::string> out;
  for (size_t i = 0; i < r.elems.size(); i += pairs ? 2 : 1) {
    out.push_back(r.elems[i].raw + (pairs ? r.elems[i + 1].raw : ""));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Compares one key in the loaded Redis with our engine's view of it.
void CompareKey(Subject& s, RespClient& redis, const std::string& key) {
  CAPTURE(key);
  std::string type = Ours(s, {"TYPE", key}).str;
  CHECK(Call(redis, {"TYPE", key}).str == type);
  std::string enc = Ours(s, {"OBJECT", "ENCODING", key}).str;
  CHECK(Call(redis, {"OBJECT", "ENCODING", key}).str == enc);
  bool unordered = enc == "hashtable";
  Command read;
  if (type == "string") read = {"GET", key};
  if (type == "list") read = {"LRANGE", key, "0", "-1"};
  if (type == "hash") read = {"HGETALL", key};
  if (type == "set") read = {"SMEMBERS", key};
  if (type == "zset") read = {"ZRANGE", key, "0", "-1", "WITHSCORES"};
  REQUIRE(!read.empty());
  Reply ours = Ours(s, read);
  Reply theirs = Call(redis, read);
  if (unordered) {
    CHECK(Sorted(theirs, type == "hash") == Sorted(ours, type == "hash"));
  } else {
    CHECK(theirs.raw == ours.raw);
  }
  bool expiring = Ours(s, {"PTTL", key}).integer > 0;
  int64_t pttl = Call(redis, {"PTTL", key}).integer;
  CHECK((expiring ? pttl > 0 : pttl == -1));
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

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
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
  const Keyspace& ks = s.t.engine.server().keyspace();
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    CAPTURE(db);
    Call(c, {"SELECT", std::to_string(db)});
    s.t.Run({"SELECT", std::to_string(db)});
    CHECK(Call(c, {"DBSIZE"}).integer == static_cast<int64_t>(ks.Size(db)));
    std::vector<std::string> keys;
    ks.keys(db).ForEach([&](const std::string& k, const Value&) { keys.push_back(k); });
    for (const std::string& k : keys) CompareKey(s, c, k);
  }
  s.t.Run("SELECT 0");
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
