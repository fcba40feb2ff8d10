// The expected outputs below were captured from redis-cli 7.0.15 against
// redis-server 7.0.15: "tty" with FAKETTY=1 (redis-cli's own switch for
// interactive formatting), "raw" with stdout redirected to a file. The RESP
// inputs are the bytes the server sent for the same commands.
#include "core/resp/reply_format.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "tests/unit/test_util.h"

using namespace plab;
using namespace plab::testing;

namespace {

Reply Parse(std::string_view resp) {
  Reply r;
  size_t used = 0;
  std::string error;
  ReplyParse p = ParseReply(resp, &r, &used, &error);
  INFO("parse error: ", error);
  REQUIRE(p == ReplyParse::kComplete);
  REQUIRE(used == resp.size());
  return r;
}
std::string Tty(std::string_view resp) { return FormatReplyTty(Parse(resp)); }
std::string Raw(std::string_view resp) { return FormatReplyRaw(Parse(resp)); }

}  // namespace

TEST_SUITE("reply_format") {
  TEST_CASE("scalar replies print like redis-cli on a terminal") {
    CHECK(Tty("+PONG\r\n") == "PONG\n");
    CHECK(Tty("+OK\r\n") == "OK\n");
    CHECK(Tty(":-42\r\n") == "(integer) -42\n");
    CHECK(Tty(":9223372036854775807\r\n") == "(integer) 9223372036854775807\n");
    CHECK(Tty("$-1\r\n") == "(nil)\n");
    CHECK(Tty("*-1\r\n") == "(nil)\n");
    CHECK(Tty("$11\r\nhello world\r\n") == "\"hello world\"\n");
    CHECK(Tty("$0\r\n\r\n") == "\"\"\n");
    CHECK(Tty("*0\r\n") == "(empty array)\n");
    CHECK(Tty("-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n") ==
          "(error) ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \n");
  }

  TEST_CASE("bulk strings are quoted with sdscatrepr's escapes") {
    CHECK(Tty("$5\r\na\"b\\c\r\n") == "\"a\\\"b\\\\c\"\n");
    CHECK(Tty("$10\r\nl1\nl2\r\tx\a\b\r\n") == "\"l1\\nl2\\r\\tx\\a\\b\"\n");
    CHECK(Tty(std::string_view("$7\r\n\x00\x01\x7f\xff\x1f ~\r\n", 13)) ==
          "\"\\x00\\x01\\x7f\\xff\\x1f ~\"\n");
    CHECK(Tty("$4\r\ncaf\xe9\r\n") == "\"caf\\xe9\"\n");
    CHECK(Tty("$5\r\n\xc3\xa9t\xc3\xa9\r\n") == "\"\\xc3\\xa9t\\xc3\\xa9\"\n");
    CHECK(Tty("$8\r\n'single'\r\n") == "\"'single'\"\n");
    CHECK(QuoteReplyString("") == "\"\"");
  }

  TEST_CASE("arrays are numbered and nested arrays indented under their label") {
    CHECK(Tty("*3\r\n:1\r\n:2\r\n:3\r\n") == "1) (integer) 1\n2) (integer) 2\n3) (integer) 3\n");
    CHECK(Tty("*3\r\n$1\r\na\r\n*2\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n") ==
          "1) \"a\"\n2) 1) \"b\"\n   2) \"c\"\n3) \"d\"\n");
    CHECK(Tty("*2\r\n*2\r\n$1\r\nx\r\n*2\r\n$1\r\ny\r\n$1\r\nz\r\n*2\r\n:1\r\n:2\r\n") ==
          "1) 1) \"x\"\n   2) 1) \"y\"\n      2) \"z\"\n2) 1) (integer) 1\n   2) (integer) 2\n");
    CHECK(Tty("*1\r\n*1\r\n$4\r\nonly\r\n") == "1) 1) \"only\"\n");
    CHECK(Tty("*1\r\n*1\r\n*1\r\n$4\r\ndeep\r\n") == "1) 1) 1) \"deep\"\n");
  }

  TEST_CASE("labels are right-aligned to the widest index, and nesting follows the width") {
    CHECK(Tty("*11\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n:10\r\n:11\r\n") ==
          " 1) (integer) 1\n 2) (integer) 2\n 3) (integer) 3\n 4) (integer) 4\n"
          " 5) (integer) 5\n 6) (integer) 6\n 7) (integer) 7\n 8) (integer) 8\n"
          " 9) (integer) 9\n10) (integer) 10\n11) (integer) 11\n");
    CHECK(Tty("*11\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n*2\r\n$1\r\na\r\n"
              "$1\r\nb\r\n*2\r\n$1\r\nc\r\n*2\r\n$1\r\nd\r\n$1\r\ne\r\n") ==
          " 1) (integer) 1\n 2) (integer) 2\n 3) (integer) 3\n 4) (integer) 4\n"
          " 5) (integer) 5\n 6) (integer) 6\n 7) (integer) 7\n 8) (integer) 8\n"
          " 9) (integer) 9\n10) 1) \"a\"\n    2) \"b\"\n11) 1) \"c\"\n    2) 1) \"d\"\n"
          "       2) \"e\"\n");
  }

  TEST_CASE("arrays may hold nils, empty arrays, statuses and errors") {
    CHECK(Tty("*3\r\n$1\r\na\r\n$-1\r\n$1\r\nb\r\n") == "1) \"a\"\n2) (nil)\n3) \"b\"\n");
    CHECK(Tty("*2\r\n*0\r\n$1\r\na\r\n") == "1) (empty array)\n2) \"a\"\n");
    CHECK(Tty("*2\r\n$1\r\na\r\n*0\r\n") == "1) \"a\"\n2) (empty array)\n");
    CHECK(Tty("*3\r\n+FINE\r\n-MYERR bad\r\n:5\r\n") ==
          "1) FINE\n2) (error) MYERR bad\n3) (integer) 5\n");
  }

  TEST_CASE("raw output prints bare values and flattens arrays, as redis-cli does into a pipe") {
    CHECK(Raw("+PONG\r\n") == "PONG\n");
    CHECK(Raw("$11\r\nhello world\r\n") == "hello world\n");
    CHECK(Raw("$0\r\n\r\n") == "\n");
    CHECK(Raw("$5\r\na\"b\\c\r\n") == "a\"b\\c\n");
    CHECK(Raw(":-126\r\n") == "-126\n");
    CHECK(Raw("$-1\r\n") == "\n");
    CHECK(Raw("*0\r\n") == "\n");
    CHECK(Raw("-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n") ==
          "ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \n\n");
    CHECK(Raw("*2\r\n*2\r\n$1\r\nx\r\n*2\r\n$1\r\ny\r\n$1\r\nz\r\n*2\r\n:1\r\n:2\r\n") ==
          "x\ny\nz\n1\n2\n");
    CHECK(Raw("*3\r\n$1\r\na\r\n$-1\r\n$1\r\nb\r\n") == "a\n\nb\n");
    CHECK(Raw("*2\r\n*0\r\n$1\r\na\r\n") == "\na\n");
    CHECK(Raw("*2\r\n$1\r\na\r\n*0\r\n") == "a\n\n");
    CHECK(Raw("*3\r\n+FINE\r\n-MYERR bad\r\n:5\r\n") == "FINE\nMYERR bad\n\n5\n");
    CHECK(Raw(std::string_view("$7\r\n\x00\x01\x7f\xff\x1f ~\r\n", 13)) ==
          std::string("\x00\x01\x7f\xff\x1f ~\n", 8));
  }

  TEST_CASE("RESP3 maps, sets, doubles and booleans print like redis-cli -3") {
    CHECK(Tty("%2\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n") ==
          "1# \"f1\" => \"v1\"\n2# \"f2\" => \"v2\"\n");
    CHECK(Raw("%2\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n") == "f1 v1\nf2 v2\n");
    CHECK(Tty("%0\r\n") == "(empty hash)\n");
    CHECK(Tty("~0\r\n") == "(empty set)\n");
    CHECK(Tty(">0\r\n") == "(empty push)\n");
    CHECK(Raw("%0\r\n") == "\n");
    CHECK(Tty("~3\r\n:0\r\n:1\r\n:2\r\n") == "1~ (integer) 0\n2~ (integer) 1\n3~ (integer) 2\n");
    CHECK(Raw("~3\r\n:0\r\n:1\r\n:2\r\n") == "0\n1\n2\n");
    CHECK(Tty(",3.141\r\n") == "(double) 3.141\n");
    CHECK(Raw(",3.141\r\n") == "3.141\n");
    CHECK(Tty("_\r\n") == "(nil)\n");
    CHECK(Tty("%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n") ==
          "1# (integer) 0 => (false)\n2# (integer) 1 => (true)\n3# (integer) 2 => (false)\n");
    CHECK(Raw("%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n") == "0 (false)\n1 (true)\n2 (false)\n");
    CHECK(Tty("*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2\r\n") ==
          "1) 1) \"a\"\n   2) (double) 1.5\n2) 1) \"b\"\n   2) (double) 2\n");
  }

  TEST_CASE("a multi-line map value starts on its own line (XINFO STREAM in RESP3)") {
    const std::string resp =
        "%10\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n"
        ":2\r\n$17\r\nlast-generated-id\r\n$3\r\n1-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0"
        "\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-1\r\n$6\r\n"
        "groups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
        "$10\r\nlast-entry\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n";
    CHECK(Tty(resp) ==
          " 1# \"length\" => (integer) 1\n 2# \"radix-tree-keys\" => (integer) 1\n"
          " 3# \"radix-tree-nodes\" => (integer) 2\n 4# \"last-generated-id\" => \"1-1\"\n"
          " 5# \"max-deleted-entry-id\" => \"0-0\"\n 6# \"entries-added\" => (integer) 1\n"
          " 7# \"recorded-first-entry-id\" => \"1-1\"\n 8# \"groups\" => (integer) 0\n"
          " 9# \"first-entry\" => \n    1) \"1-1\"\n    2) 1) \"f\"\n       2) \"v\"\n"
          "10# \"last-entry\" => \n    1) \"1-1\"\n    2) 1) \"f\"\n       2) \"v\"\n");
    CHECK(Raw(resp) ==
          "length 1\nradix-tree-keys 1\nradix-tree-nodes 2\nlast-generated-id 1-1\n"
          "max-deleted-entry-id 0-0\nentries-added 1\nrecorded-first-entry-id 1-1\ngroups 0\n"
          "first-entry 1-1\nf\nv\nlast-entry 1-1\nf\nv\n");
  }

  TEST_CASE("a map inside an array is indented under its label (XINFO GROUPS in RESP3)") {
    CHECK(Tty("*1\r\n%6\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n"
              ":0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n_\r\n$3\r\n"
              "lag\r\n:1\r\n") ==
          "1) 1# \"name\" => \"g\"\n   2# \"consumers\" => (integer) 0\n"
          "   3# \"pending\" => (integer) 0\n   4# \"last-delivered-id\" => \"0-0\"\n"
          "   5# \"entries-read\" => (nil)\n   6# \"lag\" => (integer) 1\n");
  }

  TEST_CASE("verbatim strings print unquoted without their format prefix") {
    const std::string resp = "=29\r\ntxt:This is a verbatim\nstring\r\n";
    CHECK(Tty(resp) == "This is a verbatim\nstring\n");
    CHECK(Raw(resp) == "This is a verbatim\nstring\n");
    CHECK(Parse(resp).type == Reply::Type::kVerbatim);
  }

  TEST_CASE("verbatim mode prints a text report without adding a newline") {
    CHECK(FormatReplyVerbatim(Parse("$15\r\n# Server\r\nx:1\r\n\r\n")) == "# Server\r\nx:1\r\n");
    CHECK(PrintsVerbatim({"INFO"}));
    CHECK(PrintsVerbatim({"info", "server"}));
    CHECK(PrintsVerbatim({"CLIENT", "LIST"}));
    CHECK(PrintsVerbatim({"client", "info"}));
    CHECK(PrintsVerbatim({"MEMORY", "DOCTOR"}));
    CHECK(PrintsVerbatim({"LATENCY", "DOCTOR"}));
    CHECK_FALSE(PrintsVerbatim({"LATENCY", "DOCTOR", "x"}));
    CHECK_FALSE(PrintsVerbatim({"CLIENT", "ID"}));
    CHECK_FALSE(PrintsVerbatim({"GET", "info"}));
    CHECK_FALSE(PrintsVerbatim({}));
  }

  TEST_CASE("ParseReply waits for a complete reply and never consumes a partial one") {
    const std::string full = "*2\r\n$3\r\nfoo\r\n*1\r\n:7\r\n";
    for (size_t cut = 0; cut < full.size(); ++cut) {
      Reply r;
      size_t used = 99;
      CAPTURE(cut);
      CHECK(ParseReply(std::string_view(full).substr(0, cut), &r, &used) == ReplyParse::kNeedMore);
      CHECK(used == 99);
    }
    Reply r;
    size_t used = 0;
    CHECK(ParseReply(full + "+OK\r\n", &r, &used) == ReplyParse::kComplete);
    CHECK(used == full.size());
    CHECK(r.type == Reply::Type::kArray);
    REQUIRE(r.elements.size() == 2);
    CHECK(r.elements[0].str == "foo");
    CHECK(r.elements[1].elements[0].integer == 7);
  }

  TEST_CASE("ReplyReader splits pipelined replies fed a byte at a time") {
    const std::string stream = "+OK\r\n$5\r\nhe\r\nl\r\n:3\r\n*-1\r\n-ERR x\r\n";
    ReplyReader reader;
    std::vector<std::string> printed;
    for (char c : stream) {
      reader.Feed(std::string_view(&c, 1));
      Reply r;
      while (reader.Next(&r) == ReplyParse::kComplete) printed.push_back(FormatReplyTty(r));
    }
    CHECK(printed == std::vector<std::string>{"OK\n", "\"he\\r\\nl\"\n", "(integer) 3\n", "(nil)\n",
                                              "(error) ERR x\n"});
    CHECK(reader.buffered() == 0);
  }

  TEST_CASE("malformed replies are reported as errors and the reader stays failed") {
    auto error_of = [](std::string_view bytes) {
      Reply r;
      size_t used = 0;
      std::string error;
      ReplyParse p = ParseReply(bytes, &r, &used, &error);
      return p == ReplyParse::kError ? error : std::string("<no error>");
    };
    CHECK(error_of("?x\r\n") == "Protocol error, got '?' as reply type byte");
    CHECK(error_of("$abc\r\n") == "Bad length 'abc' in reply");
    CHECK(error_of("*-2\r\n") == "Bad length '-2' in reply");
    CHECK(error_of(":1x\r\n") == "Bad integer value '1x' in reply");
    CHECK(error_of("$3\r\nfooXY") == "Bulk string not terminated by CRLF");
    CHECK(error_of("#x\r\n") == "Bad boolean value in reply");
    CHECK(error_of("\r\n") == "Empty line where a reply type byte was expected");
    CHECK(error_of("*1\r\n*1\r\n!\r\n") == "Protocol error, got '!' as reply type byte");

    ReplyReader reader;
    reader.Feed("+OK\r\n?bad\r\n+OK\r\n");
    Reply r;
    CHECK(reader.Next(&r) == ReplyParse::kComplete);
    CHECK(reader.Next(&r) == ReplyParse::kError);
    CHECK(reader.Next(&r) == ReplyParse::kError);
    CHECK(reader.error() == "Protocol error, got '?' as reply type byte");
  }

  TEST_CASE("absurd nesting is refused instead of exhausting the stack") {
    std::string deep;
    for (int i = 0; i < 2000; ++i) deep += "*1\r\n";
    deep += ":1\r\n";
    Reply r;
    size_t used = 0;
    std::string error;
    CHECK(ParseReply(deep, &r, &used, &error) == ReplyParse::kError);
    CHECK(error == "Reply nested too deeply");
  }

  TEST_CASE("RESP3 attributes are skipped and the reply they annotate is returned") {
    const std::string resp =
        "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
        "$39\r\nSome real reply following the attribute\r\n";
    CHECK(Tty(resp) == "\"Some real reply following the attribute\"\n");
  }

  TEST_CASE("engine replies render end to end") {
    TestEngine t;
    CHECK(Tty(t.Run("PING")) == "PONG\n");
    CHECK(Tty(t.Run("ECHO \"a\\tb\"")) == "\"a\\tb\"\n");
    CHECK(Tty(t.Run("SELECT 99")) == "(error) ERR DB index is out of range\n");
    CHECK(Tty(t.Run("MULTI")) == "OK\n");
    CHECK(Tty(t.Run("PING")) == "QUEUED\n");
    CHECK(Tty(t.Run("ECHO x")) == "QUEUED\n");
    CHECK(Tty(t.Run("EXEC")) == "1) PONG\n2) \"x\"\n");
    CHECK(Raw(t.Run("ECHO x")) == "x\n");
  }
}
