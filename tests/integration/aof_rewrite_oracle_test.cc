// The BASE file of an AOF rewrite, compared with the one redis-server 7.0.15
// writes for the same dataset (tests/integration/rdb_dataset.h: every type
// in its small and large encodings, TTLs, three databases, binary keys, a
// 1 MB value).
//
// Our base comes from the fork-less snapshot (RdbSnapshot) over an
// in-process engine that ran the same commands, with every TTL copied from
// Redis (PEXPIRETIME) so the deadlines are the same numbers.
//
//  * aof-use-rdb-preamble no: both files are split into per-key groups of
//    commands (Redis's key order is its hash table's). A group must be
//    byte-identical where the value's element order is fixed (strings,
//    lists, intsets, listpack hashes and zsets); for hashtable sets and
//    hashes and skiplist zsets the commands must have the same names and
//    lengths and carry the same elements. Database order, the SELECTs and
//    the total size must match exactly, and both files must replay to the
//    same dataset.
//  * aof-timestamp-enabled: the only annotation is the opening #TS line.
//  * aof-use-rdb-preamble yes: the base is an RDB whose AUX fields have the
//    same names (and, apart from ctime and used-mem, values) as Redis's, and
//    both load to the same dataset.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/persist/aof_reader.h"
#include "core/persist/aof_rewrite.h"
#include "core/persist/rdb_loader.h"
#include "core/persist/rdb_snapshot.h"
#include "tests/integration/rdb_dataset.h"
#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"
#include "tests/unit/persist_test_util.h"
#include "tests/unit/test_util.h"

namespace plab::it {
namespace {

int64_t UnixNowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Polls INFO persistence until the AOF rewrite has finished (max ~10 s).
void WaitForRewrite(RespClient& c) {
  for (int i = 0; i < 200; ++i) {
    Reply r = Call(c, {"INFO", "persistence"});
    if (r.str.find("aof_rewrite_in_progress:0") != std::string::npos &&
        r.str.find("aof_rewrite_scheduled:0") != std::string::npos) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("BGREWRITEAOF did not finish");
}

// A redis-server holding the dataset, and an in-process engine holding the
// same keys with the same absolute TTLs.
struct Twins {
  explicit Twins(const std::vector<std::string>& redis_args) {
    std::string error;
    redis = ServerProcess::Start(ServerProcess::Kind::kRedis, &error, redis_args);
    REQUIRE_MESSAGE(redis != nullptr, error);
    REQUIRE(client.Connect(redis->port()));
    t.clock.SetMicros(UnixNowMicros());  // TTLs stay in the future for both
    for (const Command& cmd : Dataset(/*compressible=*/false, /*with_megabyte=*/true)) {
      Reply theirs = Call(client, cmd);
      REQUIRE_MESSAGE(!theirs.is_error(), cmd[0] << ": " << theirs.str);
      std::string ours = t.Run(cmd);
      REQUIRE_MESSAGE(ours[0] != '-', cmd[0] << ": " << ours);
    }
    CopyDeadlines();
    Call(client, {"SELECT", "0"});
    t.Run("SELECT 0");
  }

  void CopyDeadlines() {
    for (int db = 0; db < kDatasetDbs; ++db) {
      const std::string n = std::to_string(db);
      Call(client, {"SELECT", n});
      t.Run({"SELECT", n});
      for (const Reply& key : Call(client, {"KEYS", "*"}).elems) {
        Reply at = Call(client, {"PEXPIRETIME", key.str});
        if (at.integer < 0) continue;
        REQUIRE(t.Run({"PEXPIREAT", key.str, std::to_string(at.integer)}) == testing::Int(1));
      }
    }
  }

  // Runs BGREWRITEAOF on Redis and returns its new BASE file's bytes.
  std::string RedisBase() {
    REQUIRE(Call(client, {"BGREWRITEAOF"}).str.find("rewriting started") != std::string::npos);
    WaitForRewrite(client);
    const std::string dir = redis->dir() + "/appendonlydir";
    // The manifest's "type b" line names the current BASE.
    const std::string manifest = ReadFile(dir + "/appendonly.aof.manifest");
    size_t type_b = manifest.find(" type b");
    REQUIRE(type_b != std::string::npos);
    size_t line = manifest.rfind('\n', type_b);
    line = line == std::string::npos ? 0 : line + 1;
    const size_t name = line + std::string("file ").size();
    REQUIRE(manifest.compare(line, 5, "file ") == 0);
    return ReadFile(dir + "/" + manifest.substr(name, manifest.find(' ', name) - name));
  }

  // Our BASE, produced by the snapshot a few hundred bytes at a time.
  std::string OurBase(rdb::SnapshotFormat format, const rdb::RdbWriteOptions& rdb_options,
                      const AofRewriteOptions& aof_options) {
    rdb::RdbSnapshot snap(keyspace(), format, rdb_options, aof_options);
    std::string file;
    while (!snap.finished()) REQUIRE(snap.Produce(512, &file).ok());
    return file;
  }

  Keyspace& keyspace() { return t.engine.server().keyspace(); }
  int64_t now_ms() const { return t.clock.NowMillis(); }

  std::unique_ptr<ServerProcess> redis;
  RespClient client;
  testing::TestEngine t;
};

using DbKey = std::pair<int, std::string>;

// An AOF base split into its parts.
struct ParsedBase {
  std::vector<std::string> annotations;
  std::vector<int> db_order;                   // SELECTs in file order
  std::map<DbKey, std::vector<Command>> keys;  // each key's commands, in order
};

// Splits a base into per-key command groups; a key's commands must be
// contiguous (Redis writes a key's value and TTL together).
ParsedBase ParseBase(const std::string& aof) {
  ParsedBase out;
  AofReader reader(aof);
  std::vector<std::string> argv;
  int db = -1;
  DbKey current;
  for (;;) {
    Result<AofReader::Item> item = reader.Next(&argv);
    REQUIRE(item.ok());
    REQUIRE(item->kind != AofReader::Kind::kTruncated);
    if (item->kind == AofReader::Kind::kEnd) return out;
    if (item->kind == AofReader::Kind::kAnnotation) {
      CHECK(out.keys.empty());  // annotations only open the file
      out.annotations.emplace_back(item->annotation);
      continue;
    }
    if (argv[0] == "SELECT") {
      REQUIRE(argv.size() == 2);
      db = std::stoi(argv[1]);
      out.db_order.push_back(db);
      continue;
    }
    REQUIRE(argv.size() >= 3);
    DbKey key{db, argv[1]};
    if (key != current) {
      INFO("key " << argv[1] << " of db " << db);
      CHECK(out.keys.count(key) == 0);  // not seen before: the group is contiguous
      current = key;
    }
    out.keys[key].push_back(argv);
  }
}

// A group's command names and lengths.
std::vector<std::string> Shape(const std::vector<Command>& cmds) {
  std::vector<std::string> shape;
  for (const Command& c : cmds) shape.push_back(c[0] + "/" + std::to_string(c.size()));
  return shape;
}

// A group's elements (HMSET field+value and ZADD score+member kept
// together; PEXPIREAT's deadline too), sorted.
std::vector<std::string> Elements(const std::vector<Command>& cmds) {
  std::vector<std::string> out;
  for (const Command& c : cmds) {
    const bool pairs = c[0] == "HMSET" || c[0] == "ZADD";
    for (size_t i = 2; i < c.size(); i += pairs ? 2 : 1) {
      out.push_back(c[0] + ":" + c[i] + (pairs ? "\n" + c[i + 1] : ""));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Whether Redis's element order for `v` is fixed by the value itself (so
// our commands can be byte-identical), or its hash table's.
bool OrderIsDeterministic(const Value& v) {
  switch (v.type()) {
    case ValueType::kString:
    case ValueType::kList:
      return true;
    case ValueType::kSet:
      return v.set().intset;
    case ValueType::kHash:
      return v.hash().listpack();
    case ValueType::kZSet:
      return v.zset().listpack();
  }
  return false;
}

// What replaying a command-form base into a fresh engine gives.
std::string Replayed(const std::string& aof, int64_t now_ms) {
  ManualClock clock(now_ms * 1000);
  Engine engine(clock);
  AofReader reader(aof);
  std::vector<std::string> argv;
  for (;;) {
    Result<AofReader::Item> item = reader.Next(&argv);
    REQUIRE(item.ok());
    if (item->kind != AofReader::Kind::kCommand && item->kind != AofReader::Kind::kAnnotation) {
      break;
    }
    if (item->kind == AofReader::Kind::kCommand) {
      std::string reply = engine.Execute(argv);
      REQUIRE_MESSAGE(reply[0] != '-', argv[0] << ": " << reply);
    }
  }
  return testing::DescribeKeyspace(engine.server().keyspace());
}

// The names of an RDB's AUX fields in file order, and the file loaded.
std::vector<std::pair<std::string, std::string>> AuxOf(const std::string& rdb, int64_t now_ms,
                                                       std::string* described) {
  Keyspace loaded;
  Result<RdbLoadResult> r = LoadRdb(rdb, now_ms, RdbLoadOptions{}, &loaded);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->bytes_read == rdb.size());  // a BASE .rdb has nothing after the RDB
  *described = testing::DescribeKeyspace(loaded);
  return r->aux;
}

}  // namespace

TEST_SUITE("aof rewrite oracle") {
  TEST_CASE("the command-form base matches Redis's key by key") {
    Twins twins({"--appendonly", "yes", "--aof-use-rdb-preamble", "no"});
    const std::string theirs = twins.RedisBase();
    const std::string ours = twins.OurBase(rdb::SnapshotFormat::kAof, {}, {});
    ParsedBase a = ParseBase(theirs);
    ParsedBase b = ParseBase(ours);

    CHECK(b.db_order == std::vector<int>{0, 1, 2});
    CHECK(a.db_order == b.db_order);
    CHECK(a.annotations.empty());
    CHECK(b.annotations.empty());
    REQUIRE(static_cast<int64_t>(b.keys.size()) == DatasetKeys(false, true));
    REQUIRE(a.keys.size() == b.keys.size());
    int identical = 0;
    for (const auto& [dbkey, ours_cmds] : b.keys) {
      CAPTURE(dbkey.first);
      CAPTURE(dbkey.second);
      auto it = a.keys.find(dbkey);
      REQUIRE(it != a.keys.end());
      const Value* v = twins.keyspace().keys(dbkey.first).Find(dbkey.second);
      REQUIRE(v != nullptr);
      if (OrderIsDeterministic(*v)) {
        CHECK(it->second == ours_cmds);
        ++identical;
      } else {
        CHECK(Shape(it->second) == Shape(ours_cmds));
        CHECK(Elements(it->second) == Elements(ours_cmds));
      }
    }
    CHECK(identical > 30);  // most of the dataset is compared byte for byte
    // Same commands with the same arguments, differently ordered: the same
    // number of bytes.
    CHECK(theirs.size() == ours.size());
    CHECK(Replayed(theirs, twins.now_ms()) == Replayed(ours, twins.now_ms()));
    CHECK(Replayed(ours, twins.now_ms()) == testing::DescribeKeyspace(twins.keyspace()));
  }

  TEST_CASE("with aof-timestamp-enabled the base opens with its only #TS annotation") {
    Twins twins(
        {"--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--aof-timestamp-enabled", "yes"});
    const int64_t before_s = UnixNowMicros() / 1000000;
    const std::string theirs = twins.RedisBase();
    ParsedBase a = ParseBase(theirs);
    REQUIRE(a.annotations.size() == 1);
    REQUIRE(a.annotations[0].substr(0, 3) == "TS:");
    const int64_t ts = std::stoll(a.annotations[0].substr(3));
    CHECK(ts >= before_s);
    CHECK(ts <= before_s + 30);

    AofRewriteOptions options;
    options.timestamp_enabled = true;
    options.timestamp_s = ts;
    const std::string ours = twins.OurBase(rdb::SnapshotFormat::kAof, {}, options);
    const std::string first_line = theirs.substr(0, theirs.find('\n') + 1);
    CHECK(ours.substr(0, first_line.size()) == first_line);
    CHECK(ParseBase(ours).annotations == a.annotations);
    CHECK(theirs.size() == ours.size());
  }

  TEST_CASE("the RDB-preamble base has Redis's AUX fields and the same dataset") {
    Twins twins({"--appendonly", "yes", "--aof-use-rdb-preamble", "yes"});
    const std::string theirs = twins.RedisBase();
    REQUIRE(theirs.substr(0, 9) == "REDIS0010");
    rdb::RdbWriteOptions options;
    options.aof_base = true;
    options.ctime_s = UnixNowMicros() / 1000000;
    options.used_mem = 1 << 20;
    const std::string ours = twins.OurBase(rdb::SnapshotFormat::kRdb, options, {});

    std::string their_data, our_data;
    auto their_aux = AuxOf(theirs, twins.now_ms(), &their_data);
    auto our_aux = AuxOf(ours, twins.now_ms(), &our_data);
    std::vector<std::string> their_names, our_names;
    for (const auto& [name, value] : their_aux) their_names.push_back(name);
    for (const auto& [name, value] : our_aux) our_names.push_back(name);
    CHECK(our_names == their_names);
    REQUIRE(their_aux.size() == our_aux.size());
    for (size_t i = 0; i < our_aux.size(); ++i) {
      CAPTURE(our_aux[i].first);
      if (our_aux[i].first == "ctime" || our_aux[i].first == "used-mem") continue;
      CHECK(our_aux[i].second == their_aux[i].second);
    }
    CHECK(our_aux.back() == std::pair<std::string, std::string>{"aof-base", "1"});
    CHECK(our_data == their_data);
    CHECK(our_data == testing::DescribeReloaded(twins.keyspace(), twins.now_ms()));
  }
}

}  // namespace plab::it
