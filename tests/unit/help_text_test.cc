// HELP at a PersistLab prompt (core/cmd/help_text.h): redis-cli's
// client-side help, from the command table, shared by the REPL and the
// browser terminal.
#include "core/cmd/help_text.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/version.h"

namespace plab {
namespace {

bool Has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST_SUITE("help_text") {
  TEST_CASE("help for a command gives its syntax, summary, version and group") {
    CommandTable table;
    const CommandSpec* get = table.Find("get");
    REQUIRE(get != nullptr);
    CHECK(FormatHelp(table, {"get"}, false) ==
          "\n  GET " + get->syntax + "\n  summary: " + get->summary + "\n  since: " + get->since +
              "\n  group: " + get->group + "\n\n");
    // Case does not matter, and the colour version styles the same text.
    CHECK(FormatHelp(table, {"GeT"}, false) == FormatHelp(table, {"get"}, false));
    CHECK(Has(FormatHelp(table, {"get"}, true), "\x1b[1mGET\x1b[0m \x1b[90m" + get->syntax));
  }

  TEST_CASE("a container lists its subcommands in order; two words pick one") {
    CommandTable table;
    const std::string all = FormatHelp(table, {"config"}, false);
    const size_t get = all.find("\n  CONFIG GET ");
    const size_t set = all.find("\n  CONFIG SET ");
    REQUIRE(get != std::string::npos);
    REQUIRE(set != std::string::npos);
    CHECK(get < set);
    CHECK(all.find("\n  CONFIG ") < get);  // the container itself first
    const std::string one = FormatHelp(table, {"config", "get"}, false);
    CHECK(Has(one, "\n  CONFIG GET "));
    CHECK_FALSE(Has(one, "\n  CONFIG SET "));
  }

  TEST_CASE("@group lists that group's commands without repeating the group") {
    CommandTable table;
    const std::string text = FormatHelp(table, {"@string"}, false);
    CHECK(Has(text, "\n  GET "));
    CHECK(Has(text, "\n  INCR "));
    CHECK_FALSE(Has(text, "\n  LPUSH "));
    CHECK_FALSE(Has(text, "group:"));
    CHECK(FormatHelp(table, {"@STRING"}, false) == text);
  }

  TEST_CASE("an unknown topic says so and how to get help") {
    CommandTable table;
    CHECK(FormatHelp(table, {"nosuch", "thing"}, false) ==
          "No help for 'nosuch thing'. Type \"help\" to see how to use help.\n");
    CHECK(Has(FormatHelp(table, {"@nosuch"}, false), "No help for '@nosuch'"));
  }

  TEST_CASE("plain help shows the version, the groups and the lab's .help") {
    CommandTable table;
    const std::string text = FormatHelp(table, {}, false);
    CHECK(text.find(std::string("plab ") + kPlabVersion + " (Redis " + kRedisCompatVersion) == 0);
    CHECK(Has(text, "@string"));
    CHECK(Has(text, "  .help "));
    CHECK(Has(text, "quit or exit"));
  }
}

}  // namespace
}  // namespace plab
