// The `plab` command-line client: a lab (core/lab/lab.h: an engine on a
// virtual clock and a simulated disk) driven the way redis-cli drives a
// server, plus the lab's dot-commands (.crash, .restart, .clock, .files,
// .report, .policy, .help) — the same grammar and texts as the browser
// terminal (core/lab/lab_shell.h, lab_text.h).
//   - stdin a terminal: interactive REPL with a redis-cli-like prompt
//     ("plab> ", "plab[2]> " after SELECT 2, "plab(TX)> " inside MULTI,
//     "not connected> " while the lab's server is down), libedit line
//     editing, TAB completion (commands, help topics, dot-commands) and
//     ~/.plab_history;
//   - stdin a pipe: each line is a command, no prompt (like
//     `redis-cli < script.txt`);
//   - -e COMMAND (repeatable): run those commands and exit.
// Replies print like redis-cli: its terminal formatting when stdout is a
// terminal, raw values when stdout is a pipe (--raw / --no-raw override).
// The virtual clock starts at the wall clock's time and runs in real time
// (before each line the lab is ticked to it) until .clock pauses, speeds
// or jumps it. The simulated disk lives in this process: its files survive
// .crash and .restart, not the end of plab.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace plab {

struct CliOptions {
  enum class Output { kAuto, kTty, kRaw };
  Output output = Output::kAuto;
  std::vector<std::string> commands;  // from -e; empty: read stdin
  // Redis parameters the lab starts with (--name value), like redis.conf;
  // a .restart keeps what CONFIG SET changed since (Lab::Restart).
  std::vector<std::pair<std::string, std::string>> config;
};

// Returns the process exit code.
int RunCli(const CliOptions& options);

}  // namespace plab
