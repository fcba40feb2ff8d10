#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/server/config_registry.h"
#include "tests/unit/test_util.h"

using namespace plab::testing;
using plab::Config;
using plab::Status;

namespace {

// CONFIG GET for one exact name, as a (name, value) pair vector.
std::vector<std::pair<std::string, std::string>> Get(const Config& c, std::string name) {
  return plab::GetConfigParams(c, {std::move(name)});
}

std::string ValueOf(const Config& c, const std::string& name) {
  auto pairs = Get(c, name);
  REQUIRE(pairs.size() == 1);
  return pairs[0].second;
}

Status Set(Config* c, std::string_view name, std::string value, bool at_startup = true) {
  return plab::SetConfigParam(c, name, {std::move(value)}, at_startup);
}

}  // namespace

TEST_SUITE("config") {
  TEST_CASE("every documented parameter is in the registry with Redis's default") {
    Config c;
    const std::vector<std::pair<std::string, std::string>> kDefaults = {
        {"port", "6379"},
        {"protected-mode", "yes"},
        {"maxclients", "10000"},
        {"timeout", "0"},
        {"tcp-keepalive", "300"},
        {"tcp-backlog", "511"},
        {"requirepass", ""},
        {"hz", "10"},
        {"databases", "16"},
        {"loglevel", "notice"},
        {"logfile", ""},
        {"daemonize", "no"},
        {"pidfile", ""},
        {"proto-max-bulk-len", "536870912"},
        {"client-query-buffer-limit", "1073741824"},
        {"maxmemory", "0"},
        {"maxmemory-policy", "noeviction"},
        {"client-output-buffer-limit",
         "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
        {"hash-max-listpack-entries", "512"},
        {"hash-max-ziplist-entries", "512"},
        {"hash-max-listpack-value", "64"},
        {"set-max-intset-entries", "512"},
        {"zset-max-listpack-entries", "128"},
        {"zset-max-ziplist-entries", "128"},
        {"zset-max-listpack-value", "64"},
        {"list-max-listpack-size", "-2"},
        {"list-max-ziplist-size", "-2"},
        {"list-compress-depth", "0"},
        {"activerehashing", "yes"},
        {"lazyfree-lazy-user-del", "no"},
        {"save", "3600 1 300 100 60 10000"},
        {"dbfilename", "dump.rdb"},
        {"rdbcompression", "yes"},
        {"rdbchecksum", "yes"},
        {"stop-writes-on-bgsave-error", "yes"},
        {"enable-debug-command", "no"},
        {"appendonly", "no"},
    };
    for (const auto& [name, value] : kDefaults) {
      CAPTURE(name);
      CHECK(ValueOf(c, name) == value);
    }
    CHECK(plab::ConfigParamNames().size() == 47);
  }

  TEST_CASE("booleans take yes or no in any case") {
    Config c;
    CHECK(Set(&c, "activerehashing", "NO").ok());
    CHECK_FALSE(c.activerehashing);
    CHECK(Set(&c, "activerehashing", "Yes").ok());
    CHECK(c.activerehashing);
    Status s = Set(&c, "activerehashing", "1");
    CHECK(s.code() == Status::Code::kInvalidArgument);
    CHECK(s.message() == "argument must be 'yes' or 'no'");
  }

  TEST_CASE("memory values accept Redis's units") {
    Config c;
    const std::vector<std::pair<std::string, int64_t>> kCases = {
        {"100", 100},       {"1b", 1},           {"1k", 1000},        {"1kb", 1024},
        {"1K", 1000},       {"1KB", 1024},       {"2m", 2000000},     {"2mb", 2097152},
        {"1g", 1000000000}, {"1gb", 1073741824}, {"3GB", 3221225472}, {"", 0},
    };
    for (const auto& [text, bytes] : kCases) {
      CAPTURE(text);
      REQUIRE(Set(&c, "maxmemory", text).ok());
      CHECK(c.maxmemory == bytes);
    }
    for (std::string bad : {"-1", "1.5k", "1t", "1kbb", "k1", " 1"}) {
      CAPTURE(bad);
      Status s = Set(&c, "maxmemory", bad);
      CHECK(s.message() == "argument must be a memory value");
    }
  }

  TEST_CASE("integers are range checked with Redis's messages") {
    Config c;
    CHECK(Set(&c, "port", "65536").message() == "argument must be between 0 and 65535 inclusive");
    CHECK(Set(&c, "port", "12a").message() == "argument couldn't be parsed into an integer");
    CHECK(Set(&c, "timeout", "1k").message() == "argument couldn't be parsed into an integer");
    // Unsigned fields compare as unsigned, so -1 is a huge number.
    CHECK(Set(&c, "maxclients", "-1").message() ==
          "argument must be between 1 and 4294967295 inclusive");
    CHECK(Set(&c, "set-max-intset-entries", "-1").message() ==
          "argument must be between 0 and 9223372036854775807 inclusive");
    CHECK(Set(&c, "proto-max-bulk-len", "1000").message() ==
          "argument must be between 1048576 and 9223372036854775807 inclusive");
    CHECK(Set(&c, "list-max-listpack-size", "-5").ok());
    CHECK(c.list_max_listpack_size == -5);
  }

  TEST_CASE("maxmemory holds the whole unsigned range and prints it unsigned") {
    Config c;
    REQUIRE(Set(&c, "maxmemory", "18446744073709551615").ok());
    CHECK(ValueOf(c, "maxmemory") == "18446744073709551615");
  }

  TEST_CASE("hz is capped to 1..500 instead of refused") {
    Config c;
    CHECK(Set(&c, "hz", "1000").ok());
    CHECK(c.hz == 500);
    CHECK(Set(&c, "hz", "0").ok());
    CHECK(c.hz == 1);
  }

  TEST_CASE("enums list their choices when the value is unknown") {
    Config c;
    CHECK(Set(&c, "loglevel", "WARNING").ok());
    CHECK(ValueOf(c, "loglevel") == "warning");
    CHECK(Set(&c, "loglevel", "loud").message() ==
          "argument(s) must be one of the following: debug, verbose, notice, warning");
    CHECK(Set(&c, "maxmemory-policy", "x").message() ==
          "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
          "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction");
  }

  TEST_CASE("save takes <seconds> <changes> pairs like setConfigSaveOption") {
    Config c;
    CHECK(Set(&c, "save", "").ok());
    CHECK(c.save.empty());
    CHECK(Set(&c, "save", "3600 1").ok());
    CHECK(c.save == std::vector<plab::SavePoint>{{3600, 1}});
    CHECK(Set(&c, "save", "3600").message() == "Invalid save parameters");
    CHECK(Set(&c, "save", "0 5").message() == "Invalid save parameters");
    CHECK(Set(&c, "save", "10 -1").message() == "Invalid save parameters");
    CHECK(Set(&c, "save", "10 x").message() == "Invalid save parameters");
    CHECK(c.save == std::vector<plab::SavePoint>{{3600, 1}});
  }

  TEST_CASE("dbfilename must be a file name; rdbchecksum and enable-debug-command are fixed") {
    Config c;
    CHECK(Set(&c, "dbfilename", "a/b.rdb", /*startup=*/true).message() ==
          "dbfilename can't be a path, just a filename");
    CHECK(Set(&c, "dbfilename", "other.rdb", /*startup=*/true).ok());
    CHECK(c.dbfilename == "other.rdb");
    CHECK(Set(&c, "rdbchecksum", "no", false).message() == "can't set immutable config");
    CHECK(Set(&c, "enable-debug-command", "local", false).message() ==
          "can't set immutable config");
    CHECK(Set(&c, "enable-debug-command", "local", /*startup=*/true).ok());
    CHECK(Set(&c, "enable-debug-command", "maybe", /*startup=*/true).message() ==
          "argument(s) must be one of the following: no, yes, local");
  }

  TEST_CASE("AOF parameters validate like Redis 7.0") {
    Config c;
    CHECK(Set(&c, "appendonly", "yes").ok());
    CHECK(c.appendonly);
    CHECK(Set(&c, "appendonly", "maybe").message() == "argument must be 'yes' or 'no'");
    CHECK(Set(&c, "appendfsync", "always").ok());
    CHECK(c.appendfsync == plab::FsyncPolicy::kAlways);
    CHECK(Set(&c, "appendfsync", "sometimes").message() ==
          "argument(s) must be one of the following: always, everysec, no");
    CHECK(Set(&c, "appendfilename", "x.aof", false).message() == "can't set immutable config");
    CHECK(Set(&c, "appendfilename", "a/b.aof", true).message() ==
          "appendfilename can't be a path, just a filename");
    CHECK(Set(&c, "appenddirname", "", true).message() == "appenddirname can't be empty");
    CHECK(Set(&c, "auto-aof-rewrite-min-size", "1mb").ok());
    CHECK(c.auto_aof_rewrite_min_size == 1024 * 1024);
  }

  TEST_CASE("immutable parameters can be set at startup only") {
    Config c;
    CHECK(Set(&c, "tcp-backlog", "100", /*at_startup=*/true).ok());
    CHECK(c.tcp_backlog == 100);
    CHECK(Set(&c, "tcp-backlog", "200", /*at_startup=*/false).message() ==
          "can't set immutable config");
    CHECK(c.tcp_backlog == 100);
    CHECK(Set(&c, "daemonize", "no").ok());
    CHECK(Set(&c, "daemonize", "yes").message().find("foreground") != std::string::npos);
    CHECK_FALSE(c.daemonize);
    CHECK(Set(&c, "databases", "16").ok());
    CHECK_FALSE(Set(&c, "databases", "32").ok());
    CHECK(Set(&c, "nosuch", "1").code() == Status::Code::kNotFound);
  }

  TEST_CASE("bind keeps several addresses and refuses more than 16") {
    Config c;
    CHECK(plab::SetConfigParam(&c, "bind", {"127.0.0.1", "::1"}, true).ok());
    CHECK(c.bind == "127.0.0.1 ::1");
    CHECK(Set(&c, "bind", "10.0.0.1 10.0.0.2").ok());  // one argument is split
    CHECK(c.bind == "10.0.0.1 10.0.0.2");
    std::vector<std::string> many(17, "127.0.0.1");
    CHECK(plab::SetConfigParam(&c, "bind", many, true).message() ==
          "Too many bind addresses specified.");
  }

  TEST_CASE("CONFIG GET patterns match names and aliases once each, case-insensitively") {
    Config c;
    auto pairs = plab::GetConfigParams(c, {"hash-max-*", "HASH-MAX-LISTPACK-VALUE"});
    std::vector<std::string> names;
    for (const auto& p : pairs) names.push_back(p.first);
    CHECK(names == std::vector<std::string>{"hash-max-listpack-entries", "hash-max-ziplist-entries",
                                            "hash-max-listpack-value", "hash-max-ziplist-value"});
    // An exact name is echoed as typed, and only once.
    pairs = plab::GetConfigParams(c, {"PORT", "port"});
    REQUIRE(pairs.size() == 1);
    CHECK(pairs[0].first == "PORT");
    CHECK(plab::GetConfigParams(c, {"nosuch"}).empty());
  }

  TEST_CASE("a config file is applied line by line with comments and quotes") {
    Config c;
    Status s = plab::ApplyConfigText(&c,
                                     "# a comment\n"
                                     "\n"
                                     "  port 7000  \r\n"
                                     "maxmemory 10mb\n"
                                     "requirepass \"se cret\"\n"
                                     "HZ 20\n"
                                     "hash-max-ziplist-entries 64\n"
                                     "list-max-ziplist-entries 5\n",
                                     "plab.conf");
    REQUIRE(s.ok());
    CHECK(c.port == 7000);
    CHECK(c.maxmemory == 10 * 1024 * 1024);
    CHECK(c.requirepass == "se cret");
    CHECK(c.hz == 20);
    CHECK(c.hash_max_listpack_entries == 64);
  }

  TEST_CASE("config file errors name the file, the line number and the line") {
    Config c;
    Status s = plab::ApplyConfigText(&c, "port 7000\n# x\nport abc\n", "plab.conf");
    CHECK(s.message() ==
          "plab.conf line 3: 'port abc': argument couldn't be parsed into an integer");
    CHECK(c.port == 7000);
    s = plab::ApplyConfigText(&c, "nosuch 1\n", "f");
    CHECK(s.message() == "f line 1: 'nosuch 1': Bad directive or wrong number of arguments");
    s = plab::ApplyConfigText(&c, "port 1 2\n", "f");
    CHECK(s.message() == "f line 1: 'port 1 2': wrong number of arguments");
    s = plab::ApplyConfigText(&c, "requirepass \"abc\n", "f");
    CHECK(s.message() == "f line 1: 'requirepass \"abc': Unbalanced quotes in configuration line");
    s = plab::ApplyConfigText(&c, "include other.conf\n", "f");
    CHECK(s.message().find("include directive is not supported") != std::string::npos);
    s = plab::ApplyConfigText(&c, "daemonize yes\n", "f");
    CHECK(s.message().find("foreground") != std::string::npos);
  }
}

TEST_SUITE("config command") {
  TEST_CASE("CONFIG GET returns name/value pairs for several patterns") {
    TestEngine t;
    CHECK(t.Run("CONFIG GET maxmemory") == BulkArr({"maxmemory", "0"}));
    CHECK(t.Run("CONFIG GET port timeout") == BulkArr({"port", "6379", "timeout", "0"}));
    CHECK(t.Run("CONFIG GET nosuch") == "*0\r\n");
    CHECK(t.Run("CONFIG GET") == Err("ERR wrong number of arguments for 'config|get' command"));
  }

  TEST_CASE("CONFIG SET changes parameters and CONFIG GET sees them") {
    TestEngine t;
    CHECK(t.Run("CONFIG SET maxmemory 1kb maxmemory-policy allkeys-lru") == kOk);
    CHECK(t.Run("CONFIG GET maxmemory") == BulkArr({"maxmemory", "1024"}));
    CHECK(t.engine.server().config().maxmemory_policy == "allkeys-lru");
    CHECK(t.Run("CONFIG SET hz 1000") == kOk);
    CHECK(t.Run("CONFIG GET hz") == BulkArr({"hz", "500"}));
  }

  TEST_CASE("CONFIG SET is all or nothing and reports errors like Redis") {
    TestEngine t;
    CHECK(t.Run("CONFIG SET hz 20 port abc") ==
          Err("ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't "
              "be parsed into an integer"));
    CHECK(t.engine.server().config().hz == 10);
    CHECK(t.Run("CONFIG SET hz 11 nosuch 1") ==
          Err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"));
    CHECK(t.engine.server().config().hz == 10);
    CHECK(t.Run("CONFIG SET databases 3") ==
          Err("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
              "immutable config"));
    CHECK(t.Run("CONFIG SET dir /tmp") ==
          Err("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected "
              "config"));
    CHECK(t.Run("CONFIG SET port 1 hz 2 PORT 3") ==
          Err("ERR CONFIG SET failed (possibly related to argument 'PORT') - duplicate "
              "parameter"));
    CHECK(t.Run("CONFIG SET port 1 hz") == Err("ERR syntax error"));
    CHECK(t.Run("CONFIG SET port") ==
          Err("ERR wrong number of arguments for 'config|set' command"));
    CHECK(t.Run("CONFIG SET save \"3600\"") ==
          Err("ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save "
              "parameters"));
    CHECK(t.Run("CONFIG SET save \"\"") == kOk);
    CHECK(t.engine.server().config().port == 6379);
  }

  TEST_CASE("CONFIG SET requirepass keeps already connected clients logged in") {
    TestEngine t;
    plab::Client* other = t.engine.Connect("127.0.0.1:5000");
    CHECK(t.Run("CONFIG SET requirepass secret") == kOk);
    t.engine.Feed(other, "PING\r\n");
    CHECK(other->output == "+PONG\r\n");
    plab::Client* late = t.engine.Connect("127.0.0.1:5001");
    t.engine.Feed(late, "PING\r\n");
    CHECK(late->output == "-NOAUTH Authentication required.\r\n");
  }

  TEST_CASE("CONFIG RESETSTAT clears counters and keyspace hit/miss stats") {
    TestEngine t;
    t.Run("SET a 1");
    t.Run("GET a");
    t.Run("GET nosuch");
    t.Run("NOSUCHCOMMAND");
    CHECK(t.engine.server().keyspace().stats().keyspace_hits == 1);
    CHECK(t.Run("CONFIG RESETSTAT") == kOk);
    CHECK(t.engine.server().keyspace().stats().keyspace_hits == 0);
    CHECK(t.engine.server().keyspace().stats().keyspace_misses == 0);
    const std::string info = t.Run("INFO stats");
    CHECK(info.find("total_commands_processed:1\r\n") != std::string::npos);  // RESETSTAT
    CHECK(info.find("total_error_replies:0\r\n") != std::string::npos);
    const std::string cmdstats = t.Run("INFO commandstats");
    CHECK(cmdstats.find("cmdstat_get:") == std::string::npos);
    CHECK(cmdstats.find("cmdstat_config|resetstat:calls=1,") != std::string::npos);
  }

  TEST_CASE("CONFIG HELP lists the subcommands and unknown ones point to it") {
    TestEngine t;
    const std::string help = t.Run("CONFIG HELP");
    CHECK(help.rfind("*9\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n",
                     0) == 0);
    CHECK(help.find("+RESETSTAT\r\n") != std::string::npos);
    CHECK(t.Run("CONFIG FOO") == Err("ERR unknown subcommand 'FOO'. Try CONFIG HELP."));
    CHECK(t.Run("CONFIG") == Err("ERR wrong number of arguments for 'config' command"));
  }
}
