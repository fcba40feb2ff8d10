// Server: all of an engine's state and the command dispatcher — the part of
// Redis's server.c/networking.c/multi.c that has nothing to do with sockets.
//
// Ownership: the Server owns the keyspace, the config and every Client; the
// command registry is given to it (Engine passes core/cmd's CommandTable:
// the commands sit above the server, which knows them only through
// command_spec.h). It keeps no globals, so several engines can live in one
// process (two playground labs on one page).
//
// Transports call Feed(client, bytes) with what a client sent; replies are
// appended to client->output for the transport to deliver. Time comes only
// from the Clock given at construction; Cron() must be called about `hz`
// times a second.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/io/clock.h"
#include "core/io/disk.h"
#include "core/server/aof_persistence.h"
#include "core/server/client.h"
#include "core/server/command_spec.h"
#include "core/server/config.h"
#include "core/server/crash_simulator.h"
#include "core/server/rdb_persistence.h"
#include "core/store/keyspace.h"
#include "core/util/log_sink.h"

namespace plab {

struct CommandStats {
  int64_t calls = 0;
  int64_t usec = 0;
  int64_t rejected_calls = 0;
  int64_t failed_calls = 0;
};

struct ServerStats {
  int64_t start_time_us = 0;
  int64_t total_connections_received = 0;
  int64_t total_commands_processed = 0;
  int64_t rejected_connections = 0;
  int64_t total_net_input_bytes = 0;
  int64_t total_net_output_bytes = 0;
  int64_t total_error_replies = 0;
  int64_t unexpected_error_replies = 0;
  int64_t total_reads_processed = 0;
  int64_t total_writes_processed = 0;
  // Error replies by their first word ("ERR", "WRONGTYPE"), INFO errorstats.
  std::map<std::string, int64_t> error_counts;
  // Per command, indexed by CommandSpec::id (INFO commandstats); grown on
  // demand so a reset ServerStats{} needs no sizing.
  std::vector<CommandStats> commands;
  CommandStats& For(const CommandSpec& spec) {
    if (spec.id >= commands.size()) commands.resize(spec.id + 1);
    return commands[spec.id];
  }
  // instantaneous_ops_per_sec: samples of total_commands_processed taken by
  // Cron (Redis's STATS_METRIC_COMMAND, 16 samples).
  int64_t last_sample_time_ms = 0;
  int64_t last_sample_count = 0;
  int64_t ops_samples[16] = {};
  int ops_sample_index = 0;
  // Highest used_memory estimate seen (INFO memory's used_memory_peak);
  // raised whenever the estimate is computed. Survives CONFIG RESETSTAT.
  int64_t used_memory_peak = 0;
};

class Server final : private KeyObserver {
 public:
  // `clock`, `disk` and `commands` must outlive the server. Files
  // (dump.rdb, ...) are named relative to the disk's root.
  Server(const Clock& clock, Config config, Disk& disk, const CommandRegistry& commands);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Clients. NewClient's result is owned by the Server and valid until
  // FreeClient. `addr` is "ip:port" for network clients; `transport_handle`
  // is Client::transport_handle.
  Client* NewClient(std::string addr = "embedded", std::string laddr = "",
                    int64_t transport_handle = -1);
  void FreeClient(Client* client);
  const std::map<uint64_t, std::unique_ptr<Client>>& clients() const { return clients_; }

  // Parses and runs every complete command in `bytes`; replies go to
  // client->output. On a protocol error the error reply is appended and
  // client->close_after_reply is set.
  void Feed(Client* client, std::string_view bytes);

  // Per-client buffer limits (client_limits.cc). When `client` is over its
  // client-output-buffer-limit (EnforceOutputLimit) or its query buffer
  // holds more than client-query-buffer-limit (EnforceQueryLimit), it is
  // flagged close_asap, Redis's warning is logged and true is returned; the
  // transport then drops it. Feed() checks after every command and Cron()
  // sweeps all clients (for the soft limit's seconds); `from_cron` only
  // picks the log wording ("closed" vs "scheduled to be closed ASAP").
  // Embedded clients (transport_handle -1: the REPL, the lab's page) are
  // never limited, as Redis exempts its connection-less clients.
  bool EnforceOutputLimit(Client* client, bool from_cron);
  bool EnforceQueryLimit(Client* client);

  // Runs one already-split command as `client` (the dispatcher: lookup,
  // arity, auth, MULTI queueing). argv may be consumed.
  void Execute(Client* client, std::vector<std::string>& argv);

  // Periodic work (serverCron): active expiry, stats sampling, save points
  // and a slice of a running background save; then resumes clients whose
  // replies waited on the disk.
  void Cron();
  // beforeSleep(): the transport calls this after each batch of commands
  // and before it delivers any reply. The AOF is flushed (and synced under
  // appendfsync always); if that sync completes later (IndexedDB), the
  // replies produced in this batch are held until it has.
  void BeforeSleep();
  // Startup: loads the dataset the way Redis decides (the AOF when
  // appendonly is yes, else the RDB), then opens the AOF for appending.
  // `report` says what was loaded; on failure it holds the error and the
  // files are as they were (except a torn AOF tail cut by
  // aof-load-truncated and a legacy AOF moved into the directory).
  Status Recover(RecoveryReport* report);
  // Runs one command read from an AOF as the loading client (no stats, no
  // propagation). On an unknown command or a wrong number of arguments it
  // runs nothing and returns Corruption with the reason (the caller adds
  // the file and offset). Redis 7.0.15 checks only that the command
  // exists, so a `*1 $3 GET` in an AOF makes its handler read past argv;
  // PersistLab refuses the file instead (deliberate difference).
  Status ReplayCommand(Client* client, std::vector<std::string>& argv);
  // A BGSAVE or an AOF rewrite is running (Redis: a child process exists).
  bool HasActiveChild() const { return rdb_.bgsave_in_progress() || aof_.rewrite_in_progress(); }
  // Work that runs between commands (a background save): the transport
  // calls this when it is idle, for about `budget_us`. Returns true while
  // more remains.
  bool BackgroundWork(int64_t budget_us);
  // Clients whose reply waits on durability (a SAVE on a disk that confirms
  // later) get it here once the disk has; then their pipelined commands run.
  // Cron() calls it; a transport may call it when the disk reports progress.
  void ResumeBlockedClients();

  // Told about every write to the dataset, for a host that tracks when
  // each key last changed (the lab's check of a persistence setup's loss
  // promise). OnKeyWrite comes with KeyObserver::OnBeforeWrite: a command
  // modifying, replacing or deleting `key`, expiry deleting it. OnDbWrite
  // comes where whole databases change without per-key calls: FLUSHDB,
  // FLUSHALL and DEBUG RELOAD (db -1: every database), and SWAPDB (once
  // for each of its two databases). Not owned; unset (plab serve) it costs
  // one branch per write.
  class WriteListener {
   public:
    virtual ~WriteListener() = default;
    virtual void OnKeyWrite(int db, std::string_view key) = 0;
    virtual void OnDbWrite(int db) = 0;
  };
  void set_write_listener(WriteListener* listener) { write_listener_ = listener; }

  // The host that can crash and restart this engine on its simulated disk
  // (DEBUG SIMULATE-CRASH); null when there is none. Not owned.
  void set_crash_simulator(CrashSimulator* simulator) { crash_simulator_ = simulator; }
  CrashSimulator* crash_simulator() const { return crash_simulator_; }

  // Log lines (Redis's "DB saved on disk" ...) go to `sink`.
  void set_log_sink(LogSink sink) { log_sink_ = std::move(sink); }
  void Log(LogLevel level, std::string_view message) const {
    if (log_sink_) log_sink_(level, message);
  }

  // Replaces the whole dataset with `fresh` (a keyspace loaded from disk),
  // keeping the running snapshot consistent.
  void ReplaceKeyspace(Keyspace&& fresh);

  // What the startup RDB load read (the native server logs its AUX fields).
  const std::optional<RdbLoadResult>& last_rdb_load() const { return last_rdb_load_; }

  // Accessors for command handlers.
  Keyspace& keyspace() { return keyspace_; }
  Config& config() { return config_; }
  const Config& config() const { return config_; }
  Disk& disk() { return disk_; }
  RdbPersistence& rdb() { return rdb_; }
  AofPersistence& aof() { return aof_; }
  const Clock& clock() const { return clock_; }
  const CommandRegistry& commands() const { return commands_; }
  ServerStats& stats() { return stats_; }
  int64_t dirty() const { return dirty_; }
  void add_dirty(int64_t n) { dirty_ += n; }
  const std::string& run_id() const { return run_id_; }
  uint64_t cron_loops() const { return cron_loops_; }

  // prepareForShutdown()'s persistence part, for SHUTDOWN and SIGTERM: a
  // running BGSAVE is stopped; with save points (unless `nosave`) or with
  // `save` the dataset is saved. kOk also when nothing needed saving.
  RdbPersistence::Outcome PrepareForShutdown(bool save, bool nosave);

  // SHUTDOWN: the transport stops serving once it sees this.
  void RequestShutdown() { shutdown_requested_ = true; }
  bool shutdown_requested() const { return shutdown_requested_; }

  // --- Propagation (server.c's alsoPropagate / propagatePendingCommands) ---
  // Every write that changed the dataset becomes one or more operations
  // (RESP-encoded commands in a db) collected while the top-level command
  // runs; when it returns they go to the AOF together, wrapped in
  // MULTI/EXEC when there are several (an EXEC body, a write that lazily
  // expired a key first). Only collected while the AOF accepts writes.
  struct PropagatedOp {
    int db;
    std::string resp;
  };
  bool propagating() const { return propagating_; }
  // The sink of propagated operations (the AOF) turns collection on or off.
  void set_propagating(bool on) { propagating_ = on; }
  // alsoPropagate(): queues `argv` in `db` after whatever the current
  // command queued so far.
  void AlsoPropagate(int db, const std::vector<std::string>& argv);
  // rewriteClientCommandVector(): the running command is logged as `argv`
  // instead of as typed.
  void PropagateCurrentAs(const std::vector<std::string>& argv);
  // preventCommandPropagation(): the running command itself is not logged
  // (what it queued with AlsoPropagate still is).
  void PreventCurrentPropagation();
  // forceCommandPropagation(): logged even if it changed nothing.
  void ForceCurrentPropagation();

  // MULTI/EXEC support (multi.c).
  void Watch(Client* client, int db, std::string_view key);
  void UnwatchAll(Client* client);
  // signalModifiedKey(): invalidates WATCHes on (db, key).
  void TouchKey(int db, std::string_view key);
  // FLUSHDB/FLUSHALL: touches watched keys that exist in db (-1: all dbs).
  // Also tells the write listener that db is about to change wholesale.
  void TouchAllWatchedInDb(int db);
  // SWAPDB, before swapping: touchAllWatchedKeysInDb(emptied, replaced_with).
  // Watched keys of `emptied` that exist there or in `replaced_with` are
  // touched, except where expiry means no logical change (Redis's
  // watchedKey.expired rules). Never expires keys itself. Also tells the
  // write listener that `emptied` changes wholesale.
  void TouchWatchedOnSwap(int emptied, int replaced_with);
  // Runs a queued transaction (EXEC's body).
  void ExecTransaction(Client* client, ReplyBuilder& reply);
  // A FLUSHALL inside the running EXEC asks for its save (with save points)
  // once the whole transaction has run.
  void SaveAfterTransaction() { save_after_transaction_ = true; }
  // Drops MULTI state and watched keys (DISCARD, EXEC end).
  void DiscardTransaction(Client* client);

 private:
  void Call(Client* client, const CommandSpec& spec, std::vector<std::string>& argv,
            ReplyBuilder& reply);
  // `spec`: the command being rejected, when known (EXEC aborts).
  void RejectCommand(Client* client, ReplyBuilder& reply, std::string_view error,
                     const CommandSpec* spec = nullptr);
  bool DebugAllowed(const Client& client) const;
  void HoldOutput(Client* c, std::shared_ptr<SyncTicket> ticket);
  Status LoadRdbAtStartup(RecoveryReport* report);
  // Sends the collected operations to the AOF (propagatePendingCommands);
  // `no_multi`: never wrap (active expiry).
  void PropagatePending(bool no_multi);
  void CountErrors(std::string_view reply_bytes, size_t from);
  bool AuthRequired(const Client* client) const;

  // KeyObserver.
  void OnBeforeWrite(int db, std::string_view key) override;
  bool WantsEveryKey() const override { return rdb_.WantsEveryKey() || aof_.WantsEveryKey(); }
  void OnExpired(int db, std::string_view key) override;
  // Checks run before a command (processCommand's rejections after auth).
  bool DeniedByDiskError(const Client* client, const CommandSpec& spec) const;
  bool DeniedByMaxmemory(const Client& client, const CommandSpec& spec);
  uint64_t UsedMemory();

  const Clock& clock_;
  Config config_;
  Disk& disk_;
  Keyspace keyspace_;
  RdbPersistence rdb_{*this, disk_};
  AofPersistence aof_{*this, disk_};
  LogSink log_sink_;
  WriteListener* write_listener_ = nullptr;
  CrashSimulator* crash_simulator_ = nullptr;
  const CommandRegistry& commands_;
  ServerStats stats_;
  std::map<uint64_t, std::unique_ptr<Client>> clients_;
  uint64_t next_client_id_ = 1;
  int64_t dirty_ = 0;
  uint64_t cron_loops_ = 0;
  bool shutdown_requested_ = false;
  std::string run_id_;
  std::vector<std::string> scratch_argv_;
  // The newest AOF sync issued under `always` that has not completed: the
  // replies of later batches wait for it too (see BeforeSleep).
  std::shared_ptr<SyncTicket> unsynced_;
  // UsedMemory()'s cached estimate, when and after how many calls it was taken.
  uint64_t used_memory_ = 0;
  int64_t used_memory_at_ms_ = -1;
  uint64_t used_memory_calls_ = 0;
  bool save_after_transaction_ = false;
  // Propagation state of the command being called (nested for EXEC).
  struct CallPropagation {
    std::string resp;        // the command as typed, encoded before it ran
    bool rewritten = false;  // resp holds PropagateCurrentAs()'s command
    bool prevent = false;
    bool force = false;
  };
  bool propagating_ = false;
  int call_depth_ = 0;
  CallPropagation* current_call_ = nullptr;
  std::vector<PropagatedOp> also_propagate_;
  // Clients that ran commands since the last BeforeSleep().
  std::vector<Client*> batch_;
  std::string replay_reply_;
  std::optional<RdbLoadResult> last_rdb_load_;  // replies of replayed AOF commands, discarded
  // (db, key) -> clients watching it.
  std::unordered_map<std::string, std::vector<Client*>> watched_keys_;
};

}  // namespace plab
