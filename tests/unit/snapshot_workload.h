// The workload of the snapshot tests (rdb_snapshot_test.cc for the RDB form,
// aof_rewrite_test.cc for the AOF form): an engine whose keyspace forwards
// its change notifications to a snapshot, a keyspace holding every type and
// encoding with TTLs, and random commands aimed at it.
#pragma once

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/persist/rdb_snapshot.h"
#include "tests/unit/persist_test_util.h"
#include "tests/unit/test_util.h"

namespace plab::testing {

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

inline Config NoSavePoints() {
  Config c;
  c.save = {};  // no cron BGSAVE of the engine's own in the middle of a test
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
inline void BuildKeyspace(Lab& lab, std::mt19937_64& rng) {
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
inline std::vector<std::string> RandomCommand(std::mt19937_64& rng, int64_t now_ms) {
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

}  // namespace plab::testing
