#include "core/server/server.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "core/persist/aof_reader.h"
#include "core/server/memory_estimate.h"
#include "core/util/ascii.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

// Key for watched_keys_: the db number as one byte, then the key.
std::string WatchKey(int db, std::string_view key) {
  std::string k;
  k.reserve(key.size() + 1);
  k.push_back(static_cast<char>(db));
  k.append(key);
  return k;
}

bool IsTransactionControl(const CommandSpec& spec) {
  // processCommand(): these run immediately even inside MULTI.
  return (spec.flags & kCmdTransactionControl) != 0;
}

std::string UnknownCommandError(const std::vector<std::string>& argv) {
  // commandCheckExistence(): quote up to ~128 bytes of the arguments.
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    size_t room = 128 - args.size();
    // append() rather than operator+: GCC 12 -Wrestrict false positive.
    args.push_back('\'');
    args.append(argv[i], 0, room);
    args.append("' ");
  }
  return "ERR unknown command '" + argv[0].substr(0, 128) + "', with args beginning with: " + args;
}

std::string UnknownSubcommandError(const std::vector<std::string>& argv) {
  std::string upper = argv[0];
  UpperInPlace(upper);
  return "ERR unknown subcommand '" + argv[1].substr(0, 128) + "'. Try " + upper + " HELP.";
}

}  // namespace

Server::Server(const Clock& clock, Config config, Disk& disk, const CommandRegistry& commands)
    : clock_(clock), config_(std::move(config)), disk_(disk), commands_(commands) {
  keyspace_.set_observer(this);
  stats_.start_time_us = clock_.NowMicros();
  rdb_.MarkStartTime(stats_.start_time_us / 1000000);  // initServer: lastsave = now
  // A 40-hex-char run id, like Redis's getRandomHexChars().
  std::mt19937_64 rng(static_cast<uint64_t>(stats_.start_time_us) ^ 0x9e3779b97f4a7c15ULL);
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 40; ++i) run_id_.push_back(hex[rng() & 15]);
}

Server::~Server() { keyspace_.set_observer(nullptr); }

Client* Server::NewClient(std::string addr, std::string laddr, int64_t transport_handle) {
  auto c = std::make_unique<Client>();
  c->id = next_client_id_++;
  c->addr = std::move(addr);
  c->laddr = std::move(laddr);
  c->transport_handle = transport_handle;
  c->created_ms = clock_.NowMillis();
  c->last_interaction_ms = c->created_ms;
  c->parser.set_limits(ParserLimits{.max_bulk_len = config_.proto_max_bulk_len});
  Client* raw = c.get();
  clients_[raw->id] = std::move(c);
  ++stats_.total_connections_received;
  return raw;
}

void Server::FreeClient(Client* client) {
  UnwatchAll(client);
  if (client->in_batch) batch_.erase(std::find(batch_.begin(), batch_.end(), client));
  clients_.erase(client->id);
}

// shared.bgsaveerr.
constexpr std::string_view kMisconfRdbError =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";

// processCommand()'s maxmemory rule: over the limit, a command that may
// grow memory (denyoom, or an EXEC whose transaction queued one) is refused;
// reads and deletes still run. Redis first evicts per maxmemory-policy;
// PersistLab has no eviction yet, so every policy refuses as noeviction
// does (the eviction policies arrive with the rest of the data model).
bool Server::DeniedByMaxmemory(const Client& client, const CommandSpec& spec) {
  if (config_.maxmemory <= 0) return false;
  bool grows = (spec.flags & kCmdDenyOom) != 0;
  if (!grows && (spec.flags & kCmdRunsQueue) && client.in_multi) {
    for (const std::vector<std::string>& argv : client.queued) {
      bool unknown_sub = false;
      const CommandSpec* queued = commands_.Lookup(argv, &unknown_sub);
      if (queued != nullptr && (queued->flags & kCmdDenyOom)) grows = true;
    }
  }
  return grows && UsedMemory() > static_cast<uint64_t>(config_.maxmemory);
}

// Redis reads its allocator's counter in O(1); the estimate samples the
// tables (memory_estimate.h), so it is refreshed every 64 calls or when the
// clock moved, not per command: a burst may overshoot by at most 64
// commands' worth, where Redis is exact.
uint64_t Server::UsedMemory() {
  const int64_t now = clock_.NowMillis();
  if (used_memory_calls_++ % 64 == 0 || now != used_memory_at_ms_) {
    used_memory_ = static_cast<uint64_t>(EstimateMemory(*this).total());
    used_memory_at_ms_ = now;
  }
  return used_memory_;
}

// processCommand(): writes, and PING, are refused while the last background
// save failed; EXEC counts as a write when it would run one.
bool Server::DeniedByDiskError(const Client* client, const CommandSpec& spec) const {
  if (!rdb_.WritesDenied() && !aof_.WritesDenied()) return false;
  if (spec.flags & (kCmdWrite | kCmdDeniedOnDiskError)) return true;
  if (!(spec.flags & kCmdRunsQueue) || !client->in_multi) return false;
  for (const std::vector<std::string>& argv : client->queued) {
    bool unknown_sub = false;
    const CommandSpec* queued = commands_.Lookup(argv, &unknown_sub);
    if (queued != nullptr && (queued->flags & kCmdWrite)) return true;
  }
  return false;
}

// allowProtectedAction(): "yes", or "local" for a loopback, unix-socket or
// embedded (REPL, browser) connection.
bool Server::DebugAllowed(const Client& client) const {
  const ProtectedAction mode = config_.enable_debug_command;
  if (mode == ProtectedAction::kYes) return true;
  if (mode != ProtectedAction::kLocal) return false;
  const std::string& a = client.addr;
  return a == "embedded" || a.rfind("127.", 0) == 0 || a.rfind("[::1]", 0) == 0 ||
         a.rfind("::1", 0) == 0 || a.rfind("/", 0) == 0 || a.empty();
}

bool Server::AuthRequired(const Client* client) const {
  return !config_.requirepass.empty() && !client->authenticated;
}

void Server::Feed(Client* client, std::string_view bytes) {
  client->last_interaction_ms = clock_.NowMillis();
  client->parser.Feed(bytes);
  std::vector<std::string>& argv = scratch_argv_;
  while (!client->close_after_reply && !client->close_asap && !client->blocked_on) {
    client->parser.set_auth_required(AuthRequired(client));
    RequestParser::Result r = client->parser.Next(&argv);
    if (r == RequestParser::Result::kNeedMore) break;
    if (r == RequestParser::Result::kError) {
      ReplyBuilder reply(&client->output, client->resp);
      reply.Error("ERR " + client->parser.error());
      ++stats_.total_error_replies;
      ++stats_.error_counts["ERR"];
      client->close_after_reply = true;
      break;
    }
    Execute(client, argv);
    EnforceOutputLimit(client, /*from_cron=*/false);
  }
  EnforceQueryLimit(client);
}

void Server::RejectCommand(Client* client, ReplyBuilder& reply, std::string_view error,
                           const CommandSpec* spec) {
  // flagTransaction(): a command that can't even be queued dooms the EXEC.
  if (client->in_multi) client->multi_error = true;
  size_t from = reply.buffer()->size();
  if (spec != nullptr && (spec->flags & kCmdRunsQueue)) {
    // execCommandAbort(): a rejected EXEC ends the transaction. Redis's
    // formatted rejections carry no "ERR " of their own at this point.
    DiscardTransaction(client);
    if (error.substr(0, 4) == "ERR ") error.remove_prefix(4);
    reply.Error("EXECABORT Transaction discarded because of: " + std::string(error));
  } else {
    reply.Error(error);
  }
  CountErrors(*reply.buffer(), from);
}

void Server::CountErrors(std::string_view out, size_t from) {
  if (from >= out.size() || out[from] != '-') return;
  ++stats_.total_error_replies;
  size_t end = from + 1;
  while (end < out.size() && out[end] != ' ' && out[end] != '\r') ++end;
  ++stats_.error_counts[std::string(out.substr(from + 1, end - from - 1))];
}

void Server::Execute(Client* client, std::vector<std::string>& argv) {
  if (argv.empty()) return;
  if (!client->in_batch) {
    client->in_batch = true;
    client->batch_output_start = client->output.size();
    batch_.push_back(client);
  }
  ReplyBuilder reply(&client->output, client->resp);
  // Cross-protocol scripting defence (processCommand): "POST" or "Host:" as a
  // command means a browser is talking to us; drop the connection silently.
  if (EqualsIgnoreCase(argv[0], "post") || EqualsIgnoreCase(argv[0], "host:")) {
    client->close_after_reply = true;
    return;
  }
  bool unknown_sub = false;
  const CommandSpec* spec = commands_.Lookup(argv, &unknown_sub);
  if (spec == nullptr) {
    RejectCommand(client, reply,
                  unknown_sub ? UnknownSubcommandError(argv) : UnknownCommandError(argv));
    return;
  }
  const int argc = static_cast<int>(argv.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    RejectCommand(client, reply,
                  "ERR wrong number of arguments for '" + spec->full_name + "' command", spec);
    ++stats_.For(*spec).rejected_calls;
    return;
  }
  if ((spec->flags & kCmdProtected) && !DebugAllowed(*client)) {
    RejectCommand(client, reply,
                  "ERR DEBUG command not allowed. If the enable-debug-command option is set to "
                  "\"local\", you can run it from a local connection, otherwise you need to set "
                  "this option in the configuration file, and then restart the server.",
                  spec);
    ++stats_.For(*spec).rejected_calls;
    return;
  }
  if (AuthRequired(client) && !(spec->flags & kCmdNoAuth)) {
    RejectCommand(client, reply, "NOAUTH Authentication required.", spec);
    ++stats_.For(*spec).rejected_calls;
    return;
  }
  if (client->in_multi && (spec->flags & kCmdNoMulti)) {
    RejectCommand(client, reply, "ERR Command not allowed inside a transaction", spec);
    ++stats_.For(*spec).rejected_calls;
    return;
  }
  if (DeniedByMaxmemory(*client, *spec)) {
    RejectCommand(client, reply, "OOM command not allowed when used memory > 'maxmemory'.", spec);
    ++stats_.For(*spec).rejected_calls;
    return;
  }
  if (DeniedByDiskError(client, *spec)) {
    // writeCommandsDeniedByDiskError(): the RDB error is reported first.
    RejectCommand(client, reply,
                  rdb_.WritesDenied()
                      ? std::string(kMisconfRdbError)
                      : "MISCONF Errors writing to the AOF file: " + aof_.info().last_write_error,
                  spec);
    ++stats_.For(*spec).rejected_calls;
    return;
  }
  if (client->in_multi && !IsTransactionControl(*spec)) {
    client->queued.push_back(std::move(argv));
    argv = {};
    reply.Simple("QUEUED");
    return;
  }
  keyspace_.SetCommandTime(clock_.NowMillis());
  Call(client, *spec, argv, reply);
}

void Server::Call(Client* client, const CommandSpec& spec, std::vector<std::string>& argv,
                  ReplyBuilder& reply) {
  // Virtual time, not MonotonicMicros(): reading a real clock twice per
  // command costs the browser build (a JS call each) more than the command.
  const int64_t start = clock_.NowMicros();
  const size_t from = reply.buffer()->size();
  const int64_t dirty_before = dirty_;
  // Handlers may move arguments out of argv (a SET's value), so the command
  // as typed is encoded before it runs, which the AOF needs anyway.
  CallPropagation prop;
  CallPropagation* outer = current_call_;
  const bool may_propagate =
      propagating_ && (spec.flags & kCmdWrite) && !(spec.flags & kCmdRunsQueue);
  if (may_propagate) prop.resp = EncodeAofCommand(argv);
  current_call_ = &prop;
  ++call_depth_;
  CommandContext ctx{*this, *client, argv, reply, spec};
  spec.handler(ctx);
  --call_depth_;
  current_call_ = outer;
  // call(): a command that changed the dataset (or forced it) is logged,
  // after what it queued itself; EXEC never is (its body was).
  if (propagating_ && !prop.prevent && (prop.force || dirty_ != dirty_before) &&
      (may_propagate || prop.rewritten)) {
    also_propagate_.push_back({client->db, std::move(prop.resp)});
  }
  // SCAN and RANDOMKEY (CMD_TOUCHES_ARBITRARY_KEYS) log the DELs of the keys
  // they found expired one by one, like active expiry.
  if (call_depth_ == 0 && !also_propagate_.empty()) {
    PropagatePending((spec.flags & kCmdTouchesArbitraryKeys) != 0);
  }
  CommandStats& cs = stats_.For(spec);
  ++cs.calls;
  cs.usec += clock_.NowMicros() - start;
  ++stats_.total_commands_processed;
  if (from < reply.buffer()->size() && (*reply.buffer())[from] == '-') {
    ++cs.failed_calls;
    CountErrors(*reply.buffer(), from);
  }
  client->last_command = &spec;
}

void Server::ExecTransaction(Client* client, ReplyBuilder& reply) {
  // isWatchedKeyExpired(): a watched key that expired since WATCH counts as
  // modified even if nobody has deleted it yet.
  for (const Client::WatchedKey& wk : client->watched) {
    if (!wk.expired_at_watch && keyspace_.IsExpired(wk.db, wk.key)) client->dirty_cas = true;
  }
  if (client->multi_error) {
    DiscardTransaction(client);
    reply.Error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  if (client->dirty_cas) {
    DiscardTransaction(client);
    reply.NullArray();
    return;
  }
  UnwatchAll(client);  // as Redis: unwatch before running, nothing to track
  std::vector<std::vector<std::string>> queued = std::move(client->queued);
  client->queued.clear();
  reply.ArrayHeader(queued.size());
  for (std::vector<std::string>& argv : queued) {
    bool unknown_sub = false;
    const CommandSpec* spec = commands_.Lookup(argv, &unknown_sub);
    Call(client, *spec, argv, reply);  // lookups succeeded when queued
  }
  DiscardTransaction(client);
  if (save_after_transaction_) {
    save_after_transaction_ = false;
    if (!rdb_.foreground_pending()) rdb_.Save();
  }
}

void Server::DiscardTransaction(Client* client) {
  client->in_multi = false;
  client->multi_error = false;
  client->dirty_cas = false;
  client->queued.clear();
  UnwatchAll(client);
}

void Server::Watch(Client* client, int db, std::string_view key) {
  for (const Client::WatchedKey& wk : client->watched) {
    if (wk.db == db && wk.key == key) return;
  }
  client->watched.push_back({db, std::string(key), keyspace_.IsExpired(db, key)});
  watched_keys_[WatchKey(db, key)].push_back(client);
}

void Server::UnwatchAll(Client* client) {
  for (const Client::WatchedKey& wk : client->watched) {
    auto it = watched_keys_.find(WatchKey(wk.db, wk.key));
    if (it == watched_keys_.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), client), v.end());
    if (v.empty()) watched_keys_.erase(it);
  }
  client->watched.clear();
}

void Server::TouchKey(int db, std::string_view key) {
  if (watched_keys_.empty()) return;
  auto it = watched_keys_.find(WatchKey(db, key));
  if (it == watched_keys_.end()) return;
  for (Client* c : it->second) c->dirty_cas = true;
}

void Server::TouchAllWatchedInDb(int db) {
  // Every caller (FLUSHDB, FLUSHALL, DEBUG RELOAD) replaces `db` wholesale next.
  if (write_listener_ != nullptr) write_listener_->OnDbWrite(db);
  // touchAllWatchedKeysInDb(): only keys that exist are invalidated.
  for (auto& [wkey, clients] : watched_keys_) {
    int kdb = static_cast<unsigned char>(wkey[0]);
    if (db != -1 && kdb != db) continue;
    std::string_view key(wkey.data() + 1, wkey.size() - 1);
    if (keyspace_.Lookup(kdb, key) == nullptr) continue;
    for (Client* c : clients) c->dirty_cas = true;
  }
}

void Server::TouchWatchedOnSwap(int emptied, int replaced_with) {
  // SWAPDB calls this for each side before it swaps.
  if (write_listener_ != nullptr) write_listener_->OnDbWrite(emptied);
  // Existence is a raw table lookup (dictFind), so nothing expires here.
  const Dict<Value>& now_there = keyspace_.keys(emptied);
  const Dict<Value>& coming = keyspace_.keys(replaced_with);
  for (auto& [wkey, clients] : watched_keys_) {
    if (static_cast<unsigned char>(wkey[0]) != emptied) continue;
    std::string_view key(wkey.data() + 1, wkey.size() - 1);
    const bool in_emptied = now_there.Contains(key);
    const bool in_replacement = coming.Contains(key);
    if (!in_emptied && !in_replacement) continue;
    const bool replacement_expired = in_replacement && keyspace_.IsExpired(replaced_with, key);
    for (Client* c : clients) {
      auto wk = std::find_if(c->watched.begin(), c->watched.end(),
                             [&](const auto& w) { return w.db == emptied && w.key == key; });
      if (wk == c->watched.end()) continue;
      if (wk->expired_at_watch) {
        // Absent (expired) before; still absent or still expired after.
        if (!in_replacement) wk->expired_at_watch = false;
        if (!in_replacement || replacement_expired) continue;
      } else if (!in_emptied && replacement_expired) {
        // Absent before, replaced by an already-expired key: no change yet.
        wk->expired_at_watch = true;
        continue;
      }
      c->dirty_cas = true;
    }
  }
}

void Server::OnBeforeWrite(int db, std::string_view key) {
  rdb_.BeforeWrite(db, key);
  aof_.BeforeWrite(db, key);
  if (write_listener_ != nullptr) write_listener_->OnKeyWrite(db, key);
}

void Server::ReplaceKeyspace(Keyspace&& fresh) {
  rdb_.BeforeKeyspaceReplaced();
  aof_.BeforeKeyspaceReplaced();
  keyspace_.SwapData(fresh);
}

RdbPersistence::Outcome Server::PrepareForShutdown(bool save, bool nosave) {
  if (rdb_.bgsave_in_progress()) {
    Log(LogLevel::kWarning, "There is a child saving an .rdb. Killing it!");
    rdb_.KillBackgroundSave();
  }
  aof_.PrepareForShutdown();
  if (rdb_.foreground_pending()) return RdbPersistence::Outcome::kPending;
  if (!((!config_.save.empty() && !nosave) || save)) return RdbPersistence::Outcome::kOk;
  Log(LogLevel::kNotice, "Saving the final RDB snapshot before exiting.");
  return rdb_.Save();
}

bool Server::BackgroundWork(int64_t budget_us) {
  const bool rdb_more = rdb_.BackgroundWork(budget_us);
  const bool aof_more = aof_.BackgroundWork(budget_us);
  return rdb_more || aof_more;
}

void Server::BeforeSleep() {
  std::shared_ptr<SyncTicket> ticket = aof_.Flush(false);
  std::vector<Client*> batch = std::move(batch_);
  batch_.clear();
  for (Client* c : batch) c->in_batch = false;
  if (aof_.fatal()) {
    // Redis exits before it answers: nothing from this batch goes out.
    for (Client* c : batch) c->output.resize(std::min(c->output.size(), c->batch_output_start));
    return;
  }
  // Under `always` Redis fsyncs in beforeSleep before any reply of the
  // loop goes out, so no client can see a write that is not durable yet.
  // On a disk whose syncs complete later, a batch that wrote nothing may
  // still have read what an earlier batch wrote: its replies wait for the
  // newest pending sync too (tickets complete in order).
  if (ticket != nullptr && !ticket->done()) {
    unsynced_ = ticket;
  } else if (unsynced_ != nullptr && unsynced_->done()) {
    unsynced_.reset();
  }
  if (ticket == nullptr || ticket->done()) ticket = unsynced_;
  if (ticket == nullptr) return;
  for (Client* c : batch) HoldOutput(c, ticket);
}

// The replies `c` got in this batch wait for `ticket`; a reply it was
// already waiting for (a SAVE) comes after them, in order.
void Server::HoldOutput(Client* c, std::shared_ptr<SyncTicket> ticket) {
  if (c->output.size() <= c->batch_output_start) return;
  struct Held {
    std::shared_ptr<SyncTicket> ticket;
    std::string bytes;
    bool released = false;
  };
  auto held = std::make_shared<Held>();
  held->ticket = std::move(ticket);
  held->bytes = c->output.substr(c->batch_output_start);
  c->output.resize(c->batch_output_start);
  auto earlier = std::move(c->blocked_on);
  c->blocked_on = [this, held, earlier](ReplyBuilder& reply) {
    if (!held->released) {
      if (!held->ticket->done()) return false;
      if (!held->ticket->status().ok()) {
        // A failed fsync under `always` is fatal in Redis: never confirm.
        Log(LogLevel::kWarning,
            "Can't persist AOF for fsync error when the AOF fsync policy is "
            "'always': " +
                held->ticket->status().message() + ". Exiting...");
        RequestShutdown();
        return false;
      }
      reply.buffer()->append(held->bytes);
      held->released = true;
    }
    return earlier == nullptr || earlier(reply);
  };
}

Status Server::Recover(RecoveryReport* report) {
  const int64_t start = clock_.MonotonicMicros();
  Status s;
  if (config_.appendonly) {
    s = aof_.Load(report);
    if (s.code() == Status::Code::kNotFound) s = Status::Ok();
    if (s.ok()) s = aof_.OpenOnStartup();
  } else {
    s = LoadRdbAtStartup(report);
  }
  if (!s.ok()) report->error = s.message();
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    report->keys_after += static_cast<int64_t>(keyspace_.keys(db).size());
  }
  report->total_millis = static_cast<double>(clock_.MonotonicMicros() - start) / 1000.0;
  return s;
}

Status Server::LoadRdbAtStartup(RecoveryReport* report) {
  const int64_t start = clock_.MonotonicMicros();
  Keyspace fresh;
  Result<RdbLoadResult> loaded = rdb_.Load(&fresh);
  if (!loaded.ok()) {
    if (loaded.status().code() == Status::Code::kNotFound) return Status::Ok();
    return loaded.status();
  }
  ReplaceKeyspace(std::move(fresh));
  report->source = "rdb";
  RecoveryReport::File file;
  file.name = config_.dbfilename;
  file.kind = "rdb";
  file.bytes = static_cast<int64_t>(loaded->bytes_read);
  file.keys_loaded = loaded->keys_loaded;
  file.keys_expired = loaded->keys_expired;
  file.millis = static_cast<double>(clock_.MonotonicMicros() - start) / 1000.0;
  report->files.push_back(file);
  last_rdb_load_ = std::move(*loaded);
  return Status::Ok();
}

Status Server::ReplayCommand(Client* client, std::vector<std::string>& argv) {
  bool unknown_sub = false;
  const CommandSpec* spec = commands_.Lookup(argv, &unknown_sub);
  if (spec == nullptr) {
    return Status::Corruption("Unknown command '" + (argv.empty() ? "" : argv[0]) + "'");
  }
  // Checked before queueing too: EXEC runs queued handlers without a
  // second check, as commands from clients were checked when queued.
  const int argc = static_cast<int>(argv.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    return Status::Corruption("Wrong number of arguments (" + std::to_string(argc) + ") for '" +
                              spec->full_name + "'");
  }
  ReplyBuilder reply(&replay_reply_, 2);
  if (client->in_multi && !IsTransactionControl(*spec)) {
    client->queued.push_back(std::move(argv));
    argv = {};
  } else {
    keyspace_.SetCommandTime(clock_.NowMillis());
    CommandContext ctx{*this, *client, argv, reply, *spec};
    spec->handler(ctx);
  }
  replay_reply_.clear();
  return Status::Ok();
}

void Server::ResumeBlockedClients() {
  // A SAVE waiting on the disk moves on first (rename, directory sync), so
  // a transport calling this when the disk reports progress needs no cron.
  rdb_.PollForegroundSave();
  std::vector<Client*> ready;
  for (auto& [id, c] : clients_) {
    if (!c->blocked_on) continue;
    ReplyBuilder reply(&c->output, c->resp);
    if (c->blocked_on(reply)) ready.push_back(c.get());
  }
  for (Client* c : ready) {
    c->blocked_on = nullptr;
    Feed(c, "");  // run what the client pipelined meanwhile
  }
}

void Server::OnExpired(int db, std::string_view key) {
  // deleteExpiredKeyAndPropagate(): signalModifiedKey(), then a DEL for the
  // AOF (lazyfree-lazy-expire no), queued before the command that noticed.
  TouchKey(db, key);
  if (propagating_) also_propagate_.push_back({db, EncodeAofCommand({"DEL", std::string(key)})});
}

void Server::AlsoPropagate(int db, const std::vector<std::string>& argv) {
  if (propagating_) also_propagate_.push_back({db, EncodeAofCommand(argv)});
}

void Server::PropagateCurrentAs(const std::vector<std::string>& argv) {
  if (!propagating_ || current_call_ == nullptr) return;
  current_call_->resp = EncodeAofCommand(argv);
  current_call_->rewritten = true;
}

void Server::PreventCurrentPropagation() {
  if (current_call_ != nullptr) current_call_->prevent = true;
}

void Server::ForceCurrentPropagation() {
  if (current_call_ != nullptr) current_call_->force = true;
}

void Server::PropagatePending(bool no_multi) {
  if (also_propagate_.empty()) return;
  // Feed() never propagates, so the list can be walked in place (and keeps
  // its capacity for the next command).
  const std::vector<PropagatedOp>& ops = also_propagate_;
  if (propagating_) {
    // propagatePendingCommands(): several operations are one atomic unit;
    // MULTI is issued in the first one's db so its SELECT comes first, EXEC
    // in the last one's so no SELECT comes between.
    const bool wrap = ops.size() > 1 && !no_multi;
    if (wrap) aof_.Feed(ops.front().db, "*1\r\n$5\r\nMULTI\r\n");
    for (const PropagatedOp& op : ops) aof_.Feed(op.db, op.resp);
    if (wrap) aof_.Feed(ops.back().db, "*1\r\n$4\r\nEXEC\r\n");
  }
  also_propagate_.clear();
}

void Server::Cron() {
  ++cron_loops_;
  const int64_t now_ms = clock_.NowMillis();
  keyspace_.SetCommandTime(now_ms);
  // activeExpireCycle(SLOW): at most 25% of a cron period.
  const int64_t hz = config_.hz > 0 ? config_.hz : 10;
  keyspace_.ActiveExpireCycle(clock_, 1000000 / hz / 4);
  PropagatePending(/*no_multi=*/true);  // activeExpireCycle's DELs, unwrapped
  // databasesCron(): shrink tables, then 1 ms of incremental rehashing.
  keyspace_.DatabasesCron(clock_, config_.activerehashing, 1000);
  // trackInstantaneousMetric(): ops/sec between samples.
  if (stats_.last_sample_time_ms != 0 && now_ms > stats_.last_sample_time_ms) {
    int64_t ops = stats_.total_commands_processed - stats_.last_sample_count;
    int64_t ops_sec = ops * 1000 / (now_ms - stats_.last_sample_time_ms);
    stats_.ops_samples[stats_.ops_sample_index] = ops_sec;
    stats_.ops_sample_index = (stats_.ops_sample_index + 1) % 16;
  }
  stats_.last_sample_time_ms = now_ms;
  stats_.last_sample_count = stats_.total_commands_processed;
  // Save points and a slice of a running BGSAVE: up to half a cron period,
  // so clients still get at least half of the server's time.
  rdb_.Cron(1000000 / hz / 2);
  aof_.Cron(1000000 / hz / 2);
  ResumeBlockedClients();
  // clientsCron(): the soft output limit's seconds run out here too.
  for (auto& [id, c] : clients_) EnforceOutputLimit(c.get(), /*from_cron=*/true);
}

}  // namespace plab
