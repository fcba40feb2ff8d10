// String commands. Every expected reply was checked against redis-server
// 7.0.15.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "tests/unit/test_util.h"

using namespace plab::testing;

namespace {

const std::string kWrongType =
    Err("WRONGTYPE Operation against a key holding the wrong kind of value");
const std::string kSyntax = Err("ERR syntax error");
const std::string kNotInt = Err("ERR value is not an integer or out of range");
const std::string kEmpty = Bulk("");

int64_t Dirty(TestEngine& t) { return t.engine.server().dirty(); }

// A one-element list, inserted directly so these tests don't depend on the
// list commands.
void MakeList(TestEngine& t, const char* key) {
  plab::Value list = plab::Value::List();
  list.list().items.push_back("a");
  t.engine.server().keyspace().Set(0, key, std::move(list));
}

}  // namespace

TEST_SUITE("strings") {
  TEST_CASE("SET stores and GET reads, nil for missing keys") {
    TestEngine t;
    CHECK(t.Run("GET k") == kNil);
    CHECK(t.Run("SET k hello") == kOk);
    CHECK(t.Run("GET k") == Bulk("hello"));
    CHECK(t.Run("SET k \"\"") == kOk);
    CHECK(t.Run("GET k") == kEmpty);
    CHECK(t.Run("SET k") == Err("ERR wrong number of arguments for 'set' command"));
    CHECK(t.Run("GET a b") == Err("ERR wrong number of arguments for 'get' command"));
  }

  TEST_CASE("GET on a non-string key is WRONGTYPE") {
    TestEngine t;
    MakeList(t, "l");
    CHECK(t.Run("GET l") == kWrongType);
  }

  TEST_CASE("SET NX and XX only write when the key is absent or present") {
    TestEngine t;
    CHECK(t.Run("SET k v XX") == kNil);
    CHECK(t.Run("EXISTS k") == Int(0));
    CHECK(t.Run("SET k v NX") == kOk);
    CHECK(t.Run("SET k w NX") == kNil);
    CHECK(t.Run("GET k") == Bulk("v"));
    CHECK(t.Run("SET k w xx") == kOk);
    CHECK(t.Run("GET k") == Bulk("w"));
  }

  TEST_CASE("SET rejects conflicting, unknown and incomplete options as syntax errors") {
    TestEngine t;
    CHECK(t.Run("SET k v NX XX") == kSyntax);
    CHECK(t.Run("SET k v XX NX") == kSyntax);
    CHECK(t.Run("SET k v EX") == kSyntax);
    CHECK(t.Run("SET k v PX") == kSyntax);
    CHECK(t.Run("SET k v KEEPTTL EX 10") == kSyntax);
    CHECK(t.Run("SET k v EX 10 KEEPTTL") == kSyntax);
    CHECK(t.Run("SET k v EXAT 10 PX 10") == kSyntax);
    CHECK(t.Run("SET k v EX 10 PXAT 10") == kSyntax);
    CHECK(t.Run("SET k v PERSIST") == kSyntax);
    CHECK(t.Run("SET k v FOO") == kSyntax);
    CHECK(t.Run("EXISTS k") == Int(0));
  }

  TEST_CASE("SET accepts a repeated option of the same kind and keeps the last value") {
    TestEngine t;
    CHECK(t.Run("SET k v EX 10 EX 20") == kOk);
    CHECK(t.Run("TTL k") == Int(20));
    CHECK(t.Run("SET k v NX nx") == kNil);
  }

  TEST_CASE("SET EX and PX set relative TTLs on the command clock") {
    TestEngine t;
    CHECK(t.Run("SET k v EX 10") == kOk);
    CHECK(t.Run("PTTL k") == Int(10000));
    CHECK(t.Run("SET k v PX 1500") == kOk);
    CHECK(t.Run("PTTL k") == Int(1500));
    t.AdvanceMs(1500);
    CHECK(t.Run("GET k") == kNil);
  }

  TEST_CASE("SET EXAT and PXAT set absolute deadlines, even ones in the past") {
    TestEngine t;
    const int64_t now_ms = t.clock.NowMillis();
    CHECK(t.Run("SET k v PXAT " + std::to_string(now_ms + 2000)) == kOk);
    CHECK(t.Run("PTTL k") == Int(2000));
    CHECK(t.Run("SET k v EXAT " + std::to_string(now_ms / 1000 + 5)) == kOk);
    CHECK(t.Run("PEXPIRETIME k") == Int((now_ms / 1000 + 5) * 1000));
    // Redis accepts a past deadline and the key is simply gone afterwards.
    CHECK(t.Run("SET k v PXAT 1") == kOk);
    CHECK(t.Run("GET k") == kNil);
  }

  TEST_CASE("SET checks its expire value for non-integers, non-positive values and overflow") {
    TestEngine t;
    const std::string invalid = Err("ERR invalid expire time in 'set' command");
    CHECK(t.Run("SET k v EX abc") == kNotInt);
    CHECK(t.Run("SET k v EX 0") == invalid);
    CHECK(t.Run("SET k v EX -1") == invalid);
    CHECK(t.Run("SET k v PXAT 0") == invalid);
    CHECK(t.Run("SET k v EX 9223372036854775") == invalid);  // plus now overflows
    CHECK(t.Run("SET k v EX 9223372036854775807") == invalid);
    CHECK(t.Run("SET k v PX 9223372036854775807") == invalid);
    CHECK(t.Run("SET k v EXAT 9223372036854776") == invalid);
    CHECK(t.Run("EXISTS k") == Int(0));
    CHECK(t.Run("SET k v EXAT 9223372036854775") == kOk);
  }

  TEST_CASE("SET drops the TTL unless KEEPTTL is given") {
    TestEngine t;
    CHECK(t.Run("SET k v EX 100") == kOk);
    CHECK(t.Run("SET k w KEEPTTL") == kOk);
    CHECK(t.Run("TTL k") == Int(100));
    CHECK(t.Run("SET k x") == kOk);
    CHECK(t.Run("TTL k") == Int(-1));
  }

  TEST_CASE("SET GET replies the old value and combines with NX and XX") {
    TestEngine t;
    CHECK(t.Run("SET k v GET") == kNil);
    CHECK(t.Run("SET k v2 GET NX") == Bulk("v"));
    CHECK(t.Run("GET k") == Bulk("v"));
    CHECK(t.Run("SET k v3 GET XX") == Bulk("v"));
    CHECK(t.Run("SET k v4 GET GET") == Bulk("v3"));
    CHECK(t.Run("SET nokey v GET XX") == kNil);
    CHECK(t.Run("EXISTS nokey") == Int(0));
  }

  TEST_CASE("SET GET on a non-string is WRONGTYPE, but a bad expire is reported first") {
    TestEngine t;
    MakeList(t, "l");
    CHECK(t.Run("SET l v GET") == kWrongType);
    CHECK(t.Run("SET l v GET EX 0") == Err("ERR invalid expire time in 'set' command"));
    CHECK(t.Run("SET l v NX GET") == kWrongType);
    CHECK(t.Run("TYPE l") == "+list\r\n");
    // Without GET, SET simply replaces a key of any type.
    CHECK(t.Run("SET l v") == kOk);
    CHECK(t.Run("GET l") == Bulk("v"));
  }

  TEST_CASE("SETNX replies 1 or 0") {
    TestEngine t;
    CHECK(t.Run("SETNX k v") == Int(1));
    CHECK(t.Run("SETNX k w") == Int(0));
    CHECK(t.Run("GET k") == Bulk("v"));
  }

  TEST_CASE("SETEX and PSETEX set a TTL and name themselves in expire errors") {
    TestEngine t;
    CHECK(t.Run("SETEX k 100 v") == kOk);
    CHECK(t.Run("TTL k") == Int(100));
    CHECK(t.Run("PSETEX k 1500 v") == kOk);
    CHECK(t.Run("PTTL k") == Int(1500));
    CHECK(t.Run("SETEX k 0 v") == Err("ERR invalid expire time in 'setex' command"));
    CHECK(t.Run("SETEX k -5 v") == Err("ERR invalid expire time in 'setex' command"));
    CHECK(t.Run("PSETEX k 0 v") == Err("ERR invalid expire time in 'psetex' command"));
    CHECK(t.Run("SETEX k abc v") == kNotInt);
    CHECK(t.Run("SETEX k 10") == Err("ERR wrong number of arguments for 'setex' command"));
  }

  TEST_CASE("GETSET replies the old value, stores the new one and drops the TTL") {
    TestEngine t;
    CHECK(t.Run("GETSET k a") == kNil);
    CHECK(t.Run("SETEX k 100 b") == kOk);
    CHECK(t.Run("GETSET k c") == Bulk("b"));
    CHECK(t.Run("GET k") == Bulk("c"));
    CHECK(t.Run("TTL k") == Int(-1));
    MakeList(t, "l");
    CHECK(t.Run("GETSET l x") == kWrongType);
  }

  TEST_CASE("GETDEL replies the value and deletes the key") {
    TestEngine t;
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("GETDEL k") == Bulk("v"));
    CHECK(t.Run("EXISTS k") == Int(0));
    CHECK(t.Run("GETDEL k") == kNil);
    MakeList(t, "l");
    CHECK(t.Run("GETDEL l") == kWrongType);
    CHECK(t.Run("EXISTS l") == Int(1));
  }

  TEST_CASE("GETEX without options is a plain GET") {
    TestEngine t;
    CHECK(t.Run("GETEX k") == kNil);
    CHECK(t.Run("SETEX k 100 v") == kOk);
    CHECK(t.Run("GETEX k") == Bulk("v"));
    CHECK(t.Run("TTL k") == Int(100));
  }

  TEST_CASE("GETEX changes or removes the TTL") {
    TestEngine t;
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("GETEX k EX 10") == Bulk("v"));
    CHECK(t.Run("TTL k") == Int(10));
    CHECK(t.Run("GETEX k PX 2500") == Bulk("v"));
    CHECK(t.Run("PTTL k") == Int(2500));
    CHECK(t.Run("GETEX k PERSIST") == Bulk("v"));
    CHECK(t.Run("TTL k") == Int(-1));
    const int64_t at = t.clock.NowMillis() / 1000 + 50;
    CHECK(t.Run("GETEX k EXAT " + std::to_string(at)) == Bulk("v"));
    CHECK(t.Run("EXPIRETIME k") == Int(at));
  }

  TEST_CASE("GETEX with a past EXAT or PXAT replies the value and deletes the key") {
    TestEngine t;
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("GETEX k PXAT 1") == Bulk("v"));
    CHECK(t.Run("EXISTS k") == Int(0));
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("GETEX k EXAT 1") == Bulk("v"));
    CHECK(t.Run("EXISTS k") == Int(0));
  }

  TEST_CASE("GETEX rejects SET-only and conflicting options") {
    TestEngine t;
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("GETEX k PERSIST EX 10") == kSyntax);
    CHECK(t.Run("GETEX k EX 10 PERSIST") == kSyntax);
    CHECK(t.Run("GETEX k KEEPTTL") == kSyntax);
    CHECK(t.Run("GETEX k NX") == kSyntax);
    CHECK(t.Run("GETEX k GET") == kSyntax);
    CHECK(t.Run("GETEX k EX") == kSyntax);
  }

  TEST_CASE("GETEX checks the key before the expire value") {
    TestEngine t;
    CHECK(t.Run("GETEX nokey EX 0") == kNil);
    MakeList(t, "l");
    CHECK(t.Run("GETEX l EX 0") == kWrongType);
    CHECK(t.Run("GETEX l FOO") == kSyntax);  // options are parsed before anything
    CHECK(t.Run("SET k v") == kOk);
    CHECK(t.Run("GETEX k EX 0") == Err("ERR invalid expire time in 'getex' command"));
    CHECK(t.Run("GETEX k PX abc") == kNotInt);
  }

  TEST_CASE("MSET sets every pair and needs an even number of arguments") {
    TestEngine t;
    CHECK(t.Run("MSET a 1 b 2 a 3") == kOk);
    CHECK(t.Run("MGET a b") == BulkArr({"3", "2"}));
    CHECK(t.Run("MSET a") == Err("ERR wrong number of arguments for 'mset' command"));
    CHECK(t.Run("MSET a 1 b") == Err("ERR wrong number of arguments for 'mset' command"));
    CHECK(t.Run("MSETNX a 1 b") == Err("ERR wrong number of arguments for 'msetnx' command"));
  }

  TEST_CASE("MSETNX sets nothing when any key exists") {
    TestEngine t;
    CHECK(t.Run("MSETNX a 1 b 2") == Int(1));
    CHECK(t.Run("MSETNX a 9 c 3") == Int(0));
    CHECK(t.Run("EXISTS c") == Int(0));
    CHECK(t.Run("GET a") == Bulk("1"));
  }

  TEST_CASE("MGET replies nil for missing keys and for keys of other types") {
    TestEngine t;
    CHECK(t.Run("MSET a 1 b 2") == kOk);
    MakeList(t, "l");
    CHECK(t.Run("MGET a nokey l b") == Arr({Bulk("1"), kNil, kNil, Bulk("2")}));
  }

  TEST_CASE("INCR, DECR, INCRBY and DECRBY do 64-bit integer arithmetic") {
    TestEngine t;
    CHECK(t.Run("INCR n") == Int(1));
    CHECK(t.Run("INCR n") == Int(2));
    CHECK(t.Run("DECR n") == Int(1));
    CHECK(t.Run("INCRBY n 10") == Int(11));
    CHECK(t.Run("DECRBY n 20") == Int(-9));
    CHECK(t.Run("DECR fresh") == Int(-1));
    CHECK(t.Run("GET n") == Bulk("-9"));
  }

  TEST_CASE("INCR family rejects non-integers like string2ll does") {
    TestEngine t;
    for (const char* bad : {"\" 1\"", "01", "1.5", "abc", "\"\"", "9223372036854775808"}) {
      CAPTURE(bad);
      CHECK(t.Run(std::string("SET n ") + bad) == kOk);
      CHECK(t.Run("INCR n") == kNotInt);
    }
    CHECK(t.Run("INCRBY n abc") == kNotInt);
    CHECK(t.Run("DECRBY n 1.0") == kNotInt);
    MakeList(t, "l");
    CHECK(t.Run("INCR l") == kWrongType);
  }

  TEST_CASE("INCR family reports overflow in both directions") {
    TestEngine t;
    const std::string overflow = Err("ERR increment or decrement would overflow");
    CHECK(t.Run("SET n 9223372036854775807") == kOk);
    CHECK(t.Run("INCR n") == overflow);
    CHECK(t.Run("DECR n") == Int(9223372036854775806));
    CHECK(t.Run("SET n -9223372036854775808") == kOk);
    CHECK(t.Run("DECR n") == overflow);
    CHECK(t.Run("INCRBY n -1") == overflow);
    CHECK(t.Run("DECRBY n -9223372036854775808") == Err("ERR decrement would overflow"));
    CHECK(t.Run("DECRBY n -9223372036854775807") == Int(-1));
  }

  TEST_CASE("INCR keeps the TTL and stores an int-encoded value") {
    TestEngine t;
    CHECK(t.Run("SET n 5 EX 100") == kOk);
    CHECK(t.Run("INCR n") == Int(6));
    CHECK(t.Run("TTL n") == Int(100));
    CHECK(t.Run("OBJECT ENCODING n") == Bulk("int"));
  }

  TEST_CASE("INCRBYFLOAT uses long double and prints without trailing zeros") {
    TestEngine t;
    CHECK(t.Run("SET f 10.50") == kOk);
    CHECK(t.Run("INCRBYFLOAT f 0.1") == Bulk("10.6"));
    CHECK(t.Run("INCRBYFLOAT f -5") == Bulk("5.6"));
    // 17 digits of long double precision show the binary rounding, as in Redis.
    CHECK(t.Run("INCRBYFLOAT f 5.0e3") == Bulk("5005.60000000000000009"));
    CHECK(t.Run("INCRBYFLOAT g 0.1") == Bulk("0.1"));
    CHECK(t.Run("INCRBYFLOAT g 0.2") == Bulk("0.3"));
    CHECK(t.Run("SET h 3") == kOk);
    CHECK(t.Run("INCRBYFLOAT h -3") == Bulk("0"));
    CHECK(t.Run("INCRBYFLOAT h 1e20") == Bulk("100000000000000000000"));
  }

  TEST_CASE("INCRBYFLOAT rejects bad numbers and NaN or infinite results") {
    TestEngine t;
    const std::string not_float = Err("ERR value is not a valid float");
    CHECK(t.Run("SET f abc") == kOk);
    CHECK(t.Run("INCRBYFLOAT f 1") == not_float);
    CHECK(t.Run("SET f 1") == kOk);
    CHECK(t.Run("INCRBYFLOAT f abc") == not_float);
    CHECK(t.Run("INCRBYFLOAT f inf") == Err("ERR increment would produce NaN or Infinity"));
    CHECK(t.Run("GET f") == Bulk("1"));
    MakeList(t, "l");
    CHECK(t.Run("INCRBYFLOAT l 1") == kWrongType);
  }

  TEST_CASE("INCRBYFLOAT results are embstr even when they look like integers") {
    TestEngine t;
    CHECK(t.Run("INCRBYFLOAT f 1") == Bulk("1"));
    CHECK(t.Run("OBJECT ENCODING f") == Bulk("embstr"));
    CHECK(t.Run("SET n 5 EX 100") == kOk);
    CHECK(t.Run("INCRBYFLOAT n 1") == Bulk("6"));
    CHECK(t.Run("TTL n") == Int(100));
    CHECK(t.Run("OBJECT ENCODING n") == Bulk("embstr"));
    CHECK(t.Run("INCR n") == Int(7));
    CHECK(t.Run("OBJECT ENCODING n") == Bulk("int"));
  }

  TEST_CASE("APPEND creates or extends a string and leaves an extended one raw") {
    TestEngine t;
    CHECK(t.Run("APPEND s hello") == Int(5));
    CHECK(t.Run("OBJECT ENCODING s") == Bulk("embstr"));
    CHECK(t.Run("APPEND s \" world\"") == Int(11));
    CHECK(t.Run("GET s") == Bulk("hello world"));
    CHECK(t.Run("OBJECT ENCODING s") == Bulk("raw"));
    CHECK(t.Run("APPEND n 123") == Int(3));
    CHECK(t.Run("OBJECT ENCODING n") == Bulk("int"));
    CHECK(t.Run("APPEND n \"\"") == Int(3));
    CHECK(t.Run("OBJECT ENCODING n") == Bulk("raw"));
    MakeList(t, "l");
    CHECK(t.Run("APPEND l x") == kWrongType);
  }

  TEST_CASE("APPEND keeps the TTL") {
    TestEngine t;
    CHECK(t.Run("SETEX s 100 a") == kOk);
    CHECK(t.Run("APPEND s b") == Int(2));
    CHECK(t.Run("TTL s") == Int(100));
  }

  TEST_CASE("APPEND may not grow a string beyond proto-max-bulk-len") {
    plab::ManualClock clock;
    plab::Config config;
    config.proto_max_bulk_len = 8;
    plab::Engine engine(clock, config);
    CHECK(engine.Execute({"SET", "s", "12345"}) == kOk);
    CHECK(engine.Execute({"APPEND", "s", "678"}) == Int(8));
    CHECK(engine.Execute({"APPEND", "s", "9"}) ==
          Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  }

  TEST_CASE("STRLEN counts bytes, 0 for missing keys") {
    TestEngine t;
    CHECK(t.Run("STRLEN k") == Int(0));
    CHECK(t.Run("SET k hello") == kOk);
    CHECK(t.Run("STRLEN k") == Int(5));
    CHECK(t.Run("SET n -123") == kOk);
    CHECK(t.Run("STRLEN n") == Int(4));
    MakeList(t, "l");
    CHECK(t.Run("STRLEN l") == kWrongType);
  }

  TEST_CASE("GETRANGE clamps negative and out-of-range offsets like Redis") {
    TestEngine t;
    CHECK(t.Run("SET s \"hello world\"") == kOk);
    CHECK(t.Run("GETRANGE s 0 4") == Bulk("hello"));
    CHECK(t.Run("GETRANGE s -5 -1") == Bulk("world"));
    CHECK(t.Run("GETRANGE s 0 -1") == Bulk("hello world"));
    CHECK(t.Run("GETRANGE s 0 100") == Bulk("hello world"));
    CHECK(t.Run("GETRANGE s -100 2") == Bulk("hel"));
    CHECK(t.Run("GETRANGE s -100 -50") == Bulk("h"));
    CHECK(t.Run("GETRANGE s -1 -5") == kEmpty);
    CHECK(t.Run("GETRANGE s 5 2") == kEmpty);
    CHECK(t.Run("GETRANGE s 100 200") == kEmpty);
    CHECK(t.Run("GETRANGE s -9223372036854775808 9223372036854775807") == Bulk("hello world"));
    CHECK(t.Run("GETRANGE s 9223372036854775807 -9223372036854775808") == kEmpty);
    CHECK(t.Run("SUBSTR s 0 2") == Bulk("hel"));
  }

  TEST_CASE("GETRANGE reads integers as text and treats a missing key as empty") {
    TestEngine t;
    CHECK(t.Run("SET n 12345") == kOk);
    CHECK(t.Run("GETRANGE n 1 2") == Bulk("23"));
    CHECK(t.Run("GETRANGE nokey 0 1") == kEmpty);
    CHECK(t.Run("SET e \"\"") == kOk);
    CHECK(t.Run("GETRANGE e 0 -1") == kEmpty);
  }

  TEST_CASE("GETRANGE checks its offsets before the key") {
    TestEngine t;
    MakeList(t, "l");
    CHECK(t.Run("GETRANGE l a 1") == kNotInt);
    CHECK(t.Run("GETRANGE l 1 b") == kNotInt);
    CHECK(t.Run("GETRANGE l 0 1") == kWrongType);
  }

  TEST_CASE("SETRANGE pads with zero bytes and returns the new length") {
    TestEngine t;
    CHECK(t.Run("SETRANGE s 3 abc") == Int(6));
    CHECK(t.Run("GET s") == Bulk(std::string("\0\0\0abc", 6)));
    CHECK(t.Run("OBJECT ENCODING s") == Bulk("raw"));
    CHECK(t.Run("SETRANGE s 0 X") == Int(6));
    CHECK(t.Run("GET s") == Bulk(std::string("X\0\0abc", 6)));
    CHECK(t.Run("SETRANGE s 5 YZ") == Int(7));
    CHECK(t.Run("GET s") == Bulk(std::string("X\0\0abYZ", 7)));
  }

  TEST_CASE("SETRANGE with an empty value changes nothing and creates no key") {
    TestEngine t;
    CHECK(t.Run("SETRANGE s 2 \"\"") == Int(0));
    CHECK(t.Run("EXISTS s") == Int(0));
    CHECK(t.Run("SET n 123") == kOk);
    CHECK(t.Run("SETRANGE n 10 \"\"") == Int(3));
    CHECK(t.Run("OBJECT ENCODING n") == Bulk("int"));
    CHECK(t.Run("SETRANGE n 0 9") == Int(3));
    CHECK(t.Run("GET n") == Bulk("923"));
    CHECK(t.Run("OBJECT ENCODING n") == Bulk("raw"));
  }

  TEST_CASE("SETRANGE validates the offset and the resulting size") {
    TestEngine t;
    CHECK(t.Run("SETRANGE s -1 x") == Err("ERR offset is out of range"));
    CHECK(t.Run("SETRANGE s abc x") == kNotInt);
    const std::string too_big = Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    CHECK(t.Run("SETRANGE s 536870912 x") == too_big);
    CHECK(t.Run("SETRANGE s 9223372036854775807 x") == too_big);
    CHECK(t.Run("EXISTS s") == Int(0));
    MakeList(t, "l");
    CHECK(t.Run("SETRANGE l 0 x") == kWrongType);
    CHECK(t.Run("SETRANGE l 0 \"\"") == kWrongType);
  }

  TEST_CASE("OBJECT ENCODING of strings follows Redis's int, embstr and raw rules") {
    TestEngine t;
    CHECK(t.Run("SET a 12345") == kOk);
    CHECK(t.Run("OBJECT ENCODING a") == Bulk("int"));
    CHECK(t.Run("SET a -5") == kOk);
    CHECK(t.Run("OBJECT ENCODING a") == Bulk("int"));
    CHECK(t.Run("SET a 9223372036854775808") == kOk);
    CHECK(t.Run("OBJECT ENCODING a") == Bulk("embstr"));
    CHECK(t.Run("SET a 007") == kOk);
    CHECK(t.Run("OBJECT ENCODING a") == Bulk("embstr"));
    CHECK(t.Run("SET a " + std::string(44, 'x')) == kOk);
    CHECK(t.Run("OBJECT ENCODING a") == Bulk("embstr"));
    CHECK(t.Run("SET a " + std::string(45, 'x')) == kOk);
    CHECK(t.Run("OBJECT ENCODING a") == Bulk("raw"));
    CHECK(t.Run("GETSET a 1") == Bulk(std::string(45, 'x')));
    CHECK(t.Run("OBJECT ENCODING a") == Bulk("int"));
  }

  TEST_CASE("string writes count towards dirty like server.dirty in Redis") {
    TestEngine t;
    int64_t before = Dirty(t);
    auto delta = [&](const std::string& line) {
      t.Run(line);
      int64_t d = Dirty(t) - before;
      before = Dirty(t);
      return d;
    };
    CHECK(delta("SET a 1") == 1);
    CHECK(delta("SET a 1 NX") == 0);
    CHECK(delta("SETNX b 1") == 1);
    CHECK(delta("MSET a 1 b 2 a 3") == 3);
    CHECK(delta("MSETNX a 1 c 2") == 0);
    CHECK(delta("MSETNX c 1 d 2") == 2);
    CHECK(delta("INCRBY a x") == 0);
    CHECK(delta("INCRBYFLOAT a 1.5") == 1);
    CHECK(delta("SETRANGE a 0 \"\"") == 0);
    CHECK(delta("SETRANGE a 0 x") == 1);
    CHECK(delta("GETEX a") == 0);
    CHECK(delta("GETEX a EX 100") == 1);
    CHECK(delta("GETEX a PERSIST") == 1);
    CHECK(delta("GETEX a PERSIST") == 0);
    CHECK(delta("GETDEL a") == 1);
    CHECK(delta("GETDEL a") == 0);
  }

  TEST_CASE("string writes invalidate WATCH") {
    TestEngine t;
    plab::Client* other = t.engine.Connect();
    CHECK(t.Run("SET k 1") == kOk);
    CHECK(t.Run("WATCH k") == kOk);
    t.engine.Feed(other, "INCR k\r\n");
    CHECK(other->output == Int(2));
    CHECK(t.Run("MULTI") == kOk);
    CHECK(t.Run("GET k") == "+QUEUED\r\n");
    CHECK(t.Run("EXEC") == kNilArray);
  }

  TEST_CASE("GET and MGET count keyspace hits and misses") {
    TestEngine t;
    auto& stats = t.engine.server().keyspace().stats();
    CHECK(t.Run("SET a 1") == kOk);
    const int64_t hits = stats.keyspace_hits, misses = stats.keyspace_misses;
    CHECK(t.Run("MGET a nokey a") == Arr({Bulk("1"), kNil, Bulk("1")}));
    CHECK(stats.keyspace_hits == hits + 2);
    CHECK(stats.keyspace_misses == misses + 1);
  }
}
