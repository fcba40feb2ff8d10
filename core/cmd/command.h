// Commands: the spec each command registers (CommandSpec) and what its
// handler gets to work with (CommandContext).
//
// A handler reads ctx.argv (argv[0] is the command name as typed), works on
// ctx.keyspace() in database ctx.db(), and writes exactly one RESP reply with
// ctx.reply. It never throws and never writes protocol bytes by hand.
//
// Arity is checked before the handler runs (Redis convention: N > 0 means
// exactly N arguments including the name; -N means at least N).
//
// Handlers may move strings out of ctx.argv (e.g. the value of a SET) to
// avoid copying: the server encodes the command for the AOF before it runs.
//
// Propagation (the AOF): a write that changed the dataset (KeyModified) is
// logged as typed. A handler whose effect must be logged differently
// (relative TTL -> absolute, INCRBYFLOAT -> SET, SPOP -> SREM) calls
// PropagateAs; extra operations go through AlsoPropagate. Build those
// argv only when propagating() — with the AOF off nothing is collected.
//
// After changing a key, call ctx.KeyModified(key): that is Redis's
// signalModifiedKey() + server.dirty++, which WATCH and save points use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/resp/reply_builder.h"

namespace plab {

class Server;
class Keyspace;
class Value;
enum class ValueType : uint8_t;
struct Client;
struct Config;
struct CommandContext;

using CommandHandler = void (*)(CommandContext& ctx);

// Flag bits, reported by COMMAND INFO with Redis's names.
enum CommandFlag : uint32_t {
  kCmdWrite = 1 << 0,      // "write": may modify the dataset
  kCmdReadOnly = 1 << 1,   // "readonly"
  kCmdDenyOom = 1 << 2,    // "denyoom": may grow memory
  kCmdAdmin = 1 << 3,      // "admin"
  kCmdPubSub = 1 << 4,     // "pubsub"
  kCmdNoScript = 1 << 5,   // "noscript"
  kCmdLoading = 1 << 6,    // "loading": allowed while loading
  kCmdStale = 1 << 7,      // "stale"
  kCmdFast = 1 << 8,       // "fast": O(1) or O(log N)
  kCmdNoAuth = 1 << 9,     // "no_auth": allowed before AUTH
  kCmdNoMulti = 1 << 10,   // "no_multi": not queued inside MULTI
  kCmdAllowBusy = 1 << 11, // "allow_busy"
  kCmdSkipMonitor = 1 << 12,
  kCmdSkipSlowlog = 1 << 13,
};

struct CommandSpec {
  std::string name;      // lowercase, e.g. "get" or, for subcommands, "get"
  int arity = 0;
  uint32_t flags = 0;
  int first_key = 0;     // 0 when the command takes no keys
  int last_key = 0;      // -1: last argument
  int key_step = 0;
  CommandHandler handler = nullptr;
  // Documentation, reported by COMMAND DOCS and the REPL's HELP.
  std::string group;     // "string", "list", "generic", "server", ...
  std::string summary;
  std::string since;     // e.g. "1.0.0"
  std::string syntax;    // arguments as in Redis docs: "key value [NX | XX]"
  std::vector<CommandSpec> subcommands;  // CONFIG GET, CLIENT LIST, ...

  // "config|get" for subcommands (set by the table), else `name`.
  std::string full_name;
  // Dense index over all commands and subcommands (set by the table): lets
  // per-command statistics live in a vector instead of a map lookup per call.
  size_t id = 0;
};

struct CommandContext {
  Server& server;
  Client& client;
  std::vector<std::string>& argv;
  ReplyBuilder& reply;
  const CommandSpec& spec;

  int db() const;
  Keyspace& keyspace();
  const Config& config() const;
  int64_t now_ms() const;

  // signalModifiedKey() + dirty counter (save points, INFO).
  void KeyModified(std::string_view key, int64_t dirty = 1);
  void KeyModified(int db, std::string_view key, int64_t dirty);

  // Looks `key` up in the current db expecting a value of `type`. Returns
  // false after replying WRONGTYPE when the key holds another type; *out is
  // null when the key is missing. The Read form counts keyspace hits and
  // misses (lookupKeyRead); the Write form announces a modification
  // (lookupKeyWrite).
  bool LookupTypedRead(std::string_view key, ValueType type, Value** out);
  bool LookupTypedWrite(std::string_view key, ValueType type, Value** out);

  // Propagation, see the top of this file and Server::AlsoPropagate.
  bool propagating() const;
  void PropagateAs(const std::vector<std::string>& argv);
  void AlsoPropagate(int db, const std::vector<std::string>& argv);
  void PreventPropagation();
  void ForcePropagation();

  // Reply helpers for the most common errors.
  void WrongType() { reply.Error(errors::kWrongType); }
  void Syntax() { reply.Error(errors::kSyntax); }
  void NotInteger() { reply.Error(errors::kNotInteger); }
  void NotFloat() { reply.Error(errors::kNotFloat); }
};

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

// Case-insensitive ASCII comparison for option names (EX, NX, WITHSCORES).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace plab
