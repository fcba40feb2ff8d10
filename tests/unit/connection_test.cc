#include <doctest/doctest.h>

#include "tests/unit/test_util.h"

using namespace plab::testing;

TEST_SUITE("connection") {
  TEST_CASE("PING answers PONG, or echoes its argument") {
    TestEngine t;
    CHECK(t.Run("PING") == "+PONG\r\n");
    CHECK(t.Run("ping hello") == Bulk("hello"));
    CHECK(t.Run("PING a b") == Err("ERR wrong number of arguments for 'ping' command"));
  }

  TEST_CASE("unknown commands quote their first arguments like Redis") {
    TestEngine t;
    CHECK(t.Run("FOO a b") ==
          Err("ERR unknown command 'FOO', with args beginning with: 'a' 'b' "));
    CHECK(t.Run("FOO") == Err("ERR unknown command 'FOO', with args beginning with: "));
  }

  TEST_CASE("SELECT checks the index") {
    TestEngine t;
    CHECK(t.Run("SELECT 15") == kOk);
    CHECK(t.Run("SELECT 16") == Err("ERR DB index is out of range"));
    CHECK(t.Run("SELECT x") == Err("ERR value is not an integer or out of range"));
    CHECK(t.Run("SELECT") == Err("ERR wrong number of arguments for 'select' command"));
  }

  TEST_CASE("MULTI queues, EXEC runs, errors at queue time abort EXEC") {
    TestEngine t;
    CHECK(t.Run("MULTI") == kOk);
    CHECK(t.Run("PING") == "+QUEUED\r\n");
    CHECK(t.Run("ECHO x") == "+QUEUED\r\n");
    CHECK(t.Run("MULTI") == Err("ERR MULTI calls can not be nested"));
    CHECK(t.Run("EXEC") == Arr({"+PONG\r\n", Bulk("x")}));
    CHECK(t.Run("EXEC") == Err("ERR EXEC without MULTI"));
    CHECK(t.Run("MULTI") == kOk);
    CHECK(t.Run("NOSUCH") ==
          Err("ERR unknown command 'NOSUCH', with args beginning with: "));
    CHECK(t.Run("EXEC") == Err("EXECABORT Transaction discarded because of previous errors."));
  }

  TEST_CASE("WATCH, DISCARD and EXEC run at once inside MULTI instead of being queued") {
    // The commands flagged kCmdTransactionControl (processCommand's list).
    TestEngine t;
    CHECK(t.Run("MULTI") == kOk);
    CHECK(t.Run("WATCH k") == Err("ERR WATCH inside MULTI is not allowed"));
    CHECK(t.Run("SET a 1") == "+QUEUED\r\n");
    CHECK(t.Run("EXEC") == Arr({kOk}));
    CHECK(t.Run("MULTI") == kOk);
    CHECK(t.Run("DISCARD") == kOk);
    CHECK(t.Run("EXEC") == Err("ERR EXEC without MULTI"));
  }

  TEST_CASE("the engine parses pipelined and inline input") {
    TestEngine t;
    CHECK(t.engine.Feed("*1\r\n$4\r\nPING\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi") ==
          "+PONG\r\n+PONG\r\n");
    CHECK(t.engine.Feed("\r\n") == Bulk("hi"));
  }
}
