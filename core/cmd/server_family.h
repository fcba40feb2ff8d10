// The server-administration family (server_cmds.cc registers it): CONFIG,
// INFO, TIME, COMMAND and CLIENT. Each container command is built in its own
// file; this header is internal to those files.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/cmd/command.h"

namespace plab {

CommandSpec MakeConfigCommand();        // config_cmd.cc
CommandSpec MakeCommandCommand();       // command_cmd.cc
CommandSpec MakeClientCommand();        // client_cmds.cc
void InfoCommand(CommandContext& ctx);  // info_cmd.cc

// The INFO text for `sections` (INFO's arguments: names, "all",
// "everything", "default"; empty means "default"), exactly as INFO replies
// it. Sections are case-insensitive; unknown names are ignored.
std::string GenerateInfo(Server& server, const std::vector<std::string>& sections);

// CONFIG RESETSTAT: zeroes the counters INFO reports (resetServerStats(),
// resetCommandTableStats(), resetErrorTableStats()), keeping start time.
void ResetStats(Server& server);

// addReplyHelp(): "<CMD> <subcommand> [<arg> [value] [opt] ...]. Subcommands
// are:", then `lines`, then the HELP entry, each as a simple string.
void ReplyHelp(ReplyBuilder& reply, std::string_view command,
               std::initializer_list<std::string_view> lines);

// What Redis's command table knows about a command beyond CommandSpec
// (command_meta.cc): every flag name COMMAND INFO prints (including
// blocking, movablekeys ... that CommandSpec has no bits for), the ACL
// categories and the command tips.
struct CommandMeta {
  std::vector<std::string_view> flags;       // in addReplyFlagsForCommand() order
  std::vector<std::string_view> categories;  // "@read" ..., in ACL category order
  std::vector<std::string_view> tips;        // "nondeterministic_output" ...
  bool movable_keys = false;
};
CommandMeta DescribeCommand(const CommandSpec& spec);

// COMMAND DOCS "arguments": the syntax string ("key value [NX | XX]") as
// Redis's argument tree (name, type, token, flags, nested arguments), which
// redis-cli turns back into its command-line hints (command_docs.cc).
// REQUIRES: !syntax.empty().
void ReplyDocArguments(ReplyBuilder& reply, std::string_view syntax);

}  // namespace plab
