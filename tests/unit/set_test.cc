// Set commands. Expected replies were checked against redis-server 7.0.15.
// Intsets iterate in numeric order (as in Redis), so most tests use integer
// members to get a deterministic order; hashtable replies are compared as
// sorted lists.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

using namespace plab::testing;

namespace {

// Parses a RESP array of bulk strings (e.g. SMEMBERS) into its elements.
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

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

const std::string kWrongType =
    Err("WRONGTYPE Operation against a key holding the wrong kind of value");

}  // namespace

TEST_SUITE("sets") {
  TEST_CASE("SADD counts new members and SMEMBERS lists an intset in numeric order") {
    TestEngine t;
    CHECK(t.Run("SADD s 3 1 2 -5 10") == Int(5));
    CHECK(t.Run("SADD s 1 2 4") == Int(1));
    CHECK(t.Run("SMEMBERS s") == BulkArr({"-5", "1", "2", "3", "4", "10"}));
    CHECK(t.Run("SCARD s") == Int(6));
    CHECK(t.Run("OBJECT ENCODING s") == Bulk("intset"));
  }

  TEST_CASE("a non-canonical integer makes the set a hashtable") {
    TestEngine t;
    CHECK(t.Run("SADD a 1 01") == Int(2));
    CHECK(t.Run("OBJECT ENCODING a") == Bulk("hashtable"));
    CHECK(t.Run("SADD b -0") == Int(1));
    CHECK(t.Run("OBJECT ENCODING b") == Bulk("hashtable"));
    CHECK(t.Run("SADD c 9223372036854775807 -9223372036854775808") == Int(2));
    CHECK(t.Run("OBJECT ENCODING c") == Bulk("intset"));
    CHECK(t.Run("SADD d 9223372036854775808") == Int(1));
    CHECK(t.Run("OBJECT ENCODING d") == Bulk("hashtable"));
    CHECK(t.Run("SADD e 5 x") == Int(2));
    CHECK(t.Run("OBJECT ENCODING e") == Bulk("hashtable"));
    // Conversion is one-way: removing the string keeps the hashtable.
    CHECK(t.Run("SREM e x") == Int(1));
    CHECK(t.Run("OBJECT ENCODING e") == Bulk("hashtable"));
  }

  TEST_CASE("an intset converts once it holds more than set-max-intset-entries") {
    TestEngine t;
    std::string cmd = "SADD s";
    for (int i = 1; i <= 512; ++i) cmd += " " + std::to_string(i);
    CHECK(t.Run(cmd) == Int(512));
    CHECK(t.Run("OBJECT ENCODING s") == Bulk("intset"));
    CHECK(t.Run("SADD s 512") == Int(0));
    CHECK(t.Run("OBJECT ENCODING s") == Bulk("intset"));
    CHECK(t.Run("SADD s 513") == Int(1));
    CHECK(t.Run("OBJECT ENCODING s") == Bulk("hashtable"));
    CHECK(t.Run("CONFIG SET set-max-intset-entries 2") == kOk);
    CHECK(t.Run("SADD small 1 2 3") == Int(3));
    CHECK(t.Run("OBJECT ENCODING small") == Bulk("hashtable"));
  }

  TEST_CASE("SREM removes members and deletes the key with the last one") {
    TestEngine t;
    t.Run("SADD s 1 2 3");
    CHECK(t.Run("SREM s 1 nothere") == Int(1));
    CHECK(t.Run("SREM nokey a") == Int(0));
    CHECK(t.Run("SREM s 2 3 4") == Int(2));
    CHECK(t.Run("EXISTS s") == Int(0));
  }

  TEST_CASE("membership tests treat a missing key as an empty set") {
    TestEngine t;
    t.Run("SADD s a 1");
    CHECK(t.Run("SISMEMBER s a") == Int(1));
    CHECK(t.Run("SISMEMBER s b") == Int(0));
    CHECK(t.Run("SISMEMBER nokey a") == Int(0));
    CHECK(t.Run("SMISMEMBER s a b 1") == Arr({Int(1), Int(0), Int(1)}));
    CHECK(t.Run("SMISMEMBER nokey a b") == Arr({Int(0), Int(0)}));
    CHECK(t.Run("SCARD nokey") == Int(0));
    CHECK(t.Run("SMEMBERS nokey") == Arr({}));
  }

  TEST_CASE("every set command rejects a key of another type") {
    TestEngine t;
    t.Run("SET str x");
    t.Run("SADD s 1");
    for (const char* cmd :
         {"SADD str a",         "SREM str a",          "SMEMBERS str",      "SISMEMBER str a",
          "SMISMEMBER str a",   "SCARD str",           "SPOP str",          "SPOP str 2",
          "SRANDMEMBER str",    "SRANDMEMBER str 2",   "SINTER s str",      "SUNION s str",
          "SDIFF s str",        "SINTERSTORE d s str", "SUNIONSTORE d str", "SDIFFSTORE d s str",
          "SINTERCARD 2 s str", "SMOVE str s a",       "SMOVE s str 1",     "SSCAN str 0",
          "SINTER nokey str"}) {
      CAPTURE(cmd);
      CHECK(t.Run(cmd) == kWrongType);
    }
    // A missing source answers 0 before the destination's type is checked.
    CHECK(t.Run("SMOVE nokey str 1") == Int(0));
  }

  TEST_CASE("SINTER, SUNION and SDIFF combine sets, missing keys being empty") {
    TestEngine t;
    t.Run("SADD a 1 2 3 4 5");
    t.Run("SADD b 3 4 5 6 7");
    t.Run("SADD c 5 6 7 8 x");
    CHECK(t.Run("SINTER a b") == BulkArr({"3", "4", "5"}));
    CHECK(t.Run("SINTER a b c") == BulkArr({"5"}));
    CHECK(t.Run("SINTER a nokey") == Arr({}));
    CHECK(t.Run("SUNION a b") == BulkArr({"1", "2", "3", "4", "5", "6", "7"}));
    CHECK(t.Run("SUNION a nokey") == BulkArr({"1", "2", "3", "4", "5"}));
    CHECK(Sorted(ParseBulkArray(t.Run("SUNION a c"))) ==
          std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8", "x"});
    CHECK(t.Run("SDIFF a b") == BulkArr({"1", "2"}));
    CHECK(t.Run("SDIFF a b c") == BulkArr({"1", "2"}));
    CHECK(t.Run("SDIFF a nokey b") == BulkArr({"1", "2"}));
    CHECK(t.Run("SDIFF nokey a") == Arr({}));
    CHECK(t.Run("SDIFF a a") == Arr({}));
    CHECK(Sorted(ParseBulkArray(t.Run("SDIFF c a"))) ==
          std::vector<std::string>{"6", "7", "8", "x"});
  }

  TEST_CASE("the STORE variants overwrite or delete the destination") {
    TestEngine t;
    t.Run("SADD a 1 2 3");
    t.Run("SADD b 2 3 4 x");
    t.Run("SET d string");
    t.Run("EXPIRE d 100");
    CHECK(t.Run("SINTERSTORE d a b") == Int(2));
    CHECK(t.Run("TYPE d") == "+set\r\n");
    CHECK(t.Run("TTL d") == Int(-1));
    CHECK(t.Run("SMEMBERS d") == BulkArr({"2", "3"}));
    // The result is built as an intset, whatever the sources were.
    CHECK(t.Run("OBJECT ENCODING d") == Bulk("intset"));
    CHECK(t.Run("SUNIONSTORE d a b") == Int(5));
    CHECK(t.Run("OBJECT ENCODING d") == Bulk("hashtable"));
    CHECK(t.Run("SDIFFSTORE d b a") == Int(2));
    CHECK(Sorted(ParseBulkArray(t.Run("SMEMBERS d"))) == std::vector<std::string>{"4", "x"});
    CHECK(t.Run("SINTERSTORE d a nokey") == Int(0));
    CHECK(t.Run("EXISTS d") == Int(0));
    CHECK(t.Run("SDIFFSTORE d a a") == Int(0));
    CHECK(t.Run("SUNIONSTORE a a b") == Int(5));
    CHECK(t.Run("SCARD a") == Int(5));
  }

  TEST_CASE("SDIFFSTORE's encoding depends on the algorithm Redis picks") {
    TestEngine t;
    auto range = [](int from, int to) {
      std::string s;
      for (int i = from; i <= to; ++i) s += " " + std::to_string(i);
      return s;
    };
    t.Run("SADD big" + range(1, 600));
    t.Run("SADD b1" + range(1, 100));
    t.Run("SADD c1" + range(101, 200));
    // First set large versus the others: copy-then-remove leaves a hashtable.
    CHECK(t.Run("SDIFFSTORE d big b1 c1") == Int(400));
    CHECK(t.Run("OBJECT ENCODING d") == Bulk("hashtable"));
    // Otherwise only survivors are added and the result stays an intset.
    t.Run("SADD b2" + range(1, 400));
    CHECK(t.Run("SDIFFSTORE d2 big b2") == Int(200));
    CHECK(t.Run("OBJECT ENCODING d2") == Bulk("intset"));
  }

  TEST_CASE("SINTERCARD counts, honours LIMIT and validates its arguments") {
    TestEngine t;
    t.Run("SADD a 1 2 3 4 5");
    t.Run("SADD b 3 4 5 6 7");
    CHECK(t.Run("SINTERCARD 2 a b") == Int(3));
    CHECK(t.Run("SINTERCARD 2 a b LIMIT 2") == Int(2));
    CHECK(t.Run("SINTERCARD 2 a b limit 0") == Int(3));
    CHECK(t.Run("SINTERCARD 2 a nokey") == Int(0));
    CHECK(t.Run("SINTERCARD 0 a") == Err("ERR numkeys should be greater than 0"));
    CHECK(t.Run("SINTERCARD x a") == Err("ERR numkeys should be greater than 0"));
    CHECK(t.Run("SINTERCARD 3 a b") ==
          Err("ERR Number of keys can't be greater than number of args"));
    CHECK(t.Run("SINTERCARD 1 a LIMIT -1") == Err("ERR LIMIT can't be negative"));
    CHECK(t.Run("SINTERCARD 1 a LIMIT x") == Err("ERR LIMIT can't be negative"));
    CHECK(t.Run("SINTERCARD 1 a LIMIT") == Err("ERR syntax error"));
    CHECK(t.Run("SINTERCARD 1 a FOO 1") == Err("ERR syntax error"));
    CHECK(t.Run("SINTERCARD 1") == Err("ERR wrong number of arguments for 'sintercard' command"));
  }

  TEST_CASE("SMOVE moves members between sets and handles the edge cases") {
    TestEngine t;
    t.Run("SADD a 1 2 3");
    t.Run("SADD b 3 x");
    CHECK(t.Run("SMOVE a b 1") == Int(1));
    CHECK(t.Run("SMEMBERS a") == BulkArr({"2", "3"}));
    CHECK(t.Run("SISMEMBER b 1") == Int(1));
    CHECK(t.Run("SMOVE a b 3") == Int(1));  // already in b: still moved out of a
    CHECK(t.Run("SMOVE a b nothere") == Int(0));
    CHECK(t.Run("SMOVE nokey b 1") == Int(0));
    CHECK(t.Run("SMOVE a a 2") == Int(1));
    CHECK(t.Run("SMOVE a a 9") == Int(0));
    CHECK(t.Run("SMOVE a fresh 2") == Int(1));
    CHECK(t.Run("EXISTS a") == Int(0));
    CHECK(t.Run("OBJECT ENCODING fresh") == Bulk("intset"));
    CHECK(t.Run("SMOVE b fresh x") == Int(1));
    CHECK(t.Run("OBJECT ENCODING fresh") == Bulk("hashtable"));
  }

  TEST_CASE("SPOP removes random members and deletes the emptied key") {
    TestEngine t;
    t.Run("SADD s 1 2 3 4 5");
    auto popped = ParseBulkArray(t.Run("SPOP s 2"));
    CHECK(popped.size() == 2);
    CHECK(t.Run("SCARD s") == Int(3));
    for (const auto& m : popped) CHECK(t.Run("SISMEMBER s " + m) == Int(0));
    std::string one = t.Run("SPOP s");
    CHECK(one.rfind("$1\r\n", 0) == 0);
    CHECK(t.Run("SCARD s") == Int(2));
    // Asking for at least the whole set returns all of it, in intset order.
    t.Run("SADD t 3 1 2");
    CHECK(t.Run("SPOP t 10") == BulkArr({"1", "2", "3"}));
    CHECK(t.Run("EXISTS t") == Int(0));
    CHECK(t.Run("SPOP nokey") == kNil);
    CHECK(t.Run("SPOP nokey 3") == Arr({}));
    CHECK(t.Run("SPOP s 0") == Arr({}));
  }

  TEST_CASE("SPOP with a large count rebuilds the survivors as a new set") {
    TestEngine t;
    t.Run("SADD h x 1 2 3 4 5 6 7 8 9 10");
    t.Run("SREM h x");
    CHECK(t.Run("OBJECT ENCODING h") == Bulk("hashtable"));
    // 9 of 10: the survivor is moved to a set created from it, an intset.
    CHECK(ParseBulkArray(t.Run("SPOP h 9")).size() == 9);
    CHECK(t.Run("SCARD h") == Int(1));
    CHECK(t.Run("OBJECT ENCODING h") == Bulk("intset"));
  }

  TEST_CASE("SPOP validates its count") {
    TestEngine t;
    t.Run("SADD s 1");
    CHECK(t.Run("SPOP s -1") == Err("ERR value is out of range, must be positive"));
    CHECK(t.Run("SPOP s abc") == Err("ERR value is out of range, must be positive"));
    CHECK(t.Run("SPOP s 1 2") == Err("ERR syntax error"));
    CHECK(t.Run("SPOP") == Err("ERR wrong number of arguments for 'spop' command"));
  }

  TEST_CASE("SRANDMEMBER returns distinct members for positive counts and may repeat otherwise") {
    TestEngine t;
    t.Run("SADD s 1 2 3 4 5 6 7 8 9 10");
    for (const char* count : {"1", "3", "5", "9"}) {
      auto got = ParseBulkArray(t.Run(std::string("SRANDMEMBER s ") + count));
      CHECK(got.size() == std::stoul(count));
      auto uniq = Sorted(got);
      CHECK(std::unique(uniq.begin(), uniq.end()) == uniq.end());
    }
    CHECK(t.Run("SRANDMEMBER s 20") ==
          BulkArr({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}));
    CHECK(ParseBulkArray(t.Run("SRANDMEMBER s -25")).size() == 25);
    t.Run("SADD one 7");
    CHECK(t.Run("SRANDMEMBER one -3") == BulkArr({"7", "7", "7"}));
    CHECK(t.Run("SRANDMEMBER one") == Bulk("7"));
    CHECK(t.Run("SCARD s") == Int(10));
  }

  TEST_CASE("SRANDMEMBER handles missing keys and bad counts like Redis") {
    TestEngine t;
    t.Run("SADD s 1");
    CHECK(t.Run("SRANDMEMBER nokey") == kNil);
    CHECK(t.Run("SRANDMEMBER nokey 5") == Arr({}));
    CHECK(t.Run("SRANDMEMBER s 0") == Arr({}));
    CHECK(t.Run("SRANDMEMBER s abc") == Err("ERR value is not an integer or out of range"));
    CHECK(t.Run("SRANDMEMBER s -9223372036854775808") ==
          Err("ERR value is out of range, value must between -9223372036854775807 and "
              "9223372036854775807"));
    CHECK(t.Run("SRANDMEMBER s 1 2") == Err("ERR syntax error"));
  }

  TEST_CASE("SSCAN returns an intset whole and validates cursor and options") {
    TestEngine t;
    t.Run("SADD s 3 1 2 10");
    CHECK(t.Run("SSCAN s 0") == Arr({Bulk("0"), BulkArr({"1", "2", "3", "10"})}));
    CHECK(t.Run("SSCAN s 0 MATCH 1*") == Arr({Bulk("0"), BulkArr({"1", "10"})}));
    CHECK(t.Run("SSCAN s 0 COUNT 1") == Arr({Bulk("0"), BulkArr({"1", "2", "3", "10"})}));
    CHECK(t.Run("SSCAN s abc") == Err("ERR invalid cursor"));
    CHECK(t.Run("SSCAN s 0 COUNT 0") == Err("ERR syntax error"));
    CHECK(t.Run("SSCAN s 0 COUNT x") == Err("ERR value is not an integer or out of range"));
    CHECK(t.Run("SSCAN s 0 MATCH") == Err("ERR syntax error"));
    CHECK(t.Run("SSCAN s 0 TYPE set") == Err("ERR syntax error"));
    // Options of a missing key are not even parsed.
    CHECK(t.Run("SSCAN nokey 0 COUNT 0") == Arr({Bulk("0"), Arr({})}));
  }

  TEST_CASE("SSCAN over a hashtable set visits every member across calls") {
    TestEngine t;
    std::string cmd = "SADD s";
    for (int i = 0; i < 300; ++i) cmd += " m" + std::to_string(i);
    t.Run(cmd);
    std::vector<std::string> seen;
    std::string cursor = "0";
    int calls = 0;
    do {
      std::string r = t.Run("SSCAN s " + cursor + " COUNT 20");
      // Reply: *2, the cursor bulk, then the member array.
      const size_t len_end = r.find("\r\n", 4);
      const size_t clen = std::stoul(r.substr(5, len_end - 5));
      cursor = r.substr(len_end + 2, clen);
      auto page = ParseBulkArray(r.substr(len_end + 2 + clen + 2));
      seen.insert(seen.end(), page.begin(), page.end());
      ++calls;
    } while (cursor != "0" && calls < 1000);
    CHECK(cursor == "0");
    CHECK(calls > 1);
    auto uniq = Sorted(seen);
    uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
    CHECK(uniq.size() == 300);
  }

  TEST_CASE("writes bump the dirty counter by the number of changes") {
    TestEngine t;
    auto dirty = [&] { return t.engine.server().dirty(); };
    int64_t d0 = dirty();
    t.Run("SADD s 1 2 3");
    CHECK(dirty() - d0 == 3);
    d0 = dirty();
    t.Run("SADD s 1");
    t.Run("SREM s 9");
    CHECK(dirty() == d0);
    t.Run("SREM s 1 2");
    CHECK(dirty() - d0 == 2);
    d0 = dirty();
    t.Run("SADD t 3");
    d0 = dirty();
    t.Run("SMOVE s t 3");  // removed from s; already in t
    CHECK(dirty() - d0 == 1);
    d0 = dirty();
    t.Run("SADD u 1 2 3 4");
    d0 = dirty();
    t.Run("SPOP u 10");
    CHECK(dirty() - d0 == 4);
    d0 = dirty();
    t.Run("SUNIONSTORE d t");
    CHECK(dirty() - d0 == 1);
  }

  TEST_CASE("a set write invalidates a WATCH on the key") {
    TestEngine t;
    t.Run("SADD s 1");
    CHECK(t.Run("WATCH s") == kOk);
    CHECK(t.Run("SADD s 1") == Int(0));  // no change: the watch survives
    CHECK(t.Run("MULTI") == kOk);
    t.Run("PING");
    CHECK(t.Run("EXEC") == Arr({"+PONG\r\n"}));
    CHECK(t.Run("WATCH s") == kOk);
    CHECK(t.Run("SREM s 1") == Int(1));
    CHECK(t.Run("MULTI") == kOk);
    t.Run("PING");
    CHECK(t.Run("EXEC") == kNilArray);
  }
}
