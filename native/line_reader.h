// LineReader: where the REPL's input lines come from.
//   - EditLineReader (stdin is a terminal): libedit line editing, a prompt,
//     persistent history and TAB completion of command names, help topics
//     and the lab's dot-commands.
//   - StreamLineReader (stdin is a pipe or file): plain lines, no prompt, as
//     redis-cli reads a piped script.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace plab {

class LineReader {
 public:
  virtual ~LineReader() = default;
  // The next line without its newline, or nullopt at end of input (EOF,
  // Ctrl-D).
  virtual std::optional<std::string> Read(const std::string& prompt) = 0;
  // Remembers an entered line (no-op where there is no history).
  virtual void AddHistory(const std::string& /*line*/) {}
};

// `history_file` empty: in-memory history only. TAB completes command names
// at the start of a line, help topics after "help ", dot-command names
// (".cr" -> ".crash") and their first word (".crash p" -> power, process).
std::unique_ptr<LineReader> NewEditLineReader(std::string history_file);

std::unique_ptr<LineReader> NewStreamLineReader(FILE* in);

// $PLAB_HISTFILE if set ("/dev/null" or "" disables saving), else
// ~/.plab_history; empty when there is no home directory.
std::string DefaultHistoryFile();

}  // namespace plab
