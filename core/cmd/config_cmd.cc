// CONFIG GET | SET | RESETSTAT | HELP, as Redis 7.0's config.c replies them.
// The parameter table and parsing rules live in core/server/config_registry.
#include <span>
#include <string>
#include <vector>

#include "core/cmd/server_family.h"
#include "core/server/config_registry.h"
#include "core/server/server.h"

namespace plab {
namespace {

void ConfigGet(CommandContext& ctx) {
  std::vector<std::string> patterns(ctx.argv.begin() + 2, ctx.argv.end());
  auto pairs = GetConfigParams(ctx.server.config(), patterns);
  ctx.reply.MapHeader(pairs.size());  // a map in RESP3 (addReplyMapLen)
  for (const auto& [name, value] : pairs) {
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(value);
  }
}

// What a changed parameter means for state outside the Config struct.
void ApplyConfigChange(Server& server, const Config& before) {
  const Config& now = server.config();
  // Redis authenticates every connection made while the default user had no
  // password, and setting one later does not log them out.
  if (before.requirepass.empty() && !now.requirepass.empty()) {
    for (const auto& [id, client] : server.clients()) client->authenticated = true;
  }
  if (before.proto_max_bulk_len != now.proto_max_bulk_len) {
    for (const auto& [id, client] : server.clients()) {
      client->parser.set_limits(ParserLimits{.max_bulk_len = now.proto_max_bulk_len});
    }
  }
}

void ConfigSetCmd(CommandContext& ctx) {
  if (ctx.argv.size() % 2 != 0) return ctx.Syntax();
  const Config before = ctx.server.config();
  Status s = ConfigSet(&ctx.server.config(),
                       std::span<const std::string>(ctx.argv.data() + 2, ctx.argv.size() - 2));
  if (!s.ok()) return ctx.reply.Error("ERR " + s.message());
  ApplyConfigChange(ctx.server, before);
  // updateAppendonly(): turning the AOF on starts a rewrite first.
  if (before.appendonly != ctx.server.config().appendonly) {
    if (!ctx.server.config().appendonly) {
      ctx.server.aof().Disable();
    } else if (!ctx.server.aof().Enable().ok()) {
      ctx.server.config().appendonly = false;
      return ctx.reply.Error(
          "ERR CONFIG SET failed (possibly related to argument 'appendonly') - Unable to turn on "
          "AOF. Check server logs.");
    }
  }
  ctx.reply.Ok();
}

void ConfigResetStat(CommandContext& ctx) {
  ResetStats(ctx.server);
  ctx.reply.Ok();
}

void ConfigHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply, "CONFIG",
            {"GET <pattern>",
             "    Returns every parameter whose name matches the glob <pattern>, with its value.",
             "SET <directive> <value>",
             "    Changes the parameter <directive> to <value>; several pairs may be given.",
             "RESETSTAT", "    Clears the counters that INFO reports."});
}

// CONFIG with no subcommand never gets here (arity -2 needs one); kept so
// the container has a handler like every other spec.
void ConfigContainer(CommandContext& ctx) { ConfigHelp(ctx); }

}  // namespace

void ResetStats(Server& server) {
  ServerStats& stats = server.stats();
  ServerStats fresh;
  fresh.start_time_us = stats.start_time_us;
  fresh.last_sample_time_ms = server.clock().NowMillis();
  fresh.used_memory_peak = stats.used_memory_peak;  // Redis keeps the peak too
  stats = std::move(fresh);
  server.keyspace().stats() = KeyspaceStats{};
}

CommandSpec MakeConfigCommand() {
  constexpr uint32_t kAdmin = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;
  CommandSpec config =
      MakeSpec("config", -2, 0, ConfigContainer, "server", "2.0.0", "<subcommand> [arg ...]",
               "Container for commands that read and change server parameters.");
  config.subcommands.push_back(MakeSpec("get", -3, kAdmin, ConfigGet, "server", "2.0.0",
                                        "parameter [parameter ...]",
                                        "Returns the values of parameters matching patterns."));
  config.subcommands.push_back(MakeSpec(
      "set", -4, kAdmin, ConfigSetCmd, "server", "2.0.0", "parameter value [parameter value ...]",
      "Changes one or more parameters at runtime, all of them or none."));
  config.subcommands.push_back(MakeSpec("resetstat", 2, kAdmin, ConfigResetStat, "server", "2.0.0",
                                        "", "Clears the statistics INFO reports."));
  config.subcommands.push_back(MakeSpec("help", 2, kCmdLoading | kCmdStale, ConfigHelp, "server",
                                        "5.0.0", "", "Describes the CONFIG subcommands."));
  return config;
}

}  // namespace plab
