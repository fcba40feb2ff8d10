// The server's view of a command: the spec each command registers
// (CommandSpec), what its handler gets to work with (CommandContext) and the
// registry the server looks commands up in (CommandRegistry).
//
// Layering: this is the only way core/server knows about commands. The
// handlers and the table that registers them (core/cmd/, CommandTable) sit
// above the server and include it; the server never includes core/cmd/. A
// behaviour the dispatcher needs from a command is declared as a flag here
// (like Redis's CMD_* flags), never by comparing the command's name.
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
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
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
  kCmdWrite = 1 << 0,       // "write": may modify the dataset
  kCmdReadOnly = 1 << 1,    // "readonly"
  kCmdDenyOom = 1 << 2,     // "denyoom": may grow memory
  kCmdAdmin = 1 << 3,       // "admin"
  kCmdPubSub = 1 << 4,      // "pubsub"
  kCmdNoScript = 1 << 5,    // "noscript"
  kCmdLoading = 1 << 6,     // "loading": allowed while loading
  kCmdStale = 1 << 7,       // "stale"
  kCmdFast = 1 << 8,        // "fast": O(1) or O(log N)
  kCmdNoAuth = 1 << 9,      // "no_auth": allowed before AUTH
  kCmdNoMulti = 1 << 10,    // "no_multi": not queued inside MULTI
  kCmdAllowBusy = 1 << 11,  // "allow_busy"
  kCmdSkipMonitor = 1 << 12,
  kCmdSkipSlowlog = 1 << 13,
  // PersistLab's own bits from here on: COMMAND INFO does not report them.
  // Redis gets these behaviours by comparing c->cmd->proc with a handler
  // (execCommand, pingCommand ...); here the command declares them.
  //
  // Runs at once inside MULTI instead of being queued (processCommand():
  // EXEC, DISCARD, MULTI, WATCH, QUIT, RESET).
  kCmdTransactionControl = 1 << 16,
  // Runs the MULTI queue (EXEC): refused under MISCONF when the queue holds
  // a write, a rejection aborts the transaction (execCommandAbort), and it
  // is never propagated itself (its body is).
  kCmdRunsQueue = 1 << 17,
  // Refused under MISCONF like a write although it writes nothing (PING,
  // so a health check sees the disk error).
  kCmdDeniedOnDiskError = 1 << 18,
  // Protected by enable-debug-command (Redis 7.0's CMD_PROTECTED: DEBUG).
  kCmdProtected = 1 << 19,
  // Touches keys it was not given (SCAN, RANDOMKEY: Redis 7's
  // CMD_TOUCHES_ARBITRARY_KEYS): the DELs of the keys it found expired are
  // propagated one by one, never wrapped in MULTI/EXEC.
  kCmdTouchesArbitraryKeys = 1 << 20,
  // May mark other clients to be closed (CLIENT KILL): a transport closes
  // them before it next waits instead of when they next send something.
  kCmdKillsClients = 1 << 21,
};

struct CommandSpec {
  std::string name;  // lowercase, e.g. "get" or, for subcommands, "get"
  int arity = 0;
  uint32_t flags = 0;
  int first_key = 0;  // 0 when the command takes no keys
  int last_key = 0;   // -1: last argument
  int key_step = 0;
  CommandHandler handler = nullptr;
  // Documentation, reported by COMMAND DOCS and the REPL's HELP.
  std::string group;  // "string", "list", "generic", "server", ...
  std::string summary;
  std::string since;                     // e.g. "1.0.0"
  std::string syntax;                    // arguments as in Redis docs: "key value [NX | XX]"
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
  // (lookupKeyWrite). Only the Write form hands out a mutable value (see
  // Keyspace::LookupRead).
  bool LookupTypedRead(std::string_view key, ValueType type, const Value** out);
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

// The registry of commands the server dispatches through: names to specs,
// with container commands (CONFIG, CLIENT, COMMAND, OBJECT) holding their
// subcommands like Redis 7.0's command table. It knows no command itself:
// CommandTable (core/cmd/command_table.h) fills it with every family.
class CommandRegistry {
 public:
  void Add(CommandSpec spec);

  // The command named by argv[0] (and argv[1] for containers), or nullptr.
  // For a container whose subcommand is unknown, returns nullptr and sets
  // *unknown_subcommand. REQUIRES: !argv.empty().
  const CommandSpec* Lookup(const std::vector<std::string>& argv, bool* unknown_subcommand) const;
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

}  // namespace plab
