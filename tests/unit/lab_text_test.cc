// LabText (core/lab/lab_text.h): what both prompts print about the lab —
// checked on real crashes of a Lab where the numbers can be known, and on
// hand-made reports and diffs for the cases a crash cannot easily produce
// (a failed load, a broken promise, overlong lists).
#include "core/lab/lab_text.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/lab/lab_shell.h"
#include "core/util/split_args.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using namespace testing;
using ConfigPairs = std::vector<std::pair<std::string, std::string>>;

constexpr int64_t kStartMs = 1767225600000;  // 2026-01-01T00:00:00Z

std::unique_ptr<Lab> OpenLab(const ConfigPairs& config) {
  auto lab = std::make_unique<Lab>(kStartMs);
  RecoveryReport report;
  REQUIRE(lab->Open(config, &report).ok());
  return lab;
}

void Run(Lab& lab, std::vector<std::string_view> lines) {
  std::vector<Lab::Command> batch;
  for (std::string_view line : lines) batch.push_back({*SplitArgs(line), ""});
  lab.RunBatch(batch);
}

struct Restarted {
  RecoveryReport report;
  KeyspaceDiff diff;
  std::string cause;
  std::string text;
};

Restarted CrashAndRestart(Lab& lab, CrashKind kind, uint64_t seed = 0) {
  lab.Crash(kind, seed);
  Restarted r;
  r.cause = lab.down_reason();
  REQUIRE(lab.Restart(&r.report, &r.diff).ok());
  r.text = RecoveryText(r.report, &r.diff, r.cause, false);
  return r;
}

bool Has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST_SUITE("lab_text") {
  TEST_CASE("a power loss under appendfsync always reports every file and nothing lost") {
    auto lab = OpenLab({{"appendonly", "yes"}, {"appendfsync", "always"}, {"save", ""}});
    Run(*lab, {"SET a 1", "INCR counter", "RPUSH l x y"});
    Restarted r = CrashAndRestart(*lab, CrashKind::kPower);
    INFO(r.text);
    CHECK(r.text.find("Restart after power loss: loaded the AOF (2 files) in ") == 0);
    // Each loaded file on its own numbered line, in load order, with its
    // kind and size from the report.
    size_t at = 0;
    for (size_t i = 0; i < r.report.files.size(); ++i) {
      const RecoveryReport::File& f = r.report.files[i];
      const size_t line = r.text.find(std::to_string(i + 1) + " " + f.name, at);
      REQUIRE(line != std::string::npos);
      const std::string row = r.text.substr(line, r.text.find('\n', line) - line);
      CHECK(Has(row, f.kind));
      CHECK(Has(row, " " + std::to_string(f.bytes) + " "));
      CHECK(Has(row, f.kind == "incr" ? std::to_string(f.commands) + " commands"
                                      : std::to_string(f.keys_loaded) + " keys"));
      at = line;
    }
    CHECK(Has(r.text, "  3 keys in memory after loading.\n"));
    CHECK(Has(r.text, "Nothing lost: all 3 keys came back as they were.\n"));
    CHECK_FALSE(Has(r.text, " lost:\n"));
    CHECK_FALSE(Has(r.text, "\x1b["));
  }

  TEST_CASE("an RDB-only power loss lists what changed since the last save") {
    auto lab = OpenLab({{"appendonly", "no"}, {"save", ""}});
    Run(*lab, {"SET counter 10", "SET gone x", "SET kept k", "SELECT 3", "SET other o"});
    Run(*lab, {"SAVE"});
    Run(*lab, {"SELECT 0", "SET counter 12", "SET fresh y", "DEL gone", "SELECT 3", "SET new2 n"});
    Restarted r = CrashAndRestart(*lab, CrashKind::kPower);
    INFO(r.text);
    CHECK(r.text.find("Restart after power loss: loaded the RDB snapshot in ") == 0);
    CHECK(Has(r.text, "  2 keys lost:\n    fresh: \"y\"\n"));
    CHECK(Has(r.text, "    new2 (db 3): \"n\"\n"));
    CHECK(Has(r.text, "  1 value went back:\n    counter: \"12\" -> \"10\"\n"));
    CHECK(Has(r.text, "  1 key came back after a DEL:\n    gone: \"x\"\n"));
    CHECK(Has(r.text, "  2 keys unchanged.\n"));
    // Each entry's note, when the diff has one, follows it.
    for (const KeyspaceDiff::Entry& e : r.diff.changed) {
      if (!e.note.empty()) CHECK(Has(r.text, "      " + e.note + "\n"));
    }
    CHECK(r.diff.lost_count == 2);
  }

  TEST_CASE("colour codes appear only when asked: red for lost keys, green for nothing lost") {
    auto lab = OpenLab({{"appendonly", "no"}, {"save", ""}});
    Run(*lab, {"SET a 1"});
    Restarted r = CrashAndRestart(*lab, CrashKind::kPower);
    const std::string color = RecoveryText(r.report, &r.diff, r.cause, true);
    CHECK(Has(color, "\x1b[31m1 key lost:\x1b[0m"));
    CHECK_FALSE(Has(r.text, "\x1b"));
    Run(*lab, {"SET b 2", "SAVE"});
    Restarted same = CrashAndRestart(*lab, CrashKind::kPower);
    CHECK(Has(RecoveryText(same.report, &same.diff, same.cause, true),
              "\x1b[32mNothing lost: the one key came back as it was.\x1b[0m"));
  }

  TEST_CASE("a torn tail is reported with the bytes cut from it") {
    // Seeds decide which unsynced sectors survive; find one that tears a
    // command in half (the report says how many bytes were cut).
    for (uint64_t seed = 1; seed < 200; ++seed) {
      auto lab = OpenLab({{"appendonly", "yes"}, {"appendfsync", "no"}, {"save", ""}});
      lab->Tick(kStartMs + 1000);  // the first rewrite is done and durable
      for (int i = 0; i < 40; ++i)
        Run(*lab, {"SET key:" + std::to_string(i) + " " + std::string(50, 'v')});
      Restarted r = CrashAndRestart(*lab, CrashKind::kPowerTorn, seed);
      for (const RecoveryReport::File& f : r.report.files) {
        if (f.truncated_bytes == 0) continue;
        INFO(r.text);
        CHECK(r.text.find("Restart after power loss with torn writes") == 0);
        CHECK(Has(r.text, "     cut " + std::to_string(f.truncated_bytes) +
                              " bytes of a torn tail (an incomplete last command)\n"));
        return;
      }
    }
    FAIL("no seed below 200 tore a command");
  }

  TEST_CASE("a failed load shows the error and no diff") {
    RecoveryReport report;
    report.source = "aof";
    report.error = "Bad file format reading the append only file appendonly.aof.1.incr.aof";
    report.warnings = {"a warning"};
    KeyspaceDiff diff;
    diff.lost_count = 5;
    const std::string text = RecoveryText(report, &diff, "power loss", false);
    CHECK(text ==
          "Restart after power loss: loading failed.\n"
          "  warning: a warning\n"
          "  error: Bad file format reading the append only file appendonly.aof.1.incr.aof\n"
          "  Redis did not start; the files are as it found them.\n");
  }

  TEST_CASE("the first start and a clean restart have their own headline") {
    RecoveryReport empty;
    CHECK(RecoveryText(empty, nullptr, "", false) ==
          "Startup: nothing on disk to load, Redis started empty.\n"
          "  0 keys in memory after loading.\n");
    auto lab = OpenLab({{"save", "3600 1"}});
    Run(*lab, {"SET a 1"});
    RecoveryReport report;
    KeyspaceDiff diff;
    REQUIRE(lab->Restart(&report, &diff).ok());  // SHUTDOWN saves: nothing lost
    const std::string text = RecoveryText(report, &diff, "restart", false);
    CHECK(text.find("Clean restart: loaded the RDB snapshot in ") == 0);
    CHECK(Has(text, "Nothing lost: the one key came back as it was."));
  }

  TEST_CASE("broken promises come first, in red, with their reasons") {
    RecoveryReport report;
    report.source = "aof";
    report.keys_after = 1;
    KeyspaceDiff diff;
    KeyspaceDiff::Entry lost{0, "order:7", "string", "\"paid\"", "", ""};
    diff.lost = {lost};
    diff.lost_count = 1;
    diff.broken = {{KeyspaceDiff::Change::kLost, lost, "written 12.4 s before the power loss"}};
    diff.broken_count = 3;  // more than listed
    diff.unchanged_count = 1;
    LossPromise promise;
    promise.kind = LossPromise::Kind::kNoLoss;
    promise.policy = "appendfsync always";
    promise.sentence = "no acknowledged write is lost.";
    diff.promise = promise;
    const std::string text = RecoveryText(report, &diff, "power loss", false);
    INFO(text);
    const size_t broken = text.find(
        "  BROKEN PROMISE: 3 changes the policy (appendfsync always) does not allow:\n"
        "    lost order:7: \"paid\"\n"
        "      written 12.4 s before the power loss\n"
        "    ... and 2 more\n");
    REQUIRE(broken != std::string::npos);
    CHECK(broken < text.find("1 key lost:"));
    CHECK(Has(text, "  Promise: no acknowledged write is lost.\n"));
    CHECK_FALSE(Has(text, "All within"));
    const std::string color = RecoveryText(report, &diff, "power loss", true);
    CHECK(Has(color, "\x1b[1;31mBROKEN PROMISE: 3 changes"));
  }

  TEST_CASE("long lists end with how many more there are") {
    RecoveryReport report;
    report.source = "rdb";
    KeyspaceDiff diff;
    diff.lost = {{0, "a", "string", "\"1\"", "", ""}, {0, "b c", "string", "\"2\"", "", ""}};
    diff.lost_count = 250;
    const std::string text = RecoveryText(report, &diff, "power loss", false);
    CHECK(Has(text, "  250 keys lost:\n    a: \"1\"\n    \"b c\": \"2\"\n    ... and 248 more\n"));
    // A terminal gets a summary: 20 entries, however many the diff lists.
    diff.lost.assign(KeyspaceDiff::kMaxListed, {0, "k", "string", "\"v\"", "", ""});
    const std::string capped = RecoveryText(report, &diff, "power loss", false);
    size_t shown = 0;
    for (size_t at = capped.find("    k: "); at != std::string::npos;
         at = capped.find("    k: ", at + 1)) {
      ++shown;
    }
    CHECK(shown == 20);
    CHECK(Has(capped, "    ... and 230 more\n"));
  }

  TEST_CASE("the file list shows written and durable bytes and what a power loss would drop") {
    auto lab = OpenLab({{"appendonly", "yes"}, {"appendfsync", "everysec"}, {"save", ""}});
    lab->Tick(kStartMs + 1000);
    Run(*lab, {"SET k " + std::string(100, 'x')});
    CHECK(lab->disk().CreateDir("scratch").ok());
    {
      Result<std::unique_ptr<WritableFile>> f = lab->disk().OpenWritable("scratch/new.tmp", true);
      REQUIRE(f.ok());
      CHECK((*f)->Append("abc").ok());
    }
    const std::vector<Lab::FileEntry> files = lab->Files();
    const std::string text = FilesText(files, false);
    INFO(text);
    for (const Lab::FileEntry& f : files) {
      const size_t at = text.find("  " + f.name + " ");
      REQUIRE(at != std::string::npos);
      const std::string row = text.substr(at, text.find('\n', at) - at);
      CHECK(Has(row, " " + std::to_string(f.written) + " "));
      CHECK(Has(row, std::to_string(f.durable)));
      if (f.written > f.durable) {
        CHECK(Has(row, std::to_string(f.written - f.durable) + " bytes not durable"));
      }
      CHECK(Has(row, "name not durable") == !f.entry_durable);
    }
    CHECK(Has(text, "  scratch/new.tmp "));
    const std::string color = FilesText(files, true);
    CHECK(Has(color, "\x1b[33m3 bytes not durable; name not durable"));
    CHECK_FALSE(Has(color, "\x1b[33m\x1b[0m"));  // no empty styled runs
    CHECK(FilesText({}, false) == "No files: nothing has been written to disk yet.\n");
  }

  TEST_CASE("the clock text gives the virtual time and whether it runs") {
    CHECK(ClockText(kStartMs + 900250, false, 1) ==
          "Virtual time 2026-01-01 00:15:00.250 UTC, running at 1x real time.\n");
    CHECK(ClockText(kStartMs, false, 0.5) ==
          "Virtual time 2026-01-01 00:00:00.000 UTC, running at 0.5x real time.\n");
    CHECK(ClockText(kStartMs, true, 10) ==
          "Virtual time 2026-01-01 00:00:00.000 UTC, paused (.clock play resumes it).\n");
  }

  TEST_CASE("the crash, down and help texts say what to do next") {
    for (CrashKind kind : {CrashKind::kProcess, CrashKind::kPower, CrashKind::kPowerTorn}) {
      const std::string text = CrashText(kind);
      CHECK(Has(text, ".restart"));
      CHECK(text.back() == '\n');
    }
    CHECK(NotConnectedText("power loss") ==
          "Could not connect: the server is down (power loss). Type .restart to start it.\n");
    const std::string help = DotHelpText(false);
    for (const DotVerbInfo& v : DotVerbs()) {
      CHECK(Has(help, "  " + std::string(v.name)));
      CHECK(Has(help, "      " + std::string(v.summary) + "\n"));
    }
    CHECK(Has(DotHelpText(true), "\x1b[1m.crash\x1b[0m process|power|torn [SEED]\n"));
  }
}

}  // namespace
}  // namespace plab
