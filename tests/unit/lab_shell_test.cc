// LabShell (core/lab/lab_shell.h): the one grammar of the native REPL and
// the browser terminal — redis-cli's line rules, the dot-commands, their
// JSON form, the prompt, and the clock the hosts drive.
#include "core/lab/lab_shell.h"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/lab/lab.h"
#include "core/util/split_args.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using namespace testing;
using Argv = std::vector<std::string>;
using Kind = ShellLine::Kind;
using Verb = DotCommand::Verb;
using Action = DotCommand::ClockAction;

constexpr int64_t kStartMs = 1767225600000;  // 2026-01-01T00:00:00Z

ShellLine Parse(std::string_view line) { return ParseShellLine(line); }

DotCommand Dot(std::string_view line) {
  ShellLine parsed = Parse(line);
  INFO("line: ", line, " message: ", parsed.message);
  REQUIRE(parsed.kind == Kind::kDot);
  return parsed.dot;
}

// The line is refused with a message pointing at .help.
void CheckDotError(std::string_view line) {
  ShellLine parsed = Parse(line);
  INFO("line: ", line);
  CHECK(parsed.kind == Kind::kInvalid);
  CHECK(parsed.message.find(".help") != std::string::npos);
  CHECK(parsed.message.find('\n') == std::string::npos);
}

std::string Run(Lab& lab, const Argv& argv) {
  std::vector<Lab::Command> batch = {{argv, ""}};
  return lab.RunBatch(batch);
}

std::unique_ptr<Lab> OpenLab() {
  auto lab = std::make_unique<Lab>(kStartMs);
  RecoveryReport report;
  REQUIRE(lab->Open({}, &report).ok());
  return lab;
}

std::string ConfigValue(Lab& lab, const std::string& name) {
  std::string reply = Run(lab, {"CONFIG", "GET", name});
  // *2 $len name $len value: the value is the last bulk string.
  const size_t end = reply.rfind("\r\n", reply.size() - 3);
  return reply.substr(end + 2, reply.size() - end - 4);
}

TEST_SUITE("lab_shell") {
  TEST_CASE("blank lines are empty and words split as redis-cli splits them") {
    CHECK(Parse("").kind == Kind::kEmpty);
    CHECK(Parse("   \t ").kind == Kind::kEmpty);
    ShellLine line = Parse(R"(SET k "a b\x41\n" 'it\'s')");
    CHECK(line.kind == Kind::kCommand);
    CHECK(line.argv == Argv{"SET", "k", "a bA\n", "it's"});
    CHECK(line.repeat == 1);
  }

  TEST_CASE("unbalanced quotes are refused with redis-cli's message") {
    for (std::string_view bad : {R"(SET k "open)", "GET 'x", R"(SET "a"b c)"}) {
      ShellLine line = Parse(bad);
      CHECK(line.kind == Kind::kInvalid);
      CHECK(line.message == "Invalid argument(s)");
    }
  }

  TEST_CASE("a leading number repeats the command and a bad one is refused") {
    ShellLine line = Parse("3 INCR x");
    CHECK(line.kind == Kind::kCommand);
    CHECK(line.argv == Argv{"INCR", "x"});
    CHECK(line.repeat == 3);
    // strtol's rules, as redis-cli: a sign is allowed.
    CHECK(Parse("+2 PING").repeat == 2);
    // A number alone is a command, not a repeat count.
    line = Parse("5");
    CHECK(line.kind == Kind::kCommand);
    CHECK(line.argv == Argv{"5"});
    for (std::string_view bad : {"0 PING", "-2 PING", "99999999999999999999 PING", "\"\" PING"}) {
      INFO(bad);
      line = Parse(bad);
      CHECK(line.kind == Kind::kInvalid);
      CHECK(line.message == "Invalid repeat command option value.");
    }
    // Not a whole number: the first word is the command.
    CHECK(Parse("3x PING").argv == Argv{"3x", "PING"});
  }

  TEST_CASE("help and ? stay on the client, with their topic words") {
    CHECK(Parse("help").kind == Kind::kHelp);
    CHECK(Parse("help").argv.empty());
    ShellLine line = Parse("HELP config get");
    CHECK(line.kind == Kind::kHelp);
    CHECK(line.argv == Argv{"config", "get"});
    CHECK(Parse("? @string").argv == Argv{"@string"});
    CHECK(Parse("2 help set").kind == Kind::kHelp);
  }

  TEST_CASE("clear alone clears, quit and exit leave whatever follows them") {
    CHECK(Parse("clear").kind == Kind::kClear);
    CHECK(Parse("CLEAR").kind == Kind::kClear);
    // redis-cli only clears for the word alone; otherwise it is sent.
    ShellLine line = Parse("2 clear");
    CHECK(line.kind == Kind::kCommand);
    CHECK(line.argv == Argv{"clear"});
    CHECK(line.repeat == 2);
    CHECK(Parse("clear screen").kind == Kind::kCommand);
    CHECK(Parse("quit").kind == Kind::kQuit);
    CHECK(Parse("EXIT now").kind == Kind::kQuit);
  }

  TEST_CASE(".crash takes a kind, and a seed only for torn") {
    CHECK(Dot(".crash process").crash == CrashKind::kProcess);
    CHECK(Dot(".CRASH Power").crash == CrashKind::kPower);
    DotCommand torn = Dot(".crash torn");
    CHECK(torn.verb == Verb::kCrash);
    CHECK(torn.crash == CrashKind::kPowerTorn);
    CHECK_FALSE(torn.has_seed);
    torn = Dot(".crash torn 42");
    CHECK(torn.has_seed);
    CHECK(torn.seed == 42);
    CHECK(Dot(".crash torn 9007199254740991").seed == 9007199254740991ULL);
    for (std::string_view bad :
         {".crash", ".crash sometimes", ".crash power 42", ".crash torn -1",
          ".crash torn 9007199254740992", ".crash torn 1 2", ".crash torn x"}) {
      CheckDotError(bad);
    }
    CHECK(Parse(".crash sometimes").message.find("'sometimes'") != std::string::npos);
  }

  TEST_CASE(".clock shows, jumps forward, pauses, plays and sets the speed") {
    DotCommand dot = Dot(".clock");
    CHECK(dot.verb == Verb::kClock);
    CHECK(dot.clock == Action::kShow);
    const std::pair<std::string_view, int64_t> jumps[] = {
        {".clock +250ms", 250},  {".clock +1s", 1000},       {".clock +15m", 900000},
        {".clock +1h", 3600000}, {".clock +1h30m", 5400000}, {".clock +2d", 172800000},
        {".clock +1m1ms", 60001}};
    for (const auto& [line, ms] : jumps) {
      dot = Dot(line);
      CHECK(dot.clock == Action::kAdvance);
      CHECK(dot.advance_ms == ms);
    }
    CHECK(Dot(".clock pause").clock == Action::kPause);
    CHECK(Dot(".clock PLAY").clock == Action::kPlay);
    dot = Dot(".clock speed 10");
    CHECK(dot.clock == Action::kSpeed);
    CHECK(dot.speed == 10);
    CHECK(Dot(".clock speed 0.5").speed == 0.5);
    CHECK(Dot(".clock speed 4x").speed == 4);
  }

  TEST_CASE("bad .clock forms are refused with a pointer to .help") {
    for (std::string_view bad :
         {".clock +", ".clock +5", ".clock +5y", ".clock -1s", ".clock 15m", ".clock +m",
          ".clock +1.5s", ".clock +367d", ".clock speed", ".clock speed 0", ".clock speed -2",
          ".clock speed fast", ".clock speed 10001", ".clock pause now", ".clock +1s +1s"}) {
      CheckDotError(bad);
    }
    CHECK(Parse(".clock -1s").message.find("never goes back") != std::string::npos);
  }

  TEST_CASE("restart, files, report and help take no arguments") {
    CHECK(Dot(".restart").verb == Verb::kRestart);
    CHECK(Dot(".files").verb == Verb::kFiles);
    CHECK(Dot(".Report").verb == Verb::kReport);
    CHECK(Dot(".help").verb == Verb::kHelp);
    for (std::string_view bad : {".restart now", ".files all", ".report x", ".help crash"}) {
      CheckDotError(bad);
    }
    CHECK(Parse(".files all").message.find(".files takes no arguments") == 0);
  }

  TEST_CASE("unknown and repeated dot-commands are refused") {
    CheckDotError(".crsh power");
    CHECK(Parse(".crsh power").message.find("'.crsh'") != std::string::npos);
    CheckDotError(".");
    CheckDotError("3 .clock +1s");
    // Only the first word makes a dot-command.
    CHECK(Parse("GET .crash").kind == Kind::kCommand);
  }

  TEST_CASE(".policy resolves to CONFIG SET commands in the order that matters") {
    using Commands = std::vector<Argv>;
    CHECK(PolicyCommands(Dot(".policy none")) ==
          Commands{{"CONFIG", "SET", "appendonly", "no"}, {"CONFIG", "SET", "save", ""}});
    CHECK(PolicyCommands(Dot(".policy rdb")) ==
          Commands{{"CONFIG", "SET", "appendonly", "no"},
                   {"CONFIG", "SET", "save", "3600 1 300 100 60 10000"}});
    DotCommand rdb = Dot(".policy RDB 60 1 300 \"10\"");
    CHECK(rdb.save == "60 1 300 10");
    CHECK(PolicyCommands(Dot(".policy rdb \"60 1\"")).back() ==
          Argv{"CONFIG", "SET", "save", "60 1"});
    // appendonly yes last: it starts the rewrite that writes the BASE in the
    // format aof-use-rdb-preamble has by then.
    CHECK(PolicyCommands(Dot(".policy hybrid")) ==
          Commands{{"CONFIG", "SET", "save", ""},
                   {"CONFIG", "SET", "aof-use-rdb-preamble", "yes"},
                   {"CONFIG", "SET", "appendfsync", "everysec"},
                   {"CONFIG", "SET", "appendonly", "yes"}});
    CHECK(PolicyCommands(Dot(".policy aof Always")) ==
          Commands{{"CONFIG", "SET", "save", ""},
                   {"CONFIG", "SET", "aof-use-rdb-preamble", "no"},
                   {"CONFIG", "SET", "appendfsync", "always"},
                   {"CONFIG", "SET", "appendonly", "yes"}});
    CHECK(Dot(".policy aof no").fsync == "no");
    CHECK_FALSE(PolicyNote(Dot(".policy aof")).empty());
    CHECK_FALSE(PolicyNote(Dot(".policy hybrid")).empty());
    CHECK(PolicyNote(Dot(".policy rdb")).empty());
    CHECK(PolicyNote(Dot(".policy none")).empty());
    for (std::string_view bad :
         {".policy", ".policy aof sometimes", ".policy none x", ".policy rdb 60", ".policy rdb 0 1",
          ".policy rdb 60 -1", ".policy rdb a b", ".policy hybrid always x", ".policy fast"}) {
      CheckDotError(bad);
    }
  }

  TEST_CASE("running a policy's commands on a lab gives that policy") {
    struct Case {
      std::string_view line;
      std::string appendonly, save, fsync, preamble, base;
    };
    const Case cases[] = {
        {".policy none", "no", "", "everysec", "yes", ""},
        {".policy rdb", "no", "3600 1 300 100 60 10000", "everysec", "yes", ""},
        {".policy rdb 60 1", "no", "60 1", "everysec", "yes", ""},
        {".policy aof always", "yes", "", "always", "no", ".base.aof"},
        {".policy hybrid no", "yes", "", "no", "yes", ".base.rdb"},
    };
    for (const Case& c : cases) {
      INFO(c.line);
      auto lab = OpenLab();
      for (const Argv& argv : PolicyCommands(Dot(c.line))) CHECK(Run(*lab, argv) == kOk);
      lab->Tick(kStartMs + 1000);  // the first rewrite finishes
      CHECK(ConfigValue(*lab, "appendonly") == c.appendonly);
      CHECK(ConfigValue(*lab, "save") == c.save);
      CHECK(ConfigValue(*lab, "appendfsync") == c.fsync);
      CHECK(ConfigValue(*lab, "aof-use-rdb-preamble") == c.preamble);
      bool has_base = false;
      for (const Lab::FileEntry& f : lab->Files()) {
        if (f.name.find(".base.") != std::string::npos) {
          has_base = true;
          CHECK(f.name.ends_with(c.base));
        }
      }
      CHECK(has_base == !c.base.empty());
    }
  }

  TEST_CASE("switching aof to hybrid with the AOF on keeps the BASE until BGREWRITEAOF") {
    // What PolicyNote says, checked: only the next rewrite changes the format.
    auto lab = OpenLab();
    for (const Argv& argv : PolicyCommands(Dot(".policy aof"))) Run(*lab, argv);
    Run(*lab, {"SET", "k", "v"});
    lab->Tick(kStartMs + 1000);
    auto base_name = [&lab] {
      for (const Lab::FileEntry& f : lab->Files()) {
        if (f.name.find(".base.") != std::string::npos) return f.name;
      }
      return std::string();
    };
    CHECK(base_name().ends_with(".base.aof"));
    for (const Argv& argv : PolicyCommands(Dot(".policy hybrid"))) CHECK(Run(*lab, argv) == kOk);
    lab->Tick(kStartMs + 2000);
    CHECK(base_name().ends_with(".base.aof"));
    CHECK(Run(*lab, {"BGREWRITEAOF"}).find("rewriting started") != std::string::npos);
    lab->Tick(kStartMs + 3000);
    CHECK(base_name().ends_with(".base.rdb"));
  }

  TEST_CASE("a command line written by FormatCommandLine splits back into the same words") {
    const Argv cases[] = {{"CONFIG", "SET", "save", ""},
                          {"SET", "k", "a b"},
                          {"SET", "q", "say \"hi\"", "it's"},
                          {"SET", "bin", std::string("\x00\xff\n\\", 4)},
                          {"PING"}};
    for (const Argv& argv : cases) {
      const std::string line = FormatCommandLine(argv);
      INFO(line);
      CHECK(*SplitArgs(line) == argv);
    }
    CHECK(FormatCommandLine({"CONFIG", "SET", "save", ""}) == "CONFIG SET save \"\"");
    CHECK(FormatCommandLine({"CONFIG", "SET", "save", "60 1"}) == "CONFIG SET save \"60 1\"");
  }

  TEST_CASE("the JSON form has the documented fields and keeps bytes that are not UTF-8") {
    CHECK(ShellLineJson(Parse("")) == R"({"kind":"empty"})");
    CHECK(ShellLineJson(Parse("3 SET k \"caf\xc3\xa9\"")) ==
          "{\"kind\":\"command\",\"argv\":[\"SET\",\"k\",\"caf\xc3\xa9\"],\"repeat\":3}");
    // \xff, a lone continuation byte, an overlong '/' and a surrogate.
    CHECK(ShellLineJson(Parse(R"(SET "\xff" "\x80" "\xc0\xaf" "\xed\xa0\x80")")) ==
          R"({"kind":"command","argv":["SET",{"hex":"ff"},{"hex":"80"},{"hex":"c0af"},)"
          R"({"hex":"eda080"}],"repeat":1})");
    CHECK(ShellLineJson(Parse("help config get")) == R"({"kind":"help","topic":["config","get"]})");
    CHECK(ShellLineJson(Parse("clear")) == R"({"kind":"clear"})");
    CHECK(ShellLineJson(Parse("exit")) == R"({"kind":"quit"})");
    CHECK(ShellLineJson(Parse("GET \"x")) ==
          R"j({"kind":"invalid","message":"Invalid argument(s)"})j");
    CHECK(ShellLineJson(Parse(".restart")) == R"({"kind":"dot","verb":"restart"})");
    CHECK(ShellLineJson(Parse(".clock +15m")) ==
          R"({"kind":"dot","verb":"clock","action":"advance","ms":900000})");
    CHECK(ShellLineJson(Parse(".clock speed 2.5")) ==
          R"({"kind":"dot","verb":"clock","action":"speed","speed":2.5})");
    CHECK(ShellLineJson(Parse(".clock pause")) ==
          R"({"kind":"dot","verb":"clock","action":"pause"})");
    const std::string crash = ShellLineJson(Parse(".crash torn 7"));
    CHECK(crash.find(R"({"kind":"dot","verb":"crash","crash":"torn","seed":7,"text":")") == 0);
    CHECK(ShellLineJson(Parse(".policy rdb 60 1")) ==
          R"({"kind":"dot","verb":"policy","policy":"rdb","save":"60 1","commands":)"
          R"([["CONFIG","SET","appendonly","no"],["CONFIG","SET","save","60 1"]],)"
          R"("lines":["CONFIG SET appendonly no","CONFIG SET save \"60 1\""]})");
    const std::string hybrid = ShellLineJson(Parse(".policy hybrid always"));
    CHECK(hybrid.find(
              R"("policy":"hybrid","fsync":"always","commands":[["CONFIG","SET","save",""],)") !=
          std::string::npos);
    CHECK(hybrid.find(R"("lines":["CONFIG SET save \"\"",)") != std::string::npos);
    CHECK(hybrid.find(R"(,"note":"If the AOF was already on)") != std::string::npos);
    // A message quoting bytes that are not UTF-8 stays valid JSON.
    const std::string message = ShellLineJson(Parse(".cr\xff"));
    CHECK(message.find("\xff") == std::string::npos);
    CHECK(message.find(R"("kind":"invalid")") != std::string::npos);
  }

  TEST_CASE("the dot-command list names every verb the parser knows") {
    std::string names;
    for (const DotVerbInfo& v : DotVerbs()) {
      INFO(v.name);
      CHECK_FALSE(v.summary.empty());
      // Known: never "unknown lab command", whatever its arguments.
      CHECK(Parse(std::string(v.name) + " ?").message.find("unknown lab command") ==
            std::string::npos);
      names += std::string(v.name) + " ";
    }
    CHECK(names == ".crash .restart .report .files .clock .policy .help ");
    const std::string json = DotVerbsJson();
    CHECK(json.find(R"([{"name":".crash","hint":"process|power|torn [SEED]","summary":")") == 0);
    CHECK(json.find(R"({"name":".restart","hint":"","summary":")") != std::string::npos);
    CHECK(DotCommandWords(".crash") == std::vector<std::string_view>{"power", "process", "torn"});
    CHECK(DotCommandWords(".restart").empty());
  }

  TEST_CASE("prompts follow redis-cli: database, transaction, not connected") {
    CHECK(CliPrompt(true, 0, false) == "plab> ");
    CHECK(CliPrompt(true, 2, false) == "plab[2]> ");
    CHECK(CliPrompt(true, 0, true) == "plab(TX)> ");
    CHECK(CliPrompt(true, 15, true) == "plab[15](TX)> ");
    CHECK(CliPrompt(false, 2, true) == "not connected> ");

    auto lab = OpenLab();
    CHECK(LabPrompt(*lab) == "plab> ");
    Run(*lab, {"SELECT", "2"});
    CHECK(LabPrompt(*lab) == "plab[2]> ");
    Run(*lab, {"MULTI"});
    CHECK(LabPrompt(*lab) == "plab[2](TX)> ");
    Run(*lab, {"EXEC"});
    CHECK(LabPrompt(*lab) == "plab[2]> ");
    lab->Crash(CrashKind::kProcess, 0);
    CHECK(LabPrompt(*lab) == "not connected> ");
    KeyspaceDiff diff;
    RecoveryReport report;
    REQUIRE(lab->Restart(&report, &diff).ok());
    // A new server, a new connection: back in db 0.
    CHECK(LabPrompt(*lab) == "plab> ");
  }

  TEST_CASE("the shell clock runs at its speed, stands still when paused and jumps") {
    ShellClock clock(kStartMs, 1000);
    CHECK(clock.Now(1000) == kStartMs);
    CHECK(clock.Now(3500) == kStartMs + 2500);
    clock.SetSpeed(10, 3500);
    CHECK(clock.speed() == 10);
    CHECK(clock.Now(4500) == kStartMs + 2500 + 10000);
    clock.Pause(4500);
    CHECK(clock.paused());
    CHECK(clock.Now(99999) == kStartMs + 12500);
    clock.Advance(900000);
    CHECK(clock.Now(100000) == kStartMs + 912500);
    clock.Play(100000);
    CHECK_FALSE(clock.paused());
    CHECK(clock.Now(100100) == kStartMs + 912500 + 1000);
    clock.SetSpeed(0.5, 100100);
    CHECK(clock.Now(102100) == kStartMs + 913500 + 1000);
  }
}

}  // namespace
}  // namespace plab
