// HELP at a PersistLab prompt: command documentation from the CommandTable,
// laid out like redis-cli's client-side `help <command>` (name and
// arguments, then summary, since and group), so the same muscle memory works
// in plab. One implementation for both prompts: the native REPL and the
// browser terminal (wasm: Lab.helpText) print exactly this text.
#pragma once

#include <string>
#include <vector>

#include "core/cmd/command_table.h"

namespace plab {

// Text for `HELP topic...`:
//   - no topic: how to use help, the lab's dot-commands (.help) and how to
//     leave; host-neutral (a host adds what is true only for it, such as
//     where its data lives);
//   - "@group": every command of that group (e.g. "@string");
//   - words: every command whose name starts with those words, so "config"
//     lists CONFIG and all its subcommands, "config get" just CONFIG GET.
// `color` adds the ANSI styling redis-cli uses (for terminals).
std::string FormatHelp(const CommandRegistry& table, const std::vector<std::string>& topic,
                       bool color);

}  // namespace plab
