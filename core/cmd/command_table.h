// CommandTable: every command PersistLab knows, looked up case-insensitively
// by name, with container commands (CONFIG, CLIENT, COMMAND, OBJECT) holding
// their subcommands like Redis 7.0's command table does.
//
// Each command family registers itself through one function (below), one
// .cc file per family like Redis's t_string.c / t_list.c and Dragonfly's
// string_family.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/cmd/command.h"

namespace plab {

class CommandTable {
 public:
  // Builds the table with every family registered.
  CommandTable();

  void Add(CommandSpec spec);

  // The command named by argv[0] (and argv[1] for containers), or nullptr.
  // For a container whose subcommand is unknown, returns nullptr and sets
  // *unknown_subcommand.
  const CommandSpec* Lookup(const std::vector<std::string>& argv,
                            bool* unknown_subcommand) const;
  // The top-level command by name (case-insensitive), or nullptr.
  const CommandSpec* Find(std::string_view name) const;

  // All top-level commands, in registration order.
  const std::vector<std::unique_ptr<CommandSpec>>& all() const { return specs_; }
  // Number of distinct CommandSpec::id values (commands + subcommands).
  size_t id_count() const { return next_id_; }

 private:
  std::vector<std::unique_ptr<CommandSpec>> specs_;
  size_t next_id_ = 0;
  // Transparent hashing: lookups by string_view without allocating.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, const CommandSpec*, NameHash, std::equal_to<>> by_name_;
};

// Family registration, one per file in core/cmd/.
void RegisterConnectionCommands(CommandTable& t);  // connection_cmds.cc
void RegisterServerCommands(CommandTable& t);      // server_cmds.cc
void RegisterKeyCommands(CommandTable& t);         // key_cmds.cc
void RegisterStringCommands(CommandTable& t);      // string_cmds.cc
void RegisterListCommands(CommandTable& t);        // list_cmds.cc
void RegisterHashCommands(CommandTable& t);        // hash_cmds.cc
void RegisterSetCommands(CommandTable& t);         // set_cmds.cc
void RegisterZSetCommands(CommandTable& t);        // zset_cmds.cc
void RegisterMemoryCommands(CommandTable& t);      // memory_cmds.cc
void RegisterLcsCommand(CommandTable& t);          // lcs_cmd.cc
void RegisterMPopCommands(CommandTable& t);        // mpop_cmds.cc (LMPOP, ZMPOP)
void RegisterZSetSetOpCommands(CommandTable& t);   // zset_setop_cmds.cc
void RegisterSwapDbCommand(CommandTable& t);       // swapdb_cmd.cc
void RegisterPersistenceCommands(CommandTable& t); // persistence_cmds.cc

}  // namespace plab
