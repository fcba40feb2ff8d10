// Hash commands, checked against replies recorded from Redis 7.0.15. A
// listpack-encoded hash lists its fields in insertion order in Redis and in
// PersistLab, so those replies are compared exactly; a hashtable-encoded
// hash may list them in any order, so those are compared as sets.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/cmd/scan_args.h"
#include "tests/unit/test_util.h"

using namespace plab::testing;

namespace {

constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
constexpr std::string_view kNotInt = "ERR value is not an integer or out of range";

int64_t Dirty(TestEngine& t) { return t.engine.server().dirty(); }

std::string Encoding(TestEngine& t, std::string_view key) {
  const plab::Value* v = t.engine.server().keyspace().Lookup(0, key);
  return v == nullptr ? "" : std::string(v->EncodingName());
}

// Reads one "$n\r\n...\r\n" bulk string at *pos.
std::string ReadBulk(const std::string& resp, size_t* pos) {
  size_t eol = resp.find("\r\n", *pos);
  REQUIRE(resp[*pos] == '$');
  size_t len = std::stoul(resp.substr(*pos + 1, eol - *pos - 1));
  std::string out = resp.substr(eol + 2, len);
  *pos = eol + 2 + len + 2;
  return out;
}

// Reads a "*n\r\n" array of bulk strings at *pos.
std::vector<std::string> ReadBulkArray(const std::string& resp, size_t* pos) {
  size_t eol = resp.find("\r\n", *pos);
  REQUIRE(resp[*pos] == '*');
  size_t n = std::stoul(resp.substr(*pos + 1, eol - *pos - 1));
  *pos = eol + 2;
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(ReadBulk(resp, pos));
  return out;
}

std::vector<std::string> Items(const std::string& resp) {
  size_t pos = 0;
  return ReadBulkArray(resp, &pos);
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Field/value pairs of a flat HGETALL-style reply, sorted by field.
std::vector<std::pair<std::string, std::string>> SortedPairs(const std::string& resp) {
  std::vector<std::string> flat = Items(resp);
  REQUIRE(flat.size() % 2 == 0);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 0; i < flat.size(); i += 2) pairs.emplace_back(flat[i], flat[i + 1]);
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

struct ScanPage {
  std::string cursor;
  std::vector<std::string> items;
};

ScanPage ParseScan(const std::string& resp) {
  REQUIRE(resp.rfind("*2\r\n", 0) == 0);
  size_t pos = 4;
  ScanPage page;
  page.cursor = ReadBulk(resp, &pos);
  page.items = ReadBulkArray(resp, &pos);
  CHECK(pos == resp.size());
  return page;
}

// Redis 7.0 converts above 512 fields and 64-byte strings by default. Tests
// about conversion pin small thresholds (128 fields) so they test the
// conversion rules, not whatever default config.h carries, and stay fast.
void PinListpackLimits(TestEngine& t) {
  t.engine.server().config().hash_max_listpack_entries = 128;
  t.engine.server().config().hash_max_listpack_value = 64;
}

// "HSET key f0 v0 f1 v1 ..." with n fields.
std::string HSetMany(std::string_view key, int n, std::string_view prefix = "f") {
  std::string cmd = "HSET " + std::string(key);
  for (int i = 0; i < n; ++i) {
    cmd += " " + std::string(prefix) + std::to_string(i) + " v" + std::to_string(i);
  }
  return cmd;
}

}  // namespace

TEST_SUITE("hashes") {
  TEST_CASE("HSET replies with the number of new fields and HGET reads them back") {
    TestEngine t;
    CHECK(t.Run("HSET h a 1 b 2 c 3") == Int(3));
    CHECK(t.Run("HSET h a 10 d 4") == Int(1));
    CHECK(t.Run("HSET h a 11 a 12") == Int(0));
    CHECK(t.Run("HGET h a") == Bulk("12"));
    CHECK(t.Run("HGET h d") == Bulk("4"));
    CHECK(t.Run("HGET h zz") == kNil);
    CHECK(t.Run("HGET nosuch a") == kNil);
    CHECK(t.Run("HLEN h") == Int(4));
  }

  TEST_CASE("HSET and HMSET need field/value pairs") {
    TestEngine t;
    CHECK(t.Run("HSET h a 1 b") == Err("ERR wrong number of arguments for 'hset' command"));
    CHECK(t.Run("HMSET h a") == Err("ERR wrong number of arguments for 'hmset' command"));
    CHECK(t.Run("HSET h a") == Err("ERR wrong number of arguments for 'hset' command"));
    CHECK(Encoding(t, "h").empty());
  }

  TEST_CASE("HMSET replies OK") {
    TestEngine t;
    CHECK(t.Run("HMSET h a 1 b 2") == kOk);
    CHECK(t.Run("HMGET h a b zz") == Arr({Bulk("1"), Bulk("2"), kNil}));
  }

  TEST_CASE("HSET counts one change per pair, new or not") {
    TestEngine t;
    int64_t before = Dirty(t);
    t.Run("HSET h a 1 a 2");
    CHECK(Dirty(t) - before == 2);
    before = Dirty(t);
    t.Run("HMSET h a 1 b 2 c 3");
    CHECK(Dirty(t) - before == 3);
  }

  TEST_CASE("HSETNX only sets missing fields") {
    TestEngine t;
    CHECK(t.Run("HSETNX h a 1") == Int(1));
    CHECK(t.Run("HSETNX h a 2") == Int(0));
    CHECK(t.Run("HGET h a") == Bulk("1"));
    const int64_t before = Dirty(t);
    t.Run("HSETNX h a 3");
    CHECK(Dirty(t) == before);
  }

  TEST_CASE("HMGET answers nil for each field of a missing key") {
    TestEngine t;
    CHECK(t.Run("HMGET nosuch a b") == Arr({kNil, kNil}));
  }

  TEST_CASE("every hash command rejects a key of another type") {
    TestEngine t;
    t.Run("RPUSH l x");
    const char* const kCommands[] = {"HSET l a 1",
                                     "HSETNX l a 1",
                                     "HGET l a",
                                     "HMSET l a 1",
                                     "HMGET l a",
                                     "HDEL l a",
                                     "HLEN l",
                                     "HEXISTS l a",
                                     "HGETALL l",
                                     "HKEYS l",
                                     "HVALS l",
                                     "HINCRBY l a 1",
                                     "HINCRBYFLOAT l a 1",
                                     "HSTRLEN l a",
                                     "HRANDFIELD l",
                                     "HRANDFIELD l 1",
                                     "HRANDFIELD l 0",
                                     "HRANDFIELD l 1 WITHVALUES",
                                     "HSCAN l 0",
                                     "HSCAN l 0 COUNT 0"};
    for (const char* cmd : kCommands) {
      CAPTURE(cmd);
      CHECK(t.Run(cmd) == Err(kWrongType));
    }
  }

  TEST_CASE("HDEL removes fields, counts them, and deletes the emptied key") {
    TestEngine t;
    t.Run("HSET h a 1 b 2 c 3");
    int64_t before = Dirty(t);
    CHECK(t.Run("HDEL h a zz b") == Int(2));
    CHECK(Dirty(t) - before == 2);
    before = Dirty(t);
    CHECK(t.Run("HDEL h zz") == Int(0));
    CHECK(Dirty(t) == before);
    CHECK(t.Run("HDEL h c a") == Int(1));
    CHECK(Encoding(t, "h").empty());
    CHECK(t.Run("HDEL nosuch a") == Int(0));
  }

  TEST_CASE("HDEL does not invalidate WATCH when nothing was removed") {
    TestEngine t;
    t.Run("HSET h a 1");
    t.Run("WATCH h");
    t.Run("HDEL h zz");
    t.Run("HSETNX h a 2");
    t.Run("MULTI");
    t.Run("HLEN h");
    CHECK(t.Run("EXEC") == Arr({Int(1)}));
  }

  TEST_CASE("HLEN HEXISTS and HSTRLEN treat missing keys and fields as empty") {
    TestEngine t;
    t.Run("HSET h a hello");
    CHECK(t.Run("HLEN h") == Int(1));
    CHECK(t.Run("HLEN nosuch") == Int(0));
    CHECK(t.Run("HEXISTS h a") == Int(1));
    CHECK(t.Run("HEXISTS h b") == Int(0));
    CHECK(t.Run("HEXISTS nosuch a") == Int(0));
    CHECK(t.Run("HSTRLEN h a") == Int(5));
    CHECK(t.Run("HSTRLEN h b") == Int(0));
    CHECK(t.Run("HSTRLEN nosuch a") == Int(0));
  }

  TEST_CASE("HGETALL HKEYS and HVALS return the whole hash") {
    TestEngine t;
    t.Run("HSET h a 1 b 2 c 3");
    CHECK(t.Run("HGETALL h") == BulkArr({"a", "1", "b", "2", "c", "3"}));
    CHECK(t.Run("HKEYS h") == BulkArr({"a", "b", "c"}));
    CHECK(t.Run("HVALS h") == BulkArr({"1", "2", "3"}));
    CHECK(t.Run("HGETALL nosuch") == "*0\r\n");
    CHECK(t.Run("HKEYS nosuch") == "*0\r\n");
    CHECK(t.Run("HVALS nosuch") == "*0\r\n");
  }

  TEST_CASE("a listpack hash lists its fields in the order they were first set") {
    TestEngine t;
    CHECK(t.Run("HSET u name Ann age 30") == Int(2));
    CHECK(t.Run("HGETALL u") == BulkArr({"name", "Ann", "age", "30"}));
    // Table order would put these anywhere; insertion order is not sorted.
    t.Run("HSET h zeta 1 alpha 2 mid 3 beta 4");
    CHECK(t.Run("HKEYS h") == BulkArr({"zeta", "alpha", "mid", "beta"}));
    CHECK(t.Run("HVALS h") == BulkArr({"1", "2", "3", "4"}));
  }

  TEST_CASE("updating a field keeps its position and HDEL closes the gap") {
    TestEngine t;
    t.Run("HSET h a 1 b 2 c 3");
    CHECK(t.Run("HSET h b 20") == Int(0));
    CHECK(t.Run("HGETALL h") == BulkArr({"a", "1", "b", "20", "c", "3"}));
    CHECK(t.Run("HDEL h a") == Int(1));
    CHECK(t.Run("HSET h a 9") == Int(1));
    CHECK(t.Run("HGETALL h") == BulkArr({"b", "20", "c", "3", "a", "9"}));
    // A field repeated in one HSET is stored once, where it first went.
    CHECK(t.Run("HSET r x 1 y 2 x 3") == Int(2));
    CHECK(t.Run("HGETALL r") == BulkArr({"x", "3", "y", "2"}));
  }

  TEST_CASE("HSETNX HINCRBY HINCRBYFLOAT and HMSET append new fields and update in place") {
    TestEngine t;
    t.Run("HSET h a 1");
    CHECK(t.Run("HSETNX h b 2") == Int(1));
    CHECK(t.Run("HSETNX h a 5") == Int(0));
    CHECK(t.Run("HINCRBY h c 5") == Int(5));
    CHECK(t.Run("HINCRBY h a 10") == Int(11));
    CHECK(t.Run("HINCRBYFLOAT h d 1.5") == Bulk("1.5"));
    CHECK(t.Run("HINCRBYFLOAT h b 0.5") == Bulk("2.5"));
    CHECK(t.Run("HMSET h e x a y") == kOk);
    // Recorded from Redis 7.0.15.
    CHECK(t.Run("HGETALL h") == BulkArr({"a", "y", "b", "2.5", "c", "5", "d", "1.5", "e", "x"}));
    CHECK(t.Run("HSCAN h 0 MATCH [ab]") == Arr({Bulk("0"), BulkArr({"a", "y", "b", "2.5"})}));
  }

  TEST_CASE("COPY keeps a listpack hash's order and encoding") {
    TestEngine t;
    t.Run("HSET h c 3 a 1 b 2");
    CHECK(t.Run("COPY h h2") == Int(1));
    CHECK(t.Run("HGETALL h2") == BulkArr({"c", "3", "a", "1", "b", "2"}));
    CHECK(Encoding(t, "h2") == "listpack");
    // The copy is independent of the original.
    t.Run("HDEL h c");
    CHECK(t.Run("HKEYS h2") == BulkArr({"c", "a", "b"}));
  }

  TEST_CASE("a hash keeps insertion order up to 512 fields and converts at 513") {
    TestEngine t;
    // Redis 7.0's defaults, set explicitly so the test pins them.
    t.engine.server().config().hash_max_listpack_entries = 512;
    t.engine.server().config().hash_max_listpack_value = 64;
    std::string cmd = "HSET h";
    std::vector<std::string> keys;
    for (int i = 0; i < 512; ++i) {
      keys.push_back("k" + std::to_string((i * 37) % 512));  // not sorted, not hash order
      cmd += " " + keys.back() + " " + std::to_string(i);
    }
    CHECK(t.Run(cmd) == Int(512));
    REQUIRE(Encoding(t, "h") == "listpack");
    CHECK(Items(t.Run("HKEYS h")) == keys);
    CHECK(ParseScan(t.Run("HSCAN h 0 COUNT 3")).cursor == "0");
    CHECK(Items(t.Run("HRANDFIELD h 512")) == keys);
    t.Run("HSET h extra 1");
    CHECK(Encoding(t, "h") == "hashtable");
    keys.push_back("extra");
    CHECK(Sorted(Items(t.Run("HKEYS h"))) == Sorted(keys));
    CHECK(SortedPairs(t.Run("HGETALL h")).size() == 513);
  }

  TEST_CASE("a long value converts the hash without losing fields") {
    TestEngine t;
    PinListpackLimits(t);
    const std::string long_value(65, 'v');
    t.Run("HSET h first 1 f " + long_value + " last 2");
    CHECK(Encoding(t, "h") == "hashtable");
    CHECK(SortedPairs(t.Run("HGETALL h")) == std::vector<std::pair<std::string, std::string>>{
                                                 {"f", long_value}, {"first", "1"}, {"last", "2"}});
    t.Run("HSET h2 first 1 f " + std::string(64, 'v') + " last 2");
    CHECK(Encoding(t, "h2") == "listpack");
    CHECK(t.Run("HKEYS h2") == BulkArr({"first", "f", "last"}));
  }

  TEST_CASE("HashValue keeps order while listpack and keeps every field on conversion") {
    plab::HashValue h;
    CHECK(h.listpack());
    CHECK(h.Set("b", "1"));
    CHECK(h.Set("a", "2"));
    CHECK(h.Set("c", "3"));
    CHECK_FALSE(h.Set("a", "20"));
    CHECK(h.Erase("b"));
    CHECK_FALSE(h.Erase("b"));
    std::vector<std::string> order;
    h.ForEach([&](const std::string& f, const std::string& v) { order.push_back(f + "=" + v); });
    CHECK(order == std::vector<std::string>{"a=20", "c=3"});
    plab::HashValue copy = h.Clone();
    h.ConvertToHashtable();
    CHECK_FALSE(h.listpack());
    CHECK(h.size() == 2);
    REQUIRE(h.Find("a") != nullptr);
    CHECK(*h.Find("a") == "20");
    CHECK(h.Find("b") == nullptr);
    CHECK_FALSE(h.Set("c", "30"));
    CHECK(h.Clone().size() == 2);
    CHECK_FALSE(h.Clone().listpack());
    // The copy taken before conversion is still an ordered listpack.
    CHECK(copy.listpack());
    CHECK(*copy.Find("c") == "3");
  }

  TEST_CASE("HINCRBY adds to an integer field, starting from 0") {
    TestEngine t;
    CHECK(t.Run("HINCRBY h n 5") == Int(5));
    CHECK(t.Run("HINCRBY h n -10") == Int(-5));
    CHECK(t.Run("HGET h n") == Bulk("-5"));
  }

  TEST_CASE("HINCRBY rejects bad increments, non-integer fields and overflow") {
    TestEngine t;
    CHECK(t.Run("HINCRBY h n x") == Err(kNotInt));
    CHECK(t.Run("HINCRBY h n 1.5") == Err(kNotInt));
    CHECK(Encoding(t, "h").empty());
    t.Run("HSET h big 9223372036854775807 small -9223372036854775808 s abc sp \" 1\" neg -0");
    CHECK(t.Run("HINCRBY h big 1") == Err("ERR increment or decrement would overflow"));
    CHECK(t.Run("HINCRBY h small -1") == Err("ERR increment or decrement would overflow"));
    CHECK(t.Run("HINCRBY h big -1") == Int(9223372036854775806LL));
    CHECK(t.Run("HINCRBY h small 1") == Int(-9223372036854775807LL));
    CHECK(t.Run("HINCRBY h s 1") == Err("ERR hash value is not an integer"));
    CHECK(t.Run("HINCRBY h sp 1") == Err("ERR hash value is not an integer"));
    CHECK(t.Run("HINCRBY h neg 1") == Err("ERR hash value is not an integer"));
  }

  TEST_CASE("HINCRBYFLOAT adds with long double precision and human formatting") {
    TestEngine t;
    CHECK(t.Run("HINCRBYFLOAT h f 10.5") == Bulk("10.5"));
    CHECK(t.Run("HINCRBYFLOAT h f 0.1") == Bulk("10.6"));
    // Long double arithmetic shows through, exactly as in Redis.
    CHECK(t.Run("HINCRBYFLOAT h f -5.0e3") == Bulk("-4989.39999999999999991"));
    CHECK(t.Run("HINCRBYFLOAT h z 0.1") == Bulk("0.1"));
    CHECK(t.Run("HINCRBYFLOAT h z 0.2") == Bulk("0.3"));
    CHECK(t.Run("HINCRBYFLOAT h g 1.1") == Bulk("1.1"));
    CHECK(t.Run("HINCRBYFLOAT h g -1.1") == Bulk("0"));
    CHECK(t.Run("HINCRBYFLOAT h m -0.0") == Bulk("0"));
    CHECK(t.Run("HGET h f") == Bulk("-4989.39999999999999991"));
  }

  TEST_CASE("HINCRBYFLOAT reports its float errors with Redis's wording") {
    TestEngine t;
    CHECK(t.Run("HINCRBYFLOAT h f x") == Err("ERR value is not a valid float"));
    CHECK(t.Run("HINCRBYFLOAT h f \" 1\"") == Err("ERR value is not a valid float"));
    CHECK(t.Run("HINCRBYFLOAT h f nan") == Err("ERR value is not a valid float"));
    CHECK(t.Run("HINCRBYFLOAT h f inf") == Err("ERR value is NaN or Infinity"));
    CHECK(t.Run("HINCRBYFLOAT h f -inf") == Err("ERR value is NaN or Infinity"));
    CHECK(Encoding(t, "h").empty());
    t.Run("HSET h s abc huge 1e4932 hex 0x10");
    CHECK(t.Run("HINCRBYFLOAT h s 1") == Err("ERR hash value is not a float"));
    CHECK(t.Run("HINCRBYFLOAT h huge 1e4932") ==
          Err("ERR increment would produce NaN or Infinity"));
    CHECK(t.Run("HINCRBYFLOAT h hex 1") == Bulk("17"));
  }

  TEST_CASE("a hash stays listpack up to 64-byte fields and values") {
    TestEngine t;
    PinListpackLimits(t);
    t.Run("HSET h " + std::string(64, 'x') + " " + std::string(64, 'y'));
    CHECK(Encoding(t, "h") == "listpack");
    t.Run("HSET h2 " + std::string(65, 'x') + " v");
    CHECK(Encoding(t, "h2") == "hashtable");
    t.Run("HSET h3 f " + std::string(65, 'y'));
    CHECK(Encoding(t, "h3") == "hashtable");
  }

  TEST_CASE("a hash becomes hashtable above 128 fields and never converts back") {
    TestEngine t;
    PinListpackLimits(t);
    t.Run(HSetMany("h", 128));
    CHECK(Encoding(t, "h") == "listpack");
    t.Run("HSET h f0 changed");
    CHECK(Encoding(t, "h") == "listpack");
    t.Run("HSET h f128 v");
    CHECK(Encoding(t, "h") == "hashtable");
    t.Run("HDEL h f128 f127 f126");
    CHECK(Encoding(t, "h") == "hashtable");
    t.Run(HSetMany("h2", 129));
    CHECK(Encoding(t, "h2") == "hashtable");
  }

  TEST_CASE("HSETNX converts only when it actually stores a long value") {
    TestEngine t;
    PinListpackLimits(t);
    t.Run("HSET h f v");
    t.Run("HSETNX h f " + std::string(100, 'z'));
    CHECK(Encoding(t, "h") == "listpack");
    t.Run("HSETNX h g " + std::string(100, 'z'));
    CHECK(Encoding(t, "h") == "hashtable");
  }

  TEST_CASE("HINCRBY and HINCRBYFLOAT convert on a long field or result") {
    TestEngine t;
    PinListpackLimits(t);
    t.Run("HINCRBY h " + std::string(65, 'k') + " 1");
    CHECK(Encoding(t, "h") == "hashtable");
    t.Run("HINCRBYFLOAT h2 f 1e70");
    CHECK(Encoding(t, "h2") == "hashtable");
    CHECK(t.Run("HGET h2 f") ==
          Bulk("10000000000000000000222479489586148259025995410601157579323600873193472"));
    t.Run("HINCRBYFLOAT h3 f 1e60");
    CHECK(Encoding(t, "h3") == "listpack");
  }

  TEST_CASE("the listpack thresholds follow the config") {
    TestEngine t;
    t.engine.server().config().hash_max_listpack_entries = 2;
    t.engine.server().config().hash_max_listpack_value = 3;
    t.Run("HSET h a 1 b 2");
    CHECK(Encoding(t, "h") == "listpack");
    t.Run("HSET h c 3");
    CHECK(Encoding(t, "h") == "hashtable");
    t.Run("HSET h2 abcd 1");
    CHECK(Encoding(t, "h2") == "hashtable");
  }

  TEST_CASE("HSCAN returns a listpack hash whole with cursor 0") {
    TestEngine t;
    t.Run("HSET h a 1 b 2 c 3");
    ScanPage page = ParseScan(t.Run("HSCAN h 0 COUNT 1"));
    CHECK(page.cursor == "0");
    CHECK(page.items == std::vector<std::string>{"a", "1", "b", "2", "c", "3"});
    // Any cursor gets the whole small hash.
    CHECK(ParseScan(t.Run("HSCAN h 12345")).items.size() == 6);
  }

  TEST_CASE("HSCAN MATCH filters on field names") {
    TestEngine t;
    t.Run("HSET h apple 1 avocado 2 banana 3");
    CHECK(ParseScan(t.Run("HSCAN h 0 MATCH a*")).items ==
          std::vector<std::string>{"apple", "1", "avocado", "2"});
    CHECK(ParseScan(t.Run("HSCAN h 0 MATCH 1")).items.empty());
    CHECK(ParseScan(t.Run("HSCAN h 0 MATCH x* MATCH *")).items.size() == 6);
  }

  TEST_CASE("HSCAN walks a hashtable hash in pages and sees every field once") {
    TestEngine t;
    PinListpackLimits(t);
    t.Run(HSetMany("h", 300));
    REQUIRE(Encoding(t, "h") == "hashtable");
    std::set<std::string> fields;
    std::string cursor = "0";
    int calls = 0;
    do {
      ScanPage page = ParseScan(t.Run("HSCAN h " + cursor + " COUNT 20"));
      REQUIRE(page.items.size() % 2 == 0);
      CHECK(page.items.size() < 300 * 2);
      for (size_t i = 0; i < page.items.size(); i += 2) {
        CHECK(page.items[i + 1] == "v" + page.items[i].substr(1));
        CHECK(fields.insert(page.items[i]).second);
      }
      cursor = page.cursor;
      ++calls;
    } while (cursor != "0" && calls < 1000);
    CHECK(fields.size() == 300);
    CHECK(calls > 1);
  }

  TEST_CASE("HSCAN with MATCH on a hashtable may return empty pages with a live cursor") {
    TestEngine t;
    PinListpackLimits(t);
    t.Run(HSetMany("h", 300));
    ScanPage page = ParseScan(t.Run("HSCAN h 0 MATCH nothing* COUNT 5"));
    CHECK(page.items.empty());
    CHECK(page.cursor != "0");
  }

  TEST_CASE("HSCAN checks the cursor, then the key, then the options") {
    TestEngine t;
    t.Run("HSET h a 1");
    CHECK(t.Run("HSCAN h x") == Err("ERR invalid cursor"));
    CHECK(t.Run("HSCAN nosuch x") == Err("ERR invalid cursor"));
    CHECK(t.Run("HSCAN h \" 1\"") == Err("ERR invalid cursor"));
    CHECK(t.Run("HSCAN h 18446744073709551616") == Err("ERR invalid cursor"));
    CHECK(t.Run("HSCAN nosuch 0 COUNT 0") == Arr({Bulk("0"), "*0\r\n"}));
    CHECK(t.Run("HSCAN h 0 COUNT 0") == Err("ERR syntax error"));
    CHECK(t.Run("HSCAN h 0 COUNT x") == Err(kNotInt));
    CHECK(t.Run("HSCAN h 0 MATCH") == Err("ERR syntax error"));
    CHECK(t.Run("HSCAN h 0 TYPE hash") == Err("ERR syntax error"));
  }

  TEST_CASE("HSCAN accepts cursors the way strtoul does") {
    TestEngine t;
    t.Run("HSET h a 1");
    const std::string whole = Arr({Bulk("0"), BulkArr({"a", "1"})});
    CHECK(t.Run("HSCAN h 007") == whole);
    CHECK(t.Run("HSCAN h +5") == whole);
    CHECK(t.Run("HSCAN h -1") == whole);
    CHECK(t.Run("HSCAN h \"\"") == whole);
    CHECK(t.Run("HSCAN h 18446744073709551615") == whole);
    CHECK(t.Run("HSCAN h +") == Err("ERR invalid cursor"));
  }

  TEST_CASE("the shared SCAN cursor parser reads cursors like strtoul") {
    using plab::ParseScanCursor;
    CHECK(ParseScanCursor("0") == 0u);
    CHECK(ParseScanCursor("007") == 7u);
    CHECK(ParseScanCursor("+5") == 5u);
    CHECK(ParseScanCursor("-1") == UINT64_MAX);
    CHECK(ParseScanCursor("-18446744073709551615") == 1u);
    CHECK(ParseScanCursor("18446744073709551615") == UINT64_MAX);
    CHECK(ParseScanCursor("") == 0u);
    CHECK(ParseScanCursor(std::string_view("12\0x", 4)) == 12u);
    CHECK_FALSE(ParseScanCursor("18446744073709551616"));
    CHECK_FALSE(ParseScanCursor(" 1"));
    CHECK_FALSE(ParseScanCursor("1 "));
    CHECK_FALSE(ParseScanCursor("+"));
    CHECK_FALSE(ParseScanCursor("0x10"));
  }

  TEST_CASE("the shared SCAN option parser reads MATCH and COUNT and allows TYPE only for SCAN") {
    std::vector<std::string> argv = {"HSCAN", "h", "0", "MATCH", "a*", "count", "7"};
    plab::ScanOptions opts;
    CHECK(plab::ParseScanOptions(argv, 3, false, &opts).empty());
    CHECK(opts.count == 7);
    CHECK(opts.Matches("abc"));
    CHECK_FALSE(opts.Matches("bc"));
    argv = {"SCAN", "0", "TYPE", "hash"};
    plab::ScanOptions scan_opts;
    CHECK(plab::ParseScanOptions(argv, 2, true, &scan_opts).empty());
    CHECK(scan_opts.has_type);
    CHECK(scan_opts.type == "hash");
    CHECK(plab::ParseScanOptions(argv, 2, false, &scan_opts) == "ERR syntax error");
  }

  TEST_CASE("HRANDFIELD without a count returns one field or nil") {
    TestEngine t;
    CHECK(t.Run("HRANDFIELD h") == kNil);
    t.Run("HSET h only v");
    CHECK(t.Run("HRANDFIELD h") == Bulk("only"));
  }

  TEST_CASE("HRANDFIELD with a positive count returns distinct fields") {
    TestEngine t;
    t.Run(HSetMany("h", 10));
    for (const char* count : {"1", "3", "5", "9"}) {
      CAPTURE(count);
      std::vector<std::string> got = Items(t.Run(std::string("HRANDFIELD h ") + count));
      CHECK(got.size() == std::stoul(count));
      CHECK(std::set<std::string>(got.begin(), got.end()).size() == got.size());
    }
    CHECK(Sorted(Items(t.Run("HRANDFIELD h 100"))).size() == 10);
  }

  TEST_CASE("HRANDFIELD returns a listpack hash whole and in order when the count covers it") {
    TestEngine t;
    t.Run("HSET h c 3 a 1 b 2");
    CHECK(t.Run("HRANDFIELD h 3") == BulkArr({"c", "a", "b"}));
    CHECK(t.Run("HRANDFIELD h 100 WITHVALUES") == BulkArr({"c", "3", "a", "1", "b", "2"}));
  }

  TEST_CASE("HRANDFIELD samples a few fields of a listpack hash in insertion order") {
    // With count * 3 <= size Redis (lpRandomPairsUnique) picks in one pass
    // over the listpack, so the sample comes out in the hash's order.
    TestEngine t;
    std::string cmd = "HSET h";
    std::vector<std::string> order;
    for (int i = 0; i < 30; ++i) {
      order.push_back("z" + std::to_string((i * 7) % 30));
      cmd += " " + order.back() + " v" + order.back();
    }
    t.Run(cmd);
    std::set<std::string> seen;
    for (int round = 0; round < 50; ++round) {
      std::vector<std::string> got = Items(t.Run("HRANDFIELD h 5 WITHVALUES"));
      REQUIRE(got.size() == 10);
      std::vector<size_t> positions;
      for (size_t i = 0; i < got.size(); i += 2) {
        CHECK(got[i + 1] == "v" + got[i]);
        positions.push_back(
            static_cast<size_t>(std::find(order.begin(), order.end(), got[i]) - order.begin()));
        seen.insert(got[i]);
      }
      CHECK(std::is_sorted(positions.begin(), positions.end()));
      CHECK(std::adjacent_find(positions.begin(), positions.end()) == positions.end());
    }
    CHECK(seen.size() > 20);  // random, not always the same prefix
  }

  TEST_CASE("HRANDFIELD picks distinct fields from a large hashtable hash") {
    TestEngine t;
    PinListpackLimits(t);
    t.Run(HSetMany("h", 500));
    REQUIRE(Encoding(t, "h") == "hashtable");
    std::vector<std::string> got = Items(t.Run("HRANDFIELD h 20 WITHVALUES"));
    REQUIRE(got.size() == 40);
    std::set<std::string> fields;
    for (size_t i = 0; i < got.size(); i += 2) {
      CHECK(got[i + 1] == "v" + got[i].substr(1));
      fields.insert(got[i]);
    }
    CHECK(fields.size() == 20);
  }

  TEST_CASE("HRANDFIELD with a negative count may repeat fields") {
    TestEngine t;
    t.Run("HSET h f v");
    CHECK(t.Run("HRANDFIELD h -3") == BulkArr({"f", "f", "f"}));
    CHECK(t.Run("HRANDFIELD h -2 WITHVALUES") == BulkArr({"f", "v", "f", "v"}));
    CHECK(t.Run("HRANDFIELD h 5 withvalues") == BulkArr({"f", "v"}));
  }

  TEST_CASE("HRANDFIELD with count 0 or on a missing key is an empty array") {
    TestEngine t;
    CHECK(t.Run("HRANDFIELD nosuch 5") == "*0\r\n");
    CHECK(t.Run("HRANDFIELD nosuch -5 WITHVALUES") == "*0\r\n");
    t.Run("HSET h f v");
    CHECK(t.Run("HRANDFIELD h 0") == "*0\r\n");
    CHECK(t.Run("HRANDFIELD h 0 WITHVALUES") == "*0\r\n");
  }

  TEST_CASE("HRANDFIELD validates the count and WITHVALUES before the key") {
    TestEngine t;
    t.Run("RPUSH l x");
    CHECK(t.Run("HRANDFIELD l x") == Err(kNotInt));
    CHECK(t.Run("HRANDFIELD l -9223372036854775808") ==
          Err("ERR value is out of range, value must between -9223372036854775807 and "
              "9223372036854775807"));
    CHECK(t.Run("HRANDFIELD l 5 WITHVALUE") == Err("ERR syntax error"));
    CHECK(t.Run("HRANDFIELD l 5 WITHVALUES x") == Err("ERR syntax error"));
    CHECK(t.Run("HRANDFIELD l 9223372036854775807 WITHVALUES") == Err("ERR value is out of range"));
    CHECK(t.Run("HRANDFIELD l -4611686018427387904 WITHVALUES") ==
          Err("ERR value is out of range"));
    CHECK(t.Run("HRANDFIELD l 4611686018427387903 WITHVALUES") == Err(kWrongType));
  }

  TEST_CASE("hash fields and values are binary safe") {
    TestEngine t;
    const std::string field("f\0x", 3);
    const std::string value("\r\n\0", 3);
    CHECK(t.Run(std::vector<std::string>{"HSET", "h", field, value}) == Int(1));
    CHECK(t.Run(std::vector<std::string>{"HGET", "h", field}) == Bulk(value));
    CHECK(t.Run(std::vector<std::string>{"HSTRLEN", "h", field}) == Int(3));
    CHECK(t.Run("HGET h f") == kNil);
  }

  TEST_CASE("hash commands check their arity") {
    TestEngine t;
    CHECK(t.Run("HSET h") == Err("ERR wrong number of arguments for 'hset' command"));
    CHECK(t.Run("HGET h") == Err("ERR wrong number of arguments for 'hget' command"));
    CHECK(t.Run("HSCAN h") == Err("ERR wrong number of arguments for 'hscan' command"));
    CHECK(t.Run("HRANDFIELD") == Err("ERR wrong number of arguments for 'hrandfield' command"));
    CHECK(t.Run("HINCRBYFLOAT h f") ==
          Err("ERR wrong number of arguments for 'hincrbyfloat' command"));
  }
}
