// Sorted-set commands. Expected replies were checked against redis-server
// 7.0.15 (scores are printed with "%.17g" there, so 1.1 reads back as
// 1.1000000000000001).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

using namespace plab::testing;

namespace {

const std::string kWrongType =
    Err("WRONGTYPE Operation against a key holding the wrong kind of value");

std::string Members(int n, const char* prefix = "m") {
  std::string s;
  for (int i = 0; i < n; ++i) s += " " + std::to_string(i) + " " + prefix + std::to_string(i);
  return s;
}

// Parses a RESP array of bulk strings into its elements.
std::vector<std::string> ParseBulkArray(const std::string& resp) {
  std::vector<std::string> out;
  size_t pos = resp.find("\r\n");
  if (resp.empty() || resp[0] != '*' || pos == std::string::npos) return out;
  const long n = std::stol(resp.substr(1, pos - 1));
  pos += 2;
  for (long i = 0; i < n; ++i) {
    const size_t eol = resp.find("\r\n", pos);
    const size_t len = std::stoul(resp.substr(pos + 1, eol - pos - 1));
    out.push_back(resp.substr(eol + 2, len));
    pos = eol + 2 + len + 2;
  }
  return out;
}

}  // namespace

TEST_SUITE("sorted sets") {
  TEST_CASE("ZADD adds members, ZRANGE lists them by score then member") {
    TestEngine t;
    CHECK(t.Run("ZADD z 2 b 1 a 2 aa 3 c") == Int(4));
    CHECK(t.Run("ZADD z 1 a 5 d") == Int(1));
    CHECK(t.Run("ZRANGE z 0 -1") == BulkArr({"a", "aa", "b", "c", "d"}));
    CHECK(t.Run("ZRANGE z 0 1 WITHSCORES") == BulkArr({"a", "1", "aa", "2"}));
    CHECK(t.Run("ZCARD z") == Int(5));
    CHECK(t.Run("ZCARD nokey") == Int(0));
  }

  TEST_CASE("scores are replied with %.17g like Redis 7.0") {
    TestEngine t;
    t.Run("ZADD z 1.1 a 0.5 b -inf c +inf d 0x10 f 100000000000000000 g");
    CHECK(t.Run("ZSCORE z a") == Bulk("1.1000000000000001"));
    CHECK(t.Run("ZSCORE z b") == Bulk("0.5"));
    CHECK(t.Run("ZSCORE z c") == Bulk("-inf"));
    CHECK(t.Run("ZSCORE z d") == Bulk("inf"));
    CHECK(t.Run("ZSCORE z f") == Bulk("16"));
    CHECK(t.Run("ZSCORE z g") == Bulk("1e+17"));
    CHECK(t.Run("ZSCORE z nope") == kNil);
    CHECK(t.Run("ZSCORE nokey a") == kNil);
    CHECK(t.Run("ZMSCORE z a nope b") == Arr({Bulk("1.1000000000000001"), kNil, Bulk("0.5")}));
    CHECK(t.Run("ZMSCORE nokey a b") == Arr({kNil, kNil}));
  }

  TEST_CASE("ZADD rejects scores that are not floats and keeps the set unchanged") {
    TestEngine t;
    CHECK(t.Run("ZADD z abc a") == Err("ERR value is not a valid float"));
    CHECK(t.Run("ZADD z nan a") == Err("ERR value is not a valid float"));
    CHECK(t.Run("ZADD z \" 1\" a") == Err("ERR value is not a valid float"));
    CHECK(t.Run("ZADD z \"\" a") == Err("ERR value is not a valid float"));
    CHECK(t.Run("ZADD z 1e400 a") == Err("ERR value is not a valid float"));  // overflow
    CHECK(t.Run("ZADD z 1 a abc b") == Err("ERR value is not a valid float"));
    CHECK(t.Run("EXISTS z") == Int(0));
  }

  TEST_CASE("ZADD option combinations produce Redis's exact errors") {
    TestEngine t;
    CHECK(t.Run("ZADD z nx xx 1 a") ==
          Err("ERR XX and NX options at the same time are not compatible"));
    CHECK(t.Run("ZADD z gt lt 1 a") ==
          Err("ERR GT, LT, and/or NX options at the same time are not compatible"));
    CHECK(t.Run("ZADD z nx gt 1 a") ==
          Err("ERR GT, LT, and/or NX options at the same time are not compatible"));
    CHECK(t.Run("ZADD z lt nx 1 a") ==
          Err("ERR GT, LT, and/or NX options at the same time are not compatible"));
    CHECK(t.Run("ZADD z incr 1 a 2 b") ==
          Err("ERR INCR option supports a single increment-element pair"));
    CHECK(t.Run("ZADD z 1 a 2") == Err("ERR syntax error"));
    CHECK(t.Run("ZADD z xx ch") == Err("ERR syntax error"));
    CHECK(t.Run("ZADD z 1") == Err("ERR wrong number of arguments for 'zadd' command"));
  }

  TEST_CASE("ZADD NX, XX, GT, LT and CH follow zsetAdd's rules") {
    TestEngine t;
    t.Run("ZADD z 1 a 2 b");
    CHECK(t.Run("ZADD z xx ch 10 a 20 new") == Int(1));
    CHECK(t.Run("ZSCORE z new") == kNil);
    CHECK(t.Run("ZADD z nx 99 a 3 c") == Int(1));
    CHECK(t.Run("ZSCORE z a") == Bulk("10"));
    CHECK(t.Run("ZADD z gt ch 5 a 3 b") == Int(1));  // a not lowered, b raised
    CHECK(t.Run("ZRANGE z 0 -1 WITHSCORES") == BulkArr({"b", "3", "c", "3", "a", "10"}));
    CHECK(t.Run("ZADD z lt ch 5 a 9 b") == Int(1));
    CHECK(t.Run("ZADD z gt 1 fresh") == Int(1));  // GT/LT still add new members
    CHECK(t.Run("ZADD z ch 5 a") == Int(0));      // same score: not an update
    CHECK(t.Run("ZADD z xx 1 a") == Int(0));
    CHECK(t.Run("ZADD nokey xx 1 a") == Int(0));
    CHECK(t.Run("EXISTS nokey") == Int(0));
  }

  TEST_CASE("ZADD INCR and ZINCRBY return the new score or nil") {
    TestEngine t;
    CHECK(t.Run("ZINCRBY z 2.5 a") == Bulk("2.5"));
    CHECK(t.Run("ZADD z incr 1 a") == Bulk("3.5"));
    CHECK(t.Run("ZADD z incr nx 1 a") == kNil);
    CHECK(t.Run("ZADD z incr xx 1 nope") == kNil);
    CHECK(t.Run("ZADD z incr gt -1 a") == kNil);
    CHECK(t.Run("ZADD nokey xx incr 1 a") == kNil);
    CHECK(t.Run("ZINCRBY z abc a") == Err("ERR value is not a valid float"));
    // ZINCRBY shares ZADD's parser: an option word leaves an odd pair count.
    CHECK(t.Run("ZINCRBY z nx a") == Err("ERR syntax error"));
    CHECK(t.Run("ZADD z inf x") == Int(1));
    CHECK(t.Run("ZINCRBY z -inf x") == Err("ERR resulting score is not a number (NaN)"));
    CHECK(t.Run("ZSCORE z x") == Bulk("inf"));
  }

  TEST_CASE("a -0 score reads back as 0 while the set is a listpack") {
    TestEngine t;
    CHECK(t.Run("ZINCRBY z -0 m") == Bulk("-0"));  // the reply shows the computed score
    CHECK(t.Run("ZSCORE z m") == Bulk("0"));
    CHECK(t.Run("CONFIG SET zset-max-listpack-entries 0") == kOk);
    t.Run("ZADD s -0 m");
    CHECK(t.Run("OBJECT ENCODING s") == Bulk("skiplist"));
    CHECK(t.Run("ZSCORE s m") == Bulk("-0"));
  }

  TEST_CASE("ZRANK and ZREVRANK count from either end") {
    TestEngine t;
    t.Run("ZADD z 1 a 2 b 3 c");
    CHECK(t.Run("ZRANK z a") == Int(0));
    CHECK(t.Run("ZRANK z c") == Int(2));
    CHECK(t.Run("ZREVRANK z a") == Int(2));
    CHECK(t.Run("ZRANK z nope") == kNil);
    CHECK(t.Run("ZRANK nokey a") == kNil);
    CHECK(t.Run("ZRANK z a withscore") == Err("ERR wrong number of arguments for 'zrank' command"));
  }

  TEST_CASE("ZREM removes members and deletes the key with the last one") {
    TestEngine t;
    t.Run("ZADD z 1 a 2 b");
    CHECK(t.Run("ZREM z a nope") == Int(1));
    CHECK(t.Run("ZREM nokey a") == Int(0));
    CHECK(t.Run("ZREM z b c") == Int(1));
    CHECK(t.Run("EXISTS z") == Int(0));
  }

  TEST_CASE("every sorted-set command rejects a key of another type") {
    TestEngine t;
    t.Run("SET str v");
    for (const char* cmd : {"ZADD str 1 a",
                            "ZINCRBY str 1 a",
                            "ZSCORE str a",
                            "ZMSCORE str a",
                            "ZRANK str a",
                            "ZREVRANK str a",
                            "ZREM str a",
                            "ZCARD str",
                            "ZCOUNT str 0 1",
                            "ZLEXCOUNT str - +",
                            "ZRANGE str 0 -1",
                            "ZRANGEBYSCORE str 0 1",
                            "ZREVRANGEBYSCORE str 1 0",
                            "ZRANGEBYLEX str - +",
                            "ZREVRANGEBYLEX str + -",
                            "ZREVRANGE str 0 1",
                            "ZRANGESTORE d str 0 1",
                            "ZREMRANGEBYRANK str 0 1",
                            "ZREMRANGEBYSCORE str 0 1",
                            "ZREMRANGEBYLEX str - +",
                            "ZPOPMIN str",
                            "ZPOPMAX str 2",
                            "ZRANDMEMBER str",
                            "ZRANDMEMBER str 2",
                            "ZSCAN str 0"}) {
      CAPTURE(cmd);
      CHECK(t.Run(cmd) == kWrongType);
    }
  }

  TEST_CASE("ZRANGE by rank clamps indexes and supports REV") {
    TestEngine t;
    t.Run("ZADD z 1 a 2 b 3 c 4 d 5 e");
    CHECK(t.Run("ZRANGE z -2 -1") == BulkArr({"d", "e"}));
    CHECK(t.Run("ZRANGE z -100 1") == BulkArr({"a", "b"}));
    CHECK(t.Run("ZRANGE z 3 100") == BulkArr({"d", "e"}));
    CHECK(t.Run("ZRANGE z 3 1") == Arr({}));
    CHECK(t.Run("ZRANGE z 10 20") == Arr({}));
    CHECK(t.Run("ZRANGE z 0 1 REV WITHSCORES") == BulkArr({"e", "5", "d", "4"}));
    CHECK(t.Run("ZREVRANGE z 0 1") == BulkArr({"e", "d"}));
    CHECK(t.Run("ZRANGE nokey 0 -1") == Arr({}));
  }

  TEST_CASE("ZRANGE rejects conflicting or malformed options like Redis") {
    TestEngine t;
    t.Run("ZADD z 1 a");
    CHECK(t.Run("ZRANGE z 0 1 LIMIT 0 1") ==
          Err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
              "BYLEX"));
    CHECK(t.Run("ZRANGE z 0 1 LIMIT 5 -1") == BulkArr({"a"}));  // -1 means "no LIMIT"
    CHECK(t.Run("ZRANGE z - + BYLEX WITHSCORES") ==
          Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
    CHECK(t.Run("ZRANGEBYLEX z - + WITHSCORES") ==
          Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
    CHECK(t.Run("ZRANGE z 0 1 BYSCORE BYLEX") == Err("ERR syntax error"));
    CHECK(t.Run("ZRANGE z 0 1 REV REV") == Err("ERR syntax error"));
    CHECK(t.Run("ZRANGE z 0 1 LIMIT 1") == Err("ERR syntax error"));
    CHECK(t.Run("ZRANGEBYSCORE z 0 1 REV") == Err("ERR syntax error"));
    CHECK(t.Run("ZREVRANGE z 0 1 BYSCORE") == Err("ERR syntax error"));
    CHECK(t.Run("ZRANGE z a 1") == Err("ERR value is not an integer or out of range"));
    CHECK(t.Run("ZRANGE z 0 1 BYSCORE LIMIT x 1") ==
          Err("ERR value is not an integer or out of range"));
    CHECK(t.Run("ZRANGE z x 1 BYSCORE") == Err("ERR min or max is not a float"));
    CHECK(t.Run("ZRANGE z nan 1 BYSCORE") == Err("ERR min or max is not a float"));
    CHECK(t.Run("ZRANGE z a b BYLEX") == Err("ERR min or max not valid string range item"));
    CHECK(t.Run("ZRANGE z -a + BYLEX") == Err("ERR min or max not valid string range item"));
    // Range errors come before the key is even looked at.
    CHECK(t.Run("ZRANGEBYSCORE nokey x 1") == Err("ERR min or max is not a float"));
  }

  TEST_CASE("score ranges honour exclusive bounds, REV order and LIMIT") {
    TestEngine t;
    t.Run("ZADD z 1 a 2 b 3 c 4 d 5 e 5 f");
    CHECK(t.Run("ZRANGEBYSCORE z (1 3") == BulkArr({"b", "c"}));
    CHECK(t.Run("ZRANGEBYSCORE z (1 (3 WITHSCORES") == BulkArr({"b", "2"}));
    CHECK(t.Run("ZRANGE z (5 +inf BYSCORE") == Arr({}));
    CHECK(t.Run("ZRANGE z 5 (2 BYSCORE REV") == BulkArr({"f", "e", "d", "c"}));
    CHECK(t.Run("ZREVRANGEBYSCORE z +inf -inf LIMIT 1 2") == BulkArr({"e", "d"}));
    CHECK(t.Run("ZRANGEBYSCORE z -inf +inf LIMIT 4 10") == BulkArr({"e", "f"}));
    CHECK(t.Run("ZRANGEBYSCORE z -inf +inf LIMIT 6 10") == Arr({}));
    CHECK(t.Run("ZRANGEBYSCORE z -inf +inf LIMIT -1 2") == Arr({}));
    CHECK(t.Run("ZRANGEBYSCORE z -inf +inf LIMIT 0 0") == Arr({}));
    CHECK(t.Run("ZRANGEBYSCORE z 4 +inf LIMIT 0 -5") == BulkArr({"d", "e", "f"}));
    CHECK(t.Run("ZRANGEBYSCORE z 3 1") == Arr({}));
  }

  TEST_CASE("score bounds go through strtod, unlike ZADD scores") {
    TestEngine t;
    t.Run("ZADD z 0 zero 1.5 b 16 h");
    CHECK(t.Run("ZRANGEBYSCORE z \" 1\" +inf") == BulkArr({"b", "h"}));
    CHECK(t.Run("ZRANGEBYSCORE z \"\" 0") == BulkArr({"zero"}));  // "" parses as 0
    CHECK(t.Run("ZRANGEBYSCORE z ( 0x10") == BulkArr({"b", "h"}));
    CHECK(t.Run("ZRANGEBYSCORE z 1 1e999") == BulkArr({"b", "h"}));
    CHECK(t.Run("ZRANGEBYSCORE z ((1 2") == Err("ERR min or max is not a float"));
  }

  TEST_CASE("lex ranges select members of equal score") {
    TestEngine t;
    t.Run("ZADD z 0 a 0 aa 0 ab 0 b 0 c 0 d");
    CHECK(t.Run("ZRANGEBYLEX z - +") == BulkArr({"a", "aa", "ab", "b", "c", "d"}));
    CHECK(t.Run("ZRANGEBYLEX z [a [b") == BulkArr({"a", "aa", "ab", "b"}));
    CHECK(t.Run("ZRANGEBYLEX z (a (b") == BulkArr({"aa", "ab"}));
    CHECK(t.Run("ZRANGEBYLEX z - + LIMIT 2 2") == BulkArr({"ab", "b"}));
    CHECK(t.Run("ZREVRANGEBYLEX z + - LIMIT 0 2") == BulkArr({"d", "c"}));
    CHECK(t.Run("ZREVRANGEBYLEX z (c [aa") == BulkArr({"b", "ab", "aa"}));
    CHECK(t.Run("ZRANGE z [c - BYLEX REV") == BulkArr({"c", "b", "ab", "aa", "a"}));
    CHECK(t.Run("ZRANGEBYLEX z + -") == Arr({}));
    CHECK(t.Run("ZLEXCOUNT z (a [c") == Int(4));
    CHECK(t.Run("ZLEXCOUNT z - +") == Int(6));
    CHECK(t.Run("ZLEXCOUNT z x y") == Err("ERR min or max not valid string range item"));
    CHECK(t.Run("ZLEXCOUNT nokey - +") == Int(0));
  }

  TEST_CASE("ZCOUNT counts scores within the range") {
    TestEngine t;
    t.Run("ZADD z 1 a 2 b 3 c 4 d 5 e");
    CHECK(t.Run("ZCOUNT z 2 4") == Int(3));
    CHECK(t.Run("ZCOUNT z (2 (4") == Int(1));
    CHECK(t.Run("ZCOUNT z -inf +inf") == Int(5));
    CHECK(t.Run("ZCOUNT z 4 2") == Int(0));
    CHECK(t.Run("ZCOUNT z 10 20") == Int(0));
    CHECK(t.Run("ZCOUNT z x 1") == Err("ERR min or max is not a float"));
    CHECK(t.Run("ZCOUNT nokey 0 1") == Int(0));
  }

  TEST_CASE("ZREMRANGEBYRANK, BYSCORE and BYLEX remove ranges and empty keys") {
    TestEngine t;
    t.Run("ZADD z 1 a 2 b 3 c 4 d 5 e");
    CHECK(t.Run("ZREMRANGEBYRANK z 1 2") == Int(2));
    CHECK(t.Run("ZRANGE z 0 -1") == BulkArr({"a", "d", "e"}));
    CHECK(t.Run("ZREMRANGEBYRANK z 5 10") == Int(0));
    CHECK(t.Run("ZREMRANGEBYRANK z -1 -1") == Int(1));
    CHECK(t.Run("ZREMRANGEBYRANK z x 1") == Err("ERR value is not an integer or out of range"));
    CHECK(t.Run("ZREMRANGEBYSCORE z (1 4") == Int(1));
    CHECK(t.Run("ZREMRANGEBYSCORE z x 4") == Err("ERR min or max is not a float"));
    CHECK(t.Run("ZREMRANGEBYSCORE z -inf +inf") == Int(1));
    CHECK(t.Run("EXISTS z") == Int(0));
    t.Run("ZADD l 0 a 0 b 0 c");
    CHECK(t.Run("ZREMRANGEBYLEX l [a (c") == Int(2));
    CHECK(t.Run("ZREMRANGEBYLEX l x y") == Err("ERR min or max not valid string range item"));
    CHECK(t.Run("ZREMRANGEBYLEX l - +") == Int(1));
    CHECK(t.Run("EXISTS l") == Int(0));
    CHECK(t.Run("ZREMRANGEBYRANK nokey 0 -1") == Int(0));
    CHECK(t.Run("ZREMRANGEBYLEX nokey - +") == Int(0));
  }

  TEST_CASE("ZRANGESTORE stores the selected range or deletes the destination") {
    TestEngine t;
    t.Run("ZADD z 1 a 2 b 3 c 4 d");
    CHECK(t.Run("ZRANGESTORE dst z 1 2") == Int(2));
    CHECK(t.Run("ZRANGE dst 0 -1 WITHSCORES") == BulkArr({"b", "2", "c", "3"}));
    CHECK(t.Run("ZRANGESTORE dst z (1 4 BYSCORE LIMIT 1 5") == Int(2));
    CHECK(t.Run("ZRANGE dst 0 -1") == BulkArr({"c", "d"}));
    // Lex ranges just walk the score order; here it is also lexical.
    CHECK(t.Run("ZRANGESTORE dst z [c [a BYLEX REV") == Int(3));
    CHECK(t.Run("ZRANGE dst 0 -1") == BulkArr({"a", "b", "c"}));
    CHECK(t.Run("ZRANGESTORE dst z 10 20") == Int(0));
    CHECK(t.Run("EXISTS dst") == Int(0));
    CHECK(t.Run("ZRANGESTORE dst z 0 1 WITHSCORES") == Err("ERR syntax error"));
    t.Run("SET s 1");
    CHECK(t.Run("ZRANGESTORE s z 0 0") == Int(1));
    CHECK(t.Run("TYPE s") == "+zset\r\n");
    CHECK(t.Run("ZRANGESTORE s nokey 0 -1") == Int(0));
    CHECK(t.Run("EXISTS s") == Int(0));
  }

  TEST_CASE("ZPOPMIN and ZPOPMAX pop from the ends and validate the count") {
    TestEngine t;
    t.Run("ZADD z 1 a 2 b 3 c 4.5 d");
    CHECK(t.Run("ZPOPMIN z") == BulkArr({"a", "1"}));
    CHECK(t.Run("ZPOPMAX z") == BulkArr({"d", "4.5"}));
    CHECK(t.Run("ZPOPMIN z 0") == Arr({}));
    CHECK(t.Run("ZPOPMIN z -1") == Err("ERR value is out of range, must be positive"));
    CHECK(t.Run("ZPOPMIN z x") == Err("ERR value is out of range, must be positive"));
    CHECK(t.Run("ZPOPMIN z 1 2") == Err("ERR syntax error"));
    CHECK(t.Run("ZPOPMAX z 10") == BulkArr({"c", "3", "b", "2"}));
    CHECK(t.Run("EXISTS z") == Int(0));
    CHECK(t.Run("ZPOPMIN nokey") == Arr({}));
    CHECK(t.Run("ZPOPMAX nokey 3") == Arr({}));
  }

  TEST_CASE("ZRANDMEMBER returns distinct members, or repeats for negative counts") {
    TestEngine t;
    t.Run("ZADD z 1 a 2 b 3 c 4 d 5 e 6 f 7 g 8 h 9 i 10 j");
    for (const char* count : {"1", "2", "4", "9"}) {
      auto got = ParseBulkArray(t.Run(std::string("ZRANDMEMBER z ") + count));
      CHECK(got.size() == std::stoul(count));
      std::sort(got.begin(), got.end());
      CHECK(std::unique(got.begin(), got.end()) == got.end());
    }
    // The whole set comes back highest score first, as Redis iterates it.
    CHECK(t.Run("ZRANDMEMBER z 20") == BulkArr({"j", "i", "h", "g", "f", "e", "d", "c", "b", "a"}));
    CHECK(t.Run("ZRANDMEMBER z 10 WITHSCORES") ==
          BulkArr({"j", "10", "i", "9", "h", "8", "g", "7", "f", "6",
                   "e", "5",  "d", "4", "c", "3", "b", "2", "a", "1"}));
    CHECK(ParseBulkArray(t.Run("ZRANDMEMBER z -30 WITHSCORES")).size() == 60);
    t.Run("ZADD one 1.5 x");
    CHECK(t.Run("ZRANDMEMBER one -2 WITHSCORES") == BulkArr({"x", "1.5", "x", "1.5"}));
    CHECK(t.Run("ZRANDMEMBER one 5 withscores") == BulkArr({"x", "1.5"}));
    CHECK(t.Run("ZRANDMEMBER one") == Bulk("x"));
  }

  TEST_CASE("ZRANDMEMBER validates its arguments like Redis") {
    TestEngine t;
    t.Run("ZADD z 1 a");
    CHECK(t.Run("ZRANDMEMBER nokey") == kNil);
    CHECK(t.Run("ZRANDMEMBER nokey 3 WITHSCORES") == Arr({}));
    CHECK(t.Run("ZRANDMEMBER z 0") == Arr({}));
    CHECK(t.Run("ZRANDMEMBER z x") == Err("ERR value is not an integer or out of range"));
    CHECK(t.Run("ZRANDMEMBER z 1 WITHSCORE") == Err("ERR syntax error"));
    CHECK(t.Run("ZRANDMEMBER z 1 WITHSCORES x") == Err("ERR syntax error"));
    CHECK(t.Run("ZRANDMEMBER z -9223372036854775808") ==
          Err("ERR value is out of range, value must between -9223372036854775807 and "
              "9223372036854775807"));
    CHECK(t.Run("ZRANDMEMBER z 9223372036854775807 WITHSCORES") ==
          Err("ERR value is out of range"));
    CHECK(t.Run("ZRANDMEMBER z -4611686018427387904 WITHSCORES") ==
          Err("ERR value is out of range"));
  }

  TEST_CASE("sorted sets become skiplists exactly where Redis 7.0 converts them") {
    TestEngine t;
    CHECK(t.Run("ZADD z" + Members(128)) == Int(128));
    CHECK(t.Run("OBJECT ENCODING z") == Bulk("listpack"));
    CHECK(t.Run("ZADD z 1 m1") == Int(0));  // an update never converts
    CHECK(t.Run("OBJECT ENCODING z") == Bulk("listpack"));
    CHECK(t.Run("ZADD z 500 m500") == Int(1));
    CHECK(t.Run("OBJECT ENCODING z") == Bulk("skiplist"));
    CHECK(t.Run("ZREM z m500 m1 m2") == Int(3));  // and it never converts back
    CHECK(t.Run("OBJECT ENCODING z") == Bulk("skiplist"));
    const std::string m64(64, 'x');
    const std::string m65(65, 'y');
    t.Run("ZADD a 1 " + m64);
    CHECK(t.Run("OBJECT ENCODING a") == Bulk("listpack"));
    t.Run("ZADD b 1 " + m65);
    CHECK(t.Run("OBJECT ENCODING b") == Bulk("skiplist"));
    t.Run("ZADD c 1 short 2 " + m65);
    CHECK(t.Run("OBJECT ENCODING c") == Bulk("skiplist"));
    t.Run("ZADD d 1 short");
    CHECK(t.Run("ZADD d xx 1 " + m65) == Int(0));  // XX adds nothing: no conversion
    CHECK(t.Run("OBJECT ENCODING d") == Bulk("listpack"));
    CHECK(t.Run("CONFIG SET zset-max-listpack-entries 0") == kOk);
    t.Run("ZADD e 1 a");
    CHECK(t.Run("OBJECT ENCODING e") == Bulk("skiplist"));
  }

  TEST_CASE("ZRANGESTORE picks the destination encoding like Redis") {
    TestEngine t;
    t.Run("ZADD z" + Members(200));
    CHECK(t.Run("ZRANGESTORE d z 0 127") == Int(128));
    CHECK(t.Run("OBJECT ENCODING d") == Bulk("listpack"));
    CHECK(t.Run("ZRANGESTORE d z 0 128") == Int(129));
    CHECK(t.Run("OBJECT ENCODING d") == Bulk("skiplist"));
    CHECK(t.Run("ZRANGESTORE d z 0 10 BYSCORE") == Int(11));
    CHECK(t.Run("OBJECT ENCODING d") == Bulk("listpack"));
  }

  TEST_CASE("ZSCAN returns a listpack whole, scores spelled as the listpack stores them") {
    TestEngine t;
    t.Run("ZADD z 1.5 a 100000000000000000 b -0 c inf d 4611686018427387904 e 1e19 f");
    CHECK(t.Run("ZSCAN z 0") ==
          Arr({Bulk("0"), BulkArr({"c", "0", "a", "1.5", "b", "100000000000000000", "e",
                                   "4611686018427387904", "f", "1e+19", "d", "inf"})}));
    CHECK(t.Run("ZSCAN z 0 MATCH [ab]") ==
          Arr({Bulk("0"), BulkArr({"a", "1.5", "b", "100000000000000000"})}));
    CHECK(t.Run("ZSCAN z x") == Err("ERR invalid cursor"));
    CHECK(t.Run("ZSCAN z 0 COUNT 0") == Err("ERR syntax error"));
    CHECK(t.Run("ZSCAN nokey 0") == Arr({Bulk("0"), Arr({})}));
  }

  TEST_CASE("ZSCAN over a skiplist uses %.17g scores and covers every member") {
    TestEngine t;
    t.Run("ZADD z" + Members(300));
    t.Run("ZADD z 100000000000000000 big");
    CHECK(t.Run("ZSCAN z 0 MATCH big COUNT 1000") == Arr({Bulk("0"), BulkArr({"big", "1e+17"})}));
    size_t pairs = 0;
    std::string cursor = "0";
    int calls = 0;
    do {
      std::string r = t.Run("ZSCAN z " + cursor + " COUNT 25");
      const size_t len_end = r.find("\r\n", 4);
      const size_t clen = std::stoul(r.substr(5, len_end - 5));
      cursor = r.substr(len_end + 2, clen);
      pairs += ParseBulkArray(r.substr(len_end + 2 + clen + 2)).size() / 2;
      ++calls;
    } while (cursor != "0" && calls < 1000);
    CHECK(cursor == "0");
    CHECK(pairs == 301);  // nothing changed during the scan, so no repeats
  }

  TEST_CASE("writes bump the dirty counter by the number of changes") {
    TestEngine t;
    auto dirty = [&] { return t.engine.server().dirty(); };
    int64_t d0 = dirty();
    t.Run("ZADD z 1 a 2 b 3 c");
    CHECK(dirty() - d0 == 3);
    d0 = dirty();
    t.Run("ZADD z 1 a 5 b");  // one unchanged, one updated
    CHECK(dirty() - d0 == 1);
    d0 = dirty();
    t.Run("ZREM z a b nope");
    CHECK(dirty() - d0 == 2);
    d0 = dirty();
    t.Run("ZADD z 1 a 2 b 4 d");
    d0 = dirty();
    t.Run("ZPOPMIN z 2");
    CHECK(dirty() - d0 == 2);
    d0 = dirty();
    t.Run("ZREMRANGEBYSCORE z -inf +inf");
    CHECK(dirty() - d0 == 2);
    d0 = dirty();
    t.Run("ZREMRANGEBYSCORE z -inf +inf");
    CHECK(dirty() == d0);
  }

  TEST_CASE("a sorted-set write invalidates a WATCH on the key") {
    TestEngine t;
    t.Run("ZADD z 1 a");
    CHECK(t.Run("WATCH z") == kOk);
    CHECK(t.Run("ZADD z 1 a") == Int(0));  // no change: the watch survives
    CHECK(t.Run("MULTI") == kOk);
    t.Run("PING");
    CHECK(t.Run("EXEC") == Arr({"+PONG\r\n"}));
    CHECK(t.Run("WATCH z") == kOk);
    CHECK(t.Run("ZINCRBY z 1 a") == Bulk("2"));
    CHECK(t.Run("MULTI") == kOk);
    t.Run("PING");
    CHECK(t.Run("EXEC") == kNilArray);
  }
}
