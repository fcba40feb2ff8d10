#include <doctest/doctest.h>

#include <string>

#include "tests/unit/test_util.h"

using namespace plab::testing;

namespace {

// The integer of a ":<n>\r\n" reply, or -1 for anything else.
long long IntOf(const std::string& reply) {
  if (reply.size() < 4 || reply[0] != ':') return -1;
  return std::stoll(reply.substr(1));
}

}  // namespace

TEST_SUITE("memory") {
  TEST_CASE("MEMORY USAGE estimates bytes for a key and nil for a missing one") {
    TestEngine t;
    t.Run("SET small x");
    t.Run("SET big " + std::string(1000, 'y'));
    const long long small = IntOf(t.Run("MEMORY USAGE small"));
    const long long big = IntOf(t.Run("MEMORY USAGE big"));
    CHECK(small > 0);
    CHECK(big >= small + 1000);
    CHECK(t.Run("MEMORY USAGE nokey") == kNil);
    CHECK(IntOf(t.Run("memory usage small SAMPLES 0")) == small);
    t.Run("RPUSH l a b c");
    t.Run("HSET h f v");
    t.Run("SADD s m");
    t.Run("ZADD z 1 m");
    for (const char* key : {"l", "h", "s", "z"})
      CHECK(IntOf(t.Run(std::string("MEMORY USAGE ") + key)) > 0);
  }

  TEST_CASE("MEMORY USAGE checks SAMPLES before looking the key up, like Redis") {
    TestEngine t;
    t.Run("SET k v");
    CHECK(t.Run("MEMORY USAGE nokey SAMPLES x") ==
          Err("ERR value is not an integer or out of range"));
    CHECK(t.Run("MEMORY USAGE nokey SAMPLES -1") == Err("ERR syntax error"));
    CHECK(t.Run("MEMORY USAGE k SAMPLES") == Err("ERR syntax error"));
    CHECK(t.Run("MEMORY USAGE k foo") == Err("ERR syntax error"));
    CHECK(t.Run("MEMORY USAGE") == Err("ERR wrong number of arguments for 'memory|usage' command"));
    CHECK(t.Run("MEMORY") == Err("ERR wrong number of arguments for 'memory' command"));
    CHECK(t.Run("MEMORY foo") == Err("ERR unknown subcommand 'foo'. Try MEMORY HELP."));
  }

  TEST_CASE("MEMORY USAGE neither expires keys nor counts keyspace hits") {
    TestEngine t;
    t.Run("SET k v PX 10");
    t.AdvanceMs(20);
    // Redis reads the table directly (dictFind): a logically expired key
    // still has a size until something deletes it.
    CHECK(IntOf(t.Run("MEMORY USAGE k")) > 0);
    const std::string info = t.Run("INFO stats");
    CHECK(info.find("keyspace_hits:0\r\n") != std::string::npos);
    CHECK(info.find("keyspace_misses:0\r\n") != std::string::npos);
    CHECK(info.find("expired_keys:0\r\n") != std::string::npos);
  }

  TEST_CASE("MEMORY HELP lists USAGE and HELP as status lines") {
    TestEngine t;
    const std::string help = t.Run("MEMORY HELP");
    CHECK(help.rfind("*6\r\n+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n",
                     0) == 0);
    CHECK(help.find("+USAGE <key> [SAMPLES <count>]\r\n") != std::string::npos);
    CHECK(help.find("+HELP\r\n") != std::string::npos);
  }

  TEST_CASE("COMMAND INFO describes MEMORY USAGE as a read-only keyed subcommand") {
    TestEngine t;
    const std::string info = t.Run("COMMAND INFO memory|usage");
    CHECK(info.rfind(
              "*1\r\n*10\r\n$12\r\nmemory|usage\r\n:-3\r\n*1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n"
              "*2\r\n+@read\r\n+@slow\r\n",
              0) == 0);
    CHECK(t.Run("COMMAND GETKEYS MEMORY USAGE k") == BulkArr({"k"}));
  }
}
