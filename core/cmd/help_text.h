// The REPL's HELP: command documentation from the CommandTable, laid out like
// redis-cli's `help <command>` (name and arguments, then summary, since and
// group), so the same muscle memory works in plab.
#pragma once

#include <string>
#include <vector>

#include "core/cmd/command_table.h"

namespace plab {

// Text for `HELP topic...`:
//   - no topic: how to use help and leave the REPL;
//   - "@group": every command of that group (e.g. "@string");
//   - words: every command whose name starts with those words, so "config"
//     lists CONFIG and all its subcommands, "config get" just CONFIG GET.
// `color` adds the ANSI styling redis-cli uses (for terminals).
std::string FormatHelp(const CommandTable& table, const std::vector<std::string>& topic,
                       bool color);

}  // namespace plab
