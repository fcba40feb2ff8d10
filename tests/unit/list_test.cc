// List commands, checked against replies recorded from Redis 7.0.15.
#include <doctest/doctest.h>

#include <string>

#include "tests/unit/test_util.h"

using namespace plab::testing;

namespace {

constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
constexpr std::string_view kNotInt = "ERR value is not an integer or out of range";

int64_t Dirty(TestEngine& t) { return t.engine.server().dirty(); }

// The key's encoding as OBJECT ENCODING would report it ("" when missing).
std::string Encoding(TestEngine& t, std::string_view key) {
  const plab::Value* v = t.engine.server().keyspace().Lookup(0, key);
  return v == nullptr ? "" : std::string(v->EncodingName());
}

}  // namespace

TEST_SUITE("lists") {
  TEST_CASE("LPUSH and RPUSH add to either end and reply with the new length") {
    TestEngine t;
    CHECK(t.Run("LPUSH l a b c") == Int(3));
    CHECK(t.Run("RPUSH l d e") == Int(5));
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"c", "b", "a", "d", "e"}));
    CHECK(Encoding(t, "l") == "quicklist");
  }

  TEST_CASE("LPUSHX and RPUSHX only push onto an existing list") {
    TestEngine t;
    CHECK(t.Run("LPUSHX l a") == Int(0));
    CHECK(t.Run("RPUSHX l a") == Int(0));
    CHECK(t.Run("LLEN l") == Int(0));
    CHECK(Encoding(t, "l").empty());
    t.Run("RPUSH l m");
    CHECK(t.Run("LPUSHX l x y") == Int(3));
    CHECK(t.Run("RPUSHX l z") == Int(4));
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"y", "x", "m", "z"}));
  }

  TEST_CASE("every list command rejects a key of another type") {
    TestEngine t;
    t.Run("HSET h f v");
    const char* const kCommands[] = {"LPUSH h a",
                                     "RPUSH h a",
                                     "LPUSHX h a",
                                     "RPUSHX h a",
                                     "LPOP h",
                                     "RPOP h",
                                     "LPOP h 0",
                                     "LLEN h",
                                     "LRANGE h 0 1",
                                     "LINDEX h 0",
                                     "LINDEX h x",
                                     "LSET h 0 v",
                                     "LSET h x v",
                                     "LREM h 1 a",
                                     "LTRIM h 0 1",
                                     "LINSERT h BEFORE a b",
                                     "LPOS h a",
                                     "LPOS h a COUNT 1",
                                     "LMOVE h d LEFT LEFT",
                                     "RPOPLPUSH h d"};
    for (const char* cmd : kCommands) {
      CAPTURE(cmd);
      CHECK(t.Run(cmd) == Err(kWrongType));
    }
  }

  TEST_CASE("LPUSH counts one change per pushed element") {
    TestEngine t;
    int64_t before = Dirty(t);
    t.Run("LPUSH l a b c");
    CHECK(Dirty(t) - before == 3);
    before = Dirty(t);
    t.Run("LPUSHX nosuch a");
    CHECK(Dirty(t) == before);
  }

  TEST_CASE("LLEN is 0 for a missing key") {
    TestEngine t;
    CHECK(t.Run("LLEN l") == Int(0));
    t.Run("RPUSH l a b");
    CHECK(t.Run("LLEN l") == Int(2));
  }

  TEST_CASE("LRANGE clamps its indexes like Redis") {
    TestEngine t;
    t.Run("RPUSH l a b c d e");
    CHECK(t.Run("LRANGE l -3 -1") == BulkArr({"c", "d", "e"}));
    CHECK(t.Run("LRANGE l -100 100") == BulkArr({"a", "b", "c", "d", "e"}));
    CHECK(t.Run("LRANGE l 0 0") == BulkArr({"a"}));
    CHECK(t.Run("LRANGE l 3 1") == "*0\r\n");
    CHECK(t.Run("LRANGE l 5 10") == "*0\r\n");
    CHECK(t.Run("LRANGE l 9223372036854775807 -9223372036854775808") == "*0\r\n");
    CHECK(t.Run("LRANGE l -9223372036854775808 9223372036854775807") ==
          BulkArr({"a", "b", "c", "d", "e"}));
    CHECK(t.Run("LRANGE nosuch 0 -1") == "*0\r\n");
  }

  TEST_CASE("LRANGE and LTRIM validate indexes before looking at the key") {
    TestEngine t;
    t.Run("HSET h f v");
    CHECK(t.Run("LRANGE h x 1") == Err(kNotInt));
    CHECK(t.Run("LRANGE nosuch 0 1.5") == Err(kNotInt));
    CHECK(t.Run("LTRIM h 0 x") == Err(kNotInt));
    CHECK(t.Run("LTRIM nosuch x 1") == Err(kNotInt));
    CHECK(t.Run("LREM nosuch x a") == Err(kNotInt));
  }

  TEST_CASE("LINDEX counts negative indexes from the tail and answers nil outside") {
    TestEngine t;
    t.Run("RPUSH l a b c");
    CHECK(t.Run("LINDEX l 0") == Bulk("a"));
    CHECK(t.Run("LINDEX l -1") == Bulk("c"));
    CHECK(t.Run("LINDEX l -3") == Bulk("a"));
    CHECK(t.Run("LINDEX l 3") == kNil);
    CHECK(t.Run("LINDEX l -4") == kNil);
    CHECK(t.Run("LINDEX l -9223372036854775808") == kNil);
    CHECK(t.Run("LINDEX l 9223372036854775807") == kNil);
    CHECK(t.Run("LINDEX l x") == Err(kNotInt));
  }

  TEST_CASE("LINDEX looks at the key before parsing the index") {
    TestEngine t;
    CHECK(t.Run("LINDEX nosuch x") == kNil);
  }

  TEST_CASE("LSET replaces an element, with its own errors for missing keys and indexes") {
    TestEngine t;
    CHECK(t.Run("LSET nosuch 0 v") == Err("ERR no such key"));
    CHECK(t.Run("LSET nosuch x v") == Err("ERR no such key"));
    t.Run("RPUSH l a b c");
    CHECK(t.Run("LSET l 0 A") == kOk);
    CHECK(t.Run("LSET l -1 C") == kOk);
    CHECK(t.Run("LSET l 3 Q") == Err("ERR index out of range"));
    CHECK(t.Run("LSET l -4 Q") == Err("ERR index out of range"));
    CHECK(t.Run("LSET l x Q") == Err(kNotInt));
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"A", "b", "C"}));
  }

  TEST_CASE("LPOP and RPOP without a count reply with one element or nil") {
    TestEngine t;
    CHECK(t.Run("LPOP l") == kNil);
    CHECK(t.Run("RPOP l") == kNil);
    t.Run("RPUSH l a b c");
    CHECK(t.Run("LPOP l") == Bulk("a"));
    CHECK(t.Run("RPOP l") == Bulk("c"));
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"b"}));
  }

  TEST_CASE("LPOP and RPOP with a count reply with an array in popping order") {
    TestEngine t;
    t.Run("RPUSH l a b c d e f");
    CHECK(t.Run("LPOP l 2") == BulkArr({"a", "b"}));
    CHECK(t.Run("RPOP l 2") == BulkArr({"f", "e"}));
    CHECK(t.Run("LPOP l 0") == "*0\r\n");
    CHECK(t.Run("RPOP l 100") == BulkArr({"d", "c"}));
    CHECK(t.Run("LLEN l") == Int(0));
  }

  TEST_CASE("LPOP with a count on a missing key is a nil array, even for count 0") {
    TestEngine t;
    CHECK(t.Run("LPOP l 0") == kNilArray);
    CHECK(t.Run("RPOP l 3") == kNilArray);
  }

  TEST_CASE("LPOP rejects negative and non-numeric counts and extra arguments") {
    TestEngine t;
    t.Run("RPUSH l a");
    CHECK(t.Run("LPOP l -1") == Err("ERR value is out of range, must be positive"));
    CHECK(t.Run("LPOP l x") == Err("ERR value is out of range, must be positive"));
    CHECK(t.Run("LPOP nosuch -1") == Err("ERR value is out of range, must be positive"));
    CHECK(t.Run("LPOP l 1 2") == Err("ERR wrong number of arguments for 'lpop' command"));
    CHECK(t.Run("RPOP l 1 2") == Err("ERR wrong number of arguments for 'rpop' command"));
  }

  TEST_CASE("popping the last element deletes the key") {
    TestEngine t;
    t.Run("RPUSH l a");
    t.Run("LPOP l");
    CHECK(Encoding(t, "l").empty());
    t.Run("RPUSH l a b");
    t.Run("RPOP l 5");
    CHECK(Encoding(t, "l").empty());
  }

  TEST_CASE("LPOP with a count adds the number of popped elements to dirty") {
    TestEngine t;
    t.Run("RPUSH l a b c");
    int64_t before = Dirty(t);
    t.Run("LPOP l 2");
    CHECK(Dirty(t) - before == 2);
    before = Dirty(t);
    t.Run("LPOP l 0");
    CHECK(Dirty(t) == before);
  }

  TEST_CASE("LREM removes from the head, the tail, or everywhere") {
    TestEngine t;
    t.Run("RPUSH l a b a c a b a");
    CHECK(t.Run("LREM l 2 a") == Int(2));
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"b", "c", "a", "b", "a"}));
    CHECK(t.Run("LREM l -1 a") == Int(1));
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"b", "c", "a", "b"}));
    CHECK(t.Run("LREM l 0 b") == Int(2));
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"c", "a"}));
    CHECK(t.Run("LREM l 0 zz") == Int(0));
    CHECK(t.Run("LREM nosuch 1 a") == Int(0));
  }

  TEST_CASE("LREM with the most negative count removes every match") {
    TestEngine t;
    t.Run("RPUSH l a b a c a");
    CHECK(t.Run("LREM l -9223372036854775808 a") == Int(3));
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"b", "c"}));
  }

  TEST_CASE("LREM deletes the key when nothing is left and counts each removal") {
    TestEngine t;
    t.Run("RPUSH l a a");
    const int64_t before = Dirty(t);
    CHECK(t.Run("LREM l 0 a") == Int(2));
    CHECK(Dirty(t) - before == 2);
    CHECK(Encoding(t, "l").empty());
  }

  TEST_CASE("LTRIM keeps a range and deletes the key when the range is empty") {
    TestEngine t;
    t.Run("RPUSH l 1 2 3 4 5 6");
    CHECK(t.Run("LTRIM l 1 -2") == kOk);
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"2", "3", "4", "5"}));
    CHECK(t.Run("LTRIM l -100 100") == kOk);
    CHECK(t.Run("LLEN l") == Int(4));
    CHECK(t.Run("LTRIM l 1 1") == kOk);
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"3"}));
    CHECK(t.Run("LTRIM l 5 10") == kOk);
    CHECK(Encoding(t, "l").empty());
    CHECK(t.Run("LTRIM nosuch 0 1") == kOk);
  }

  TEST_CASE("LTRIM adds the number of dropped elements to dirty") {
    TestEngine t;
    t.Run("RPUSH l a b c d e");
    int64_t before = Dirty(t);
    t.Run("LTRIM l 0 -1");
    CHECK(Dirty(t) == before);
    t.Run("LTRIM l 1 -2");
    CHECK(Dirty(t) - before == 2);
  }

  TEST_CASE("LTRIM invalidates a WATCH even when it trims nothing") {
    TestEngine t;
    t.Run("RPUSH l a b");
    t.Run("WATCH l");
    t.Run("LTRIM l 0 -1");
    t.Run("MULTI");
    t.Run("LLEN l");
    CHECK(t.Run("EXEC") == kNilArray);
  }

  TEST_CASE("LINSERT inserts next to the first pivot") {
    TestEngine t;
    t.Run("RPUSH l a b c b");
    CHECK(t.Run("LINSERT l BEFORE b X") == Int(5));
    CHECK(t.Run("LINSERT l after b Y") == Int(6));
    CHECK(t.Run("LINSERT l AfTeR b Z") == Int(7));
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"a", "X", "b", "Z", "Y", "c", "b"}));
  }

  TEST_CASE("LINSERT answers -1 for a missing pivot and 0 for a missing key") {
    TestEngine t;
    CHECK(t.Run("LINSERT l BEFORE a x") == Int(0));
    t.Run("RPUSH l a");
    const int64_t before = Dirty(t);
    CHECK(t.Run("LINSERT l BEFORE zz x") == Int(-1));
    CHECK(Dirty(t) == before);
  }

  TEST_CASE("LINSERT checks BEFORE/AFTER before the key") {
    TestEngine t;
    t.Run("HSET h f v");
    CHECK(t.Run("LINSERT nosuch middle a b") == Err("ERR syntax error"));
    CHECK(t.Run("LINSERT h middle a b") == Err("ERR syntax error"));
  }

  TEST_CASE("LPOS finds the first match, or the Nth with RANK") {
    TestEngine t;
    t.Run("RPUSH l a b c 1 2 3 c c");
    CHECK(t.Run("LPOS l c") == Int(2));
    CHECK(t.Run("LPOS l c RANK 2") == Int(6));
    CHECK(t.Run("LPOS l c RANK -1") == Int(7));
    CHECK(t.Run("LPOS l c RANK -3") == Int(2));
    CHECK(t.Run("LPOS l c RANK 10") == kNil);
    CHECK(t.Run("LPOS l zz") == kNil);
  }

  TEST_CASE("LPOS with COUNT replies with an array of positions") {
    TestEngine t;
    t.Run("RPUSH l a b c 1 2 3 c c");
    CHECK(t.Run("LPOS l c COUNT 0") == Arr({Int(2), Int(6), Int(7)}));
    CHECK(t.Run("LPOS l c COUNT 2") == Arr({Int(2), Int(6)}));
    CHECK(t.Run("LPOS l c COUNT 2 RANK 2") == Arr({Int(6), Int(7)}));
    CHECK(t.Run("LPOS l c COUNT 0 RANK -1") == Arr({Int(7), Int(6), Int(2)}));
    CHECK(t.Run("LPOS l zz COUNT 0") == "*0\r\n");
    CHECK(t.Run("LPOS nosuch c COUNT 1") == "*0\r\n");
    CHECK(t.Run("LPOS nosuch c") == kNil);
  }

  TEST_CASE("LPOS MAXLEN limits how many elements are compared") {
    TestEngine t;
    t.Run("RPUSH l a b c 1 2 3 c c");
    CHECK(t.Run("LPOS l c MAXLEN 3") == Int(2));
    CHECK(t.Run("LPOS l c MAXLEN 2") == kNil);
    CHECK(t.Run("LPOS l c MAXLEN 2 COUNT 0") == "*0\r\n");
    CHECK(t.Run("LPOS l c RANK -1 MAXLEN 2 COUNT 0") == Arr({Int(7), Int(6)}));
  }

  TEST_CASE("LPOS reports each option error with Redis's wording") {
    TestEngine t;
    t.Run("RPUSH l a");
    CHECK(t.Run("LPOS l a RANK 0") ==
          Err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
              "second ... or use negative to start from the end of the list"));
    CHECK(t.Run("LPOS l a RANK x") == Err(kNotInt));
    CHECK(t.Run("LPOS l a COUNT -1") == Err("ERR COUNT can't be negative"));
    CHECK(t.Run("LPOS l a COUNT x") == Err("ERR COUNT can't be negative"));
    CHECK(t.Run("LPOS l a MAXLEN -1") == Err("ERR MAXLEN can't be negative"));
    CHECK(t.Run("LPOS l a MAXLEN x") == Err("ERR MAXLEN can't be negative"));
    CHECK(t.Run("LPOS l a RANK") == Err("ERR syntax error"));
    CHECK(t.Run("LPOS l a FOO 1") == Err("ERR syntax error"));
    // Options are parsed before the key is looked up.
    CHECK(t.Run("LPOS nosuch a RANK 0").rfind("-ERR RANK", 0) == 0);
  }

  TEST_CASE("LPOS with the most negative RANK behaves like Redis's wrapped negation") {
    TestEngine t;
    t.Run("RPUSH l a b a c a");
    // Redis negates the rank in a C long, which leaves it negative: every
    // match qualifies and the COUNT limit never triggers.
    CHECK(t.Run("LPOS l a RANK -9223372036854775808") == Int(4));
    CHECK(t.Run("LPOS l a RANK -9223372036854775808 COUNT 1") == Arr({Int(4), Int(2), Int(0)}));
  }

  TEST_CASE("LMOVE moves an element between lists in every direction") {
    TestEngine t;
    t.Run("RPUSH src 1 2 3 4");
    CHECK(t.Run("LMOVE src dst LEFT RIGHT") == Bulk("1"));
    CHECK(t.Run("LMOVE src dst RIGHT LEFT") == Bulk("4"));
    CHECK(t.Run("LMOVE src dst right right") == Bulk("3"));
    CHECK(t.Run("LMOVE src dst left left") == Bulk("2"));
    CHECK(t.Run("LRANGE dst 0 -1") == BulkArr({"2", "4", "1", "3"}));
    CHECK(Encoding(t, "src").empty());
    CHECK(t.Run("LMOVE src dst LEFT LEFT") == kNil);
  }

  TEST_CASE("LMOVE on a single key rotates the list") {
    TestEngine t;
    t.Run("RPUSH l a b c");
    CHECK(t.Run("LMOVE l l LEFT RIGHT") == Bulk("a"));
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"b", "c", "a"}));
    CHECK(t.Run("LMOVE l l RIGHT LEFT") == Bulk("a"));
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"a", "b", "c"}));
    t.Run("RPUSH one x");
    CHECK(t.Run("RPOPLPUSH one one") == Bulk("x"));
    CHECK(t.Run("LRANGE one 0 -1") == BulkArr({"x"}));
  }

  TEST_CASE("LMOVE checks directions first, then the source, then the destination") {
    TestEngine t;
    t.Run("HSET h f v");
    t.Run("RPUSH l a");
    CHECK(t.Run("LMOVE h l UP LEFT") == Err("ERR syntax error"));
    CHECK(t.Run("LMOVE l l LEFT DOWN") == Err("ERR syntax error"));
    CHECK(t.Run("LMOVE nosuch h LEFT LEFT") == kNil);
    CHECK(t.Run("LMOVE l h LEFT LEFT") == Err(kWrongType));
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({"a"}));
  }

  TEST_CASE("RPOPLPUSH moves the tail of one list to the head of another") {
    TestEngine t;
    t.Run("RPUSH src a b");
    t.Run("RPUSH dst x");
    CHECK(t.Run("RPOPLPUSH src dst") == Bulk("b"));
    CHECK(t.Run("RPOPLPUSH src dst") == Bulk("a"));
    CHECK(t.Run("RPOPLPUSH src dst") == kNil);
    CHECK(t.Run("LRANGE dst 0 -1") == BulkArr({"a", "b", "x"}));
    CHECK(Encoding(t, "src").empty());
  }

  TEST_CASE("LMOVE counts one change and invalidates WATCH on the destination") {
    TestEngine t;
    t.Run("RPUSH src a");
    t.Run("WATCH dst");
    const int64_t before = Dirty(t);
    t.Run("LMOVE src dst LEFT LEFT");
    CHECK(Dirty(t) - before == 1);
    t.Run("MULTI");
    t.Run("LLEN dst");
    CHECK(t.Run("EXEC") == kNilArray);
  }

  TEST_CASE("list commands check their arity") {
    TestEngine t;
    CHECK(t.Run("LPUSH k") == Err("ERR wrong number of arguments for 'lpush' command"));
    CHECK(t.Run("LPOS k") == Err("ERR wrong number of arguments for 'lpos' command"));
    CHECK(t.Run("LMOVE a b c") == Err("ERR wrong number of arguments for 'lmove' command"));
    CHECK(t.Run("LLEN a b") == Err("ERR wrong number of arguments for 'llen' command"));
    CHECK(t.Run("LINSERT a b c") == Err("ERR wrong number of arguments for 'linsert' command"));
  }

  TEST_CASE("list elements are binary safe") {
    TestEngine t;
    CHECK(t.Run(std::vector<std::string>{"RPUSH", "l", std::string("a\0b", 3), ""}) == Int(2));
    CHECK(t.Run("LRANGE l 0 -1") == BulkArr({std::string_view("a\0b", 3), ""}));
    CHECK(t.Run(std::vector<std::string>{"LPOS", "l", ""}) == Int(1));
  }
}
