// client-output-buffer-limit and client-query-buffer-limit in the engine
// (core/server/client_limits.h): the parameter's text as redis-server 7.0.15
// reads and prints it, the hard and soft limits on a connected client's
// pending output, and the query buffer counting already-parsed arguments.
#include "core/server/client_limits.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/server/client_info.h"
#include "core/server/config_registry.h"
#include "tests/unit/test_util.h"

using namespace plab::testing;
using plab::Client;

namespace {

constexpr char kLimitError[] =
    "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - ";

// An engine with one network-like client (a transport handle, as plab
// serve gives) and the warnings the engine logged.
struct LimitFixture {
  TestEngine t;
  Client* client = t.engine.Connect("127.0.0.1:5000", "127.0.0.1:6379", 9);
  std::vector<std::string> warnings;
  LimitFixture() {
    client->authenticated = true;
    t.engine.server().set_log_sink([this](plab::LogLevel level, std::string_view line) {
      if (level == plab::LogLevel::kWarning) warnings.emplace_back(line);
    });
  }
  void Send(const std::vector<std::string>& argv) {
    std::string req = "*" + std::to_string(argv.size()) + "\r\n";
    for (const std::string& a : argv) req += Bulk(a);
    t.engine.server().Feed(client, req);
  }
};

}  // namespace

TEST_SUITE("client limits") {
  TEST_CASE("client-output-buffer-limit reads and sets like redis-server 7.0.15") {
    TestEngine t;
    CHECK(t.Run("CONFIG GET client-output-buffer-limit") ==
          BulkArr({"client-output-buffer-limit",
                   "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}));
    CHECK(t.Run("CONFIG SET client-output-buffer-limit \"normal 1mb 512kb 2\"") == kOk);
    CHECK(t.Run("CONFIG SET client-output-buffer-limit \"REPLICA 1gb 2k 5\"") == kOk);
    CHECK(t.Run("CONFIG GET client-output-buffer-limit") ==
          BulkArr({"client-output-buffer-limit",
                   "normal 1048576 524288 2 slave 1073741824 2000 5 pubsub 33554432 8388608 60"}));
    // The last group for a class wins; "" changes nothing; an empty seconds
    // word reads as 0 and an int overflow wraps, as strtoll into an int does.
    CHECK(t.Run("CONFIG SET client-output-buffer-limit \"normal 1 2 3 normal 4 5 6\"") == kOk);
    CHECK(t.Run("CONFIG SET client-output-buffer-limit \"\"") == kOk);
    CHECK(t.Run("CONFIG SET client-output-buffer-limit \"pubsub 1kb 2KB 99999999999\"") == kOk);
    CHECK(t.Run("CONFIG GET client-output-buffer-limit") ==
          BulkArr({"client-output-buffer-limit",
                   "normal 4 5 6 slave 1073741824 2000 5 pubsub 1024 2048 1215752191"}));
    CHECK(t.Run("CONFIG SET client-output-buffer-limit \"normal 1 2 \"") == kOk);
    CHECK(t.engine.server().config().client_output_buffer_limit[0].soft_seconds == 0);
  }

  TEST_CASE("client-output-buffer-limit refuses bad values with Redis's three messages") {
    TestEngine t;
    const std::string wrong_count =
        std::string(kLimitError) + "Wrong number of arguments in buffer limit configuration.";
    const std::string bad_class =
        std::string(kLimitError) + "Invalid client class specified in buffer limit configuration.";
    const std::string bad_number =
        std::string(kLimitError) +
        "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    CHECK(t.Run("CONFIG SET client-output-buffer-limit \"normal 1 2\"") == Err(wrong_count));
    CHECK(t.Run("CONFIG SET client-output-buffer-limit \"normal  1 2 3\"") == Err(wrong_count));
    CHECK(t.Run("CONFIG SET client-output-buffer-limit \"master 1 2 3\"") == Err(bad_class));
    CHECK(t.Run("CONFIG SET client-output-buffer-limit \"normal 1 2 3 bogus 1 2 3\"") ==
          Err(bad_class));
    for (const char* v : {"normal -1 2 3", "normal 1 2 -3", "normal 1 2 3x", "pubsub 1x 2 3",
                          "normal 1 2 99999999999999999999"}) {
      CAPTURE(v);
      CHECK(t.Run(std::vector<std::string>{"CONFIG", "SET", "client-output-buffer-limit", v}) ==
            Err(bad_number));
    }
    // All or nothing: a bad second group leaves the first class untouched.
    CHECK(t.Run("CONFIG SET client-output-buffer-limit \"normal 7 7 7 pubsub 1 1 x\"") ==
          Err(bad_number));
    CHECK(t.engine.server().config().client_output_buffer_limit[0] == plab::OutputLimit{});
  }

  TEST_CASE("a config file line and a --option set the limits like redis.conf") {
    plab::Config c;
    REQUIRE(
        plab::ApplyConfigText(&c, "client-output-buffer-limit replica 64mb 16mb 30\n", "f").ok());
    CHECK(c.client_output_buffer_limit[1] == plab::OutputLimit{64ULL << 20, 16ULL << 20, 30});
    REQUIRE(
        plab::SetConfigParam(&c, "client-output-buffer-limit", {"normal 1mb 512kb 2"}, true).ok());
    CHECK(c.client_output_buffer_limit[0] == plab::OutputLimit{1 << 20, 512 << 10, 2});
  }

  TEST_CASE("omem counts pending output past the first 16 KB, and delivered bytes leave it") {
    LimitFixture f;
    f.t.Run("SET big " + std::string(40000, 'x'));
    f.Send({"GET", "big"});
    const std::string line = plab::ClientInfoString(f.t.engine.server(), *f.client);
    const size_t pending = f.client->output.size();
    CHECK(pending == 40000 + 10);  // "$40000\r\n" ... "\r\n"
    CHECK(line.find(" obl=16384 oll=2 omem=" + std::to_string(pending - 16384) + " ") !=
          std::string::npos);
    f.client->output_sent = pending - 100;  // the transport delivered most of it
    CHECK(plab::OutputUsage(*f.client).list_bytes == 0);
    CHECK(plab::OutputUsage(*f.client).buffer_bytes == 100);
  }

  TEST_CASE("the normal class has no limit by default, as in Redis") {
    LimitFixture f;
    f.t.Run("SET big " + std::string(100000, 'x'));
    for (int i = 0; i < 50; ++i) f.Send({"GET", "big"});
    CHECK(plab::PendingOutputBytes(*f.client) > 5000000);
    CHECK_FALSE(f.client->close_asap);
    f.t.engine.server().Cron();
    CHECK_FALSE(f.client->close_asap);
  }

  TEST_CASE("reaching the hard limit closes the client and stops running its commands") {
    LimitFixture f;
    f.t.Run("CONFIG SET client-output-buffer-limit \"normal 1mb 0 0\"");
    f.t.Run("SET big " + std::string(100000, 'x'));
    std::string pipeline;
    for (int i = 0; i < 30; ++i) pipeline += "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n";
    pipeline += "*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n1\r\n";
    f.t.engine.server().Feed(f.client, pipeline);
    CHECK(f.client->close_asap);
    // Stopped at the GET that crossed 1 MB: 11 replies (16 KB + 11 * 100 KB
    // > 1 MB + ...), the rest of the pipeline never ran.
    CHECK(plab::PendingOutputBytes(*f.client) < 1200000);
    CHECK(f.t.Run("EXISTS after") == Int(0));
    REQUIRE(f.warnings.size() == 1);
    CHECK(f.warnings[0].rfind("Client id=" + std::to_string(f.client->id) + " addr=127.0.0.1:5000",
                              0) == 0);
    CHECK(f.warnings[0].find(" cmd=get ") != std::string::npos);
    CHECK(f.warnings[0].find("flags=N ") != std::string::npos);
    CHECK(f.warnings[0].ends_with(
        " scheduled to be closed ASAP for overcoming of output buffer limits."));
  }

  TEST_CASE("the soft limit closes a client only after it stayed over it for the seconds") {
    LimitFixture f;
    f.t.Run("CONFIG SET client-output-buffer-limit \"normal 0 100kb 2\"");
    f.t.Run("SET big " + std::string(150000, 'x'));
    f.Send({"GET", "big"});
    CHECK_FALSE(f.client->close_asap);  // first seen over it: the clock starts
    f.t.AdvanceMs(2000);
    f.t.engine.server().Cron();
    CHECK_FALSE(f.client->close_asap);  // 2 s is not more than 2 s
    f.t.AdvanceMs(1000);
    f.t.engine.server().Cron();
    CHECK(f.client->close_asap);
    REQUIRE(f.warnings.size() == 1);
    CHECK(f.warnings[0].find(" closed for overcoming of output buffer limits.") !=
          std::string::npos);
  }

  TEST_CASE("dropping under the soft limit restarts its clock") {
    LimitFixture f;
    f.t.Run("CONFIG SET client-output-buffer-limit \"normal 0 100kb 2\"");
    f.t.Run("SET big " + std::string(150000, 'x'));
    f.t.Run("SET small x");
    f.Send({"GET", "big"});
    f.t.AdvanceMs(2000);
    // Most of it delivered: still something queued past 16 KB, but under.
    f.client->output_sent = f.client->output.size() - 20000;
    f.Send({"GET", "small"});
    CHECK(f.client->obuf_soft_limit_since_s == -1);
    f.Send({"GET", "big"});  // over again, a new clock
    f.t.AdvanceMs(2000);
    f.t.engine.server().Cron();
    CHECK_FALSE(f.client->close_asap);
  }

  TEST_CASE("the embedded client is never limited, like Redis's connection-less clients") {
    TestEngine t;
    t.Run("CONFIG SET client-output-buffer-limit \"normal 1kb 0 0\"");
    t.Run("SET big " + std::string(5000, 'x'));
    CHECK(t.engine.Feed("GET big\r\nGET big\r\n").size() > 10000);
    CHECK_FALSE(t.engine.default_client()->close_asap);
  }

  TEST_CASE("INFO's client_recent_max_output_buffer is the biggest omem") {
    LimitFixture f;
    f.t.Run("SET big " + std::string(50000, 'x'));
    f.Send({"GET", "big"});
    const std::string info = f.t.Run("INFO clients");
    CHECK(info.find("client_recent_max_output_buffer:" + std::to_string(50010 - 16384) + "\r\n") !=
          std::string::npos);
  }

  TEST_CASE("the query buffer limit counts the arguments already parsed out of it") {
    LimitFixture f;
    f.t.Run("CONFIG SET client-query-buffer-limit 1mb");
    const std::string arg(400 * 1024, 'a');
    // One command of 5 big arguments, sent one argument at a time: each
    // completed argument leaves the byte buffer, but the command is not
    // complete, so its arguments are still the client's query.
    f.t.engine.server().Feed(f.client, "*5\r\n$3\r\nSET\r\n");
    for (int i = 0; i < 3; ++i) {
      f.t.engine.server().Feed(f.client, "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n");
    }
    CHECK(f.client->parser.buffered() < 1024);
    CHECK(f.client->parser.query_bytes() > 1024 * 1024);
    CHECK(f.client->close_asap);
    REQUIRE(f.warnings.size() == 1);
    CHECK(f.warnings[0].rfind("Closing client that reached max query buffer length: id=", 0) == 0);
    CHECK(f.warnings[0].find("(qbuf initial bytes: \"\")") != std::string::npos);
  }

  TEST_CASE("a query under the limit is not counted twice once it completes") {
    LimitFixture f;
    f.t.Run("CONFIG SET client-query-buffer-limit 1mb");
    const std::string arg(600 * 1024, 'a');
    for (int i = 0; i < 3; ++i) f.Send({"SET", "k", arg});
    CHECK_FALSE(f.client->close_asap);
    CHECK(f.client->parser.query_bytes() == 0);
  }
}
