#include "core/resp/request_parser.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/unit/allocation_probe.h"

using plab::ParserLimits;
using plab::RequestParser;
using Argv = std::vector<std::string>;

namespace {

// Feeds `input` in pieces of `chunk` bytes and collects every command.
std::vector<Argv> ParseInChunks(const std::string& input, size_t chunk) {
  RequestParser p;
  std::vector<Argv> out;
  Argv argv;
  for (size_t i = 0; i < input.size(); i += chunk) {
    p.Feed(std::string_view(input).substr(i, chunk));
    while (p.Next(&argv) == RequestParser::Result::kCommand) out.push_back(argv);
  }
  return out;
}

std::string ErrorFor(const std::string& input, ParserLimits limits = {}) {
  RequestParser p(limits);
  p.Feed(input);
  Argv argv;
  RequestParser::Result r;
  while ((r = p.Next(&argv)) == RequestParser::Result::kCommand) {
  }
  return r == RequestParser::Result::kError ? p.error() : "";
}

}  // namespace

TEST_SUITE("resp parser") {
  TEST_CASE("a pipelined stream parses the same whatever the split points") {
    const std::string input =
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhel\nl\r\n"  // payload with a newline
        "PING\r\n"                                        // inline, CRLF
        "ECHO \"a b\" 'c'\n"                              // inline, LF, quotes
        "*0\r\n"                                          // empty multibulk: skipped
        "\r\n"                                            // blank inline: skipped
        "*1\r\n$0\r\n\r\n";                               // an empty argument
    const std::vector<Argv> expected = {
        {"SET", "k", "hel\nl"}, {"PING"}, {"ECHO", "a b", "c"}, {""}};
    for (size_t chunk = 1; chunk <= input.size(); ++chunk) {
      CAPTURE(chunk);
      CHECK(ParseInChunks(input, chunk) == expected);
    }
  }

  TEST_CASE("splitting a command at every byte boundary gives the same command") {
    const std::string input = "*2\r\n$4\r\nECHO\r\n$10\r\n0123456789\r\n";
    for (size_t cut = 0; cut <= input.size(); ++cut) {
      RequestParser p;
      Argv argv;
      p.Feed(input.substr(0, cut));
      if (cut < input.size()) CHECK(p.Next(&argv) == RequestParser::Result::kNeedMore);
      p.Feed(input.substr(cut));
      REQUIRE(p.Next(&argv) == RequestParser::Result::kCommand);
      CHECK(argv == Argv{"ECHO", "0123456789"});
      CHECK(p.Next(&argv) == RequestParser::Result::kNeedMore);
    }
  }

  TEST_CASE("binary payloads with CR, LF and NUL bytes survive") {
    std::string payload("a\r\n\0b", 5);
    std::string input = "*2\r\n$3\r\nGET\r\n$5\r\n" + payload + "\r\n";
    auto cmds = ParseInChunks(input, 3);
    REQUIRE(cmds.size() == 1);
    CHECK(cmds[0][1] == payload);
  }

  TEST_CASE("an inline line with a NUL before its newline never completes, as in Redis") {
    // Redis finds the newline with strchr(), which stops at the NUL.
    RequestParser p;
    Argv argv;
    p.Feed(std::string("PING\0x\r\nPING\r\n", 13));
    CHECK(p.Next(&argv) == RequestParser::Result::kNeedMore);
    p.Feed(std::string(64 * 1024, 'a'));
    CHECK(p.Next(&argv) == RequestParser::Result::kError);
    CHECK(p.error() == "Protocol error: too big inline request");
  }

  TEST_CASE("bad lengths are protocol errors with Redis's wording") {
    CHECK(ErrorFor("*1\r\n$abc\r\n") == "Protocol error: invalid bulk length");
    CHECK(ErrorFor("*1\r\n$-1\r\n") == "Protocol error: invalid bulk length");
    CHECK(ErrorFor("*x\r\n") == "Protocol error: invalid multibulk length");
    CHECK(ErrorFor("*1\r\n:1\r\n") == "Protocol error: expected '$', got ':'");
    CHECK(ErrorFor("SET \"a\r\n") == "Protocol error: unbalanced quotes in request");
  }

  TEST_CASE("announced sizes over the limits are refused before any data arrives") {
    CHECK(ErrorFor("*1048577\r\n") == "Protocol error: invalid multibulk length");
    CHECK(ErrorFor("*1048576\r\n").empty());
    CHECK(ErrorFor("*1\r\n$536870913\r\n") == "Protocol error: invalid bulk length");
    CHECK(ErrorFor("*1\r\n$536870912\r\n").empty());  // allowed, waits for bytes
    ParserLimits small;
    small.max_bulk_len = 10;
    CHECK(ErrorFor("*1\r\n$11\r\n", small) == "Protocol error: invalid bulk length");
  }

  TEST_CASE("the allocation probe sees what operator new is asked for") {
    plab_test::AllocationProbe probe;
    std::string big(1 << 20, 'x');
    CHECK(probe.largest() >= (1u << 20));
    CHECK(big.size() == (1u << 20));
  }

  TEST_CASE("an announced huge bulk or count does not allocate its size up front") {
    // Measured at operator new, not by what the parser holds: Redis only
    // trusts an announced length once the bytes are there (a client can
    // announce 512 MB and send nothing).
    for (const char* header : {"*1\r\n$536870912\r\nabc", "*1048576\r\n$3\r\nabc\r\n"}) {
      plab_test::AllocationProbe probe;
      RequestParser p;
      Argv argv;
      p.Feed(header);
      CHECK(p.Next(&argv) == RequestParser::Result::kNeedMore);
      CHECK(p.buffered() < 100);
      CHECK_MESSAGE(probe.largest() < 64 * 1024, header, " made an allocation of ",
                    probe.largest());
      CHECK(probe.total() < 256 * 1024);
    }
  }

  TEST_CASE("over-long lines without a newline are refused") {
    CHECK(ErrorFor(std::string(70 * 1024, 'a')) == "Protocol error: too big inline request");
    CHECK(ErrorFor("*" + std::string(70 * 1024, '1')) ==
          "Protocol error: too big mbulk count string");
    CHECK(ErrorFor("*1\r\n$" + std::string(70 * 1024, '1')) ==
          "Protocol error: too big bulk count string");
  }

  TEST_CASE("unauthenticated clients may not announce big requests") {
    RequestParser p;
    p.set_auth_required(true);
    p.Feed("*11\r\n");
    Argv argv;
    CHECK(p.Next(&argv) == RequestParser::Result::kError);
    CHECK(p.error() == "Protocol error: unauthenticated multibulk length");
  }

  TEST_CASE("after an error the parser stays failed") {
    RequestParser p;
    p.Feed("*1\r\n$x\r\n");
    Argv argv;
    CHECK(p.Next(&argv) == RequestParser::Result::kError);
    p.Feed("PING\r\n");
    CHECK(p.Next(&argv) == RequestParser::Result::kError);
  }
}
