// CommandTable: every command PersistLab knows, in the registry the server
// dispatches through (CommandRegistry, core/server/command_spec.h: lookup by
// name, case-insensitive, with container commands holding subcommands).
// The table sits above the server: Engine builds one and hands it to its
// Server, which never sees the families themselves.
//
// Each command family registers itself through one function (below), one
// .cc file per family like Redis's t_string.c / t_list.c and Dragonfly's
// string_family.cc.
#pragma once

#include "core/cmd/command.h"

namespace plab {

class CommandTable final : public CommandRegistry {
 public:
  // Builds the table with every family registered.
  CommandTable();
};

// Family registration, one per file in core/cmd/.
void RegisterConnectionCommands(CommandTable& t);   // connection_cmds.cc
void RegisterServerCommands(CommandTable& t);       // server_cmds.cc
void RegisterKeyCommands(CommandTable& t);          // key_cmds.cc
void RegisterStringCommands(CommandTable& t);       // string_cmds.cc
void RegisterListCommands(CommandTable& t);         // list_cmds.cc
void RegisterHashCommands(CommandTable& t);         // hash_cmds.cc
void RegisterSetCommands(CommandTable& t);          // set_cmds.cc
void RegisterZSetCommands(CommandTable& t);         // zset_cmds.cc
void RegisterMemoryCommands(CommandTable& t);       // memory_cmds.cc
void RegisterLcsCommand(CommandTable& t);           // lcs_cmd.cc
void RegisterMPopCommands(CommandTable& t);         // mpop_cmds.cc (LMPOP, ZMPOP)
void RegisterZSetSetOpCommands(CommandTable& t);    // zset_setop_cmds.cc
void RegisterSwapDbCommand(CommandTable& t);        // swapdb_cmd.cc
void RegisterPersistenceCommands(CommandTable& t);  // persistence_cmds.cc

}  // namespace plab
