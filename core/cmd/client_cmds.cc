// CLIENT SETNAME | GETNAME | ID | INFO | LIST | KILL | HELP, as Redis 7.0's
// networking.c replies them. The CLIENT LIST line is client_info.h's.
#include <string>
#include <vector>

#include "core/cmd/server_family.h"
#include "core/server/client_info.h"
#include "core/server/server.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

constexpr std::string_view kBadName =
    "ERR Client names cannot contain spaces, newlines or special characters.";

// One CLIENT LIST line. `ctx` is the client asking: its current command and
// arguments are the ones being executed.
std::string ClientLine(const CommandContext& ctx, const Client& c) {
  if (&c != &ctx.client) return ClientInfoString(ctx.server, c);
  return ClientInfoString(ctx.server, c, &ctx.spec, &ctx.argv);
}

std::string AllClientLines(const CommandContext& ctx) {
  std::string out;
  for (const auto& [id, c] : ctx.server.clients()) {
    out += ClientLine(ctx, *c) + "\n";
  }
  return out;
}

void ClientId(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.client.id)); }

// CLIENT INFO and CLIENT LIST reply verbatim text in RESP3 (addReplyVerbatim).
void ClientInfo(CommandContext& ctx) { ctx.reply.Verbatim(ClientLine(ctx, ctx.client) + "\n"); }

void ClientSetName(CommandContext& ctx) {
  const std::string& name = ctx.argv[2];
  // clientSetName(): only printable ASCII without spaces, so CLIENT LIST
  // lines can be split on spaces. An empty name removes the name.
  for (char c : name) {
    if (c < '!' || c > '~') return ctx.reply.Error(kBadName);
  }
  ctx.client.name = name;
  ctx.reply.Ok();
}

void ClientGetName(CommandContext& ctx) {
  if (ctx.client.name.empty()) return ctx.reply.Null();
  ctx.reply.Bulk(ctx.client.name);
}

// getClientTypeByName(): every PersistLab client is a normal client.
std::optional<bool> TypeMatchesNormal(std::string_view type) {
  if (EqualsIgnoreCase(type, "normal")) return true;
  for (std::string_view other : {"slave", "replica", "master", "pubsub"}) {
    if (EqualsIgnoreCase(type, other)) return false;
  }
  return std::nullopt;
}

void ClientList(CommandContext& ctx) {
  auto& argv = ctx.argv;
  std::string out;
  if (argv.size() == 4 && EqualsIgnoreCase(argv[2], "type")) {
    auto normal = TypeMatchesNormal(argv[3]);
    if (!normal) return ctx.reply.Error("ERR Unknown client type '" + argv[3] + "'");
    if (*normal) out = AllClientLines(ctx);
  } else if (argv.size() > 3 && EqualsIgnoreCase(argv[2], "id")) {
    for (size_t i = 3; i < argv.size(); ++i) {
      auto id = ParseInt64(argv[i]);
      if (!id) return ctx.reply.Error("ERR Invalid client ID");
      auto it = ctx.server.clients().find(static_cast<uint64_t>(*id));
      if (it != ctx.server.clients().end()) out += ClientLine(ctx, *it->second) + "\n";
    }
  } else if (argv.size() != 2) {
    return ctx.Syntax();
  } else {
    out = AllClientLines(ctx);
  }
  ctx.reply.Verbatim(out);
}

struct KillFilter {
  std::optional<std::string> addr, laddr;
  std::optional<uint64_t> id;
  bool normal_type = true;  // false: a type no PersistLab client has
  bool skipme = true;
};

// Replies `error` and returns false, for parsers that stop at an error.
bool Fail(CommandContext& ctx, std::string_view error) {
  ctx.reply.Error(error);
  return false;
}

// Parses CLIENT KILL's option/value pairs; false after replying an error.
bool ParseKillFilter(CommandContext& ctx, KillFilter* f) {
  auto& argv = ctx.argv;
  for (size_t i = 2; i < argv.size(); i += 2) {
    if (i + 1 >= argv.size()) return Fail(ctx, errors::kSyntax);
    const std::string& opt = argv[i];
    const std::string& val = argv[i + 1];
    if (EqualsIgnoreCase(opt, "id")) {
      auto id = ParseInt64(val);
      if (!id || *id < 1) return Fail(ctx, "ERR client-id should be greater than 0");
      f->id = static_cast<uint64_t>(*id);
    } else if (EqualsIgnoreCase(opt, "type")) {
      auto normal = TypeMatchesNormal(val);
      if (!normal) return Fail(ctx, "ERR Unknown client type '" + val + "'");
      f->normal_type = *normal;
    } else if (EqualsIgnoreCase(opt, "addr")) {
      f->addr = val;
    } else if (EqualsIgnoreCase(opt, "laddr")) {
      f->laddr = val;
    } else if (EqualsIgnoreCase(opt, "user")) {
      if (val != "default") return Fail(ctx, "ERR No such user '" + val + "'");
    } else if (EqualsIgnoreCase(opt, "skipme") && EqualsIgnoreCase(val, "yes")) {
      f->skipme = true;
    } else if (EqualsIgnoreCase(opt, "skipme") && EqualsIgnoreCase(val, "no")) {
      f->skipme = false;
    } else {
      return Fail(ctx, errors::kSyntax);
    }
  }
  return true;
}

// CLIENT KILL addr | CLIENT KILL option value [option value ...]. A killed
// client is marked close_after_reply: its transport closes it once its
// pending output is flushed (Redis frees it at once; the effect for the
// peer is the same).
void ClientKill(CommandContext& ctx) {
  KillFilter f;
  const bool old_style = ctx.argv.size() == 3;
  if (old_style) {
    f.addr = ctx.argv[2];
    f.skipme = false;  // the old form may kill the caller itself
  } else if (!ParseKillFilter(ctx, &f)) {
    return;
  }
  int64_t killed = 0;
  for (const auto& [id, c] : ctx.server.clients()) {
    if (f.addr && c->addr != *f.addr) continue;
    if (f.laddr && c->laddr != *f.laddr) continue;
    if (!f.normal_type) continue;
    if (f.id && c->id != *f.id) continue;
    if (c.get() == &ctx.client && f.skipme) continue;
    c->close_after_reply = true;
    ++killed;
  }
  if (!old_style) return ctx.reply.Integer(killed);
  if (killed == 0) return ctx.reply.Error("ERR No such client");
  ctx.reply.Ok();
}

void ClientHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply, "CLIENT",
            {"GETNAME",
             "    Returns the name of this connection, or nil.",
             "ID",
             "    Returns the unique ID of this connection.",
             "INFO",
             "    Describes this connection, in the CLIENT LIST format.",
             "KILL <ip:port>",
             "    Closes the connection coming from <ip:port>.",
             "KILL <option> <value> [<option> <value> [...]]",
             "    Closes every connection matching all the filters:",
             "    * ID <client-id>",
             "    * ADDR (<ip:port>|<unixsocket>:0)",
             "    * LADDR (<ip:port>|<unixsocket>:0)",
             "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
             "    * USER <username>",
             "    * SKIPME (YES|NO): leave this connection alone (default: YES).",
             "LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <client-id> [...]]",
             "    Describes connections, one per line.",
             "SETNAME <name>",
             "    Names this connection; an empty name removes it."});
}

void ClientContainer(CommandContext& ctx) { ClientHelp(ctx); }

}  // namespace

CommandSpec MakeClientCommand() {
  constexpr uint32_t kBase = kCmdNoScript | kCmdLoading | kCmdStale;
  CommandSpec client =
      MakeSpec("client", -2, 0, ClientContainer, "connection", "2.4.0", "<subcommand> [arg ...]",
               "Container for commands about client connections.");
  auto sub = [&](const char* name, int arity, uint32_t flags, CommandHandler h, const char* since,
                 const char* syntax, const char* summary) {
    client.subcommands.push_back(
        MakeSpec(name, arity, flags, h, "connection", since, syntax, summary));
  };
  sub("setname", 3, kBase, ClientSetName, "2.6.9", "connection-name",
      "Gives this connection a name, shown by CLIENT LIST.");
  sub("getname", 2, kBase, ClientGetName, "2.6.9", "", "Returns this connection's name.");
  sub("id", 2, kBase, ClientId, "5.0.0", "", "Returns this connection's unique ID.");
  sub("info", 2, kBase, ClientInfo, "6.2.0", "", "Describes this connection in one line.");
  sub("list", -2, kBase | kCmdAdmin, ClientList, "2.4.0",
      "[TYPE (NORMAL | MASTER | REPLICA | PUBSUB)] [ID client-id [client-id ...]]",
      "Describes every connection, one line each.");
  sub("kill", -3, kBase | kCmdAdmin | kCmdKillsClients, ClientKill, "2.4.0",
      "(ip:port | [ID client-id] [TYPE (NORMAL | MASTER | SLAVE | REPLICA | PUBSUB)] "
      "[USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME (YES | NO)])",
      "Closes the connections that match the filters.");
  sub("help", 2, kCmdLoading | kCmdStale, ClientHelp, "5.0.0", "",
      "Describes the CLIENT subcommands.");
  return client;
}

}  // namespace plab
