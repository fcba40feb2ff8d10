// Server administration: TIME, INFO, CONFIG, COMMAND and CLIENT (server.c,
// config.c, networking.c in Redis 7.0). The big containers live in their own
// files (config_cmd.cc, command_cmd.cc, client_cmds.cc, info_cmd.cc); this
// file registers them and holds what they share.
#include "core/cmd/command_table.h"
#include "core/cmd/server_family.h"
#include "core/server/server.h"

namespace plab {
namespace {

// TIME: the engine clock (never the OS directly), as two bulk strings:
// Unix seconds and the microseconds within that second, like timeCommand().
void Time(CommandContext& ctx) {
  const int64_t now = ctx.server.clock().NowMicros();
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(now / 1000000));
  ctx.reply.Bulk(std::to_string(now % 1000000));
}

}  // namespace

void ReplyHelp(ReplyBuilder& reply, std::string_view command,
               std::initializer_list<std::string_view> lines) {
  reply.ArrayHeader(lines.size() + 3);
  reply.Simple(std::string(command) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : lines) reply.Simple(line);
  reply.Simple("HELP");
  reply.Simple("    Prints this help.");
}

void RegisterServerCommands(CommandTable& t) {
  t.Add(MakeSpec("time", 1, kCmdLoading | kCmdStale | kCmdFast, Time, "server", "2.6.0", "",
                 "Reports the server's clock: Unix seconds and microseconds."));
  t.Add(MakeSpec("info", -1, kCmdLoading | kCmdStale, InfoCommand, "server", "1.0.0",
                 "[section [section ...]]",
                 "Reports server facts and counters, grouped into sections."));
  t.Add(MakeConfigCommand());
  t.Add(MakeCommandCommand());
  t.Add(MakeClientCommand());
}

}  // namespace plab
