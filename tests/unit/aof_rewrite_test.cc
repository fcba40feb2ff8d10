// The command form of an AOF rewrite's BASE file (aof_rewrite.h), checked
// against bytes redis-server 7.0.15 wrote for the same values, and the
// fork-less snapshot producing it (RdbSnapshot with SnapshotFormat::kAof)
// under concurrent writes: replayed into a fresh engine, the file must give
// back the dataset of the moment the snapshot started.
#include "core/persist/aof_rewrite.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/persist/aof_reader.h"
#include "core/persist/rdb_loader.h"
#include "core/persist/rdb_snapshot.h"
#include "tests/unit/persist_test_util.h"
#include "tests/unit/snapshot_workload.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using testing::BuildKeyspace;
using testing::DescribeKeyspace;
using testing::Lab;
using testing::ProduceAll;
using testing::RandomCommand;
using Commands = std::vector<std::vector<std::string>>;

// The commands of an AOF text, annotations dropped; a framing problem fails
// the test.
Commands ParseAof(std::string_view aof) {
  Commands out;
  AofReader reader(aof);
  std::vector<std::string> argv;
  for (;;) {
    Result<AofReader::Item> item = reader.Next(&argv);
    REQUIRE(item.ok());
    REQUIRE(item->kind != AofReader::Kind::kTruncated);
    if (item->kind == AofReader::Kind::kEnd) return out;
    if (item->kind == AofReader::Kind::kCommand) out.push_back(argv);
  }
}

// What replaying `aof` into a fresh engine whose clock reads `now_ms` gives,
// described like testing::DescribeKeyspace; "ERROR: ..." when a command is
// refused.
std::string DescribeAof(std::string_view aof, int64_t now_ms,
                        Config config = testing::NoSavePoints()) {
  ManualClock clock(now_ms * 1000);
  Engine engine(clock, std::move(config));
  for (std::vector<std::string>& argv : ParseAof(aof)) {
    const std::string reply = engine.Execute(argv);
    if (!reply.empty() && reply[0] == '-') return "ERROR: " + argv[0] + ": " + reply;
  }
  return DescribeKeyspace(engine.server().keyspace());
}

// The rewrite of the single key `key` of db 0 of `t`'s engine.
std::string RewriteOf(testing::TestEngine& t, std::string_view key) {
  Keyspace& ks = t.engine.server().keyspace();
  const Value* v = ks.keys(0).Find(key);
  REQUIRE(v != nullptr);
  std::string out;
  AppendAofRewriteKey(key, *v, ks.GetExpire(0, key), &out);
  return out;
}

std::string Cmd(const std::vector<std::string>& argv) { return EncodeAofCommand(argv); }

// The elements after the command name and key, sorted: for values whose
// element order is our table's, not Redis's.
std::vector<std::string> SortedArgs(const std::vector<std::string>& argv) {
  std::vector<std::string> rest(argv.begin() + 2, argv.end());
  std::sort(rest.begin(), rest.end());
  return rest;
}

}  // namespace

TEST_SUITE("aof rewrite") {
  TEST_CASE("a string is one SET and its TTL a PEXPIREAT after it, as Redis writes them") {
    testing::TestEngine t;
    t.Run("SET s hello");
    t.Run("PEXPIREAT s 1900000000123");
    t.Run("SET n 123");
    // Bytes from a redis-server 7.0.15 base.aof holding the same keys.
    CHECK(RewriteOf(t, "s") ==
          "*3\r\n$3\r\nSET\r\n$1\r\ns\r\n$5\r\nhello\r\n"
          "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\ns\r\n$13\r\n1900000000123\r\n");
    CHECK(RewriteOf(t, "n") == "*3\r\n$3\r\nSET\r\n$1\r\nn\r\n$3\r\n123\r\n");
    t.Run("SET e \"\"");
    CHECK(RewriteOf(t, "e") == "*3\r\n$3\r\nSET\r\n$1\r\ne\r\n$0\r\n\r\n");
  }

  TEST_CASE("a list is RPUSHed from head to tail, integers as their text") {
    testing::TestEngine t;
    t.Run("RPUSH l a 1 -5 bb");
    t.Run("LPUSH l first");
    CHECK(RewriteOf(t, "l") == Cmd({"RPUSH", "l", "first", "a", "1", "-5", "bb"}));
    CHECK(RewriteOf(t, "l").substr(0, 4) == "*7\r\n");
  }

  TEST_CASE("an intset goes in ascending order, the order of Redis's array") {
    testing::TestEngine t;
    t.Run("SADD si 5 -3 100 1");
    // As redis-server 7.0.15 wrote it.
    CHECK(RewriteOf(t, "si") ==
          "*6\r\n$4\r\nSADD\r\n$2\r\nsi\r\n$2\r\n-3\r\n$1\r\n1\r\n$1\r\n5\r\n$3\r\n100\r\n");
  }

  TEST_CASE("a hashtable set lists every member once") {
    testing::TestEngine t;
    t.Run("SADD st x y 7");
    Commands cmds = ParseAof(RewriteOf(t, "st"));
    REQUIRE(cmds.size() == 1);
    CHECK(cmds[0][0] == "SADD");
    CHECK(cmds[0][1] == "st");
    CHECK(SortedArgs(cmds[0]) == std::vector<std::string>{"7", "x", "y"});
  }

  TEST_CASE("a listpack hash is one HMSET in insertion order") {
    testing::TestEngine t;
    t.Run("HSET h f2 22 f1 v1");
    t.Run("HSET h f0 x");
    CHECK(RewriteOf(t, "h") == Cmd({"HMSET", "h", "f2", "22", "f1", "v1", "f0", "x"}));
  }

  TEST_CASE("a hashtable hash keeps each field next to its value") {
    testing::TestEngine t;
    t.Run("CONFIG SET hash-max-listpack-entries 1");
    t.Run("HSET h a 1 b 2 c 3");
    REQUIRE(t.Run("OBJECT ENCODING h") == testing::Bulk("hashtable"));
    Commands cmds = ParseAof(RewriteOf(t, "h"));
    REQUIRE(cmds.size() == 1);
    REQUIRE(cmds[0].size() == 8);
    CHECK(cmds[0][0] == "HMSET");
    std::vector<std::string> pairs;
    for (size_t i = 2; i < 8; i += 2) pairs.push_back(cmds[0][i] + "=" + cmds[0][i + 1]);
    std::sort(pairs.begin(), pairs.end());
    CHECK(pairs == std::vector<std::string>{"a=1", "b=2", "c=3"});
  }

  TEST_CASE("ZADD scores are printed with %.17g, and a listpack zset turns -0 into 0") {
    testing::TestEngine t;
    t.Run("ZADD zl 1 a 2.5 b -0 c inf d 1e20 e 0.1 f");
    // Byte for byte what redis-server 7.0.15 wrote for this ZADD.
    CHECK(RewriteOf(t, "zl") ==
          "*14\r\n$4\r\nZADD\r\n$2\r\nzl\r\n$1\r\n0\r\n$1\r\nc\r\n"
          "$19\r\n0.10000000000000001\r\n$1\r\nf\r\n$1\r\n1\r\n$1\r\na\r\n"
          "$3\r\n2.5\r\n$1\r\nb\r\n$5\r\n1e+20\r\n$1\r\ne\r\n$3\r\ninf\r\n$1\r\nd\r\n");
    t.Run("ZADD zn -inf m -1.5 n");
    CHECK(RewriteOf(t, "zn") == Cmd({"ZADD", "zn", "-inf", "m", "-1.5", "n"}));
  }

  TEST_CASE("a skiplist zset goes in score order and keeps the sign of -0") {
    testing::TestEngine t;
    t.Run("CONFIG SET zset-max-listpack-entries 0");
    t.Run("ZADD zs 0.1 f -0 c");
    REQUIRE(t.Run("OBJECT ENCODING zs") == testing::Bulk("skiplist"));
    // Redis wrote "0.10000000000000001 f -0 c" (its dict's order).
    CHECK(RewriteOf(t, "zs") == Cmd({"ZADD", "zs", "-0", "c", "0.10000000000000001", "f"}));
    CHECK(FormatAofRewriteScore(-0.0, false) == "-0");
    CHECK(FormatAofRewriteScore(-0.0, true) == "0");
    CHECK(FormatAofRewriteScore(4611686018427387904.0, true) == "4.6116860184273879e+18");
  }

  TEST_CASE("collections are cut into commands of at most 64 elements") {
    testing::TestEngine t;
    std::vector<std::string> rpush = {"RPUSH", "l"}, sadd = {"SADD", "s"}, hset = {"HSET", "h"},
                             zadd = {"ZADD", "z"};
    for (int i = 0; i < 130; ++i) rpush.push_back("e" + std::to_string(i));
    for (int i = 0; i < 64; ++i) sadd.push_back(std::to_string(i));
    for (int i = 0; i < 65; ++i) {
      hset.push_back("f" + std::to_string(i));
      hset.push_back(std::to_string(i));
    }
    for (int i = 0; i < 129; ++i) {
      zadd.push_back(std::to_string(i));
      zadd.push_back("m" + std::to_string(i));
    }
    for (auto* argv : {&rpush, &sadd, &hset, &zadd}) t.Run(*argv);

    auto shape = [&](std::string_view key) {
      std::vector<size_t> sizes;
      for (const auto& cmd : ParseAof(RewriteOf(t, key))) {
        CHECK(cmd[1] == key);
        sizes.push_back(cmd.size());
      }
      return sizes;
    };
    CHECK(shape("l") == std::vector<size_t>{66, 66, 4});
    CHECK(shape("s") == std::vector<size_t>{66});  // exactly 64: no empty command after
    CHECK(shape("h") == std::vector<size_t>{130, 4});
    CHECK(shape("z") == std::vector<size_t>{130, 130, 4});

    // The elements run on across commands in order.
    std::vector<std::string> list;
    for (const auto& cmd : ParseAof(RewriteOf(t, "l"))) {
      CHECK(cmd[0] == "RPUSH");
      list.insert(list.end(), cmd.begin() + 2, cmd.end());
    }
    CHECK(list == std::vector<std::string>(rpush.begin() + 2, rpush.end()));
  }

  TEST_CASE("the TTL of a collection follows its last command") {
    testing::TestEngine t;
    std::vector<std::string> rpush = {"RPUSH", "l"};
    for (int i = 0; i < 70; ++i) rpush.push_back(std::to_string(i));
    t.Run(rpush);
    t.Run("PEXPIREAT l 1800000000000");
    Commands cmds = ParseAof(RewriteOf(t, "l"));
    REQUIRE(cmds.size() == 3);
    CHECK(cmds[0].size() == 66);
    CHECK(cmds[1] == std::vector<std::string>{"RPUSH", "l", "64", "65", "66", "67", "68", "69"});
    CHECK(cmds[2] == std::vector<std::string>{"PEXPIREAT", "l", "1800000000000"});
  }

  TEST_CASE("databases are SELECTed in ascending order and empty ones are skipped") {
    testing::TestEngine t;
    t.Run("SELECT 15");
    t.Run("SET c 3");
    t.Run("SELECT 3");
    t.Run("SET b 2");
    t.Run("SELECT 0");
    t.Run("SET a 1");
    const std::string aof = SerializeKeyspaceAof(t.engine.server().keyspace(), {});
    CHECK(aof == "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" + Cmd({"SET", "a", "1"}) +
                     "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n" + Cmd({"SET", "b", "2"}) +
                     "*2\r\n$6\r\nSELECT\r\n$2\r\n15\r\n" + Cmd({"SET", "c", "3"}));
  }

  TEST_CASE("the #TS annotation opens the file only with aof-timestamp-enabled") {
    testing::TestEngine t;
    AofRewriteOptions with_ts;
    with_ts.timestamp_enabled = true;
    with_ts.timestamp_s = 1767225600;
    Keyspace& ks = t.engine.server().keyspace();
    CHECK(SerializeKeyspaceAof(ks, {}) == "");  // an empty dataset: an empty file
    CHECK(SerializeKeyspaceAof(ks, with_ts) == "#TS:1767225600\r\n");
    t.Run("SET a 1");
    CHECK(SerializeKeyspaceAof(ks, with_ts) ==
          "#TS:1767225600\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" + Cmd({"SET", "a", "1"}));
    CHECK(SerializeKeyspaceAof(ks, {}).substr(0, 1) == "*");
  }

  TEST_CASE("replaying a rewrite rebuilds the dataset, encodings and TTLs included") {
    Lab lab;
    std::mt19937_64 rng(3);
    BuildKeyspace(lab, rng);
    const std::string aof = SerializeKeyspaceAof(lab.keyspace(), {});
    CHECK(DescribeAof(aof, lab.Now()) == DescribeKeyspace(lab.keyspace()));
  }
}

TEST_SUITE("aof rewrite snapshot") {
  TEST_CASE(
      "an AOF snapshot produced during a random workload replays to the dataset of its start") {
    for (uint64_t seed = 1; seed <= 6; ++seed) {
      CAPTURE(seed);
      Lab lab;
      std::mt19937_64 rng(seed);
      BuildKeyspace(lab, rng);
      const int64_t start_ms = lab.Now();
      const std::string expected = DescribeAof(SerializeKeyspaceAof(lab.keyspace(), {}), start_ms);
      REQUIRE(expected.find("ERROR") == std::string::npos);

      rdb::RdbSnapshot snap(lab.keyspace(), rdb::SnapshotFormat::kAof, {});
      lab.hook.snapshot = &snap;
      int rounds = 0;
      std::string file = ProduceAll(snap, 1, [&] {
        const int ops = static_cast<int>(rng() % 4);
        for (int i = 0; i < ops; ++i) {
          lab.Run("SELECT " +
                  std::to_string(rng() % 8 == 0 ? 1 : std::vector{0, 2, 5, 15}[rng() % 4]));
          lab.Run(RandomCommand(rng, lab.Now()));
        }
        lab.clock.AdvanceMillis(20);  // short TTLs pass, lazily or in cron
        if (++rounds % 10 == 0) lab.engine.Cron();
      });
      lab.hook.snapshot = nullptr;

      CHECK(rounds > 60);
      CHECK(DescribeAof(file, start_ms) == expected);
      CHECK(snap.keys_processed() == snap.keys_total());
      CHECK(snap.cow_bytes() > 0);
      CHECK(DescribeKeyspace(lab.keyspace()) != expected);  // the workload did change things
    }
  }

  TEST_CASE("a key changed before the walk reaches its database lands after that SELECT") {
    Lab lab;
    lab.Run("SET early old-early");
    lab.Run("SELECT 5");
    lab.Run("RPUSH late a b c");
    lab.Run("PEXPIREAT late 1900000000000");
    const std::string expected = SerializeKeyspaceAof(lab.keyspace(), {});
    rdb::RdbSnapshot snap(lab.keyspace(), rdb::SnapshotFormat::kAof, {});
    lab.hook.snapshot = &snap;
    std::string file;
    while (snap.keys_processed() == 0) REQUIRE(snap.Produce(1, &file).ok());
    lab.Run("DEL late");  // db 5 not started: copied aside
    CHECK(snap.cow_bytes() ==
          static_cast<int64_t>(Cmd({"RPUSH", "late", "a", "b", "c"}).size() +
                               Cmd({"PEXPIREAT", "late", "1900000000000"}).size()));
    lab.Run("SELECT 0");
    lab.Run("SET early new-early");  // already written: costs nothing
    lab.Run("SELECT 7");
    lab.Run("SET created later");  // not in the snapshot
    file += ProduceAll(snap, 1, [] {});
    CHECK(file == expected);
  }

  TEST_CASE("an AOF snapshot is the annotation, then SELECTs and keys, with no trailer") {
    Lab lab;
    AofRewriteOptions ts;
    ts.timestamp_enabled = true;
    ts.timestamp_s = 1767225601;
    {
      rdb::RdbSnapshot empty(lab.keyspace(), rdb::SnapshotFormat::kAof, {}, ts);
      std::string file;
      REQUIRE(empty.Produce(1 << 20, &file).ok());
      CHECK(empty.finished());
      CHECK(file == "#TS:1767225601\r\n");
    }
    lab.Run("SELECT 2");
    lab.Run("HSET h f v");
    rdb::RdbSnapshot snap(lab.keyspace(), rdb::SnapshotFormat::kAof, {}, ts);
    CHECK(snap.format() == rdb::SnapshotFormat::kAof);
    std::string file = ProduceAll(snap, 4, [] {});
    CHECK(file ==
          "#TS:1767225601\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n" + Cmd({"HMSET", "h", "f", "v"}));
  }

  TEST_CASE("CopyAllRemaining in the AOF form lets the keyspace be replaced") {
    for (int processed_before : {0, 20, 150}) {
      CAPTURE(processed_before);
      Lab lab;
      std::mt19937_64 rng(5);
      BuildKeyspace(lab, rng);
      const int64_t start_ms = lab.Now();
      const std::string expected = DescribeKeyspace(lab.keyspace());
      rdb::RdbSnapshot snap(lab.keyspace(), rdb::SnapshotFormat::kAof, {});
      lab.hook.snapshot = &snap;
      std::string file;
      while (snap.keys_processed() <= processed_before) REQUIRE(snap.Produce(64, &file).ok());
      snap.CopyAllRemaining();
      CHECK(snap.keys_processed() == snap.keys_total());
      Keyspace other;
      other.Set(0, "s0", Value::String("replaced"));
      lab.keyspace().SwapData(other);
      lab.Run("SET s1 changed");
      file += ProduceAll(snap, 64, [&] { lab.Run("SET s2 again"); });
      CHECK(DescribeAof(file, start_ms) == expected);
    }
  }

  TEST_CASE("an RDB-preamble base is the RDB snapshot with aof-base set to 1") {
    Lab lab;
    lab.Run("SET a 1");
    lab.Run("SELECT 4");
    lab.Run("ZADD z 1 m");
    const int64_t start_ms = lab.Now();
    rdb::RdbWriteOptions options;
    options.ctime_s = 1767225600;
    options.aof_base = true;
    rdb::RdbSnapshot base(lab.keyspace(), rdb::SnapshotFormat::kRdb, options);
    CHECK(base.format() == rdb::SnapshotFormat::kRdb);
    std::string file = ProduceAll(base, 1, [] {});
    // The AUX field as rdbSaveAuxFieldStrInt stores it: the name, then 1 as
    // an 8-bit integer string.
    CHECK(file.find(std::string("\xfa\x08"
                                "aof-base\xc0\x01",
                                12)) != std::string::npos);
    Keyspace loaded;
    auto result = LoadRdb(file, start_ms, RdbLoadOptions{}, &loaded);
    REQUIRE(result.ok());
    CHECK(result->bytes_read == file.size());
    std::vector<std::string> names;
    for (const auto& [name, value] : result->aux) names.push_back(name);
    CHECK(names ==
          std::vector<std::string>{"redis-ver", "redis-bits", "ctime", "used-mem", "aof-base"});
    CHECK(result->aux.back().second == "1");
    CHECK(DescribeKeyspace(loaded) == testing::DescribeReloaded(lab.keyspace(), start_ms));
  }
}

}  // namespace plab
