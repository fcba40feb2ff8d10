// What each write command sends to the AOF (aof_buf), byte for byte, like
// Redis 7.0.15's call()/alsoPropagate() and the rewrites its commands make
// (expire.c, t_string.c, t_set.c, t_list.c, t_zset.c, t_hash.c, db.c).
// The clock is manual, so absolute deadlines (PXAT, PEXPIREAT) are exact.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/persist/aof_reader.h"
#include "tests/unit/test_util.h"

using namespace plab::testing;

namespace {

using Argv = std::vector<std::string>;

// ManualClock's default start, 2026-01-01T00:00:00Z, in ms.
constexpr int64_t kStartMs = 1767225600LL * 1000;

std::string Ms(int64_t ms) { return std::to_string(ms); }

// The AOF records for a list of commands.
std::string Records(const std::vector<Argv>& cmds) {
  std::string out;
  for (const Argv& argv : cmds) out += plab::EncodeAofCommand(argv);
  return out;
}

// One command per line, arguments separated by spaces: for failure output.
std::string Readable(const std::string& bytes) {
  plab::AofReader reader(bytes);
  std::string out;
  Argv argv;
  for (;;) {
    plab::Result<plab::AofReader::Item> item = reader.Next(&argv);
    if (!item.ok()) return out + "<corrupt>";
    if (item->kind != plab::AofReader::Kind::kCommand) {
      if (item->kind == plab::AofReader::Kind::kTruncated) out += "<truncated>";
      return out;
    }
    for (size_t i = 0; i < argv.size(); ++i) out += (i ? " " : "") + argv[i];
    out += "\n";
  }
}

// A TestEngine whose writes are propagated; New() returns the AOF bytes
// produced since the previous call.
struct Aof {
  TestEngine t;
  size_t seen = 0;

  Aof() { t.engine.server().set_propagating(true); }

  std::string Run(std::string_view line) { return t.Run(line); }

  std::string New() {
    const std::string& buf = t.engine.server().aof().buffer();
    std::string out = buf.substr(std::min(seen, buf.size()));
    seen = buf.size();
    return out;
  }

  // Checks that exactly `cmds` were logged since the last check.
  void Expect(const std::vector<Argv>& cmds) {
    const std::string got = New();
    const std::string want = Records(cmds);
    CHECK_MESSAGE(got == want, "logged:\n" << Readable(got) << "expected:\n" << Readable(want));
  }
};

TEST_SUITE("aof propagation") {
  TEST_CASE("a plain write is logged as typed after a SELECT of its database") {
    Aof a;
    CHECK(a.Run("set k v") == kOk);
    CHECK(a.Run("RPUSH l a b") == Int(2));
    a.Expect({{"SELECT", "0"}, {"set", "k", "v"}, {"RPUSH", "l", "a", "b"}});
  }

  TEST_CASE("reads, no-op writes and failed writes log nothing") {
    Aof a;
    a.Run("SET k v");
    a.Run("SADD s a");
    a.Run("HSET h f v");
    a.Run("ZADD z 1 m");
    a.Run("RPUSH l a b");
    a.New();
    CHECK(a.Run("GET k") == Bulk("v"));
    CHECK(a.Run("SET k v2 NX") == kNil);
    CHECK(a.Run("SET missing v XX") == kNil);
    CHECK(a.Run("DEL nokey") == Int(0));
    CHECK(a.Run("EXPIRE nokey 10") == Int(0));
    CHECK(a.Run("PERSIST k") == Int(0));
    CHECK(a.Run("SREM s nope") == Int(0));
    CHECK(a.Run("LPOP nolist") == kNil);
    CHECK(a.Run("GETEX k") == Bulk("v"));
    CHECK(a.Run("HSETNX h f w") == Int(0));
    CHECK(a.Run("ZADD z 1 m") == Int(0));
    CHECK(a.Run("SETRANGE k 0 \"\"") == Int(1));
    CHECK(a.Run("LTRIM l 0 -1") == kOk);
    CHECK(a.Run("LINSERT l BEFORE nopivot x") == Int(-1));
    CHECK(a.Run("SMOVE s s2 nope") == Int(0));
    CHECK(a.Run("RENAME k k") == kOk);
    CHECK(a.Run("SPOP s 0") == "*0\r\n");
    CHECK(a.Run("INCR s") ==
          Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
    CHECK(a.Run("EXPIRE k 10 XX") == Int(0));
    a.Expect({});
  }

  TEST_CASE("SET with an expiry is logged as SET key value PXAT with the absolute deadline") {
    Aof a;
    a.Run("SET k v EX 10");
    a.Run("set k v px 1500 NX");  // NX: k exists, nothing happens
    a.Run("set k2 v NX PX 1500");
    a.Run("SET k3 v EXAT 1767225700");
    a.Run("SET k4 v PXAT 1767225700123");
    a.Run("SETEX k5 7 v");
    a.Run("PSETEX k6 700 v");
    a.Expect({{"SELECT", "0"},
              {"SET", "k", "v", "PXAT", Ms(kStartMs + 10000)},
              {"SET", "k2", "v", "PXAT", Ms(kStartMs + 1500)},
              {"SET", "k3", "v", "PXAT", "1767225700000"},
              {"SET", "k4", "v", "PXAT", "1767225700123"},
              {"SET", "k5", "v", "PXAT", Ms(kStartMs + 7000)},
              {"SET", "k6", "v", "PXAT", Ms(kStartMs + 700)}});
  }

  TEST_CASE("SET GET is logged without its GET words, other options kept") {
    Aof a;
    a.Run("SET k old");
    CHECK(a.Run("set k new XX get KEEPTTL") == Bulk("old"));
    CHECK(a.Run("SET k get GET") == Bulk("new"));  // the value "get" stays
    CHECK(a.Run("SET k v GET EX 5") == Bulk("get"));
    a.Expect({{"SELECT", "0"},
              {"SET", "k", "old"},
              {"set", "k", "new", "XX", "KEEPTTL"},
              {"SET", "k", "get"},
              {"SET", "k", "v", "PXAT", Ms(kStartMs + 5000)}});
  }

  TEST_CASE("EXPIRE, PEXPIRE and EXPIREAT are logged as PEXPIREAT with conditions kept") {
    Aof a;
    a.Run("SET k v");
    a.New();
    CHECK(a.Run("EXPIRE k 100") == Int(1));
    CHECK(a.Run("pexpire k 2000 LT") == Int(1));
    CHECK(a.Run("EXPIREAT k 1767229200 GT") == Int(1));
    CHECK(a.Run("pexpireat k 1767229300000") == Int(1));  // as typed
    a.Expect({{"PEXPIREAT", "k", Ms(kStartMs + 100000)},
              {"PEXPIREAT", "k", Ms(kStartMs + 2000), "LT"},
              {"PEXPIREAT", "k", "1767229200000", "GT"},
              {"pexpireat", "k", "1767229300000"}});
  }

  TEST_CASE("an expiry in the past deletes the key and is logged as DEL") {
    Aof a;
    a.Run("MSET a 1 b 2 c 3");
    a.New();
    CHECK(a.Run("EXPIRE a -1") == Int(1));
    CHECK(a.Run("PEXPIREAT b 1000") == Int(1));
    CHECK(a.Run("EXPIREAT c 1767225600") == Int(1));  // exactly now counts as past
    CHECK(a.Run("DBSIZE") == Int(0));
    a.Expect({{"DEL", "a"}, {"DEL", "b"}, {"DEL", "c"}});
  }

  TEST_CASE("while loading, a past expiry sets the TTL instead of deleting") {
    Aof a;
    a.Run("SET k v");
    a.Run("SET s v");
    plab::Keyspace& ks = a.t.engine.server().keyspace();
    ks.set_loading(true);
    CHECK(a.Run("EXPIRE k -10") == Int(1));
    CHECK(a.Run("GETEX s PXAT 1000") == Bulk("v"));
    CHECK(a.Run("DBSIZE") == Int(2));
    CHECK(ks.GetExpire(0, "k") == kStartMs - 10000);
    CHECK(ks.GetExpire(0, "s") == 1000);
    ks.set_loading(false);
    CHECK(a.Run("EXISTS k s") == Int(0));
  }

  TEST_CASE("GETEX is logged as PEXPIREAT, PERSIST or DEL") {
    Aof a;
    a.Run("SET k v");
    a.New();
    CHECK(a.Run("GETEX k EX 10") == Bulk("v"));
    CHECK(a.Run("GETEX k PXAT 1767229200000") == Bulk("v"));
    CHECK(a.Run("GETEX k PERSIST") == Bulk("v"));
    CHECK(a.Run("GETEX k PERSIST") == Bulk("v"));  // no TTL left: nothing
    CHECK(a.Run("GETEX k EXAT 1000") == Bulk("v"));
    CHECK(a.Run("EXISTS k") == Int(0));
    a.Expect({{"PEXPIREAT", "k", Ms(kStartMs + 10000)},
              {"PEXPIREAT", "k", "1767229200000"},
              {"PERSIST", "k"},
              {"DEL", "k"}});
  }

  TEST_CASE("GETDEL is logged as DEL, or UNLINK with lazyfree-lazy-user-del") {
    Aof a;
    a.Run("MSET a 1 b 2");
    a.New();
    CHECK(a.Run("GETDEL a") == Bulk("1"));
    CHECK(a.Run("GETDEL a") == kNil);
    CHECK(a.Run("CONFIG SET lazyfree-lazy-user-del yes") == kOk);
    CHECK(a.Run("GETDEL b") == Bulk("2"));
    a.Expect({{"DEL", "a"}, {"UNLINK", "b"}});
  }

  TEST_CASE("GETSET, INCRBYFLOAT and HINCRBYFLOAT are logged as the SET or HSET of the result") {
    Aof a;
    a.Run("getset k 1.5");
    a.Run("INCRBYFLOAT k 2");
    a.Run("HINCRBYFLOAT h f 0.25");
    a.Run("hincrbyfloat h f 1e1");
    a.Expect({{"SELECT", "0"},
              {"SET", "k", "1.5"},
              {"SET", "k", "3.5", "KEEPTTL"},
              {"HSET", "h", "f", "0.25"},
              {"HSET", "h", "f", "10.25"}});
  }

  TEST_CASE("SPOP is logged as SREM of what it popped, or DEL when the set goes") {
    Aof a;
    a.Run("SADD one x");
    a.Run("SADD all a b c");
    a.New();
    CHECK(a.Run("SPOP one") == Bulk("x"));
    CHECK(a.Run("SPOP all 5").rfind("*3\r\n", 0) == 0);
    a.Expect({{"SREM", "one", "x"}, {"DEL", "all"}});
  }

  TEST_CASE("SPOP with a count below the set size logs one SREM per member in MULTI/EXEC") {
    Aof a;
    a.Run("SADD s a b c d e f g h i j k l m n o");
    a.New();
    // 15 -> 12 picks members one by one; 12 -> 2 keeps 2 and pops the rest.
    for (size_t count : {3, 10}) {
      const std::string reply = a.Run("SPOP s " + std::to_string(count));
      std::vector<Argv> want{{"MULTI"}};
      plab::AofReader members(reply);  // a RESP array of bulks reads like a command
      Argv popped;
      REQUIRE(members.Next(&popped).ok());
      REQUIRE(popped.size() == count);
      for (const std::string& m : popped) want.push_back({"SREM", "s", m});
      want.push_back({"EXEC"});
      a.Expect(want);
    }
    const std::string last = a.Run("SPOP s 1");
    a.Expect({{"SREM", "s", last.substr(last.size() - 3, 1)}});
  }

  TEST_CASE("LMPOP and ZMPOP are logged as LPOP/RPOP and ZPOPMIN/ZPOPMAX with the popped count") {
    Aof a;
    a.Run("RPUSH l a b c");
    a.Run("ZADD z 1 a 2 b 3 c");
    a.New();
    a.Run("LMPOP 2 nokey l LEFT");
    a.Run("lmpop 1 l RIGHT COUNT 10");
    a.Run("ZMPOP 1 z MAX COUNT 2");
    a.Run("ZMPOP 1 z MIN");
    a.Run("LMPOP 1 l LEFT");  // nothing left
    a.Expect(
        {{"LPOP", "l", "1"}, {"RPOP", "l", "2"}, {"ZPOPMAX", "z", "2"}, {"ZPOPMIN", "z", "1"}});
  }

  TEST_CASE("FLUSHDB and FLUSHALL are logged even when there was nothing to flush") {
    Aof a;
    CHECK(a.Run("FLUSHDB") == kOk);
    CHECK(a.Run("flushall ASYNC") == kOk);
    CHECK(a.Run("FLUSHALL bogus") == Err("ERR syntax error"));
    a.Expect({{"SELECT", "0"}, {"FLUSHDB"}, {"flushall", "ASYNC"}});
  }

  TEST_CASE("MOVE, COPY, RENAME and SWAPDB are logged as typed, SELECT only by the AOF") {
    Aof a;
    a.Run("SET k v");
    a.Run("COPY k k2 DB 3");
    a.Run("MOVE k 2");
    a.Run("SELECT 2");
    a.Run("RENAME k k3");
    a.Run("SWAPDB 2 3");
    a.Run("SET x y");
    a.Run("SELECT 0");
    a.Run("SELECT 2");
    a.Run("DEL x");
    a.Expect({{"SELECT", "0"},
              {"SET", "k", "v"},
              {"COPY", "k", "k2", "DB", "3"},
              {"MOVE", "k", "2"},
              {"SELECT", "2"},
              {"RENAME", "k", "k3"},
              {"SWAPDB", "2", "3"},
              {"SET", "x", "y"},
              {"DEL", "x"}});
  }

  TEST_CASE("an EXEC body is wrapped in MULTI/EXEC unless it wrote only once") {
    Aof a;
    a.Run("MULTI");
    a.Run("SET a 1");
    a.Run("INCR a");
    a.Run("GET a");
    a.Run("SELECT 4");
    a.Run("SET b 2");
    CHECK(a.Run("EXEC") == Arr({kOk, Int(2), Bulk("2"), kOk, kOk}));
    // MULTI goes in the first operation's db, so its SELECT comes first.
    a.Expect({{"SELECT", "0"},
              {"MULTI"},
              {"SET", "a", "1"},
              {"INCR", "a"},
              {"SELECT", "4"},
              {"SET", "b", "2"},
              {"EXEC"}});
    a.Run("SELECT 0");
    a.Run("MULTI");
    a.Run("SET c 3");
    a.Run("GET c");
    a.Run("SET a 1 NX");
    a.Run("EXEC");
    a.Expect({{"SELECT", "0"}, {"SET", "c", "3"}});
    a.Run("MULTI");
    a.Run("GET c");
    a.Run("EXEC");
    a.Expect({});
  }

  TEST_CASE("a lazily expired key is logged as DEL, wrapped with the write that found it") {
    Aof a;
    a.Run("SET k v PX 100");
    a.Run("SET r v PX 100");
    a.Run("SET d v PX 100");
    a.New();
    a.t.AdvanceMs(200);
    CHECK(a.Run("GET r") == kNil);
    a.Expect({{"DEL", "r"}});
    CHECK(a.Run("SET k v2 NX") == kOk);
    a.Expect({{"MULTI"}, {"DEL", "k"}, {"SET", "k", "v2", "NX"}, {"EXEC"}});
    CHECK(a.Run("DEL d") == Int(0));  // found expired: only the expiry's DEL
    a.Expect({{"DEL", "d"}});
  }

  TEST_CASE("the active expire cycle logs its DELs without MULTI/EXEC") {
    Aof a;
    a.Run("SET k1 v PX 100");
    a.Run("SET k2 v PX 100");
    a.New();
    a.t.AdvanceMs(200);
    a.t.engine.Cron();
    std::string got = Readable(a.New());
    CHECK((got == "DEL k1\nDEL k2\n" || got == "DEL k2\nDEL k1\n"));
  }

  // Redis flags SCAN and RANDOMKEY CMD_TOUCHES_ARBITRARY_KEYS, so the keys
  // they expire are logged without MULTI/EXEC (propagatePendingCommands).
  TEST_CASE("keys SCAN expires are logged without MULTI/EXEC") {
    Aof a;
    a.Run("SET k1 v PX 100");
    a.Run("SET k2 v PX 100");
    a.New();
    a.t.AdvanceMs(200);
    a.Run("SCAN 0");
    std::string got = Readable(a.New());
    CHECK((got == "DEL k1\nDEL k2\n" || got == "DEL k2\nDEL k1\n"));
  }
}

}  // namespace
