// Generic key commands. Every expected reply was checked against
// redis-server 7.0.15.
#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/unit/test_util.h"

using namespace plab::testing;

namespace {

const std::string kSyntax = Err("ERR syntax error");
const std::string kNotInt = Err("ERR value is not an integer or out of range");
const std::string kSameObject = Err("ERR source and destination objects are the same");
const std::string kBadDb = Err("ERR DB index is out of range");

int64_t Dirty(TestEngine& t) { return t.engine.server().dirty(); }

// A list with the given items, inserted directly so these tests don't depend
// on the list commands.
void MakeList(TestEngine& t, int db, const char* key, std::vector<std::string> items) {
  plab::Value list = plab::Value::List();
  for (std::string& item : items) list.list().items.push_back(std::move(item));
  t.engine.server().keyspace().Set(db, key, std::move(list));
}

// Splits a reply that is an array of bulk strings (KEYS) into a sorted set.
std::set<std::string> BulkSet(const std::string& reply) {
  std::set<std::string> out;
  size_t pos = reply.find("\r\n") + 2;
  while (pos < reply.size()) {
    size_t eol = reply.find("\r\n", pos);
    size_t len = std::stoul(reply.substr(pos + 1, eol - pos - 1));
    out.insert(reply.substr(eol + 2, len));
    pos = eol + 2 + len + 2;
  }
  return out;
}

// Runs a full SCAN with the given options; returns every key seen and the
// number of calls it took.
std::pair<std::multiset<std::string>, int> ScanAll(TestEngine& t, const std::string& options) {
  std::multiset<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    std::string reply = t.Run("SCAN " + cursor + " " + options);
    ++calls;
    // *2 $n cursor *m keys...
    size_t eol = reply.find("\r\n", 4);
    size_t len = std::stoul(reply.substr(5, eol - 5));
    cursor = reply.substr(eol + 2, len);
    for (const std::string& k : BulkSet(reply.substr(eol + 2 + len + 2))) seen.insert(k);
  } while (cursor != "0" && calls < 10000);
  return {seen, calls};
}

}  // namespace

TEST_SUITE("keys") {
  TEST_CASE("DEL and UNLINK count the keys that existed") {
    TestEngine t;
    CHECK(t.Run("MSET a 1 b 2 c 3") == kOk);
    CHECK(t.Run("DEL a a nokey") == Int(1));
    CHECK(t.Run("UNLINK b c d") == Int(2));
    CHECK(t.Run("DBSIZE") == Int(0));
    CHECK(t.Run("DEL") == Err("ERR wrong number of arguments for 'del' command"));
  }

  TEST_CASE("DEL of an expired key counts it as absent") {
    TestEngine t;
    CHECK(t.Run("SET a 1 PX 10") == kOk);
    t.AdvanceMs(10);
    CHECK(t.Run("DEL a") == Int(0));
  }

  TEST_CASE("EXISTS counts repeated keys every time") {
    TestEngine t;
    CHECK(t.Run("SET a 1") == kOk);
    CHECK(t.Run("EXISTS a a a nokey") == Int(3));
    CHECK(t.Run("TOUCH a nokey") == Int(1));
  }

  TEST_CASE("TYPE names each type and none for missing keys") {
    TestEngine t;
    CHECK(t.Run("SET s 1") == kOk);
    MakeList(t, 0, "l", {"a"});
    CHECK(t.Run("TYPE s") == "+string\r\n");
    CHECK(t.Run("TYPE l") == "+list\r\n");
    CHECK(t.Run("TYPE nokey") == "+none\r\n");
  }

  TEST_CASE("KEYS matches glob patterns and skips expired keys") {
    TestEngine t;
    CHECK(t.Run("MSET apple 1 banana 2 avocado 3") == kOk);
    CHECK(t.Run("SET gone 1 PX 5") == kOk);
    t.AdvanceMs(5);
    CHECK(BulkSet(t.Run("KEYS *")) == std::set<std::string>{"apple", "banana", "avocado"});
    CHECK(BulkSet(t.Run("KEYS a*")) == std::set<std::string>{"apple", "avocado"});
    CHECK(BulkSet(t.Run("KEYS [ab]an*")) == std::set<std::string>{"banana"});
    CHECK(t.Run("KEYS nomatch") == "*0\r\n");
    // KEYS skips but does not delete expired keys, so DBSIZE still counts it.
    CHECK(t.Run("DBSIZE") == Int(4));
  }

  TEST_CASE("SCAN returns every key exactly once over a full iteration") {
    TestEngine t;
    std::multiset<std::string> expected;
    for (int i = 0; i < 200; ++i) {
      t.Run("SET key:" + std::to_string(i) + " v");
      expected.insert("key:" + std::to_string(i));
    }
    auto [seen, calls] = ScanAll(t, "");
    CHECK(seen == expected);
    CHECK(calls > 1);  // COUNT defaults to 10
    auto [seen_big, calls_big] = ScanAll(t, "COUNT 1000");
    CHECK(seen_big == expected);
    CHECK(calls_big == 1);
  }

  TEST_CASE("SCAN filters by MATCH and TYPE, type names ignoring case") {
    TestEngine t;
    CHECK(t.Run("MSET a1 1 a2 2 b1 3") == kOk);
    MakeList(t, 0, "alist", {"x"});
    CHECK(ScanAll(t, "MATCH a*").first == std::multiset<std::string>{"a1", "a2", "alist"});
    CHECK(ScanAll(t, "MATCH a* TYPE string").first == std::multiset<std::string>{"a1", "a2"});
    CHECK(ScanAll(t, "TYPE LIST").first == std::multiset<std::string>{"alist"});
    CHECK(ScanAll(t, "TYPE nosuchtype").first.empty());
    CHECK(ScanAll(t, "MATCH nomatch MATCH *").first.size() == 4);
  }

  TEST_CASE("SCAN deletes and skips expired keys") {
    TestEngine t;
    CHECK(t.Run("SET live 1") == kOk);
    CHECK(t.Run("SET gone 1 PX 5") == kOk);
    t.AdvanceMs(5);
    CHECK(ScanAll(t, "").first == std::multiset<std::string>{"live"});
    CHECK(t.Run("DBSIZE") == Int(1));
  }

  TEST_CASE("SCAN parses its cursor like strtoul") {
    TestEngine t;
    const std::string invalid = Err("ERR invalid cursor");
    CHECK(t.Run("SCAN abc") == invalid);
    CHECK(t.Run("SCAN \" 1\"") == invalid);
    CHECK(t.Run("SCAN 1x") == invalid);
    CHECK(t.Run("SCAN 18446744073709551616") == invalid);
    CHECK(t.Run("SET a 1") == kOk);
    CHECK(t.Run("SCAN \"\"") == Arr({Bulk("0"), BulkArr({"a"})}));
    CHECK(t.Run("SCAN 0") == Arr({Bulk("0"), BulkArr({"a"})}));
  }

  TEST_CASE("SCAN rejects bad options") {
    TestEngine t;
    CHECK(t.Run("SCAN 0 COUNT 0") == kSyntax);
    CHECK(t.Run("SCAN 0 COUNT -1") == kSyntax);
    CHECK(t.Run("SCAN 0 COUNT abc") == kNotInt);
    CHECK(t.Run("SCAN 0 COUNT") == kSyntax);
    CHECK(t.Run("SCAN 0 MATCH") == kSyntax);
    CHECK(t.Run("SCAN 0 FOO bar") == kSyntax);
    CHECK(t.Run("SCAN") == Err("ERR wrong number of arguments for 'scan' command"));
  }

  TEST_CASE("SCAN on an empty database finishes at once") {
    TestEngine t;
    CHECK(t.Run("SCAN 0") == Arr({Bulk("0"), "*0\r\n"}));
    CHECK(t.Run("SCAN 12345") == Arr({Bulk("0"), "*0\r\n"}));
  }

  TEST_CASE("RANDOMKEY returns a live key, or nil when the database is empty") {
    TestEngine t;
    CHECK(t.Run("RANDOMKEY") == kNil);
    CHECK(t.Run("SET only 1") == kOk);
    CHECK(t.Run("RANDOMKEY") == Bulk("only"));
    CHECK(t.Run("SET gone 1 PX 5") == kOk);
    t.AdvanceMs(5);
    for (int i = 0; i < 10; ++i) CHECK(t.Run("RANDOMKEY") == Bulk("only"));
  }

  TEST_CASE("RENAME moves the value and its TTL, replacing the target") {
    TestEngine t;
    CHECK(t.Run("SET a 1 EX 100") == kOk);
    MakeList(t, 0, "b", {"x"});
    CHECK(t.Run("RENAME a b") == kOk);
    CHECK(t.Run("EXISTS a") == Int(0));
    CHECK(t.Run("GET b") == Bulk("1"));
    CHECK(t.Run("TTL b") == Int(100));
  }

  TEST_CASE("RENAME and RENAMENX need an existing source, even onto itself") {
    TestEngine t;
    CHECK(t.Run("RENAME nokey x") == Err("ERR no such key"));
    CHECK(t.Run("RENAME nokey nokey") == Err("ERR no such key"));
    CHECK(t.Run("RENAMENX nokey nokey") == Err("ERR no such key"));
    CHECK(t.Run("SET a 1") == kOk);
    CHECK(t.Run("RENAME a a") == kOk);
    CHECK(t.Run("RENAMENX a a") == Int(0));
    CHECK(t.Run("GET a") == Bulk("1"));
  }

  TEST_CASE("RENAMENX only renames onto a free name") {
    TestEngine t;
    CHECK(t.Run("MSET a 1 b 2") == kOk);
    CHECK(t.Run("RENAMENX a b") == Int(0));
    CHECK(t.Run("RENAMENX a c") == Int(1));
    CHECK(t.Run("MGET a b c") == Arr({kNil, Bulk("2"), Bulk("1")}));
  }

  TEST_CASE("MOVE transfers a key with its TTL to another database") {
    TestEngine t;
    CHECK(t.Run("SET k v EX 100") == kOk);
    CHECK(t.Run("MOVE k 3") == Int(1));
    CHECK(t.Run("EXISTS k") == Int(0));
    CHECK(t.Run("SELECT 3") == kOk);
    CHECK(t.Run("GET k") == Bulk("v"));
    CHECK(t.Run("TTL k") == Int(100));
  }

  TEST_CASE("MOVE answers 0 when the key is missing or taken in the target") {
    TestEngine t;
    CHECK(t.Run("MOVE nokey 1") == Int(0));
    CHECK(t.Run("SET k here") == kOk);
    CHECK(t.Run("SELECT 1") == kOk);
    CHECK(t.Run("SET k there") == kOk);
    CHECK(t.Run("SELECT 0") == kOk);
    CHECK(t.Run("MOVE k 1") == Int(0));
    CHECK(t.Run("GET k") == Bulk("here"));
  }

  TEST_CASE("MOVE validates the database index") {
    TestEngine t;
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("MOVE k 0") == kSameObject);
    CHECK(t.Run("MOVE k 16") == kBadDb);
    CHECK(t.Run("MOVE k -1") == kBadDb);
    CHECK(t.Run("MOVE k abc") == kNotInt);
    CHECK(t.Run("MOVE k 99999999999") ==
          Err("ERR value is out of range, value must between -2147483648 and 2147483647"));
  }

  TEST_CASE("COPY duplicates value, encoding and TTL") {
    TestEngine t;
    CHECK(t.Run("SET s " + std::string(50, 'x') + " EX 100") == kOk);
    CHECK(t.Run("COPY s s2") == Int(1));
    CHECK(t.Run("GET s2") == Bulk(std::string(50, 'x')));
    CHECK(t.Run("TTL s2") == Int(100));
    CHECK(t.Run("OBJECT ENCODING s2") == Bulk("raw"));
    MakeList(t, 0, "l", {"a", "b"});
    CHECK(t.Run("COPY l l2 DB 2") == Int(1));
    CHECK(t.Run("SELECT 2") == kOk);
    CHECK(t.Run("TYPE l2") == "+list\r\n");
    // The copy is independent of the original.
    CHECK(t.engine.server().keyspace().Lookup(2, "l2")->list().items.size() == 2);
    t.engine.server().keyspace().LookupWrite(0, "l")->list().items.clear();
    CHECK(t.engine.server().keyspace().Lookup(2, "l2")->list().items.size() == 2);
  }

  TEST_CASE("COPY needs REPLACE to overwrite an existing destination") {
    TestEngine t;
    CHECK(t.Run("MSET a 1 b 2") == kOk);
    CHECK(t.Run("COPY a b") == Int(0));
    CHECK(t.Run("GET b") == Bulk("2"));
    CHECK(t.Run("COPY a b REPLACE") == Int(1));
    CHECK(t.Run("GET b") == Bulk("1"));
    CHECK(t.Run("COPY nokey b REPLACE") == Int(0));
  }

  TEST_CASE("COPY rejects copying a key onto itself and bad options") {
    TestEngine t;
    CHECK(t.Run("SET a 1") == kOk);
    CHECK(t.Run("COPY a a") == kSameObject);
    CHECK(t.Run("COPY a a DB 0") == kSameObject);
    CHECK(t.Run("COPY a a DB 1") == Int(1));
    CHECK(t.Run("COPY a b DB") == kSyntax);
    CHECK(t.Run("COPY a b FOO") == kSyntax);
    CHECK(t.Run("COPY a b DB 16") == kBadDb);
    CHECK(t.Run("COPY a b REPLACE DB abc") == kNotInt);
  }

  TEST_CASE("EXPIRE family sets TTLs in seconds or milliseconds, relative or absolute") {
    TestEngine t;
    const int64_t now_ms = t.clock.NowMillis();
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("EXPIRE k 100") == Int(1));
    CHECK(t.Run("PTTL k") == Int(100000));
    CHECK(t.Run("PEXPIRE k 1500") == Int(1));
    CHECK(t.Run("PTTL k") == Int(1500));
    CHECK(t.Run("EXPIREAT k " + std::to_string(now_ms / 1000 + 60)) == Int(1));
    CHECK(t.Run("EXPIRETIME k") == Int(now_ms / 1000 + 60));
    CHECK(t.Run("PEXPIREAT k " + std::to_string(now_ms + 1234)) == Int(1));
    CHECK(t.Run("PEXPIRETIME k") == Int(now_ms + 1234));
    CHECK(t.Run("EXPIRE nokey 100") == Int(0));
  }

  TEST_CASE("EXPIRE with a time in the past deletes the key and replies 1") {
    TestEngine t;
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("EXPIRE k -1") == Int(1));
    CHECK(t.Run("EXISTS k") == Int(0));
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("PEXPIREAT k 1") == Int(1));
    CHECK(t.Run("EXISTS k") == Int(0));
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("EXPIRE k 0") == Int(1));
    CHECK(t.Run("EXISTS k") == Int(0));
  }

  TEST_CASE("TTL rounds to the nearest second and reports -1 and -2") {
    TestEngine t;
    CHECK(t.Run("TTL nokey") == Int(-2));
    CHECK(t.Run("PTTL nokey") == Int(-2));
    CHECK(t.Run("EXPIRETIME nokey") == Int(-2));
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("TTL k") == Int(-1));
    CHECK(t.Run("PEXPIRETIME k") == Int(-1));
    CHECK(t.Run("PEXPIRE k 1499") == Int(1));
    CHECK(t.Run("TTL k") == Int(1));
    CHECK(t.Run("PEXPIRE k 1500") == Int(1));
    CHECK(t.Run("TTL k") == Int(2));
    t.AdvanceMs(1499);
    CHECK(t.Run("PTTL k") == Int(1));
    CHECK(t.Run("TTL k") == Int(0));
    t.AdvanceMs(1);
    CHECK(t.Run("TTL k") == Int(-2));
  }

  TEST_CASE("EXPIRETIME rounds huge deadlines without overflowing") {
    TestEngine t;
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("PEXPIREAT k 9223372036854775807") == Int(1));
    CHECK(t.Run("PEXPIRETIME k") == Int(9223372036854775807));
    CHECK(t.Run("EXPIRETIME k") == Int(9223372036854776));
  }

  TEST_CASE("EXPIRE NX and XX depend on whether a TTL exists") {
    TestEngine t;
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("EXPIRE k 10 XX") == Int(0));
    CHECK(t.Run("EXPIRE k 10 NX") == Int(1));
    CHECK(t.Run("EXPIRE k 20 NX") == Int(0));
    CHECK(t.Run("EXPIRE k 20 xx") == Int(1));
    CHECK(t.Run("TTL k") == Int(20));
  }

  TEST_CASE("EXPIRE GT treats no TTL as infinite, LT always wins over no TTL") {
    TestEngine t;
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("EXPIRE k 100 GT") == Int(0));
    CHECK(t.Run("EXPIRE k 100 LT") == Int(1));
    CHECK(t.Run("EXPIRE k 50 GT") == Int(0));
    CHECK(t.Run("EXPIRE k 100 GT") == Int(0));
    CHECK(t.Run("EXPIRE k 200 GT") == Int(1));
    CHECK(t.Run("EXPIRE k 200 LT") == Int(0));
    CHECK(t.Run("EXPIRE k 150 LT") == Int(1));
    CHECK(t.Run("EXPIRE k 300 XX GT") == Int(1));
    CHECK(t.Run("TTL k") == Int(300));
    // A past time that fails the condition leaves the key alone.
    CHECK(t.Run("PERSIST k") == Int(1));
    CHECK(t.Run("EXPIRE k -1 GT") == Int(0));
    CHECK(t.Run("EXISTS k") == Int(1));
  }

  TEST_CASE("EXPIRE rejects incompatible and unknown options before the time") {
    TestEngine t;
    CHECK(t.Run("SET k v") == kOk);
    const std::string nx_err =
        Err("ERR NX and XX, GT or LT options at the same time are not compatible");
    CHECK(t.Run("EXPIRE k 10 NX XX") == nx_err);
    CHECK(t.Run("EXPIRE k 10 NX GT") == nx_err);
    CHECK(t.Run("EXPIRE k 10 lt nx") == nx_err);
    CHECK(t.Run("EXPIRE k 10 GT LT") ==
          Err("ERR GT and LT options at the same time are not compatible"));
    CHECK(t.Run("EXPIRE k 10 FOO") == Err("ERR Unsupported option FOO"));
    CHECK(t.Run("EXPIRE k abc foo") == Err("ERR Unsupported option foo"));
    CHECK(t.Run("EXPIRE k abc") == kNotInt);
    CHECK(t.Run("EXPIRE k 10 XX XX") == Int(0));
  }

  TEST_CASE("EXPIRE reports overflow as an invalid expire time naming the command") {
    TestEngine t;
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("EXPIRE k 9223372036854776") == Err("ERR invalid expire time in 'expire' command"));
    CHECK(t.Run("EXPIRE k -9223372036854776") ==
          Err("ERR invalid expire time in 'expire' command"));
    CHECK(t.Run("EXPIRE k 9223372036854775") == Err("ERR invalid expire time in 'expire' command"));
    CHECK(t.Run("PEXPIRE k 9223372036854775807") ==
          Err("ERR invalid expire time in 'pexpire' command"));
    CHECK(t.Run("EXPIREAT k 9223372036854776") ==
          Err("ERR invalid expire time in 'expireat' command"));
    CHECK(t.Run("EXPIREAT k 9223372036854775") == Int(1));
    CHECK(t.Run("TTL k") != Int(-1));
  }

  TEST_CASE("PERSIST removes a TTL and replies whether there was one") {
    TestEngine t;
    CHECK(t.Run("PERSIST nokey") == Int(0));
    CHECK(t.Run("SET k v EX 100") == kOk);
    CHECK(t.Run("PERSIST k") == Int(1));
    CHECK(t.Run("TTL k") == Int(-1));
    CHECK(t.Run("PERSIST k") == Int(0));
  }

  TEST_CASE("OBJECT ENCODING reports nil for missing keys") {
    TestEngine t;
    CHECK(t.Run("OBJECT ENCODING nokey") == kNil);
    CHECK(t.Run("SET k hello") == kOk);
    CHECK(t.Run("object encoding k") == Bulk("embstr"));
    MakeList(t, 0, "l", {"a"});
    CHECK(t.Run("OBJECT ENCODING l") == Bulk("quicklist"));
  }

  TEST_CASE("OBJECT REFCOUNT reports shared small integers like Redis") {
    TestEngine t;
    CHECK(t.Run("OBJECT REFCOUNT nokey") == kNil);
    CHECK(t.Run("SET k 100") == kOk);
    CHECK(t.Run("OBJECT REFCOUNT k") == Int(2147483647));
    CHECK(t.Run("SET k 9999") == kOk);
    CHECK(t.Run("OBJECT REFCOUNT k") == Int(2147483647));
    CHECK(t.Run("SET k 10000") == kOk);
    CHECK(t.Run("OBJECT REFCOUNT k") == Int(1));
    CHECK(t.Run("SET k -1") == kOk);
    CHECK(t.Run("OBJECT REFCOUNT k") == Int(1));
    CHECK(t.Run("SET k hello") == kOk);
    CHECK(t.Run("OBJECT REFCOUNT k") == Int(1));
  }

  TEST_CASE("OBJECT checks subcommands and their arity through the dispatcher") {
    TestEngine t;
    CHECK(t.Run("OBJECT") == Err("ERR wrong number of arguments for 'object' command"));
    CHECK(t.Run("OBJECT ENCODING") ==
          Err("ERR wrong number of arguments for 'object|encoding' command"));
    CHECK(t.Run("OBJECT HELP x") == Err("ERR wrong number of arguments for 'object|help' command"));
    CHECK(t.Run("OBJECT foo") == Err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
  }

  TEST_CASE("OBJECT HELP lists the subcommands as status lines in Redis's layout") {
    TestEngine t;
    std::string expected = "*9\r\n";
    for (const char* line : {
             "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
             "ENCODING <key>",
             "    Names the internal representation Redis 7.0 would use for the value.",
             "REFCOUNT <key>",
             "    Reports how many references the value has (shared integers report many).",
             "FREQ <key>, IDLETIME <key>",
             "    Not available in PersistLab: keys carry no access statistics.",
             "HELP",
             "    Prints this help.",
         }) {
      expected += std::string("+") + line + "\r\n";
    }
    CHECK(t.Run("OBJECT HELP") == expected);
    CHECK(t.Run("object help") == expected);
  }

  TEST_CASE("DBSIZE counts the keys of the selected database") {
    TestEngine t;
    CHECK(t.Run("MSET a 1 b 2") == kOk);
    CHECK(t.Run("DBSIZE") == Int(2));
    CHECK(t.Run("SELECT 1") == kOk);
    CHECK(t.Run("DBSIZE") == Int(0));
  }

  TEST_CASE("FLUSHDB empties only the selected database") {
    TestEngine t;
    CHECK(t.Run("MSET a 1 b 2") == kOk);
    CHECK(t.Run("SELECT 1") == kOk);
    CHECK(t.Run("SET c 3") == kOk);
    CHECK(t.Run("FLUSHDB") == kOk);
    CHECK(t.Run("DBSIZE") == Int(0));
    CHECK(t.Run("SELECT 0") == kOk);
    CHECK(t.Run("DBSIZE") == Int(2));
    CHECK(t.Run("FLUSHALL") == kOk);
    CHECK(t.Run("DBSIZE") == Int(0));
  }

  TEST_CASE("FLUSHDB and FLUSHALL accept only a lone SYNC or ASYNC") {
    TestEngine t;
    CHECK(t.Run("FLUSHDB async") == kOk);
    CHECK(t.Run("FLUSHDB SYNC") == kOk);
    CHECK(t.Run("FLUSHALL ASYNC") == kOk);
    CHECK(t.Run("FLUSHDB foo") == kSyntax);
    CHECK(t.Run("FLUSHDB sync extra") == kSyntax);
    CHECK(t.Run("FLUSHALL async x") == kSyntax);
  }

  TEST_CASE("FLUSHDB invalidates WATCH on keys that existed") {
    TestEngine t;
    CHECK(t.Run("SET k 1") == kOk);
    CHECK(t.Run("WATCH k") == kOk);
    CHECK(t.Run("FLUSHDB") == kOk);
    CHECK(t.Run("MULTI") == kOk);
    CHECK(t.Run("PING") == "+QUEUED\r\n");
    CHECK(t.Run("EXEC") == kNilArray);
    // A watched key that did not exist is not touched by a flush.
    CHECK(t.Run("WATCH other") == kOk);
    CHECK(t.Run("FLUSHALL") == kOk);
    CHECK(t.Run("MULTI") == kOk);
    CHECK(t.Run("PING") == "+QUEUED\r\n");
    CHECK(t.Run("EXEC") == Arr({"+PONG\r\n"}));
  }

  TEST_CASE("key writes count towards dirty like server.dirty in Redis") {
    TestEngine t;
    t.Run("CONFIG SET save \"\"");  // with save points FLUSHALL saves, resetting dirty
    int64_t before = Dirty(t);
    auto delta = [&](const std::string& line) {
      t.Run(line);
      int64_t d = Dirty(t) - before;
      before = Dirty(t);
      return d;
    };
    CHECK(delta("MSET a 1 b 2 c 3") == 3);
    CHECK(delta("DEL a a nokey") == 1);
    CHECK(delta("EXPIRE b 100") == 1);
    CHECK(delta("EXPIRE b 100 NX") == 0);
    CHECK(delta("PERSIST b") == 1);
    CHECK(delta("PERSIST b") == 0);
    CHECK(delta("PEXPIRE b -1") == 1);
    CHECK(delta("RENAME c d") == 1);
    CHECK(delta("RENAME d d") == 0);
    CHECK(delta("COPY d e") == 1);
    CHECK(delta("MOVE e 3") == 1);
    CHECK(delta("MSET x 1 y 2") == 2);
    CHECK(delta("FLUSHDB") == 3);  // d, x, y
    CHECK(delta("SELECT 3") == 0);
    CHECK(delta("FLUSHALL") == 1);  // e
    CHECK(delta("FLUSHALL") == 0);
  }

  TEST_CASE("read lookups count hits and misses, write lookups do not") {
    TestEngine t;
    auto& stats = t.engine.server().keyspace().stats();
    CHECK(t.Run("SET a 1") == kOk);
    const int64_t hits = stats.keyspace_hits, misses = stats.keyspace_misses;
    CHECK(t.Run("EXISTS a nokey") == Int(1));
    CHECK(t.Run("TYPE a") == "+string\r\n");
    CHECK(t.Run("TTL nokey") == Int(-2));
    CHECK(stats.keyspace_hits == hits + 2);
    CHECK(stats.keyspace_misses == misses + 2);
    CHECK(t.Run("EXPIRE a 100") == Int(1));
    CHECK(t.Run("RENAME a b") == kOk);
    CHECK(t.Run("DEL b") == Int(1));
    CHECK(stats.keyspace_hits == hits + 2);
    CHECK(stats.keyspace_misses == misses + 2);
  }
}
