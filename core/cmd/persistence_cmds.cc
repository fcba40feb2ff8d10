// SAVE, BGSAVE [SCHEDULE], BGREWRITEAOF, LASTSAVE and DEBUG (RELOAD, POPULATE,
// PANIC; rdb.c, aof.c, debug.c; and PersistLab's SIMULATE-CRASH).
// The work is RdbPersistence's; these handlers give Redis 7.0's replies.
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>

#include "core/cmd/command.h"
#include "core/cmd/command_table.h"
#include "core/server/server.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

// Replies once the pending foreground save is durable (or failed): the
// client waits like Redis's SAVE caller waits for rdbSave().
void ReplyWhenSaved(CommandContext& ctx, std::string ok_reply) {
  RdbPersistence* rdb = &ctx.server.rdb();
  ctx.client.blocked_on = [rdb, ok = std::move(ok_reply)](ReplyBuilder& reply) {
    if (rdb->foreground_pending()) return false;
    if (rdb->last_save_ok()) {
      reply.Simple(ok);
    } else {
      reply.Error("ERR");
    }
    return true;
  };
}

void Save(CommandContext& ctx) {
  RdbPersistence& rdb = ctx.server.rdb();
  if (rdb.bgsave_in_progress() || rdb.foreground_pending()) {
    return ctx.reply.Error("ERR Background save already in progress");
  }
  rdb.CountSaveCommand();
  switch (rdb.Save()) {
    case RdbPersistence::Outcome::kOk:
      return ctx.reply.Ok();
    case RdbPersistence::Outcome::kFailed:
      return ctx.reply.Error("ERR");  // shared.err: details are in the log
    case RdbPersistence::Outcome::kPending:
      return ReplyWhenSaved(ctx, "OK");
  }
}

void BgSave(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argv.size() > 1) {
    if (ctx.argv.size() == 2 && EqualsIgnoreCase(ctx.argv[1], "schedule")) {
      schedule = true;
    } else {
      return ctx.Syntax();
    }
  }
  RdbPersistence& rdb = ctx.server.rdb();
  if (rdb.bgsave_in_progress()) {
    return ctx.reply.Error("ERR Background save already in progress");
  }
  // Inside EXEC Redis never forks: it schedules the save for the next cron.
  // A foreground save still waiting on the disk plays the AOF rewrite's part
  // of "another child process is active".
  if (ctx.client.in_multi || rdb.foreground_pending() || ctx.server.aof().rewrite_in_progress()) {
    if (schedule || ctx.client.in_multi) {
      rdb.ScheduleBackgroundSave();
      return ctx.reply.Simple("Background saving scheduled");
    }
    return ctx.reply.Error(
        "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
        "SCHEDULE in order to schedule a BGSAVE whenever possible.");
  }
  if (!rdb.StartBackgroundSave().ok()) return ctx.reply.Error("ERR");
  ctx.reply.Simple("Background saving started");
}

// bgrewriteaofCommand(): one rewrite at a time; while another "child" runs
// (a BGSAVE) or inside MULTI it is scheduled for cron instead.
void BgRewriteAof(CommandContext& ctx) {
  AofPersistence& aof = ctx.server.aof();
  if (aof.rewrite_in_progress()) {
    return ctx.reply.Error("ERR Background append only file rewriting already in progress");
  }
  if (ctx.server.HasActiveChild() || ctx.client.in_multi) {
    aof.ScheduleRewrite();
    return ctx.reply.Simple("Background append only file rewriting scheduled");
  }
  if (!aof.StartRewrite().ok()) {
    return ctx.reply.Error(
        "ERR Can't execute an AOF background rewriting. Please check the server logs for more "
        "information.");
  }
  ctx.reply.Simple("Background append only file rewriting started");
}

void LastSave(CommandContext& ctx) { ctx.reply.Integer(ctx.server.rdb().info().last_save_time_s); }

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load the file back.
// MERGE is accepted for compatibility; with NOFLUSH the loaded keys replace
// existing ones of the same name instead of being refused as duplicates.
void DebugReload(CommandContext& ctx) {
  bool flush = true, save = true;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    const std::string& opt = ctx.argv[i];
    if (EqualsIgnoreCase(opt, "merge")) {
    } else if (EqualsIgnoreCase(opt, "noflush")) {
      flush = false;
    } else if (EqualsIgnoreCase(opt, "nosave")) {
      save = false;
    } else {
      return ctx.reply.Error(
          "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
    }
  }
  Server& server = ctx.server;
  RdbPersistence& rdb = server.rdb();
  const RdbPersistence::Outcome saved = save ? rdb.Save() : RdbPersistence::Outcome::kOk;
  if (saved == RdbPersistence::Outcome::kFailed) return ctx.reply.Error("ERR");
  // A save still waiting on an asynchronous disk has already handed its
  // bytes to the disk's page cache: Load() reads them back now, so no other
  // client's command runs between the save and the load (Redis does both in
  // one call); only the reply waits until the save is durable.
  Keyspace fresh;
  Result<RdbLoadResult> loaded = rdb.Load(&fresh);
  if (!loaded.ok()) {
    server.Log(LogLevel::kWarning, "Error loading the RDB dump: " + loaded.status().message());
    return ctx.reply.Error("ERR Error trying to load the RDB dump");
  }
  server.TouchAllWatchedInDb(-1);
  if (flush) {
    server.ReplaceKeyspace(std::move(fresh));
  } else {
    Keyspace& live = server.keyspace();
    for (int db = 0; db < Keyspace::kNumDbs; ++db) {
      fresh.mutable_keys(db).ForEachNode([&](Dict<Value>::Node* n) {
        const int64_t when = fresh.GetExpire(db, n->key);
        live.Set(db, n->key, std::move(n->value));
        if (when != Keyspace::kNoExpire) live.SetExpire(db, n->key, when);
      });
    }
  }
  server.Log(LogLevel::kWarning, "DB reloaded by DEBUG RELOAD");
  if (saved == RdbPersistence::Outcome::kPending) return ReplyWhenSaved(ctx, "OK");
  ctx.reply.Ok();
}

// DEBUG POPULATE count [prefix] [size]: `count` keys "<prefix>:<n>" (prefix
// "key") holding "value:<n>", or that text cut or zero-padded to `size`
// bytes. Existing keys are left alone. Like debug.c it doesn't count as
// changes for the save points.
void DebugPopulate(CommandContext& ctx) {
  auto count = ParseInt64(ctx.argv[2]);
  int64_t size = 0;
  if (ctx.argv.size() == 5) {
    auto v = ParseInt64(ctx.argv[4]);
    size = v.value_or(-1);
  }
  if (!count || *count < 0 || size < 0) {
    return ctx.reply.Error("ERR value is out of range, must be positive");
  }
  const std::string prefix = ctx.argv.size() >= 4 ? ctx.argv[3] : "key";
  Keyspace& ks = ctx.keyspace();
  for (int64_t i = 0; i < *count; ++i) {
    // debug.c formats the key into a 128-byte buffer: at most 127 bytes.
    std::string key = (prefix + ":" + std::to_string(i)).substr(0, 127);
    if (ks.Lookup(ctx.db(), key) != nullptr) continue;
    std::string value = "value:" + std::to_string(i);
    if (size > 0) value.resize(static_cast<size_t>(size), '\0');
    ks.Add(ctx.db(), key, Value::String(std::move(value), /*raw=*/false));
    ctx.server.TouchKey(ctx.db(), key);
  }
  ctx.reply.Ok();
}

// DEBUG PANIC: the engine dies on purpose, as Redis's serverPanic() does
// (it logs and aborts). The playground uses it to show that an engine
// crash loses only what was not durable, and the JS API's abort handling
// is tested with it.
[[noreturn]] void DebugPanic(CommandContext& ctx) {
  ctx.server.Log(LogLevel::kWarning, "DEBUG PANIC called at Unix time " +
                                         std::to_string(ctx.server.clock().NowMillis() / 1000));
  std::abort();
}

// "process, power or torn", from the one list of crash kinds.
std::string CrashKindList() {
  std::string out;
  for (size_t i = 0; i < std::size(kCrashKinds); ++i) {
    if (i > 0) out += i + 1 == std::size(kCrashKinds) ? " or " : ", ";
    out += CrashKindName(kCrashKinds[i]);
  }
  return out;
}

// DEBUG SIMULATE-CRASH process|power|torn [seed] | REPORT (PersistLab's
// own; Redis has no such subcommand). Only a host with a simulated disk
// can crash the engine (core/server/crash_simulator.h): the crash happens
// once this event-loop iteration is over, every client is disconnected,
// and the +OK written here is never delivered (a crash answers nothing;
// redis-cli prints "Server closed the connection"). Nothing the caller
// pipelined after it runs.
void DebugSimulateCrash(CommandContext& ctx) {
  CrashSimulator* simulator = ctx.server.crash_simulator();
  if (simulator == nullptr) {
    return ctx.reply.Error(
        "ERR DEBUG SIMULATE-CRASH needs a simulated disk: start the server with plab serve "
        "--simulated-disk DIR");
  }
  if (ctx.argv.size() == 3 && EqualsIgnoreCase(ctx.argv[2], "report")) {
    return ctx.reply.Verbatim(simulator->LastCrashReport());
  }
  std::string name = ctx.argv[2];
  const std::optional<CrashKind> kind = ParseCrashKind(LowerInPlace(name));
  if (!kind) {
    return ctx.reply.Error("ERR unknown crash kind '" + ctx.argv[2].substr(0, 128) + "' (" +
                           CrashKindList() + ", or REPORT)");
  }
  std::optional<uint64_t> seed;
  if (ctx.argv.size() == 4) {
    const std::optional<int64_t> n = ParseInt64(ctx.argv[3]);
    if (!n || *n < 0) return ctx.reply.Error("ERR seed must be a non-negative integer");
    seed = static_cast<uint64_t>(*n);
  }
  simulator->RequestCrash(*kind, seed);
  ctx.client.close_after_reply = true;
  ctx.reply.Ok();
}

void Debug(CommandContext& ctx) {
  if (EqualsIgnoreCase(ctx.argv[1], "reload")) return DebugReload(ctx);
  if (EqualsIgnoreCase(ctx.argv[1], "simulate-crash") && ctx.argv.size() >= 3 &&
      ctx.argv.size() <= 4) {
    return DebugSimulateCrash(ctx);
  }
  if (EqualsIgnoreCase(ctx.argv[1], "panic") && ctx.argv.size() == 2) DebugPanic(ctx);
  if (EqualsIgnoreCase(ctx.argv[1], "populate") && ctx.argv.size() >= 3 && ctx.argv.size() <= 5) {
    return DebugPopulate(ctx);
  }
  // addReplySubcommandSyntaxError().
  ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                  ctx.argv[1].substr(0, 128) + "'. Try DEBUG HELP.");
}

}  // namespace

void RegisterPersistenceCommands(CommandTable& t) {
  t.Add(MakeSpec("save", 1, kCmdAdmin | kCmdNoScript | kCmdNoMulti, Save, "server", "1.0.0", "",
                 "Writes the dataset to dump.rdb now, blocking until it is durable."));
  t.Add(MakeSpec("bgsave", -1, kCmdAdmin | kCmdNoScript, BgSave, "server", "1.0.0", "[SCHEDULE]",
                 "Writes the dataset to dump.rdb in the background, as of this moment."));
  t.Add(MakeSpec("bgrewriteaof", 1, kCmdAdmin | kCmdNoScript, BgRewriteAof, "server", "1.0.0", "",
                 "Rewrites the append-only file in the background, as of this moment."));
  t.Add(MakeSpec("lastsave", 1, kCmdLoading | kCmdStale | kCmdFast, LastSave, "server", "1.0.0", "",
                 "Unix time of the last successful save."));
  t.Add(
      MakeSpec("debug", -2, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale | kCmdProtected,
               Debug, "server", "1.0.0", "subcommand [argument]",
               "Debugging commands; PersistLab implements DEBUG RELOAD, POPULATE, PANIC and "
               "SIMULATE-CRASH process|power|torn [seed] | REPORT (plab serve --simulated-disk)."));
}

}  // namespace plab
