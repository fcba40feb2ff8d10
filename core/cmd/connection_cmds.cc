// Connection and transaction commands: PING ECHO SELECT QUIT AUTH HELLO and
// MULTI EXEC DISCARD WATCH UNWATCH. Replies match Redis 7.0's server.c,
// multi.c and acl.c.
#include <string>

#include "core/cmd/command_table.h"
#include "core/server/server.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

void Ping(CommandContext& ctx) {
  if (ctx.argv.size() > 2) {
    ctx.reply.Error("ERR wrong number of arguments for 'ping' command");
  } else if (ctx.argv.size() == 2) {
    ctx.reply.Bulk(ctx.argv[1]);
  } else {
    ctx.reply.Simple("PONG");
  }
}

void Echo(CommandContext& ctx) { ctx.reply.Bulk(ctx.argv[1]); }

void Select(CommandContext& ctx) {
  auto id = ParseInt64(ctx.argv[1]);
  // getIntFromObjectOrReply(): must fit an int.
  if (!id) return ctx.reply.Error(errors::kNotInteger);
  if (*id < INT32_MIN || *id > INT32_MAX) {
    return ctx.reply.Error(
        "ERR value is out of range, value must between -2147483648 and 2147483647");
  }
  if (*id < 0 || *id >= Keyspace::kNumDbs) return ctx.reply.Error("ERR DB index is out of range");
  ctx.client.db = static_cast<int>(*id);
  ctx.reply.Ok();
}

void Quit(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.client.close_after_reply = true;
}

// Checks a username/password pair against the "default" user, the only
// user PersistLab has (requirepass sets its password, as in Redis).
bool CheckCredentials(const Config& config, std::string_view user, std::string_view pass) {
  if (user != "default") return false;
  return config.requirepass.empty() || pass == config.requirepass;
}

void Auth(CommandContext& ctx) {
  if (ctx.argv.size() > 3) return ctx.Syntax();
  const Config& config = ctx.config();
  if (ctx.argv.size() == 2 && config.requirepass.empty()) {
    return ctx.reply.Error(
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?");
  }
  std::string_view user = ctx.argv.size() == 3 ? std::string_view(ctx.argv[1]) : "default";
  std::string_view pass = ctx.argv.back();
  if (!CheckCredentials(config, user, pass)) {
    return ctx.reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
  }
  ctx.client.authenticated = true;
  ctx.reply.Ok();
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]: like
// networking.c helloCommand, protocol 2 or 3 switches the connection's reply
// protocol (before the reply itself, which is a map: an array under RESP2).
void Hello(CommandContext& ctx) {
  auto& argv = ctx.argv;
  size_t i = 1;
  int64_t version = 0;  // 0: keep the current protocol
  if (argv.size() >= 2) {
    auto ver = ParseInt64(argv[1]);
    if (!ver) return ctx.reply.Error("ERR Protocol version is not an integer or out of range");
    if (*ver < 2 || *ver > 3) return ctx.reply.Error("NOPROTO unsupported protocol version");
    version = *ver;
    i = 2;
  }
  std::string setname;
  bool has_setname = false;
  for (; i < argv.size(); ++i) {
    size_t more = argv.size() - i - 1;
    if (EqualsIgnoreCase(argv[i], "auth") && more >= 2) {
      if (!CheckCredentials(ctx.config(), argv[i + 1], argv[i + 2])) {
        return ctx.reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
      }
      ctx.client.authenticated = true;
      i += 2;
    } else if (EqualsIgnoreCase(argv[i], "setname") && more >= 1) {
      setname = argv[i + 1];
      has_setname = true;
      ++i;
    } else {
      return ctx.reply.Error("ERR Syntax error in HELLO option '" + argv[i] + "'");
    }
  }
  if (!ctx.config().requirepass.empty() && !ctx.client.authenticated) {
    return ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO AUTH <user> <pass> option can be used to authenticate the client and "
        "select the RESP protocol version at the same time");
  }
  if (has_setname) {
    for (char c : setname) {
      if (c < '!' || c > '~') {
        return ctx.reply.Error(
            "ERR Client names cannot contain spaces, newlines or special characters.");
      }
    }
    ctx.client.name = setname;
  }
  if (version != 0) {
    ctx.client.resp = static_cast<int>(version);
    ctx.reply.set_resp(ctx.client.resp);
  }
  ReplyBuilder& r = ctx.reply;
  r.MapHeader(7);
  r.Bulk("server");
  r.Bulk("redis");
  r.Bulk("version");
  r.Bulk("7.0.15");
  r.Bulk("proto");
  r.Integer(ctx.client.resp);
  r.Bulk("id");
  r.Integer(static_cast<int64_t>(ctx.client.id));
  r.Bulk("mode");
  r.Bulk("standalone");
  r.Bulk("role");
  r.Bulk("master");
  r.Bulk("modules");
  r.ArrayHeader(0);
}

void Multi(CommandContext& ctx) {
  if (ctx.client.in_multi) return ctx.reply.Error("ERR MULTI calls can not be nested");
  ctx.client.in_multi = true;
  ctx.reply.Ok();
}

void Exec(CommandContext& ctx) {
  if (!ctx.client.in_multi) return ctx.reply.Error("ERR EXEC without MULTI");
  ctx.server.ExecTransaction(&ctx.client, ctx.reply);
}

void Discard(CommandContext& ctx) {
  if (!ctx.client.in_multi) return ctx.reply.Error("ERR DISCARD without MULTI");
  ctx.server.DiscardTransaction(&ctx.client);
  ctx.reply.Ok();
}

void Watch(CommandContext& ctx) {
  if (ctx.client.in_multi) return ctx.reply.Error("ERR WATCH inside MULTI is not allowed");
  for (size_t i = 1; i < ctx.argv.size(); ++i) ctx.server.Watch(&ctx.client, ctx.db(), ctx.argv[i]);
  ctx.reply.Ok();
}

void Unwatch(CommandContext& ctx) {
  ctx.server.UnwatchAll(&ctx.client);
  ctx.client.dirty_cas = false;
  ctx.reply.Ok();
}

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]: like Redis, success has no
// reply: the server closes every connection and exits. With save points (or
// SAVE) the dataset is saved first (prepareForShutdown); if that fails the
// server stays up unless FORCE.
void Shutdown(CommandContext& ctx) {
  bool save = false, nosave = false, abort = false, force = false;
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    const std::string& a = ctx.argv[i];
    if (EqualsIgnoreCase(a, "nosave")) {
      nosave = true;
    } else if (EqualsIgnoreCase(a, "save")) {
      save = true;
    } else if (EqualsIgnoreCase(a, "now")) {
    } else if (EqualsIgnoreCase(a, "force")) {
      force = true;
    } else if (EqualsIgnoreCase(a, "abort")) {
      abort = true;
    } else {
      return ctx.Syntax();
    }
  }
  if ((save && nosave) || (abort && ctx.argv.size() > 2)) return ctx.Syntax();
  if (abort) return ctx.reply.Error("ERR No shutdown in progress.");
  Server* server = &ctx.server;
  Client* client = &ctx.client;
  auto finish = [server, client, force](ReplyBuilder& reply, bool saved) {
    if (!saved && !force) {
      server->Log(LogLevel::kWarning, "Error trying to save the DB, can't exit.");
      reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
      return;
    }
    server->RequestShutdown();
    client->close_after_reply = true;
  };
  switch (server->PrepareForShutdown(save, nosave)) {
    case RdbPersistence::Outcome::kOk:
      return finish(ctx.reply, true);
    case RdbPersistence::Outcome::kFailed:
      return finish(ctx.reply, false);
    case RdbPersistence::Outcome::kPending:
      client->blocked_on = [server, finish](ReplyBuilder& reply) {
        if (server->rdb().foreground_pending()) return false;
        finish(reply, server->rdb().last_save_ok());
        return true;
      };
  }
}

}  // namespace

void RegisterConnectionCommands(CommandTable& t) {
  constexpr uint32_t kTx = kCmdNoScript | kCmdLoading | kCmdStale;
  t.Add(MakeSpec("ping", -1, kCmdFast | kCmdDeniedOnDiskError, Ping, "connection", "1.0.0",
                 "[message]", "Answers PONG, or echoes the message: a liveness check."));
  t.Add(MakeSpec("echo", 2, kCmdLoading | kCmdStale | kCmdFast, Echo, "connection", "1.0.0",
                 "message", "Replies with the message it was given."));
  t.Add(MakeSpec("select", 2, kCmdLoading | kCmdStale | kCmdFast, Select, "connection", "1.0.0",
                 "index", "Switches this connection to another of the 16 databases."));
  t.Add(MakeSpec("quit", -1, kCmdAllowBusy | kTx | kCmdFast | kCmdNoAuth | kCmdTransactionControl,
                 Quit, "connection", "1.0.0", "", "Closes the connection after replying OK."));
  t.Add(MakeSpec("auth", -2, kTx | kCmdFast | kCmdNoAuth | kCmdAllowBusy, Auth, "connection",
                 "1.0.0", "[username] password", "Authenticates this connection."));
  t.Add(MakeSpec("hello", -1, kTx | kCmdFast | kCmdNoAuth | kCmdAllowBusy, Hello, "connection",
                 "6.0.0", "[protover [AUTH username password] [SETNAME clientname]]",
                 "Handshake: reports server facts, optionally authenticates and names the "
                 "connection."));
  t.Add(MakeSpec("shutdown", -1,
                 kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale | kCmdNoMulti | kCmdAllowBusy,
                 Shutdown, "server", "1.0.0", "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]",
                 "Stops the server: closes every connection and exits."));
  t.Add(MakeSpec("multi", 1, kTx | kCmdFast | kCmdAllowBusy | kCmdTransactionControl, Multi,
                 "transactions", "1.2.0", "",
                 "Starts a transaction: later commands are queued until EXEC."));
  t.Add(MakeSpec("exec", 1, kTx | kCmdSkipSlowlog | kCmdTransactionControl | kCmdRunsQueue, Exec,
                 "transactions", "1.2.0", "",
                 "Runs every queued command of the transaction, atomically."));
  t.Add(MakeSpec("discard", 1, kTx | kCmdFast | kCmdAllowBusy | kCmdTransactionControl, Discard,
                 "transactions", "2.0.0", "",
                 "Drops the queued commands and ends the transaction."));
  t.Add(MakeSpec("watch", -2, kTx | kCmdFast | kCmdAllowBusy | kCmdTransactionControl, Watch,
                 "transactions", "2.2.0", "key [key ...]",
                 "Makes the next EXEC fail if any of these keys changes before it.", 1, -1, 1));
  t.Add(MakeSpec("unwatch", 1, kTx | kCmdFast | kCmdAllowBusy, Unwatch, "transactions", "2.2.0", "",
                 "Forgets every key watched by this connection."));
}

}  // namespace plab
