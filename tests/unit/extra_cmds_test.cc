// LCS, LMPOP, ZMPOP, the sorted-set algebra (ZUNION ZINTER ZDIFF, their
// STORE forms, ZINTERCARD) and SWAPDB. Expected replies were checked against
// redis-server 7.0.15.
#include <doctest/doctest.h>

#include <string>

#include "core/store/zset.h"
#include "tests/unit/test_util.h"

using namespace plab::testing;

namespace {

const std::string kWrongType =
    Err("WRONGTYPE Operation against a key holding the wrong kind of value");

int64_t Dirty(TestEngine& t) { return t.engine.server().dirty(); }

// Runs an inline command as another connection and returns its reply.
std::string RunAs(TestEngine& t, plab::Client* c, const std::string& line) {
  c->output.clear();
  t.engine.Feed(c, line + "\r\n");
  return c->output;
}

// A pair of integers, as LCS IDX reports a range.
std::string Range(long long a, long long b) { return Arr({Int(a), Int(b)}); }

}  // namespace

TEST_SUITE("lcs") {
  TEST_CASE("LCS returns the subsequence, its length or the matched ranges") {
    TestEngine t;
    t.Run("MSET s1 ohmytext s2 mynewtext");
    CHECK(t.Run("LCS s1 s2") == Bulk("mytext"));
    CHECK(t.Run("LCS s1 s2 LEN") == Int(6));
    // Ranges come last match first: "text" then "my".
    CHECK(t.Run("LCS s1 s2 IDX") ==
          Arr({Bulk("matches"),
               Arr({Arr({Range(4, 7), Range(5, 8)}), Arr({Range(2, 3), Range(0, 1)})}), Bulk("len"),
               Int(6)}));
    CHECK(t.Run("LCS s1 s2 IDX WITHMATCHLEN") ==
          Arr({Bulk("matches"),
               Arr({Arr({Range(4, 7), Range(5, 8), Int(4)}),
                    Arr({Range(2, 3), Range(0, 1), Int(2)})}),
               Bulk("len"), Int(6)}));
    CHECK(t.Run("LCS s1 s2 IDX MINMATCHLEN 4 WITHMATCHLEN") ==
          Arr({Bulk("matches"), Arr({Arr({Range(4, 7), Range(5, 8), Int(4)})}), Bulk("len"),
               Int(6)}));
    // A negative minimum means no minimum.
    CHECK(t.Run("LCS s1 s2 IDX MINMATCHLEN -3") == t.Run("LCS s1 s2 IDX"));
    // WITHMATCHLEN alone, or LEN twice, changes nothing.
    CHECK(t.Run("LCS s1 s2 LEN WITHMATCHLEN LEN") == Int(6));
  }

  TEST_CASE("LCS follows Redis's tie-breaking when several answers exist") {
    TestEngine t;
    t.Run("MSET a1 aaabbbcccabcabc a2 abcabcaaabbbccc");
    // Same length, different strings, depending on the argument order.
    CHECK(t.Run("LCS a1 a2") == Bulk("abcabcabc"));
    CHECK(t.Run("LCS a2 a1") == Bulk("aaabbbccc"));
    CHECK(t.Run("LCS a1 a2 IDX MINMATCHLEN 3") ==
          Arr({Bulk("matches"), Arr({Arr({Range(8, 11), Range(2, 5)})}), Bulk("len"), Int(9)}));
  }

  TEST_CASE("LCS treats missing keys as empty strings") {
    TestEngine t;
    t.Run("SET s abc");
    CHECK(t.Run("LCS nokey1 nokey2") == Bulk(""));
    CHECK(t.Run("LCS s nokey LEN") == Int(0));
    CHECK(t.Run("LCS nokey1 nokey2 IDX") == Arr({Bulk("matches"), "*0\r\n", Bulk("len"), Int(0)}));
  }

  TEST_CASE("LCS checks types before options and rejects bad options with Redis's errors") {
    TestEngine t;
    t.Run("SET s abc");
    t.Run("RPUSH l a");
    const std::string kNotStrings = Err("ERR The specified keys must contain string values");
    CHECK(t.Run("LCS s l") == kNotStrings);
    CHECK(t.Run("LCS l s BADOPTION") == kNotStrings);
    CHECK(t.Run("LCS s s BADOPTION") == Err("ERR syntax error"));
    CHECK(t.Run("LCS s s MINMATCHLEN") == Err("ERR syntax error"));
    CHECK(t.Run("LCS s s MINMATCHLEN x") == Err("ERR value is not an integer or out of range"));
    CHECK(t.Run("LCS s s LEN IDX") ==
          Err("ERR If you want both the length and indexes, please just use IDX."));
    CHECK(t.Run("LCS s") == Err("ERR wrong number of arguments for 'lcs' command"));
  }

  TEST_CASE("LCS refuses a table larger than proto-max-bulk-len") {
    TestEngine t;
    t.engine.server().config().proto_max_bulk_len = 1024 * 1024;
    t.Run({"SET", "a", std::string(600, 'a')});
    t.Run({"SET", "b", std::string(600, 'b')});
    // 601 * 601 cells of 4 bytes is more than 1 MiB.
    CHECK(t.Run("LCS a b LEN") ==
          Err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"));
    // Against an empty string the table is one row: fine.
    CHECK(t.Run("LCS a nokey") == Bulk(""));
    t.engine.server().config().proto_max_bulk_len = 512LL * 1024 * 1024;
    CHECK(t.Run("LCS a a LEN") == Int(600));
  }

  TEST_CASE("LCS IDX replies with a map under RESP3") {
    TestEngine t;
    t.Run("MSET s1 ab s2 ab");
    t.Run("HELLO 3");
    CHECK(t.Run("LCS s1 s2 IDX") == "%2\r\n" + Bulk("matches") +
                                        Arr({Arr({Range(0, 1), Range(0, 1)})}) + Bulk("len") +
                                        Int(2));
  }
}

TEST_SUITE("mpop") {
  TEST_CASE("LMPOP pops from the first list that exists, tail first for RIGHT") {
    TestEngine t;
    t.Run("RPUSH l a b c d e");
    CHECK(t.Run("LMPOP 2 nokey l LEFT") == Arr({Bulk("l"), BulkArr({"a"})}));
    CHECK(t.Run("LMPOP 2 nokey l RIGHT COUNT 2") == Arr({Bulk("l"), BulkArr({"e", "d"})}));
    const int64_t before = Dirty(t);
    CHECK(t.Run("LMPOP 1 l left count 10") == Arr({Bulk("l"), BulkArr({"b", "c"})}));
    CHECK(Dirty(t) - before == 2);  // one per element, like listElementsRemoved
    CHECK(t.Run("EXISTS l") == Int(0));
    CHECK(t.Run("LMPOP 2 l nokey LEFT") == kNilArray);
  }

  TEST_CASE("LMPOP validates numkeys, the side and COUNT like Redis") {
    TestEngine t;
    t.Run("RPUSH l a");
    t.Run("SET str x");
    const std::string kNumKeys = Err("ERR numkeys should be greater than 0");
    const std::string kCount = Err("ERR count should be greater than 0");
    CHECK(t.Run("LMPOP 0 l LEFT") == kNumKeys);
    CHECK(t.Run("LMPOP x l LEFT") == kNumKeys);
    CHECK(t.Run("LMPOP 99999999999999999999 l LEFT") == kNumKeys);
    CHECK(t.Run("LMPOP 2 l LEFT") == Err("ERR syntax error"));
    CHECK(t.Run("LMPOP 9223372036854775807 l LEFT") == Err("ERR syntax error"));
    CHECK(t.Run("LMPOP 1 l MIDDLE") == Err("ERR syntax error"));
    CHECK(t.Run("LMPOP 1 l LEFT COUNT 0") == kCount);
    CHECK(t.Run("LMPOP 1 l LEFT COUNT x") == kCount);
    CHECK(t.Run("LMPOP 1 l LEFT COUNT") == Err("ERR syntax error"));
    CHECK(t.Run("LMPOP 1 l LEFT COUNT 1 COUNT 1") == Err("ERR syntax error"));
    CHECK(t.Run("LMPOP 1 l LEFT extra") == Err("ERR syntax error"));
    // The first existing key decides, even when a later one is a list.
    CHECK(t.Run("LMPOP 3 nokey str l LEFT") == kWrongType);
    CHECK(t.Run("LLEN l") == Int(1));
    CHECK(t.Run("LMPOP 1 l") == Err("ERR wrong number of arguments for 'lmpop' command"));
  }

  TEST_CASE("ZMPOP pops the lowest or highest members as nested pairs") {
    TestEngine t;
    t.Run("ZADD z 1 a 2 b 3 c");
    CHECK(t.Run("ZMPOP 2 nokey z MIN") == Arr({Bulk("z"), Arr({BulkArr({"a", "1"})})}));
    const int64_t before = Dirty(t);
    CHECK(t.Run("ZMPOP 1 z max COUNT 5") ==
          Arr({Bulk("z"), Arr({BulkArr({"c", "3"}), BulkArr({"b", "2"})})}));
    CHECK(Dirty(t) - before == 2);
    CHECK(t.Run("EXISTS z") == Int(0));
    CHECK(t.Run("ZMPOP 1 z MIN") == kNilArray);
    t.Run("ZADD z 1.5 a");
    t.Run("HELLO 3");
    CHECK(t.Run("ZMPOP 1 z MIN") == "*2\r\n" + Bulk("z") + "*1\r\n*2\r\n" + Bulk("a") + ",1.5\r\n");
    CHECK(t.Run("ZMPOP 1 z MIN") == "_\r\n");
  }

  TEST_CASE("ZMPOP validates its arguments and types like Redis") {
    TestEngine t;
    t.Run("ZADD z 1 a");
    t.Run("SET str x");
    CHECK(t.Run("ZMPOP 0 z MIN") == Err("ERR numkeys should be greater than 0"));
    CHECK(t.Run("ZMPOP 1 z LEFT") == Err("ERR syntax error"));
    CHECK(t.Run("ZMPOP 1 z MIN COUNT -5") == Err("ERR count should be greater than 0"));
    CHECK(t.Run("ZMPOP 2 str z MIN") == kWrongType);
    CHECK(t.Run("ZCARD z") == Int(1));
  }
}

TEST_SUITE("zset set operations") {
  TEST_CASE("ZUNION sums scores and replies in score then member order") {
    TestEngine t;
    t.Run("ZADD z1 1 a 2 b 3 c");
    t.Run("ZADD z2 10 b 1 a 30 d");
    CHECK(t.Run("ZUNION 2 z1 z2") == BulkArr({"a", "c", "b", "d"}));
    CHECK(t.Run("ZUNION 2 z1 z2 WITHSCORES") ==
          BulkArr({"a", "2", "c", "3", "b", "12", "d", "30"}));
    CHECK(t.Run("ZUNION 2 z1 z2 WEIGHTS 2 0.5 AGGREGATE MAX WITHSCORES") ==
          BulkArr({"a", "2", "b", "5", "c", "6", "d", "15"}));
    CHECK(t.Run("ZUNION 2 z1 z2 AGGREGATE min WITHSCORES") ==
          BulkArr({"a", "1", "b", "2", "c", "3", "d", "30"}));
    // Options may repeat; the last WEIGHTS wins.
    CHECK(t.Run("ZUNION 1 z1 WEIGHTS 1 WEIGHTS 2 WITHSCORES WITHSCORES") ==
          BulkArr({"a", "2", "b", "4", "c", "6"}));
    CHECK(t.Run("ZUNION 2 nokey1 nokey2") == "*0\r\n");
  }

  TEST_CASE("ZINTER and ZDIFF accept plain sets as members scoring 1") {
    TestEngine t;
    t.Run("ZADD z 5 a 7 b 9 c");
    t.Run("SADD s a c x");
    CHECK(t.Run("ZINTER 2 z s WITHSCORES") == BulkArr({"a", "6", "c", "10"}));
    CHECK(t.Run("ZUNION 2 s z WITHSCORES") == BulkArr({"x", "1", "a", "6", "b", "7", "c", "10"}));
    CHECK(t.Run("ZDIFF 2 z s WITHSCORES") == BulkArr({"b", "7"}));
    CHECK(t.Run("ZDIFF 2 s z") == BulkArr({"x"}));
    // The same key twice leaves nothing; a missing first key gives nothing.
    CHECK(t.Run("ZDIFF 2 z z") == "*0\r\n");
    CHECK(t.Run("ZDIFF 2 nokey z") == "*0\r\n");
    CHECK(t.Run("ZINTER 2 z nokey") == "*0\r\n");
  }

  TEST_CASE("ZINTERCARD counts the intersection, stopping at LIMIT") {
    TestEngine t;
    t.Run("ZADD z1 1 a 2 b 3 c");
    t.Run("ZADD z2 1 a 2 b 3 d");
    CHECK(t.Run("ZINTERCARD 2 z1 z2") == Int(2));
    CHECK(t.Run("ZINTERCARD 2 z1 z2 LIMIT 1") == Int(1));
    CHECK(t.Run("ZINTERCARD 2 z1 z2 LIMIT 0") == Int(2));
    CHECK(t.Run("ZINTERCARD 3 z1 z2 nokey") == Int(0));
    CHECK(t.Run("ZINTERCARD 1 z1 LIMIT -1") == Err("ERR LIMIT can't be negative"));
    CHECK(t.Run("ZINTERCARD 1 z1 LIMIT x") == Err("ERR LIMIT can't be negative"));
    CHECK(t.Run("ZINTERCARD 1 z1 WITHSCORES") == Err("ERR syntax error"));
  }

  TEST_CASE("NaN from inf + -inf or 0 * inf becomes 0 where Redis resets it") {
    TestEngine t;
    t.Run("ZADD zi inf a");
    t.Run("ZADD zn -inf a");
    CHECK(t.Run("ZUNION 2 zi zn WITHSCORES") == BulkArr({"a", "0"}));
    CHECK(t.Run("ZINTER 2 zi zn WITHSCORES") == BulkArr({"a", "0"}));
    // 0 * inf is read as 0 before aggregating...
    CHECK(t.Run("ZINTER 2 zi zn WEIGHTS 0 1 AGGREGATE MIN WITHSCORES") == BulkArr({"a", "-inf"}));
    // ...but for later inputs of an intersection, MAX simply ignores the NaN.
    CHECK(t.Run("ZINTER 2 zi zn WEIGHTS 1 0 AGGREGATE MAX WITHSCORES") == BulkArr({"a", "inf"}));
    t.Run("ZADD z -0 m 1 n");
    CHECK(t.Run("ZUNION 1 z WEIGHTS -1 WITHSCORES") == BulkArr({"n", "-1", "m", "-0"}));
  }

  TEST_CASE("Inputs are combined smallest first, which decides floating-point sums") {
    TestEngine t;
    t.Run("ZADD a 1 x 2 y 3 z");
    t.Run("ZADD b 1 x");
    t.Run("ZADD c 1 x 2 y");
    // Summed as b, c, a: 1e308 - 1e308 + 1e308, never overflowing to inf.
    CHECK(t.Run("ZINTER 3 a b c WEIGHTS 1e308 1e308 -1e308 WITHSCORES") ==
          BulkArr({"x", "1e+308"}));
  }

  TEST_CASE("ZUNION and friends report errors in Redis's order") {
    TestEngine t;
    t.Run("ZADD z 1 a");
    t.Run("SET str x");
    CHECK(t.Run("ZUNIONSTORE d 0 z") ==
          Err("ERR at least 1 input key is needed for 'zunionstore' command"));
    CHECK(t.Run("ZINTER -1 z") == Err("ERR at least 1 input key is needed for 'zinter' command"));
    CHECK(t.Run("ZDIFF x z") == Err("ERR value is not an integer or out of range"));
    CHECK(t.Run("ZUNION 3 z") == Err("ERR syntax error"));
    CHECK(t.Run("ZUNION 9223372036854775807 z") == Err("ERR syntax error"));
    CHECK(t.Run("ZUNION 1 z WEIGHTS") == Err("ERR syntax error"));
    CHECK(t.Run("ZUNION 1 z WEIGHTS x") == Err("ERR weight value is not a float"));
    CHECK(t.Run("ZUNION 1 z WEIGHTS nan") == Err("ERR weight value is not a float"));
    CHECK(t.Run("ZUNION 1 z AGGREGATE avg") == Err("ERR syntax error"));
    CHECK(t.Run("ZUNIONSTORE d 1 z WITHSCORES") == Err("ERR syntax error"));
    CHECK(t.Run("ZDIFF 1 z WEIGHTS 1") == Err("ERR syntax error"));
    // A wrong type is found before the options are parsed.
    CHECK(t.Run("ZUNION 2 z str WEIGHTS x") == kWrongType);
    CHECK(t.Run("ZINTERSTORE d 1 str") == kWrongType);
    CHECK(t.Run("ZUNIONSTORE d 1") ==
          Err("ERR wrong number of arguments for 'zunionstore' command"));
  }

  TEST_CASE("ZUNIONSTORE replaces the destination and ZINTERSTORE deletes it when empty") {
    TestEngine t;
    t.Run("ZADD z1 1 a 2 b");
    t.Run("ZADD z2 3 b 4 c");
    t.Run("SET d old EX 100");
    int64_t before = Dirty(t);
    CHECK(t.Run("ZUNIONSTORE d 2 z1 z2 WEIGHTS 1 2") == Int(3));
    CHECK(Dirty(t) - before == 1);
    CHECK(t.Run("ZRANGE d 0 -1 WITHSCORES") == BulkArr({"a", "1", "b", "8", "c", "8"}));
    CHECK(t.Run("TTL d") == Int(-1));
    CHECK(t.Run("ZINTERSTORE d 2 z1 z2 AGGREGATE MAX") == Int(1));
    CHECK(t.Run("ZRANGE d 0 -1 WITHSCORES") == BulkArr({"b", "3"}));
    // A source may be the destination.
    CHECK(t.Run("ZDIFFSTORE z1 2 z1 z2") == Int(1));
    CHECK(t.Run("ZRANGE z1 0 -1 WITHSCORES") == BulkArr({"a", "1"}));
    before = Dirty(t);
    CHECK(t.Run("ZINTERSTORE d 2 z1 z2") == Int(0));
    CHECK(t.Run("EXISTS d") == Int(0));
    CHECK(Dirty(t) - before == 1);
    CHECK(t.Run("ZINTERSTORE d 2 z1 z2") == Int(0));  // nothing to delete: not a change
    CHECK(Dirty(t) - before == 1);
  }

  TEST_CASE("A stored result is a listpack only when small, like zsetConvertToListpackIfNeeded") {
    TestEngine t;
    t.Run("ZADD z 1 a 2 b 3 c");
    CHECK(t.Run("ZUNIONSTORE d 1 z") == Int(3));
    CHECK(t.Run("OBJECT ENCODING d") == Bulk("listpack"));
    t.engine.server().config().zset_max_listpack_entries = 2;
    CHECK(t.Run("ZUNIONSTORE d 1 z") == Int(3));
    CHECK(t.Run("OBJECT ENCODING d") == Bulk("skiplist"));
    CHECK(t.Run("ZINTERSTORE d 1 z WEIGHTS 1") == Int(3));
    CHECK(t.Run("OBJECT ENCODING d") == Bulk("skiplist"));
    // Shrinking back under the limit converts to a listpack again.
    t.Run("ZREM z c");
    CHECK(t.Run("ZUNIONSTORE d 1 z") == Int(2));
    CHECK(t.Run("OBJECT ENCODING d") == Bulk("listpack"));
    t.engine.server().config().zset_max_listpack_entries = 128;
    t.engine.server().config().zset_max_listpack_value = 3;
    t.Run("ZADD long 1 abcd");
    CHECK(t.Run("ZUNIONSTORE d 1 long") == Int(1));
    CHECK(t.Run("OBJECT ENCODING d") == Bulk("skiplist"));
  }

  TEST_CASE("A listpack destination stores -0 as 0, a skiplist keeps -0") {
    TestEngine t;
    t.Run("ZADD z 0 a");
    CHECK(t.Run("ZUNIONSTORE d 1 z WEIGHTS -1") == Int(1));
    CHECK(t.Run("ZSCORE d a") == Bulk("0"));
    CHECK(t.Run("ZUNION 1 z WEIGHTS -1 WITHSCORES") == BulkArr({"a", "-0"}));
    t.engine.server().config().zset_max_listpack_entries = 0;
    CHECK(t.Run("ZUNIONSTORE d 1 z WEIGHTS -1") == Int(1));
    CHECK(t.Run("ZSCORE d a") == Bulk("-0"));
  }

  TEST_CASE("WITHSCORES nests member/score pairs under RESP3") {
    TestEngine t;
    t.Run("ZADD z 1 a 2.5 b");
    t.Run("HELLO 3");
    CHECK(t.Run("ZUNION 1 z WITHSCORES") ==
          "*2\r\n*2\r\n" + Bulk("a") + ",1\r\n*2\r\n" + Bulk("b") + ",2.5\r\n");
    CHECK(t.Run("ZDIFF 1 z") == BulkArr({"a", "b"}));
  }
}

TEST_SUITE("swapdb") {
  TEST_CASE("SWAPDB exchanges the keys and TTLs of two databases") {
    TestEngine t;
    t.Run("SET a zero EX 100");
    t.Run("SELECT 3");
    t.Run("SET b three");
    t.Run("SET c three");
    const int64_t before = Dirty(t);
    CHECK(t.Run("SWAPDB 0 3") == kOk);
    CHECK(Dirty(t) - before == 1);
    // This connection stays on db 3, which now holds db 0's keys.
    CHECK(t.Run("DBSIZE") == Int(1));
    CHECK(t.Run("GET a") == Bulk("zero"));
    CHECK(t.Run("TTL a") == Int(100));
    t.Run("SELECT 0");
    CHECK(t.Run("MGET a b c") == Arr({kNil, Bulk("three"), Bulk("three")}));
    CHECK(t.Run("SWAPDB 0 0") == kOk);
    CHECK(Dirty(t) - before == 2);  // counted even when nothing moves
    CHECK(t.Run("DBSIZE") == Int(2));
  }

  TEST_CASE("SWAPDB validates its indexes like Redis") {
    TestEngine t;
    CHECK(t.Run("SWAPDB x 1") == Err("ERR invalid first DB index"));
    CHECK(t.Run("SWAPDB 0 1.5") == Err("ERR invalid second DB index"));
    CHECK(t.Run("SWAPDB 99999999999 0") == Err("ERR invalid first DB index"));
    CHECK(t.Run("SWAPDB 0 16") == Err("ERR DB index is out of range"));
    CHECK(t.Run("SWAPDB -1 0") == Err("ERR DB index is out of range"));
    CHECK(t.Run("SWAPDB 0") == Err("ERR wrong number of arguments for 'swapdb' command"));
  }

  TEST_CASE("SWAPDB fails the transactions of clients watching a key it changes") {
    TestEngine t;
    plab::Client* w = t.engine.Connect("127.0.0.1:7100");
    auto watch_and_exec = [&](const std::string& key, const std::string& swap) {
      RunAs(t, w, "WATCH " + key);
      t.Run(swap);
      RunAs(t, w, "MULTI");
      RunAs(t, w, "PING");
      return RunAs(t, w, "EXEC");
    };
    const std::string kAborted = kNilArray;
    const std::string kRan = Arr({"+PONG\r\n"});
    t.Run("SET k 1");
    CHECK(watch_and_exec("k", "SWAPDB 0 1") == kAborted);  // k left db 0
    CHECK(watch_and_exec("k", "SWAPDB 1 0") == kAborted);  // k came back
    CHECK(watch_and_exec("nokey", "SWAPDB 0 1") == kRan);  // in neither db
    CHECK(watch_and_exec("k", "SWAPDB 2 3") == kRan);      // other databases
    CHECK(watch_and_exec("k", "SWAPDB 1 1") == kRan);      // swapping a db with itself
  }

  TEST_CASE("SWAPDB ignores keys that are logically absent because they expired") {
    TestEngine t;
    plab::Client* w = t.engine.Connect("127.0.0.1:7101");
    auto exec_after = [&](const std::string& swap) {
      t.Run(swap);
      RunAs(t, w, "MULTI");
      RunAs(t, w, "PING");
      return RunAs(t, w, "EXEC");
    };
    // Expired in db 0 when watched, nothing in db 1: still absent.
    t.Run("SET k 1 PX 10");
    t.AdvanceMs(20);
    RunAs(t, w, "WATCH k");
    CHECK(exec_after("SWAPDB 0 1") == Arr({"+PONG\r\n"}));
    t.Run("FLUSHALL");
    // Absent in db 0, replaced by a key already expired in db 1.
    t.Run("SELECT 1");
    t.Run("SET k 1 PX 10");
    t.Run("SELECT 0");
    t.AdvanceMs(20);
    RunAs(t, w, "WATCH k");
    CHECK(exec_after("SWAPDB 0 1") == Arr({"+PONG\r\n"}));
    t.Run("FLUSHALL");
    // Expired when watched, replaced by a live key: a real change.
    t.Run("SET k 1 PX 10");
    t.Run("SELECT 1");
    t.Run("SET k 2");
    t.Run("SELECT 0");
    t.AdvanceMs(20);
    RunAs(t, w, "WATCH k");
    CHECK(exec_after("SWAPDB 0 1") == kNilArray);
  }
}
