// What every command family file needs: the server's command interface
// (CommandSpec, CommandContext: core/server/command_spec.h), case-folding
// for option words (EX, NX, WITHSCORES) and MakeSpec to register a command
// in one line.
#pragma once

#include "core/server/command_spec.h"
#include "core/util/ascii.h"

namespace plab {

// Builds a spec in one line; families use it in their Register* function.
inline CommandSpec MakeSpec(const char* name, int arity, uint32_t flags, CommandHandler handler,
                            const char* group, const char* since, const char* syntax,
                            const char* summary, int first_key = 0, int last_key = 0,
                            int key_step = 0) {
  CommandSpec s;
  s.name = name;
  s.arity = arity;
  s.flags = flags;
  s.handler = handler;
  s.group = group;
  s.since = since;
  s.syntax = syntax;
  s.summary = summary;
  s.first_key = first_key;
  s.last_key = last_key;
  s.key_step = key_step;
  return s;
}

}  // namespace plab
