#include <doctest/doctest.h>

#include <cmath>

#include "core/util/glob.h"
#include "core/util/numbers.h"
#include "core/util/split_args.h"

using namespace plab;

TEST_SUITE("util") {
  TEST_CASE("ParseInt64 accepts exactly what string2ll accepts") {
    CHECK(ParseInt64("0") == 0);
    CHECK(ParseInt64("-1") == -1);
    CHECK(ParseInt64("9223372036854775807") == INT64_MAX);
    CHECK(ParseInt64("-9223372036854775808") == INT64_MIN);
    CHECK_FALSE(ParseInt64("9223372036854775808"));
    CHECK_FALSE(ParseInt64("-0"));
    CHECK_FALSE(ParseInt64("01"));
    CHECK_FALSE(ParseInt64("+1"));
    CHECK_FALSE(ParseInt64(" 1"));
    CHECK_FALSE(ParseInt64("1 "));
    CHECK_FALSE(ParseInt64(""));
    CHECK_FALSE(ParseInt64("-"));
  }

  TEST_CASE("ParseDouble rejects spaces, junk and NaN but takes inf") {
    CHECK(ParseDouble("1.5") == 1.5);
    CHECK(ParseDouble("1e3") == 1000.0);
    CHECK(std::isinf(*ParseDouble("inf")));
    CHECK(std::isinf(*ParseDouble("-inf")));
    CHECK_FALSE(ParseDouble("nan"));
    CHECK_FALSE(ParseDouble(" 1"));
    CHECK_FALSE(ParseDouble("1x"));
    CHECK_FALSE(ParseDouble(""));
    CHECK_FALSE(ParseDouble("1e999"));
    CHECK_FALSE(ParseDouble(std::string_view("7\0\0", 3)));
    CHECK_FALSE(ParseLongDouble(std::string_view("7\0\0", 3)));
    CHECK(ParseLongDouble("7.5") == 7.5L);
  }

  TEST_CASE("doubles are formatted like Redis 7.0's addReplyDouble") {
    CHECK(FormatDoubleReply(1.1) == "1.1000000000000001");
    CHECK(FormatDoubleReply(3) == "3");
    CHECK(FormatDoubleReply(-INFINITY) == "-inf");
    CHECK(FormatLongDoubleHuman(10.5L) == "10.5");
    CHECK(FormatLongDoubleHuman(3.0L) == "3");
    CHECK(FormatLongDoubleHuman(-0.0L) == "0");
  }

  TEST_CASE("glob patterns follow stringmatchlen") {
    CHECK(GlobMatch("*", "anything"));
    CHECK(GlobMatch("h?llo", "hello"));
    CHECK(GlobMatch("h[ae]llo", "hallo"));
    CHECK_FALSE(GlobMatch("h[^e]llo", "hello"));
    CHECK(GlobMatch("h[a-b]llo", "hbllo"));
    CHECK(GlobMatch("h\\*llo", "h*llo"));
    CHECK_FALSE(GlobMatch("h\\*llo", "hello"));
    CHECK(GlobMatch("user:*:name", "user:42:name"));
    CHECK_FALSE(GlobMatch("a*b", "ac"));
    CHECK(GlobMatch("HELLO", "hello", /*nocase=*/true));
  }

  TEST_CASE("SplitArgs splits like sdssplitargs") {
    CHECK(*SplitArgs("set k \"a b\"") == std::vector<std::string>{"set", "k", "a b"});
    CHECK(*SplitArgs("x \"\\x41\\n\"") == std::vector<std::string>{"x", "A\n"});
    CHECK(*SplitArgs("x 'it\\'s'") == std::vector<std::string>{"x", "it's"});
    CHECK(SplitArgs("   ")->empty());
    CHECK_FALSE(SplitArgs("x \"open"));
    CHECK_FALSE(SplitArgs("x \"a\"b"));
  }
}
