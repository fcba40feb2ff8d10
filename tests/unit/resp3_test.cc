// RESP3: HELLO 3 switches a connection's replies to RESP3's types, as Redis
// 7.0 does (node-redis 5+ sends HELLO 3 by default). Expected bytes were
// checked against redis-server 7.0.15.
#include <doctest/doctest.h>

#include <string>

#include "core/resp/reply_builder.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using testing::Bulk;
using testing::BulkArr;
using testing::Err;
using testing::Int;
using testing::kNil;
using testing::kOk;
using testing::TestEngine;

const std::string kNull3 = "_\r\n";

std::string Build(int resp, void (*f)(ReplyBuilder&)) {
  std::string out;
  ReplyBuilder r(&out, resp);
  f(r);
  return out;
}

TEST_SUITE("resp3") {
  TEST_CASE("ReplyBuilder writes RESP3 types only for a RESP3 client") {
    auto all = [](ReplyBuilder& r) {
      r.Null();
      r.NullArray();
      r.Double(1.5);
      r.Double(-1.0 / 0.0);
      r.MapHeader(2);
      r.SetHeader(3);
      r.Bool(true);
      r.Bool(false);
    };
    CHECK(Build(2, all) == "$-1\r\n*-1\r\n$3\r\n1.5\r\n$4\r\n-inf\r\n*4\r\n*3\r\n:1\r\n:0\r\n");
    CHECK(Build(3, all) == "_\r\n_\r\n,1.5\r\n,-inf\r\n%2\r\n~3\r\n#t\r\n#f\r\n");
  }

  TEST_CASE("Verbatim strings carry a three-letter format padded with spaces") {
    CHECK(Build(2, [](ReplyBuilder& r) { r.Verbatim("hi"); }) == Bulk("hi"));
    CHECK(Build(3, [](ReplyBuilder& r) { r.Verbatim("hi"); }) == "=6\r\ntxt:hi\r\n");
    CHECK(Build(3, [](ReplyBuilder& r) { r.Verbatim("# x", "md"); }) == "=7\r\nmd :# x\r\n");
  }

  TEST_CASE("HELLO 3 replies a map and switches the connection until HELLO 2") {
    TestEngine t;
    std::string hello = t.Run("HELLO 3");
    CHECK(hello.rfind("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n", 0) == 0);
    CHECK(hello.find("$5\r\nproto\r\n:3\r\n") != std::string::npos);
    CHECK(t.Run("GET nokey") == kNull3);
    CHECK(t.Run("HELLO").find("$5\r\nproto\r\n:3\r\n") != std::string::npos);
    std::string back = t.Run("HELLO 2");
    CHECK(back.rfind("*14\r\n", 0) == 0);
    CHECK(back.find("$5\r\nproto\r\n:2\r\n") != std::string::npos);
    CHECK(t.Run("GET nokey") == kNil);
  }

  TEST_CASE("HELLO rejects protocol versions other than 2 and 3 with Redis's errors") {
    TestEngine t;
    CHECK(t.Run("HELLO 4") == Err("NOPROTO unsupported protocol version"));
    CHECK(t.Run("HELLO 1") == Err("NOPROTO unsupported protocol version"));
    CHECK(t.Run("HELLO x") == Err("ERR Protocol version is not an integer or out of range"));
    CHECK(t.Run("HELLO 3 SETNAME a b") == Err("ERR Syntax error in HELLO option 'b'"));
    // A failed HELLO leaves the protocol alone.
    CHECK(t.Run("GET nokey") == kNil);
  }

  TEST_CASE("HELLO without authentication names the AUTH option") {
    Config config;
    config.requirepass = "pw";
    ManualClock clock;
    Engine engine(clock, config);
    Client* c = engine.Connect("127.0.0.1:5000");  // a network client must authenticate
    auto run = [&](std::string_view line) {
      c->output.clear();
      engine.Feed(c, std::string(line) + "\r\n");
      return c->output;
    };
    CHECK(run("HELLO 3") ==
          Err("NOAUTH HELLO must be called with the client already authenticated, otherwise "
              "the HELLO AUTH <user> <pass> option can be used to authenticate the client and "
              "select the RESP protocol version at the same time"));
    CHECK(run("HELLO 3 AUTH default wrong") ==
          Err("WRONGPASS invalid username-password pair or user is disabled."));
    CHECK(run("GET k") == Err("NOAUTH Authentication required."));
    CHECK(run("HELLO 3 AUTH default pw").rfind("%7\r\n", 0) == 0);
    CHECK(run("GET k") == kNull3);
  }

  TEST_CASE("sorted-set scores are doubles and WITHSCORES pairs are nested") {
    TestEngine t;
    t.Run("HELLO 3");
    CHECK(t.Run("ZADD z 1 a 2.5 b") == Int(2));
    CHECK(t.Run("ZSCORE z b") == ",2.5\r\n");
    CHECK(t.Run("ZSCORE z nope") == kNull3);
    CHECK(t.Run("ZINCRBY z 1 a") == ",2\r\n");
    CHECK(t.Run("ZMSCORE z a nope") == "*2\r\n,2\r\n_\r\n");
    CHECK(t.Run("ZRANGE z 0 -1 WITHSCORES") ==
          "*2\r\n*2\r\n$1\r\na\r\n,2\r\n*2\r\n$1\r\nb\r\n,2.5\r\n");
    CHECK(t.Run("ZRANGE z 0 -1") == BulkArr({"a", "b"}));
    CHECK(t.Run("ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 0 1") ==
          "*1\r\n*2\r\n$1\r\na\r\n,2\r\n");
    CHECK(t.Run("ZADD z inf c") == Int(1));
    CHECK(t.Run("ZSCORE z c") == ",inf\r\n");
  }

  TEST_CASE("ZPOPMIN nests pairs only when a count is given") {
    TestEngine t;
    t.Run("HELLO 3");
    t.Run("ZADD z 1 a 2 b 3 c");
    CHECK(t.Run("ZPOPMIN z") == "*2\r\n$1\r\na\r\n,1\r\n");
    CHECK(t.Run("ZPOPMAX z 1") == "*1\r\n*2\r\n$1\r\nc\r\n,3\r\n");
    CHECK(t.Run("ZPOPMIN nokey 2") == "*0\r\n");
    t.Run("HELLO 2");
    t.Run("ZADD z 1 a");
    CHECK(t.Run("ZPOPMIN z 5") == "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
  }

  TEST_CASE("ZRANDMEMBER WITHSCORES nests pairs in RESP3") {
    TestEngine t;
    t.Run("HELLO 3");
    t.Run("ZADD z 7 only");
    CHECK(t.Run("ZRANDMEMBER z 3 WITHSCORES") == "*1\r\n*2\r\n$4\r\nonly\r\n,7\r\n");
    CHECK(t.Run("ZRANDMEMBER z -2 WITHSCORES") ==
          "*2\r\n*2\r\n$4\r\nonly\r\n,7\r\n*2\r\n$4\r\nonly\r\n,7\r\n");
    CHECK(t.Run("ZRANDMEMBER nokey") == kNull3);
  }

  TEST_CASE("set commands reply RESP3 sets but SRANDMEMBER keeps an array") {
    TestEngine t;
    t.Run("HELLO 3");
    t.Run("SADD s x");
    CHECK(t.Run("SMEMBERS s") == "~1\r\n$1\r\nx\r\n");
    CHECK(t.Run("SMEMBERS nokey") == "~0\r\n");
    CHECK(t.Run("SINTER s nokey") == "~0\r\n");
    CHECK(t.Run("SUNION s nokey") == "~1\r\n$1\r\nx\r\n");
    CHECK(t.Run("SDIFF s nokey") == "~1\r\n$1\r\nx\r\n");
    CHECK(t.Run("SRANDMEMBER s 5") == "*1\r\n$1\r\nx\r\n");
    CHECK(t.Run("SRANDMEMBER nokey") == kNull3);
    CHECK(t.Run("SPOP nokey 2") == "~0\r\n");
    CHECK(t.Run("SPOP s 3") == "~1\r\n$1\r\nx\r\n");
  }

  TEST_CASE("HGETALL replies a map and HRANDFIELD WITHVALUES nests pairs in RESP3") {
    TestEngine t;
    t.Run("HELLO 3");
    t.Run("HSET h a 1 b 2");
    CHECK(t.Run("HGETALL h") == "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
    CHECK(t.Run("HGETALL nokey") == "%0\r\n");
    CHECK(t.Run("HKEYS h") == BulkArr({"a", "b"}));
    CHECK(t.Run("HVALS nokey") == "*0\r\n");
    CHECK(t.Run("HRANDFIELD h 5 WITHVALUES") ==
          "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    CHECK(t.Run("HRANDFIELD h 5") == BulkArr({"a", "b"}));
    CHECK(t.Run("HRANDFIELD nokey") == kNull3);
    // HSCAN stays a flat field, value list.
    CHECK(t.Run("HSCAN h 0") == "*2\r\n$1\r\n0\r\n" + BulkArr({"a", "1", "b", "2"}));
    t.Run("HELLO 2");
    CHECK(t.Run("HGETALL h") == BulkArr({"a", "1", "b", "2"}));
    CHECK(t.Run("HRANDFIELD h 5 WITHVALUES") == BulkArr({"a", "1", "b", "2"}));
  }

  TEST_CASE("nulls inside arrays and transactions use the RESP3 null") {
    TestEngine t;
    t.Run("HELLO 3");
    t.Run("SET a 1");
    CHECK(t.Run("MGET a nokey") == "*2\r\n$1\r\n1\r\n_\r\n");
    CHECK(t.Run("LPOP nolist 2") == kNull3);
    CHECK(t.Run("MULTI") == kOk);
    t.Run("GET nokey");
    t.Run("ZSCORE nokey m");
    CHECK(t.Run("EXEC") == "*2\r\n_\r\n_\r\n");
    // A WATCHed key that changed makes EXEC reply the null, not *-1.
    CHECK(t.Run("WATCH a") == kOk);
    t.Run("SET a 2");
    t.Run("MULTI");
    CHECK(t.Run("EXEC") == kNull3);
  }

  TEST_CASE("CONFIG GET replies a map and INFO and CLIENT INFO verbatim text") {
    TestEngine t;
    t.Run("HELLO 3");
    CHECK(t.Run("CONFIG GET hz") == "%1\r\n$2\r\nhz\r\n$2\r\n10\r\n");
    CHECK(t.Run("CONFIG GET nosuch") == "%0\r\n");
    std::string info = t.Run("INFO server");
    REQUIRE(info.size() > 20);
    CHECK(info[0] == '=');
    CHECK(info.find("\r\ntxt:# Server\r\n") != std::string::npos);
    std::string client = t.Run("CLIENT INFO");
    CHECK(client[0] == '=');
    CHECK(client.find("\r\ntxt:id=") != std::string::npos);
    CHECK(t.Run("CLIENT LIST").find("\r\ntxt:id=") != std::string::npos);
  }

  TEST_CASE("COMMAND INFO and DOCS use sets and maps in RESP3") {
    TestEngine t;
    t.Run("HELLO 3");
    std::string info = t.Run("COMMAND INFO get");
    CHECK(info.rfind("*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n", 0) == 0);
    CHECK(info.find("~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n") != std::string::npos);
    CHECK(info.find("$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
                    "%1\r\n$5\r\nindex\r\n:1\r\n") != std::string::npos);
    CHECK(t.Run("COMMAND INFO nosuch") == "*1\r\n_\r\n");
    CHECK(t.Run("COMMAND DOCS nosuch") == "%0\r\n");
    CHECK(t.Run("COMMAND DOCS get").rfind("%1\r\n$3\r\nget\r\n%4\r\n$7\r\nsummary\r\n", 0) == 0);
  }
}

}  // namespace
}  // namespace plab
