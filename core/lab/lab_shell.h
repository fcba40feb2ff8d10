// LabShell: what a line typed at a PersistLab prompt means. One grammar for
// both prompts — the native REPL (`plab`) and the browser terminal (wasm:
// Lab.parseLine) — so a line means the same thing in each, and each host
// only dispatches what ParseShellLine decided.
//
// A line is one of:
//   - empty (blank, or only whitespace): nothing to do;
//   - a Redis command, split exactly like redis-cli splits what you type
//     (core/util/split_args.h: "double quotes" with \n \xHH escapes,
//     'single quotes'), with redis-cli's "N COMMAND" prefix that sends the
//     command N times. A line that cannot be split is invalid with
//     redis-cli's "Invalid argument(s)"; a bad N (0, negative, too big)
//     with "Invalid repeat command option value.";
//   - `help ...` or `? ...`: redis-cli's client-side HELP (never sent to the
//     server), with the topic words (core/cmd/help_text.h renders it);
//   - `clear` alone: clear the screen; `quit` / `exit` (any arguments):
//     leave — both as redis-cli handles them before sending anything;
//   - a dot-command: the lab's own verbs, never sent to Redis (DotCommand);
//   - invalid, with the one line to print.
// Matching redis-cli: command words are case-insensitive; the repeat
// prefix is checked only when more words follow ("5" alone is a command).
// Dot-command names and their words are case-insensitive too.
//
// The dot-commands (DotHelpText() prints this list for users):
//   .crash process|power|torn [SEED]   pull the plug (core/io/crash_kind.h);
//                                      SEED only for torn (which sectors
//                                      of the unsynced tails survive)
//   .restart                           start Redis again; print the report
//   .clock                             show the virtual clock
//   .clock +N(ms|s|m|h|d)              jump forward, e.g. +250ms +15m +1h
//   .clock pause | play | speed X      stop, resume, or run X times real time
//   .files  .report  .help             files on disk, last report, the list
//   .policy none|rdb [SECS CHANGES...]|aof [FSYNC]|hybrid [FSYNC]
//                                      the CONFIG SET commands for a policy
//
// .policy resolves to real Redis commands, which the host prints as if
// typed and then runs, so people learn the parameters:
//   none    CONFIG SET appendonly no, CONFIG SET save ""
//   rdb     CONFIG SET appendonly no, CONFIG SET save "3600 1 300 100 60 10000"
//           (Redis's default save points; `.policy rdb 60 1` gives others)
//   aof     CONFIG SET save "", CONFIG SET aof-use-rdb-preamble no,
//           CONFIG SET appendfsync F, CONFIG SET appendonly yes
//   hybrid  the same with aof-use-rdb-preamble yes
// F is always, everysec (the default) or no. Order matters: `CONFIG SET
// appendonly yes` starts the first rewrite, which writes the BASE file in
// the format aof-use-rdb-preamble says at that moment, so it comes last.
// Switching between aof and hybrid while the AOF is already on changes only
// aof-use-rdb-preamble; Redis keeps the current BASE file until the next
// rewrite. The parse result does not know the server's state, so instead
// of guessing it carries a `note` saying so (and that BGREWRITEAOF applies
// the new format now); hosts print it after the commands.
//
// JSON (ShellLineJson, for the browser; stable field names):
//   {"kind":"empty"}  {"kind":"clear"}  {"kind":"quit"}
//   {"kind":"command","argv":[ARG,...],"repeat":N}
//   {"kind":"help","topic":[ARG,...]}
//   {"kind":"invalid","message":"..."}
//   {"kind":"dot","verb":"crash","crash":"process|power|torn"[,"seed":N],
//    "text":"what happened, one line"}
//   {"kind":"dot","verb":"restart"|"files"|"report"|"help"}
//   {"kind":"dot","verb":"clock","action":"show|pause|play"}
//   {"kind":"dot","verb":"clock","action":"advance","ms":900000}
//   {"kind":"dot","verb":"clock","action":"speed","speed":10}
//   {"kind":"dot","verb":"policy","policy":"none|rdb|aof|hybrid",
//    "fsync":"everysec" (aof, hybrid), "save":"3600 1 ..." (rdb),
//    "commands":[["CONFIG","SET","save",""],...],
//    "lines":["CONFIG SET save \"\"",...]   (each command as typed),
//    "note":"..." (aof, hybrid: the BASE-format note above)}
// ARG is a JSON string when the argument is valid UTF-8, else
// {"hex":"ff00..."} (two lowercase hex digits per byte), so binary input
// like "\xff" reaches the engine byte for byte (a browser passes it as a
// Uint8Array). Other strings (messages) replace invalid UTF-8 with U+FFFD.
//
// Portable: no OS calls; no iostreams or regex (the wasm download budget).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/crash_kind.h"

namespace plab {

class Lab;

// The persistence policies .policy knows, by the names it takes.
enum class PersistPolicy { kNone, kRdb, kAof, kHybrid };

struct DotCommand {
  enum class Verb { kCrash, kRestart, kClock, kFiles, kReport, kHelp, kPolicy };
  enum class ClockAction { kShow, kAdvance, kPause, kPlay, kSpeed };

  Verb verb = Verb::kHelp;

  // kCrash. No seed (has_seed false): the host picks one (and may say
  // which).
  CrashKind crash = CrashKind::kProcess;
  bool has_seed = false;
  uint64_t seed = 0;

  // kClock.
  ClockAction clock = ClockAction::kShow;
  int64_t advance_ms = 0;  // kAdvance: > 0
  double speed = 1;        // kSpeed: > 0

  // kPolicy: the policy and its knob (PolicyCommands gives the commands).
  PersistPolicy policy = PersistPolicy::kNone;
  std::string_view fsync;  // aof, hybrid: "always", "everysec" or "no"
  std::string save;        // rdb: the save points, e.g. "60 1"
};

// The CONFIG SET commands a .policy resolves to, in the order to run them.
// REQUIRES: dot.verb == kPolicy.
std::vector<std::vector<std::string>> PolicyCommands(const DotCommand& dot);
// What hosts print after those commands: the BASE-format note for aof and
// hybrid (see the top), "" for none and rdb.
std::string_view PolicyNote(const DotCommand& dot);

struct ShellLine {
  enum class Kind { kEmpty, kCommand, kHelp, kClear, kQuit, kDot, kInvalid };

  Kind kind = Kind::kEmpty;
  // kCommand: the command's words; kHelp: the topic words after help/?.
  std::vector<std::string> argv;
  int64_t repeat = 1;   // kCommand: how many times to send it
  DotCommand dot;       // kDot
  std::string message;  // kInvalid: the line to print (no newline)
};

ShellLine ParseShellLine(std::string_view line);

// The parse result as JSON (shapes above).
std::string ShellLineJson(const ShellLine& line);

// The dot-commands for people and completers: the name (".crash"), a hint
// of its arguments ("process|power|torn [SEED]", "" for none) and what it
// does in a few words. .help prints them; terminals complete and hint
// with them.
struct DotVerbInfo {
  std::string_view name;
  std::string_view hint;
  std::string_view summary;
};
const std::vector<DotVerbInfo>& DotVerbs();
// DotVerbs() as JSON: [{"name":".crash","hint":"...","summary":"..."},...].
std::string DotVerbsJson();
// For TAB after a dot-command: the words that may follow it (".crash" ->
// power, process, torn; empty for verbs without words).
std::vector<std::string_view> DotCommandWords(std::string_view verb);

// An argv as one would type it at the prompt: words that SplitArgs would
// not give back as they are (empty, blanks, quotes, control bytes) are
// double-quoted with escapes. SplitArgs(FormatCommandLine(argv)) == argv.
std::string FormatCommandLine(const std::vector<std::string>& argv);

// redis-cli's prompt, with "plab" where redis-cli shows host:port:
//   "plab> ", "plab[2]> " (after SELECT 2), "plab(TX)> " and
//   "plab[2](TX)> " inside MULTI; "not connected> " when the server is
//   down (what redis-cli shows once its server is gone).
std::string CliPrompt(bool connected, int db, bool in_multi);
// The prompt for the lab's client (RunBatch's client) in the lab's state.
std::string LabPrompt(Lab& lab);

// The pace of a lab's virtual clock as the user sets it with .clock: it
// runs at `speed` times real time from a base point, or stands still while
// paused; jumps add to it. Hosts call Now() with their real (monotonic)
// time before each line and Tick() the lab to it. Times in milliseconds.
class ShellClock {
 public:
  ShellClock(int64_t virtual_ms, int64_t real_ms)
      : base_virtual_(virtual_ms), base_real_(real_ms) {}

  int64_t Now(int64_t real_ms) const;
  void Pause(int64_t real_ms);
  void Play(int64_t real_ms);
  // REQUIRES: speed > 0.
  void SetSpeed(double speed, int64_t real_ms);
  void Advance(int64_t ms) { base_virtual_ += ms; }

  bool paused() const { return paused_; }
  double speed() const { return speed_; }

 private:
  // Moves the base to `real_ms` so later changes apply from there on.
  void Rebase(int64_t real_ms);

  int64_t base_virtual_;
  int64_t base_real_;
  double speed_ = 1;
  bool paused_ = false;
};

}  // namespace plab
