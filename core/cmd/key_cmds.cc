// Generic key commands: DEL, EXISTS, TYPE, KEYS, SCAN, RENAME, COPY, MOVE,
// the EXPIRE/TTL family, OBJECT, and the whole-database DBSIZE, FLUSHDB and
// FLUSHALL. Replies, error strings and dirty counting follow Redis 7.0's
// db.c, expire.c and object.c.
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cmd/command_table.h"
#include "core/cmd/expire_util.h"
#include "core/cmd/scan_args.h"
#include "core/cmd/server_family.h"
#include "core/server/server.h"
#include "core/util/check.h"
#include "core/util/glob.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr std::string_view kSameObject = "ERR source and destination objects are the same";

// getIntFromObjectOrReply() followed by selectDb()'s range check, as MOVE and
// COPY do. Returns false after replying.
bool ParseDbIndex(CommandContext& ctx, const std::string& arg, int* db) {
  std::optional<int64_t> v = ParseInt64(arg);
  if (!v) {
    ctx.NotInteger();
    return false;
  }
  if (*v < std::numeric_limits<int32_t>::min() || *v > std::numeric_limits<int32_t>::max()) {
    ctx.reply.Error("ERR value is out of range, value must between -2147483648 and 2147483647");
    return false;
  }
  if (*v < 0 || *v >= Keyspace::kNumDbs) {
    ctx.reply.Error("ERR DB index is out of range");
    return false;
  }
  *db = static_cast<int>(*v);
  return true;
}

// delGenericCommand(): DEL and UNLINK (values are freed synchronously either
// way). Each deleted key counts once towards dirty; expired keys count as
// absent.
void Del(CommandContext& ctx) {
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    if (ctx.keyspace().Delete(ctx.db(), ctx.argv[i])) {
      ctx.KeyModified(ctx.argv[i]);
      ++deleted;
    }
  }
  ctx.reply.Integer(deleted);
}

// EXISTS counts repeated keys each time; TOUCH (which only updates access
// times in Redis) answers the same count.
void Exists(CommandContext& ctx) {
  int64_t count = 0;
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    if (ctx.keyspace().LookupRead(ctx.db(), ctx.argv[i]) != nullptr) ++count;
  }
  ctx.reply.Integer(count);
}

void Type(CommandContext& ctx) {
  const Value* v = ctx.keyspace().LookupRead(ctx.db(), ctx.argv[1]);
  ctx.reply.Simple(v == nullptr ? "none" : TypeName(v->type()));
}

// keysCommand(): expired keys are skipped but, unlike SCAN, not deleted.
void Keys(CommandContext& ctx) {
  const std::string& pattern = ctx.argv[1];
  const bool all = pattern == "*";
  Keyspace& ks = ctx.keyspace();
  std::vector<const std::string*> matches;
  ks.keys(ctx.db()).ForEach([&](const std::string& key, const Value&) {
    if ((all || GlobMatch(pattern, key)) && !ks.IsExpired(ctx.db(), key)) {
      matches.push_back(&key);
    }
  });
  ctx.reply.ArrayHeader(matches.size());
  for (const std::string* key : matches) ctx.reply.Bulk(*key);
}

// Whether SCAN returns `key`: it must match the pattern and type, and must
// not be expired (an expired key is deleted here, as expireIfNeeded does).
bool ScanKeeps(CommandContext& ctx, const ScanOptions& opts, const std::string& key) {
  Keyspace& ks = ctx.keyspace();
  if (!opts.Matches(key)) return false;
  if (opts.has_type) {
    const Value* v = ks.LookupRead(ctx.db(), key);
    if (!EqualsIgnoreCase(opts.type, v == nullptr ? "none" : TypeName(v->type()))) return false;
  }
  if (ks.IsExpired(ctx.db(), key)) {
    ks.Lookup(ctx.db(), key);  // deletes it
    return false;
  }
  return true;
}

// scanCommand(): visits buckets until COUNT keys were collected, the table
// is exhausted, or COUNT*10 buckets were visited; then filters.
void Scan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseScanCursor(ctx.argv[1]);
  if (!cursor) return ctx.reply.Error(kInvalidCursorError);
  ScanOptions opts;
  if (std::string_view err = ParseScanOptions(ctx.argv, 2, true, &opts); !err.empty()) {
    return ctx.reply.Error(err);
  }
  // Keys are copied: filtering may delete expired ones from the table.
  std::vector<std::string> visited;
  const uint64_t next = ScanDictLikeRedis(
      ctx.keyspace().keys(ctx.db()), *cursor, opts.count,
      [&](const std::string& k, const Value&) { visited.push_back(k); },
      [&] { return visited.size(); });
  std::vector<const std::string*> kept;
  for (const std::string& key : visited) {
    if (ScanKeeps(ctx, opts, key)) kept.push_back(&key);
  }
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(kept.size());
  for (const std::string* key : kept) ctx.reply.Bulk(*key);
}

void RandomKey(CommandContext& ctx) {
  const std::string* key = ctx.keyspace().RandomKey(ctx.db());
  if (key == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(*key);
}

// Moves a key's value and TTL to (dst_db, dst). REQUIRES: the source exists
// and the destination does not.
void TransferKey(Keyspace& ks, int src_db, const std::string& src, int dst_db,
                 const std::string& dst) {
  Value value;
  int64_t expire = Keyspace::kNoExpire;
  const bool taken = ks.Take(src_db, src, &value, &expire);
  PLAB_DCHECK(taken, "TransferKey: no source key");
  ks.Add(dst_db, dst, std::move(value));
  if (expire != Keyspace::kNoExpire) ks.SetExpire(dst_db, dst, expire);
}

// renameGenericCommand(): a missing source is an error even when both names
// are equal; renaming a key onto itself does nothing (OK / 0). The TTL moves
// with the value. One dirty increment for the whole operation.
void RenameGeneric(CommandContext& ctx, bool nx) {
  Keyspace& ks = ctx.keyspace();
  const int db = ctx.db();
  const std::string& src = ctx.argv[1];
  const std::string& dst = ctx.argv[2];
  if (ks.Lookup(db, src) == nullptr) return ctx.reply.Error(errors::kNoSuchKey);
  if (src == dst) return nx ? ctx.reply.Integer(0) : ctx.reply.Ok();
  if (ks.Lookup(db, dst) != nullptr) {
    if (nx) return ctx.reply.Integer(0);
    ks.Delete(db, dst);
  }
  TransferKey(ks, db, src, db, dst);
  ctx.KeyModified(src);
  ctx.KeyModified(db, dst, 0);
  return nx ? ctx.reply.Integer(1) : ctx.reply.Ok();
}

void Rename(CommandContext& ctx) { RenameGeneric(ctx, false); }
void RenameNx(CommandContext& ctx) { RenameGeneric(ctx, true); }

// moveCommand(): 0 when the key is missing or already present in the target
// database.
void Move(CommandContext& ctx) {
  int dst_db = 0;
  if (!ParseDbIndex(ctx, ctx.argv[2], &dst_db)) return;
  if (dst_db == ctx.db()) return ctx.reply.Error(kSameObject);
  Keyspace& ks = ctx.keyspace();
  const std::string& key = ctx.argv[1];
  if (ks.Lookup(ctx.db(), key) == nullptr) return ctx.reply.Integer(0);
  if (ks.Lookup(dst_db, key) != nullptr) return ctx.reply.Integer(0);
  TransferKey(ks, ctx.db(), key, dst_db, key);
  ctx.KeyModified(key);
  ctx.KeyModified(dst_db, key, 0);
  ctx.reply.Integer(1);
}

// copyCommand(): COPY source destination [DB n] [REPLACE]. Options are
// checked in order; the copy keeps the source's encoding and TTL.
void Copy(CommandContext& ctx) {
  const std::vector<std::string>& argv = ctx.argv;
  bool replace = false;
  int dst_db = ctx.db();
  for (size_t i = 3; i < argv.size(); ++i) {
    if (EqualsIgnoreCase(argv[i], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(argv[i], "db") && i + 1 < argv.size()) {
      if (!ParseDbIndex(ctx, argv[++i], &dst_db)) return;
    } else {
      return ctx.Syntax();
    }
  }
  const std::string& src = argv[1];
  const std::string& dst = argv[2];
  if (dst_db == ctx.db() && src == dst) return ctx.reply.Error(kSameObject);
  Keyspace& ks = ctx.keyspace();
  const Value* value = ks.LookupRead(ctx.db(), src);
  if (value == nullptr) return ctx.reply.Integer(0);
  const int64_t expire = ks.GetExpire(ctx.db(), src);
  // Dict nodes never move, so `value` survives the deletion of another key.
  if (ks.Lookup(dst_db, dst) != nullptr) {
    if (!replace) return ctx.reply.Integer(0);
    ks.Delete(dst_db, dst);
  }
  ks.Add(dst_db, dst, value->Clone());
  if (expire != Keyspace::kNoExpire) ks.SetExpire(dst_db, dst, expire);
  ctx.KeyModified(dst_db, dst, 1);
  ctx.reply.Integer(1);
}

// EXPIRE's optional conditions (parseExtendedExpireArgumentsOrReply).
enum ExpireCondition : uint32_t { kIfNx = 1, kIfXx = 2, kIfGt = 4, kIfLt = 8 };

bool ParseExpireConditions(CommandContext& ctx, uint32_t* conditions) {
  constexpr std::pair<std::string_view, ExpireCondition> kNames[] = {
      {"nx", kIfNx}, {"xx", kIfXx}, {"gt", kIfGt}, {"lt", kIfLt}};
  for (size_t i = 3; i < ctx.argv.size(); ++i) {
    uint32_t flag = 0;
    for (const auto& [name, f] : kNames) {
      if (EqualsIgnoreCase(ctx.argv[i], name)) flag = f;
    }
    if (flag == 0) {
      ctx.reply.Error("ERR Unsupported option " + ctx.argv[i]);
      return false;
    }
    *conditions |= flag;
  }
  if ((*conditions & kIfNx) && (*conditions & (kIfXx | kIfGt | kIfLt))) {
    ctx.reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return false;
  }
  if ((*conditions & kIfGt) && (*conditions & kIfLt)) {
    ctx.reply.Error("ERR GT and LT options at the same time are not compatible");
    return false;
  }
  return true;
}

// NX: no TTL yet. XX: has a TTL. GT: has a TTL (none counts as infinite)
// and the new one is later. LT: no TTL, or the new one is earlier.
bool ExpireConditionsHold(uint32_t conditions, int64_t current, int64_t when) {
  const bool has_ttl = current != Keyspace::kNoExpire;
  if ((conditions & kIfNx) && has_ttl) return false;
  if ((conditions & kIfXx) && !has_ttl) return false;
  if ((conditions & kIfGt) && (!has_ttl || when <= current)) return false;
  if ((conditions & kIfLt) && has_ttl && when >= current) return false;
  return true;
}

// How expireGenericCommand() logs a deadline it set: as PEXPIREAT with the
// absolute ms deadline, conditions kept. PEXPIREAT itself logs as typed.
void PropagateDeadline(CommandContext& ctx, int64_t when) {
  if (!ctx.propagating() || ctx.spec.name == "pexpireat") return;
  std::vector<std::string> logged = ctx.argv;
  logged[0] = "PEXPIREAT";
  logged[2] = FormatInt64(when);
  ctx.PropagateAs(logged);
}

// expireGenericCommand(): `base_ms` is the command time for relative forms
// and 0 for the *AT forms. Negative times are allowed; only overflow is an
// error. A deadline that has already passed deletes the key (and still
// replies 1), logged as DEL — except while loading an AOF, when the past
// deadline is just set (checkAlreadyExpired) and the key expires once
// loading is over.
void ExpireGeneric(CommandContext& ctx, int64_t base_ms, bool seconds) {
  uint32_t conditions = 0;
  if (!ParseExpireConditions(ctx, &conditions)) return;
  std::optional<int64_t> value = ParseInt64(ctx.argv[2]);
  if (!value) return ctx.NotInteger();
  int64_t when = *value;
  if (seconds) {
    if (when > kInt64Max / 1000 || when < kInt64Min / 1000) return ReplyInvalidExpireTime(ctx);
    when *= 1000;
  }
  if (when > kInt64Max - base_ms) return ReplyInvalidExpireTime(ctx);
  when += base_ms;
  Keyspace& ks = ctx.keyspace();
  const std::string& key = ctx.argv[1];
  if (ks.Lookup(ctx.db(), key) == nullptr) return ctx.reply.Integer(0);
  if (conditions != 0 && !ExpireConditionsHold(conditions, ks.GetExpire(ctx.db(), key), when)) {
    return ctx.reply.Integer(0);
  }
  if (when <= ctx.now_ms() && !ks.loading()) {
    if (ctx.propagating()) ctx.PropagateAs({"DEL", key});  // lazyfree-lazy-expire no
    ks.Delete(ctx.db(), key);
  } else {
    PropagateDeadline(ctx, when);
    ks.SetExpire(ctx.db(), key, when);
  }
  ctx.KeyModified(key);
  ctx.reply.Integer(1);
}

void Expire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.now_ms(), true); }
void PExpire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.now_ms(), false); }
void ExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, true); }
void PExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, false); }

// ttlGenericCommand(): -2 for a missing key, -1 without a TTL; otherwise the
// remaining (or absolute) time, never negative, seconds rounded to nearest.
void TtlGeneric(CommandContext& ctx, bool in_ms, bool absolute) {
  Keyspace& ks = ctx.keyspace();
  if (ks.LookupRead(ctx.db(), ctx.argv[1]) == nullptr) return ctx.reply.Integer(-2);
  const int64_t expire = ks.GetExpire(ctx.db(), ctx.argv[1]);
  if (expire == Keyspace::kNoExpire) return ctx.reply.Integer(-1);
  int64_t t = absolute ? expire : expire - ctx.now_ms();
  if (t < 0) t = 0;
  // (t + 500) / 1000 without overflowing near INT64_MAX.
  ctx.reply.Integer(in_ms ? t : t / 1000 + (t % 1000 + 500) / 1000);
}

void Ttl(CommandContext& ctx) { TtlGeneric(ctx, false, false); }
void PTtl(CommandContext& ctx) { TtlGeneric(ctx, true, false); }
void ExpireTime(CommandContext& ctx) { TtlGeneric(ctx, false, true); }
void PExpireTime(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

void Persist(CommandContext& ctx) {
  Keyspace& ks = ctx.keyspace();
  const std::string& key = ctx.argv[1];
  if (ks.Lookup(ctx.db(), key) == nullptr || !ks.RemoveExpire(ctx.db(), key)) {
    return ctx.reply.Integer(0);
  }
  ctx.KeyModified(key);
  ctx.reply.Integer(1);
}

// OBJECT's subcommands look keys up like a read (hits/misses count) and
// answer nil for a missing key.
void ObjectEncoding(CommandContext& ctx) {
  const Value* v = ctx.keyspace().LookupRead(ctx.db(), ctx.argv[2]);
  if (v == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(v->EncodingName());
}

// Redis shares one object for the integers 0..9999 (refcount INT_MAX)
// unless an LRU/LFU maxmemory policy needs per-key access data; every other
// value has a single owner. (A COPY of a shared integer gets its own object
// in Redis; PersistLab can't tell it apart and reports the shared count.)
void ObjectRefCount(CommandContext& ctx) {
  const Value* v = ctx.keyspace().LookupRead(ctx.db(), ctx.argv[2]);
  if (v == nullptr) return ctx.reply.Null();
  constexpr int64_t kSharedRefCount = std::numeric_limits<int32_t>::max();
  const Config& config = ctx.config();
  const std::string& policy = config.maxmemory_policy;
  const bool sharing = config.maxmemory == 0 || (policy.find("lru") == std::string::npos &&
                                                 policy.find("lfu") == std::string::npos);
  if (sharing && v->is(ValueType::kString) && v->EncodingName() == "int") {
    const int64_t n = *ParseInt64(v->str());
    if (n >= 0 && n < 10000) return ctx.reply.Integer(kSharedRefCount);
  }
  ctx.reply.Integer(1);
}

// OBJECT HELP: the same layout as Redis's help replies, in our own words.
void ObjectHelp(CommandContext& ctx) {
  ReplyHelp(
      ctx.reply, "OBJECT",
      {"ENCODING <key>", "    Names the internal representation Redis 7.0 would use for the value.",
       "REFCOUNT <key>",
       "    Reports how many references the value has (shared integers report many).",
       "FREQ <key>, IDLETIME <key>",
       "    Not available in PersistLab: keys carry no access statistics."});
}

void ObjectContainer(CommandContext& ctx) { ObjectHelp(ctx); }

void DbSize(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.keyspace().Size(ctx.db())));
}

// getFlushCommandFlags(): nothing, or exactly one of SYNC / ASYNC. Memory is
// always freed synchronously here, so the choice changes nothing visible.
bool ParseFlushOption(CommandContext& ctx) {
  const std::vector<std::string>& argv = ctx.argv;
  if (argv.size() == 1) return true;
  if (argv.size() == 2 &&
      (EqualsIgnoreCase(argv[1], "sync") || EqualsIgnoreCase(argv[1], "async"))) {
    return true;
  }
  ctx.Syntax();
  return false;
}

// flushdbCommand(): WATCHers of existing keys are invalidated before the
// flush (signalFlushedDb), and dirty grows by the number of keys removed,
// expired-but-present ones included (emptyData's return value).
void FlushDb(CommandContext& ctx) {
  if (!ParseFlushOption(ctx)) return;
  ctx.ForcePropagation();  // logged even when the db was already empty
  Keyspace& ks = ctx.keyspace();
  ctx.server.TouchAllWatchedInDb(ctx.db());
  ctx.server.add_dirty(static_cast<int64_t>(ks.Size(ctx.db())));
  ks.Flush(ctx.db());
  ctx.reply.Ok();
}

// flushallCommand(): like FLUSHDB over every database. (Redis also saves an
// RDB here when save points are configured; that belongs to persistence.)
void FlushAll(CommandContext& ctx) {
  if (!ParseFlushOption(ctx)) return;
  ctx.ForcePropagation();  // logged even when every db was already empty
  Keyspace& ks = ctx.keyspace();
  ctx.server.TouchAllWatchedInDb(-1);
  int64_t removed = 0;
  for (int db = 0; db < Keyspace::kNumDbs; ++db) removed += static_cast<int64_t>(ks.Size(db));
  ctx.server.add_dirty(removed);
  // flushAllDataAndResetRDB(): a running BGSAVE is killed, and with save
  // points the now empty dataset is saved at once. Not while an AOF is
  // replayed at startup, where Redis 7.0 saves too: a FLUSHALL read from
  // the AOF would overwrite dump.rdb with a half-loaded dataset, even when
  // a damaged file later makes the startup fail (which must leave the
  // files untouched; found by the crash-state enumeration, tests/crash/).
  RdbPersistence& rdb = ctx.server.rdb();
  rdb.KillBackgroundSave();
  ks.FlushAll();
  // Inside MULTI/EXEC the save waits for the EXEC to finish (Redis 7.0
  // saves at once, so a crash before the next save brought back half a
  // transaction: deliberate difference, found by the crash enumeration).
  if (!ctx.config().save.empty() && !rdb.foreground_pending() && !ks.loading()) {
    if (ctx.client.in_multi) {
      ctx.server.SaveAfterTransaction();
    } else {
      rdb.Save();
    }
  }
  ctx.reply.Ok();
}

CommandSpec ObjectSpec() {
  CommandSpec object =
      MakeSpec("object", -2, 0, ObjectContainer, "generic", "2.2.3", "subcommand [arguments]",
               "Container for commands that inspect how keys are stored.");
  object.subcommands.push_back(
      MakeSpec("encoding", 3, kCmdReadOnly, ObjectEncoding, "generic", "2.2.3", "key",
               "Names the internal representation Redis would use for a key's value.", 2, 2, 1));
  object.subcommands.push_back(
      MakeSpec("refcount", 3, kCmdReadOnly, ObjectRefCount, "generic", "2.2.3", "key",
               "Reports how many references Redis would hold to a key's value.", 2, 2, 1));
  object.subcommands.push_back(MakeSpec("help", 2, kCmdLoading | kCmdStale, ObjectHelp, "generic",
                                        "6.2.0", "", "Lists the OBJECT subcommands."));
  return object;
}

}  // namespace

void RegisterKeyCommands(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite;
  constexpr uint32_t kWF = kCmdWrite | kCmdFast;
  constexpr uint32_t kR = kCmdReadOnly;
  constexpr uint32_t kRF = kCmdReadOnly | kCmdFast;
  constexpr const char* kExpireSyntax = " [NX | XX | GT | LT]";
  t.Add(MakeSpec("del", -2, kW, Del, "generic", "1.0.0", "key [key ...]",
                 "Deletes keys; replies how many existed.", 1, -1, 1));
  t.Add(MakeSpec("unlink", -2, kWF, Del, "generic", "4.0.0", "key [key ...]",
                 "Deletes keys like DEL (Redis frees the memory in the background).", 1, -1, 1));
  t.Add(MakeSpec("exists", -2, kRF, Exists, "generic", "1.0.0", "key [key ...]",
                 "Counts how many of the given keys exist; repeats count again.", 1, -1, 1));
  t.Add(MakeSpec("touch", -2, kRF, Exists, "generic", "3.2.1", "key [key ...]",
                 "Marks keys as accessed; replies how many exist.", 1, -1, 1));
  t.Add(MakeSpec("type", 2, kRF, Type, "generic", "1.0.0", "key",
                 "Names the type of a key's value, or none.", 1, 1, 1));
  t.Add(MakeSpec("keys", 2, kR, Keys, "generic", "1.0.0", "pattern",
                 "Lists every key matching a glob pattern (slow on big databases).", 0, 0, 0));
  t.Add(MakeSpec("scan", -2, kR | kCmdTouchesArbitraryKeys, Scan, "generic", "2.8.0",
                 "cursor [MATCH pattern] [COUNT count] [TYPE type]",
                 "Iterates the keyspace a few keys at a time with a cursor."));
  t.Add(MakeSpec("randomkey", 1, kR | kCmdTouchesArbitraryKeys, RandomKey, "generic", "1.0.0", "",
                 "Returns a random key name, or nil when the database is empty."));
  t.Add(MakeSpec("rename", 3, kW, Rename, "generic", "1.0.0", "key newkey",
                 "Gives a key a new name, replacing any key already there.", 1, 2, 1));
  t.Add(MakeSpec("renamenx", 3, kWF, RenameNx, "generic", "1.0.0", "key newkey",
                 "Renames a key only if the new name is free.", 1, 2, 1));
  t.Add(MakeSpec("copy", -3, kCmdWrite | kCmdDenyOom, Copy, "generic", "6.2.0",
                 "source destination [DB destination-db] [REPLACE]",
                 "Duplicates a key's value (and TTL) under another name or database.", 1, 2, 1));
  t.Add(MakeSpec("move", 3, kWF, Move, "generic", "1.0.0", "key db",
                 "Moves a key to another database if it is free there.", 1, 1, 1));
  t.Add(MakeSpec("expire", -3, kWF, Expire, "generic", "1.0.0",
                 (std::string("key seconds") + kExpireSyntax).c_str(),
                 "Sets a key's time to live in seconds.", 1, 1, 1));
  t.Add(MakeSpec("pexpire", -3, kWF, PExpire, "generic", "2.6.0",
                 (std::string("key milliseconds") + kExpireSyntax).c_str(),
                 "Sets a key's time to live in milliseconds.", 1, 1, 1));
  t.Add(MakeSpec("expireat", -3, kWF, ExpireAt, "generic", "1.2.0",
                 (std::string("key unix-time-seconds") + kExpireSyntax).c_str(),
                 "Makes a key expire at a Unix time in seconds.", 1, 1, 1));
  t.Add(MakeSpec("pexpireat", -3, kWF, PExpireAt, "generic", "2.6.0",
                 (std::string("key unix-time-milliseconds") + kExpireSyntax).c_str(),
                 "Makes a key expire at a Unix time in milliseconds.", 1, 1, 1));
  t.Add(MakeSpec("ttl", 2, kRF, Ttl, "generic", "1.0.0", "key",
                 "Seconds until a key expires (-1: no TTL, -2: no key).", 1, 1, 1));
  t.Add(MakeSpec("pttl", 2, kRF, PTtl, "generic", "2.6.0", "key",
                 "Milliseconds until a key expires (-1: no TTL, -2: no key).", 1, 1, 1));
  t.Add(MakeSpec("expiretime", 2, kRF, ExpireTime, "generic", "7.0.0", "key",
                 "The Unix time in seconds at which a key expires.", 1, 1, 1));
  t.Add(MakeSpec("pexpiretime", 2, kRF, PExpireTime, "generic", "7.0.0", "key",
                 "The Unix time in milliseconds at which a key expires.", 1, 1, 1));
  t.Add(MakeSpec("persist", 2, kWF, Persist, "generic", "2.2.0", "key",
                 "Removes a key's TTL so it lives forever.", 1, 1, 1));
  t.Add(ObjectSpec());
  t.Add(MakeSpec("dbsize", 1, kRF, DbSize, "server", "1.0.0", "",
                 "Number of keys in the selected database."));
  t.Add(MakeSpec("flushdb", -1, kW, FlushDb, "server", "1.0.0", "[ASYNC | SYNC]",
                 "Deletes every key of the selected database."));
  t.Add(MakeSpec("flushall", -1, kW, FlushAll, "server", "1.0.0", "[ASYNC | SYNC]",
                 "Deletes every key of every database."));
}

}  // namespace plab
