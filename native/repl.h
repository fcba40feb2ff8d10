// The `plab` command-line client: an embedded engine driven the way
// redis-cli drives a server.
//   - stdin a terminal: interactive REPL with a redis-cli-like prompt
//     ("plab> ", "plab[2]> " after SELECT 2, "plab(TX)> " inside MULTI),
//     libedit line editing and ~/.plab_history;
//   - stdin a pipe: each line is a command, no prompt (like
//     `redis-cli < script.txt`);
//   - -e COMMAND (repeatable): run those commands and exit.
// Replies print like redis-cli: its terminal formatting when stdout is a
// terminal, raw values when stdout is a pipe (--raw / --no-raw override).
#pragma once

#include <string>
#include <vector>

namespace plab {

struct CliOptions {
  enum class Output { kAuto, kTty, kRaw };
  Output output = Output::kAuto;
  std::vector<std::string> commands;  // from -e; empty: read stdin
};

// Returns the process exit code.
int RunCli(const CliOptions& options);

}  // namespace plab
