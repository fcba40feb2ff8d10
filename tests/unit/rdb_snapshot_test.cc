// RdbSnapshot: the fork-less BGSAVE snapshot must hold exactly the keyspace
// of the moment it was created, however the keyspace changes while the file
// is produced (what Redis gets from fork()'s copy-on-write pages).
//
// The tests drive a snapshot directly with a tiny Produce() budget, so that
// commands run between almost every pair of keys, and hook it to the
// engine's keyspace the way its contract asks an owner to (BeforeWrite on
// every change, WantsEveryKey while active).
#include "core/persist/rdb_snapshot.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/unit/persist_test_util.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using testing::DescribeRdb;
using testing::RandomText;

// Forwards the keyspace's change notifications to a snapshot, as the
// snapshot's header asks its owner to (the Server does this for BGSAVE).
class SnapshotHook final : public KeyObserver {
 public:
  void OnBeforeWrite(int db, std::string_view key) override {
    if (snapshot != nullptr) snapshot->BeforeWrite(db, key);
  }
  bool WantsEveryKey() const override { return snapshot != nullptr && snapshot->active(); }
  void OnExpired(int, std::string_view) override {}

  rdb::RdbSnapshot* snapshot = nullptr;
};

Config NoSavePoints() {
  Config c;
  c.save = "";  // no cron BGSAVE of the engine's own in the middle of a test
  return c;
}

// An engine with a snapshot hook installed on its keyspace.
struct Lab {
  Lab() { keyspace().set_observer(&hook); }
  Keyspace& keyspace() { return engine.server().keyspace(); }
  std::string Run(std::string_view line) { return engine.Execute(*SplitArgs(line)); }
  std::string Run(std::vector<std::string> argv) { return engine.Execute(std::move(argv)); }
  int64_t Now() const { return clock.NowMillis(); }

  ManualClock clock;
  SnapshotHook hook;  // outlives the engine, whose keyspace points at it
  Engine engine{clock, NoSavePoints()};
};

// Runs Produce(budget) until the snapshot is finished, calling `between`
// after every slice. Returns the whole file.
template <typename F>
std::string ProduceAll(rdb::RdbSnapshot& snap, size_t budget, F between) {
  std::string file;
  for (int guard = 0; !snap.finished() && guard < 1000000; ++guard) {
    std::string slice;
    REQUIRE(snap.Produce(budget, &slice).ok());
    if (!snap.finished()) CHECK(slice.size() >= budget);  // a slice is at least the budget
    file += slice;
    between();
  }
  REQUIRE(snap.finished());
  return file;
}

// Every type in its small and large encodings, in several databases, with
// far TTLs on some keys and short ones (a few seconds) on others.
void BuildKeyspace(Lab& lab, std::mt19937_64& rng) {
  const int64_t now = lab.Now();
  for (int db : {0, 2, 5, 15}) {
    lab.Run("SELECT " + std::to_string(db));
    for (int i = 0; i < 12; ++i) {
      const std::string n = std::to_string(i);
      lab.Run({"SET", "s" + n, RandomText(rng, 5 + rng() % 60)});
      lab.Run("SET n" + n + " " + std::to_string(static_cast<int64_t>(rng() % 100000) - 500));
      lab.Run({"RPUSH", "l" + n, "a" + n, "b", "c", "1", "22"});
      lab.Run({"HSET", "h" + n, "f1", "v" + n, "f2", "22", "f3", RandomText(rng, 10)});
      lab.Run({"SADD", "S" + n, "1", "2", n, "300"});
      lab.Run({"SADD", "T" + n, "x", "y" + n, "1"});
      lab.Run({"ZADD", "z" + n, "1", "a", "2.5", "b" + n, "-3", "c"});
    }
    for (int i = 0; i < 1200; ++i) lab.Run({"RPUSH", "L0", "item-" + std::to_string(i)});
    for (int i = 0; i < 200; ++i) {
      const std::string n = std::to_string(i);
      lab.Run({"HSET", "H0", "field" + n, "value" + n});
      lab.Run({"SADD", "T9", "member" + n});
      lab.Run({"SADD", "S9", n});  // intset of 200 integers
      lab.Run({"ZADD", "Z0", n + ".25", "m" + n});
    }
    lab.Run({"SET", "bigstr", RandomText(rng, 3000)});
    for (const char* k : {"s0", "n1", "l2", "h3", "S4", "T5", "z0", "L0", "Z0"}) {
      const int64_t when = now + 1000000 + static_cast<int64_t>(rng() % 100000);
      lab.Run("PEXPIREAT " + std::string(k) + " " + std::to_string(when));
    }
    for (const char* k : {"s1", "h1", "z1"}) {
      lab.Run("PEXPIREAT " + std::string(k) + " " + std::to_string(now + 2000 + rng() % 6000));
    }
  }
}

// One random command of the workload, aimed at the keys BuildKeyspace made
// (mostly of the right type, so most commands really change something).
std::vector<std::string> RandomCommand(std::mt19937_64& rng, int64_t now_ms) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  auto key = [&](const char* prefix) { return std::string(prefix) + std::to_string(pick(13)); };
  auto num = [&] { return std::to_string(pick(1000)); };
  const std::string any = key(std::vector<const char*>{"s", "n", "l", "h", "S", "T", "z"}[pick(7)]);
  switch (pick(40)) {
    case 0:
      return {"SET", key("s"), "v" + num()};
    case 1:
      return {"SET", key("n"), num(), "KEEPTTL"};
    case 2:
      return {"INCR", key("n")};
    case 3:
      return {"APPEND", key("s"), "++"};
    case 4:
      return {"SETRANGE", key("s"), "3", "zz"};
    case 5:
      return {"GETDEL", key("s")};
    case 6:
      return {"RPUSH", pick(4) ? key("l") : "L0", "p" + num()};
    case 7:
      return {"LPOP", pick(4) ? key("l") : "L0"};
    case 8:
      return {"LSET", pick(2) ? key("l") : "L0", "0", "set" + num()};
    case 9:
      return {"LMOVE", key("l"), key("l"), "LEFT", "RIGHT"};
    case 10:
      return {"HSET", pick(4) ? key("h") : "H0", "f" + std::to_string(pick(5)), num()};
    case 11:
      return {"HDEL", pick(4) ? key("h") : "H0", "f1", "field7"};
    case 12:
      return {"HINCRBY", key("h"), "f2", "5"};
    case 13:
      return {"SADD", pick(4) ? key("S") : "S9", num()};
    case 14:
      return {"SADD", key("S"), "word" + num()};  // intset -> hashtable
    case 15:
      return {"SREM", pick(3) ? key("S") : "T9", "1", "member3"};
    case 16:
      return {"SPOP", key("T")};
    case 17:
      return {"SMOVE", key("T"), key("T"), "x"};
    case 18:
      return {"SUNIONSTORE", key("T"), key("S"), key("T")};
    case 19:
      return {"ZADD", pick(4) ? key("z") : "Z0", num(), "m" + std::to_string(pick(300))};
    case 20:
      return {"ZREM", key("z"), "a", "b1"};
    case 21:
      return {"ZINCRBY", pick(2) ? key("z") : "Z0", "1.5", "m7"};
    case 22:
      return {"ZPOPMIN", key("z")};
    case 23:
      return {"ZUNIONSTORE", key("z"), "2", key("z"), "Z0"};
    case 24:
      return {"DEL", any};
    case 25:
      return {"EXPIRE", any, std::to_string(100 + pick(1000))};
    case 26:
      return {"PEXPIREAT", any, std::to_string(now_ms + 5000000 + pick(1000))};
    case 27:
      return {"PERSIST", any};
    case 28:
      return {"EXPIRE", any, "-1"};  // a past deadline deletes the key
    case 29: {
      const std::string prefix = any.substr(0, 1);
      return {"RENAME", any, prefix + std::to_string(pick(13))};
    }
    case 30:
      return {"COPY", any, any.substr(0, 1) + std::to_string(pick(13)), "REPLACE"};
    case 31:
      return {"MOVE", any, std::to_string(pick(8))};
    case 32:
      return {"SET", "new" + num(), "fresh"};
    case 33:
      return {"HSET", "newhash" + num(), "a", "b"};
    case 34:
      return pick(4) == 0 ? std::vector<std::string>{"FLUSHDB"}
                          : std::vector<std::string>{"DEL", "L0", "H0"};
    case 35:
      return pick(4) == 0 ? std::vector<std::string>{"SWAPDB", std::to_string(pick(8)),
                                                     std::to_string(pick(16))}
                          : std::vector<std::string>{"HSET", "H0", "field1", num()};
    case 36:
      return {"GETEX", key("s"), "PERSIST"};
    case 37:
      return {"LTRIM", pick(2) ? key("l") : "L0", "1", "-2"};
    case 38:
      return {"ZREMRANGEBYRANK", "Z0", "0", "3"};
    default:
      return {"SET", "bigstr", "short now"};
  }
}

}  // namespace

TEST_SUITE("rdb snapshot") {
  TEST_CASE(
      "a snapshot produced during a random workload holds exactly the keyspace of its start") {
    for (uint64_t seed = 1; seed <= 8; ++seed) {
      CAPTURE(seed);
      Lab lab;
      std::mt19937_64 rng(seed);
      BuildKeyspace(lab, rng);
      const int64_t start_ms = lab.Now();
      auto reference = rdb::SerializeKeyspace(lab.keyspace(), {});
      REQUIRE(reference.ok());
      const std::string expected = DescribeRdb(*reference, start_ms);
      int64_t keys_at_start = 0;
      for (int db = 0; db < Keyspace::kNumDbs; ++db) keys_at_start += lab.keyspace().Size(db);

      rdb::RdbSnapshot snap(lab.keyspace(), {});
      lab.hook.snapshot = &snap;
      CHECK(snap.keys_total() == keys_at_start);
      int rounds = 0;
      std::string file = ProduceAll(snap, 1, [&] {
        const int ops = static_cast<int>(rng() % 4);
        for (int i = 0; i < ops; ++i) {
          lab.Run("SELECT " +
                  std::to_string(rng() % 8 == 0 ? 1 : std::vector{0, 2, 5, 15}[rng() % 4]));
          lab.Run(RandomCommand(rng, lab.Now()));
        }
        // Time passes: keys with short TTLs expire, lazily or in cron.
        lab.clock.AdvanceMillis(20);
        if (++rounds % 10 == 0) lab.engine.Cron();
      });
      lab.hook.snapshot = nullptr;

      CHECK(rounds > 60);  // the workload really was interleaved
      // Loaded as of the snapshot's start, the file is that moment's data.
      CHECK(DescribeRdb(file, start_ms) == expected);
      CHECK(snap.keys_processed() == snap.keys_total());
      CHECK(snap.cow_bytes() > 0);
      // ... and the workload did change the dataset meanwhile.
      CHECK(testing::DescribeReloaded(lab.keyspace(), start_ms) != expected);
    }
  }

  TEST_CASE("creating only new keys while a snapshot runs copies nothing aside") {
    Lab lab;
    std::mt19937_64 rng(7);
    BuildKeyspace(lab, rng);
    const int64_t start_ms = lab.Now();
    const std::string expected = testing::DescribeReloaded(lab.keyspace(), start_ms);
    rdb::RdbSnapshot snap(lab.keyspace(), {});
    lab.hook.snapshot = &snap;
    int n = 0;
    std::string file = ProduceAll(snap, 1, [&] {
      lab.Run("SELECT " + std::to_string(n % 16));
      lab.Run({"SET", "created" + std::to_string(n++), "v"});
      lab.Run({"HSET", "created-hash" + std::to_string(n), "f", "v"});
    });
    CHECK(n > 100);
    CHECK(snap.cow_bytes() == 0);
    CHECK(snap.keys_processed() == snap.keys_total());
    CHECK(DescribeRdb(file, start_ms) == expected);
  }

  TEST_CASE("changing a key not yet written copies it aside; one already written costs nothing") {
    Lab lab;
    lab.Run("SET early old-early");  // db 0: written first
    lab.Run("SELECT 5");
    lab.Run("RPUSH late a b c");  // db 5: written after db 0
    const int64_t start_ms = lab.Now();
    const std::string expected = testing::DescribeReloaded(lab.keyspace(), start_ms);
    rdb::RdbSnapshot snap(lab.keyspace(), {});
    lab.hook.snapshot = &snap;
    CHECK(snap.keys_total() == 2);
    std::string file;
    while (snap.keys_processed() == 0) REQUIRE(snap.Produce(1, &file).ok());
    CHECK(snap.keys_processed() == 1);  // db 0's key is written, db 5 not started

    lab.Run("SELECT 0");
    lab.Run("SET early new-early");
    CHECK(snap.cow_bytes() == 0);
    lab.Run("SELECT 5");
    lab.Run("RPUSH late d");
    CHECK(snap.cow_bytes() > 0);
    CHECK(snap.keys_processed() == 2);
    const int64_t cow = snap.cow_bytes();
    lab.Run("RPUSH late e");  // copied once: the second change costs nothing
    CHECK(snap.cow_bytes() == cow);

    file += ProduceAll(snap, 1, [] {});
    CHECK(DescribeRdb(file, start_ms) == expected);
    CHECK(snap.keys_processed() == snap.keys_total());
  }

  TEST_CASE("a key that expires while the snapshot runs is still in it with its TTL") {
    Lab lab;
    lab.Run("SET filler x");
    lab.Run("SELECT 3");
    lab.Run("SET soon v");
    lab.Run("PEXPIRE soon 100");
    const int64_t start_ms = lab.Now();
    const std::string expected = testing::DescribeReloaded(lab.keyspace(), start_ms);
    REQUIRE(expected.find("3 soon string/embstr ttl=" + std::to_string(start_ms + 100)) !=
            std::string::npos);
    rdb::RdbSnapshot snap(lab.keyspace(), {});
    lab.hook.snapshot = &snap;
    lab.clock.AdvanceMillis(200);
    CHECK(lab.Run("GET soon") == testing::kNil);  // lazily expired, deleted
    std::string file = ProduceAll(snap, 16, [] {});
    CHECK(DescribeRdb(file, start_ms) == expected);
    // Loaded later, the key has expired, as a BGSAVE child's file would say.
    Keyspace late;
    auto loaded = LoadRdb(file, lab.Now(), Config{}, &late);
    REQUIRE(loaded.ok());
    CHECK(loaded->keys_expired == 1);
    CHECK(loaded->keys_loaded == 1);
  }

  TEST_CASE("FLUSHDB and SWAPDB during a snapshot do not change what it writes") {
    Lab lab;
    for (int db = 0; db < 4; ++db) {
      lab.Run("SELECT " + std::to_string(db));
      for (int i = 0; i < 30; ++i)
        lab.Run({"SET", "k" + std::to_string(i), "db" + std::to_string(db)});
    }
    const int64_t start_ms = lab.Now();
    const std::string expected = testing::DescribeReloaded(lab.keyspace(), start_ms);
    rdb::RdbSnapshot snap(lab.keyspace(), {});
    lab.hook.snapshot = &snap;
    std::string file;
    while (snap.keys_processed() < 10) REQUIRE(snap.Produce(1, &file).ok());  // inside db 0
    lab.Run("SWAPDB 0 2");  // the db being walked with one not started
    lab.Run("SELECT 3");
    lab.Run("FLUSHDB");     // a db not started
    lab.Run("SWAPDB 1 9");  // with one that was empty at the start
    lab.Run("SELECT 9");
    lab.Run("SET k0 late");
    file += ProduceAll(snap, 1, [] {});
    CHECK(DescribeRdb(file, start_ms) == expected);
    CHECK(snap.keys_processed() == 120);
  }

  TEST_CASE("CopyAllRemaining lets the keyspace be replaced without changing the file") {
    // Detached before the header, right after it, inside db 0, and late.
    for (int processed_before : {-1, 0, 20, 150}) {
      CAPTURE(processed_before);
      Lab lab;
      std::mt19937_64 rng(11);
      BuildKeyspace(lab, rng);
      const int64_t start_ms = lab.Now();
      const std::string expected = testing::DescribeReloaded(lab.keyspace(), start_ms);
      rdb::RdbSnapshot snap(lab.keyspace(), {});
      lab.hook.snapshot = &snap;
      std::string file;
      if (processed_before >= 0) REQUIRE(snap.Produce(64, &file).ok());
      while (snap.keys_processed() < processed_before) REQUIRE(snap.Produce(64, &file).ok());
      REQUIRE(!snap.finished());
      REQUIRE(snap.keys_processed() < snap.keys_total());
      const int64_t cow_before = snap.cow_bytes();
      snap.CopyAllRemaining();
      CHECK(snap.keys_processed() == snap.keys_total());
      CHECK(snap.cow_bytes() > cow_before);  // everything unwritten was copied now

      // Replace every database (what DEBUG RELOAD does), then keep writing.
      Keyspace other;
      other.Set(0, "s0", Value::String("replaced"));
      other.Set(4, "only-here", Value::String("x"));
      lab.keyspace().SwapData(other);
      lab.Run("SET s1 changed");
      lab.Run("SELECT 5");
      lab.Run("FLUSHDB");
      file += ProduceAll(snap, 64, [&] { lab.Run("SET s2 again"); });
      CHECK(DescribeRdb(file, start_ms) == expected);
    }
  }

  TEST_CASE("an empty keyspace gives a valid file with no keys") {
    Lab lab;
    rdb::RdbSnapshot snap(lab.keyspace(), {});
    CHECK(snap.keys_total() == 0);
    CHECK(snap.active());
    std::string file;
    REQUIRE(snap.Produce(1 << 20, &file).ok());
    CHECK(snap.finished());
    CHECK_FALSE(snap.active());
    CHECK(file.substr(0, 9) == "REDIS0010");
    CHECK(DescribeRdb(file, lab.Now()) == "");
  }
}

}  // namespace plab
