// String commands: SET and its variants, GET and its variants, counters,
// APPEND and ranges. Replies, error strings, option rules and dirty counting
// follow Redis 7.0's t_string.c.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cmd/command_table.h"
#include "core/cmd/expire_util.h"
#include "core/server/server.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// The options SET and GETEX understand (parseExtendedStringArgumentsOrReply).
enum StringOption : uint32_t {
  kOptNx = 1 << 0,
  kOptXx = 1 << 1,
  kOptGet = 1 << 2,
  kOptKeepTtl = 1 << 3,
  kOptPersist = 1 << 4,
  kOptEx = 1 << 5,
  kOptPx = 1 << 6,
  kOptExAt = 1 << 7,
  kOptPxAt = 1 << 8,
};
constexpr uint32_t kOptAnyExpire = kOptEx | kOptPx | kOptExAt | kOptPxAt;

enum class OptionUser { kSet, kGetEx, kBoth };

struct OptionSpec {
  std::string_view name;
  uint32_t flag;
  uint32_t conflicts;  // options that, if already given, make this one an error
  OptionUser user;
  bool takes_value;
};

// An expiry option excludes the other three kinds, KEEPTTL and PERSIST; the
// same kind may repeat (the last value wins), as in Redis.
constexpr uint32_t ExpireConflicts(uint32_t self) {
  return (kOptAnyExpire & ~self) | kOptKeepTtl | kOptPersist;
}

constexpr OptionSpec kStringOptions[] = {
    {"nx", kOptNx, kOptXx, OptionUser::kSet, false},
    {"xx", kOptXx, kOptNx, OptionUser::kSet, false},
    {"get", kOptGet, 0, OptionUser::kSet, false},
    {"keepttl", kOptKeepTtl, kOptAnyExpire | kOptPersist, OptionUser::kSet, false},
    {"persist", kOptPersist, kOptAnyExpire | kOptKeepTtl, OptionUser::kGetEx, false},
    {"ex", kOptEx, ExpireConflicts(kOptEx), OptionUser::kBoth, true},
    {"px", kOptPx, ExpireConflicts(kOptPx), OptionUser::kBoth, true},
    {"exat", kOptExAt, ExpireConflicts(kOptExAt), OptionUser::kBoth, true},
    {"pxat", kOptPxAt, ExpireConflicts(kOptPxAt), OptionUser::kBoth, true},
};

struct StringArgs {
  uint32_t flags = 0;
  const std::string* expire = nullptr;  // the EX/PX/EXAT/PXAT value, if any
};

const OptionSpec* FindStringOption(std::string_view word) {
  for (const OptionSpec& o : kStringOptions) {
    if (EqualsIgnoreCase(word, o.name)) return &o;
  }
  return nullptr;
}

// Parses the options in argv[first..]. Unknown words, options of the other
// command, conflicting options and a missing expiry value are all plain
// syntax errors in Redis. Returns false after replying.
bool ParseStringOptions(CommandContext& ctx, size_t first, OptionUser user, StringArgs* out) {
  const std::vector<std::string>& argv = ctx.argv;
  for (size_t i = first; i < argv.size(); ++i) {
    const OptionSpec* opt = FindStringOption(argv[i]);
    const bool usable = opt != nullptr && (opt->user == OptionUser::kBoth || opt->user == user) &&
                        (out->flags & opt->conflicts) == 0 &&
                        (!opt->takes_value || i + 1 < argv.size());
    if (!usable) {
      ctx.Syntax();
      return false;
    }
    out->flags |= opt->flag;
    if (opt->takes_value) out->expire = &argv[++i];
  }
  return true;
}

// getExpireMillisecondsOrReply(): turns the expiry value into an absolute
// Unix ms deadline. It must be a positive integer; EX/PX are relative to the
// command time; overflow anywhere is "invalid expire time". Returns false
// after replying.
bool ExpireDeadline(CommandContext& ctx, const StringArgs& args, int64_t* deadline_ms) {
  std::optional<int64_t> value = ParseInt64(*args.expire);
  if (!value) {
    ctx.NotInteger();
    return false;
  }
  const bool seconds = (args.flags & (kOptEx | kOptExAt)) != 0;
  int64_t ms = *value;
  if (ms <= 0 || (seconds && ms > kInt64Max / 1000)) {
    ReplyInvalidExpireTime(ctx);
    return false;
  }
  if (seconds) ms *= 1000;
  if (args.flags & (kOptEx | kOptPx)) {
    if (ms > kInt64Max - ctx.now_ms()) {
      ReplyInvalidExpireTime(ctx);
      return false;
    }
    ms += ctx.now_ms();
  }
  *deadline_ms = ms;
  return true;
}

// getGenericCommand(): replies the string at argv[1], or nil when absent.
// Returns false (after a WRONGTYPE error) when the key holds another type.
bool ReplyStringValue(CommandContext& ctx) {
  const Value* v = ctx.keyspace().LookupRead(ctx.db(), ctx.argv[1]);
  if (v == nullptr) {
    ctx.reply.Null();
    return true;
  }
  if (!v->is(ValueType::kString)) {
    ctx.WrongType();
    return false;
  }
  ctx.reply.Bulk(v->str());
  return true;
}

// SET answers OK / nil; SETNX answers 1 / 0.
enum class SetReply { kOkOrNil, kOneOrZero };

// How setGenericCommand() logs a SET that happened: with an expiry, as
// "SET key value PXAT <ms>" (the options are dropped, the deadline made
// absolute); otherwise as typed minus its GET words (from argv[3] on, so a
// value spelled "get" stays). Empty when the command logs as typed.
std::vector<std::string> SetPropagation(const CommandContext& ctx, const StringArgs& args,
                                        size_t value_index, int64_t deadline) {
  const std::vector<std::string>& argv = ctx.argv;
  if (args.expire != nullptr) {
    return {"SET", argv[1], argv[value_index], "PXAT", FormatInt64(deadline)};
  }
  std::vector<std::string> out;
  if ((args.flags & kOptGet) == 0) return out;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i < 3 || !EqualsIgnoreCase(argv[i], "get")) out.push_back(argv[i]);
  }
  return out;
}

// setGenericCommand(): SET, SETNX, SETEX and PSETEX. The expiry is checked
// first, then GET's reply, then NX/XX. The new value is moved out of
// argv[value_index] rather than copied.
void SetGeneric(CommandContext& ctx, const StringArgs& args, size_t value_index, SetReply style) {
  int64_t deadline = 0;
  if (args.expire != nullptr && !ExpireDeadline(ctx, args, &deadline)) return;
  const bool get = (args.flags & kOptGet) != 0;
  if (get && !ReplyStringValue(ctx)) return;
  Keyspace& ks = ctx.keyspace();
  const std::string& key = ctx.argv[1];
  const bool found = ks.Lookup(ctx.db(), key) != nullptr;
  if (((args.flags & kOptNx) && found) || ((args.flags & kOptXx) && !found)) {
    if (get) return;  // GET already replied with the old value
    return style == SetReply::kOneOrZero ? ctx.reply.Integer(0) : ctx.reply.Null();
  }
  if (ctx.propagating()) {
    std::vector<std::string> logged = SetPropagation(ctx, args, value_index, deadline);
    if (!logged.empty()) ctx.PropagateAs(logged);
  }
  ks.Set(ctx.db(), key, Value::String(std::move(ctx.argv[value_index])),
         (args.flags & kOptKeepTtl) != 0);
  if (args.expire != nullptr) ks.SetExpire(ctx.db(), key, deadline);
  ctx.KeyModified(key);
  if (get) return;
  return style == SetReply::kOneOrZero ? ctx.reply.Integer(1) : ctx.reply.Ok();
}

void Set(CommandContext& ctx) {
  StringArgs args;
  if (!ParseStringOptions(ctx, 3, OptionUser::kSet, &args)) return;
  SetGeneric(ctx, args, 2, SetReply::kOkOrNil);
}

void SetNx(CommandContext& ctx) { SetGeneric(ctx, {kOptNx, nullptr}, 2, SetReply::kOneOrZero); }

void SetEx(CommandContext& ctx) { SetGeneric(ctx, {kOptEx, &ctx.argv[2]}, 3, SetReply::kOkOrNil); }

void PSetEx(CommandContext& ctx) { SetGeneric(ctx, {kOptPx, &ctx.argv[2]}, 3, SetReply::kOkOrNil); }

void Get(CommandContext& ctx) { ReplyStringValue(ctx); }

// getexCommand(): GET that may also change the TTL. Unlike SET, the key's
// type is checked before the expiry value; EXAT/PXAT in the past delete the
// key (after replying its value), except while loading an AOF
// (checkAlreadyExpired). Never logged as typed: it becomes DEL, PEXPIREAT
// with the absolute deadline, or PERSIST.
void GetEx(CommandContext& ctx) {
  StringArgs args;
  if (!ParseStringOptions(ctx, 2, OptionUser::kGetEx, &args)) return;
  Keyspace& ks = ctx.keyspace();
  const std::string& key = ctx.argv[1];
  const Value* v = ks.LookupRead(ctx.db(), key);
  if (v == nullptr) return ctx.reply.Null();
  if (!v->is(ValueType::kString)) return ctx.WrongType();
  int64_t deadline = 0;
  if (args.expire != nullptr && !ExpireDeadline(ctx, args, &deadline)) return;
  ctx.reply.Bulk(v->str());
  if ((args.flags & (kOptExAt | kOptPxAt)) && deadline <= ctx.now_ms() && !ks.loading()) {
    if (ctx.propagating()) ctx.PropagateAs({"DEL", key});  // lazyfree-lazy-expire no
    ks.Delete(ctx.db(), key);
    ctx.KeyModified(key);
  } else if (args.expire != nullptr) {
    if (ctx.propagating()) ctx.PropagateAs({"PEXPIREAT", key, FormatInt64(deadline)});
    ks.SetExpire(ctx.db(), key, deadline);
    ctx.KeyModified(key);
  } else if ((args.flags & kOptPersist) && ks.RemoveExpire(ctx.db(), key)) {
    if (ctx.propagating()) ctx.PropagateAs({"PERSIST", key});
    ctx.KeyModified(key);
  }
}

// getdelCommand(): logged as DEL, or UNLINK under lazyfree-lazy-user-del.
void GetDel(CommandContext& ctx) {
  if (!ReplyStringValue(ctx)) return;
  const std::string& key = ctx.argv[1];
  if (!ctx.keyspace().Delete(ctx.db(), key)) return;
  if (ctx.propagating()) {
    ctx.PropagateAs({ctx.config().lazyfree_lazy_user_del ? "UNLINK" : "DEL", key});
  }
  ctx.KeyModified(key);
}

// getsetCommand(): replies the old value and stores the new one, dropping
// any TTL (a plain setKey()). Logged as SET key value.
void GetSet(CommandContext& ctx) {
  if (!ReplyStringValue(ctx)) return;
  if (ctx.propagating()) ctx.PropagateAs({"SET", ctx.argv[1], ctx.argv[2]});
  ctx.keyspace().Set(ctx.db(), ctx.argv[1], Value::String(std::move(ctx.argv[2])));
  ctx.KeyModified(ctx.argv[1]);
}

// msetGenericCommand(): an even argc is an arity error here (the table's
// arity can't express "odd"). MSETNX sets nothing if any key exists. Dirty
// grows by one per pair, duplicates included.
void MSetGeneric(CommandContext& ctx, bool nx) {
  std::vector<std::string>& argv = ctx.argv;
  if (argv.size() % 2 == 0) {
    return ctx.reply.Error("ERR wrong number of arguments for '" + ctx.spec.full_name +
                           "' command");
  }
  Keyspace& ks = ctx.keyspace();
  if (nx) {
    for (size_t i = 1; i < argv.size(); i += 2) {
      if (ks.Lookup(ctx.db(), argv[i]) != nullptr) return ctx.reply.Integer(0);
    }
  }
  for (size_t i = 1; i < argv.size(); i += 2) {
    ks.Set(ctx.db(), argv[i], Value::String(std::move(argv[i + 1])));
    ctx.KeyModified(argv[i]);
  }
  return nx ? ctx.reply.Integer(1) : ctx.reply.Ok();
}

void MSet(CommandContext& ctx) { MSetGeneric(ctx, false); }
void MSetNx(CommandContext& ctx) { MSetGeneric(ctx, true); }

// mgetCommand(): missing keys and keys of other types are both nil.
void MGet(CommandContext& ctx) {
  Keyspace& ks = ctx.keyspace();
  ctx.reply.ArrayHeader(ctx.argv.size() - 1);
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    const Value* v = ks.LookupRead(ctx.db(), ctx.argv[i]);
    if (v == nullptr || !v->is(ValueType::kString)) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(v->str());
    }
  }
}

// incrDecrCommand(): adds `by` to the integer stored at argv[1] (0 when
// absent), keeping the TTL. The result is a canonical integer, so it is
// int-encoded like Redis's createStringObjectFromLongLongForValue().
void IncrByGeneric(CommandContext& ctx, int64_t by) {
  Keyspace& ks = ctx.keyspace();
  const std::string& key = ctx.argv[1];
  const Value* v = ks.Lookup(ctx.db(), key);
  int64_t current = 0;
  if (v != nullptr) {
    if (!v->is(ValueType::kString)) return ctx.WrongType();
    std::optional<int64_t> parsed = ParseInt64(v->str());
    if (!parsed) return ctx.NotInteger();
    current = *parsed;
  }
  if ((by < 0 && current < 0 && by < kInt64Min - current) ||
      (by > 0 && current > 0 && by > kInt64Max - current)) {
    return ctx.reply.Error(errors::kOverflow);
  }
  current += by;
  ks.Set(ctx.db(), key, Value::String(FormatInt64(current)), /*keep_ttl=*/true);
  ctx.KeyModified(key);
  ctx.reply.Integer(current);
}

void Incr(CommandContext& ctx) { IncrByGeneric(ctx, 1); }
void Decr(CommandContext& ctx) { IncrByGeneric(ctx, -1); }

void IncrBy(CommandContext& ctx) {
  std::optional<int64_t> by = ParseInt64(ctx.argv[2]);
  if (!by) return ctx.NotInteger();
  IncrByGeneric(ctx, *by);
}

void DecrBy(CommandContext& ctx) {
  std::optional<int64_t> by = ParseInt64(ctx.argv[2]);
  if (!by) return ctx.NotInteger();
  // Negating INT64_MIN would overflow; Redis has a dedicated message.
  if (*by == kInt64Min) return ctx.reply.Error("ERR decrement would overflow");
  IncrByGeneric(ctx, -*by);
}

// incrbyfloatCommand(): long double arithmetic, printed in the "human"
// format. The result is stored with the TTL kept and, like Redis's
// createStringObject(), never int-encoded ("3" reports embstr). Logged as
// SET key <result> KEEPTTL so a replay doesn't redo float arithmetic.
void IncrByFloat(CommandContext& ctx) {
  Keyspace& ks = ctx.keyspace();
  const std::string& key = ctx.argv[1];
  const Value* v = ks.Lookup(ctx.db(), key);
  if (v != nullptr && !v->is(ValueType::kString)) return ctx.WrongType();
  std::optional<long double> current = v ? ParseLongDouble(v->str()) : 0.0L;
  if (!current) return ctx.NotFloat();
  std::optional<long double> incr = ParseLongDouble(ctx.argv[2]);
  if (!incr) return ctx.NotFloat();
  const long double sum = *current + *incr;
  std::optional<std::string> text;
  if (!std::isnan(sum) && !std::isinf(sum)) text = FormatLongDoubleHuman(sum);
  if (!text) return ctx.reply.Error("ERR increment would produce NaN or Infinity");
  ctx.reply.Bulk(*text);
  if (ctx.propagating()) ctx.PropagateAs({"SET", key, *text, "KEEPTTL"});
  Value stored = Value::String(std::move(*text));
  stored.set_no_int(true);
  ks.Set(ctx.db(), key, std::move(stored), /*keep_ttl=*/true);
  ctx.KeyModified(key);
}

// checkStringLength(): a string may not grow beyond proto-max-bulk-len.
// Returns false after replying.
bool CheckStringLength(CommandContext& ctx, uint64_t size, uint64_t extra) {
  const uint64_t total = size + extra;  // both are far below 2^63
  if (total > static_cast<uint64_t>(ctx.config().proto_max_bulk_len)) {
    ctx.reply.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    return false;
  }
  return true;
}

// appendCommand(): a new key gets the argument as is (normal encoding rules);
// an existing string is extended in place and is "raw" from then on, like
// Redis's dbUnshareStringValue().
void Append(CommandContext& ctx) {
  Keyspace& ks = ctx.keyspace();
  const std::string& key = ctx.argv[1];
  Value* v = ks.LookupWrite(ctx.db(), key);
  size_t total = 0;
  if (v == nullptr) {
    total = ctx.argv[2].size();
    ks.Add(ctx.db(), key, Value::String(std::move(ctx.argv[2])));
  } else {
    if (!v->is(ValueType::kString)) return ctx.WrongType();
    if (!CheckStringLength(ctx, v->str().size(), ctx.argv[2].size())) return;
    v->str().append(ctx.argv[2]);
    v->set_raw(true);
    total = v->str().size();
  }
  ctx.KeyModified(key);
  ctx.reply.Integer(static_cast<int64_t>(total));
}

// setrangeCommand(): overwrites part of the string, zero-padding as needed.
// An empty patch changes nothing (and creates no key). The result is raw.
void SetRange(CommandContext& ctx) {
  std::optional<int64_t> offset = ParseInt64(ctx.argv[2]);
  if (!offset) return ctx.NotInteger();
  if (*offset < 0) return ctx.reply.Error("ERR offset is out of range");
  const std::string& patch = ctx.argv[3];
  Keyspace& ks = ctx.keyspace();
  const std::string& key = ctx.argv[1];
  Value* v = ks.LookupWrite(ctx.db(), key);
  if (v != nullptr && !v->is(ValueType::kString)) return ctx.WrongType();
  if (patch.empty()) return ctx.reply.Integer(v ? static_cast<int64_t>(v->str().size()) : 0);
  if (!CheckStringLength(ctx, static_cast<uint64_t>(*offset), patch.size())) return;
  if (v == nullptr) {
    v = &ks.Add(ctx.db(), key, Value::String(std::string(), /*raw=*/true));
  } else {
    v->set_raw(true);
  }
  std::string& s = v->str();
  const size_t start = static_cast<size_t>(*offset);
  if (s.size() < start + patch.size()) s.resize(start + patch.size(), '\0');
  s.replace(start, patch.size(), patch);
  ctx.KeyModified(key);
  ctx.reply.Integer(static_cast<int64_t>(s.size()));
}

// getrangeCommand()'s index rules: both negative and inverted gives "";
// negatives count from the end; then clamp to [0, len-1].
std::string_view ClampedRange(std::string_view s, int64_t start, int64_t end) {
  const int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) return {};
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (len == 0 || start > end) return {};
  return s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1));
}

// GETRANGE and its old name SUBSTR. A missing key is an empty string.
void GetRange(CommandContext& ctx) {
  std::optional<int64_t> start = ParseInt64(ctx.argv[2]);
  if (!start) return ctx.NotInteger();
  std::optional<int64_t> end = ParseInt64(ctx.argv[3]);
  if (!end) return ctx.NotInteger();
  const Value* v = ctx.keyspace().LookupRead(ctx.db(), ctx.argv[1]);
  if (v == nullptr) return ctx.reply.Bulk("");
  if (!v->is(ValueType::kString)) return ctx.WrongType();
  ctx.reply.Bulk(ClampedRange(v->str(), *start, *end));
}

void StrLen(CommandContext& ctx) {
  const Value* v = ctx.keyspace().LookupRead(ctx.db(), ctx.argv[1]);
  if (v == nullptr) return ctx.reply.Integer(0);
  if (!v->is(ValueType::kString)) return ctx.WrongType();
  ctx.reply.Integer(static_cast<int64_t>(v->str().size()));
}

}  // namespace

void RegisterStringCommands(CommandTable& t) {
  constexpr uint32_t kWD = kCmdWrite | kCmdDenyOom;
  constexpr uint32_t kWDF = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kR = kCmdReadOnly;
  constexpr uint32_t kRF = kCmdReadOnly | kCmdFast;
  t.Add(MakeSpec("set", -3, kWD, Set, "string", "1.0.0",
                 "key value [NX | XX] [GET] [EX seconds | PX milliseconds | "
                 "EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]",
                 "Stores a string under a key, optionally with a TTL, only if absent or "
                 "present, and optionally returning the previous value.",
                 1, 1, 1));
  t.Add(MakeSpec("setnx", 3, kWDF, SetNx, "string", "1.0.0", "key value",
                 "Stores a string only when the key does not exist yet; replies 1 or 0.", 1, 1, 1));
  t.Add(MakeSpec("setex", 4, kWD, SetEx, "string", "2.0.0", "key seconds value",
                 "Stores a string with a TTL given in seconds.", 1, 1, 1));
  t.Add(MakeSpec("psetex", 4, kWD, PSetEx, "string", "2.6.0", "key milliseconds value",
                 "Stores a string with a TTL given in milliseconds.", 1, 1, 1));
  t.Add(MakeSpec("get", 2, kRF, Get, "string", "1.0.0", "key",
                 "Returns the string stored under a key, or nil.", 1, 1, 1));
  t.Add(MakeSpec("getex", -2, kCmdWrite | kCmdFast, GetEx, "string", "6.2.0",
                 "key [EX seconds | PX milliseconds | EXAT unix-time-seconds | "
                 "PXAT unix-time-milliseconds | PERSIST]",
                 "Returns a string and optionally changes or removes its TTL.", 1, 1, 1));
  t.Add(MakeSpec("getdel", 2, kCmdWrite | kCmdFast, GetDel, "string", "6.2.0", "key",
                 "Returns a string and deletes its key.", 1, 1, 1));
  t.Add(MakeSpec("getset", 3, kWDF, GetSet, "string", "1.0.0", "key value",
                 "Stores a new string and returns the one it replaced.", 1, 1, 1));
  t.Add(MakeSpec("mset", -3, kWD, MSet, "string", "1.0.1", "key value [key value ...]",
                 "Stores several strings at once.", 1, -1, 2));
  t.Add(MakeSpec("msetnx", -3, kWD, MSetNx, "string", "1.0.1", "key value [key value ...]",
                 "Stores several strings, but only if none of the keys exists.", 1, -1, 2));
  t.Add(MakeSpec("mget", -2, kRF, MGet, "string", "1.0.0", "key [key ...]",
                 "Returns the strings of several keys (nil for missing or non-string keys).", 1, -1,
                 1));
  t.Add(MakeSpec("incr", 2, kWDF, Incr, "string", "1.0.0", "key",
                 "Adds one to the integer stored in a string.", 1, 1, 1));
  t.Add(MakeSpec("decr", 2, kWDF, Decr, "string", "1.0.0", "key",
                 "Subtracts one from the integer stored in a string.", 1, 1, 1));
  t.Add(MakeSpec("incrby", 3, kWDF, IncrBy, "string", "1.0.0", "key increment",
                 "Adds an integer to the integer stored in a string.", 1, 1, 1));
  t.Add(MakeSpec("decrby", 3, kWDF, DecrBy, "string", "1.0.0", "key decrement",
                 "Subtracts an integer from the integer stored in a string.", 1, 1, 1));
  t.Add(MakeSpec("incrbyfloat", 3, kWDF, IncrByFloat, "string", "2.6.0", "key increment",
                 "Adds a floating point number to the number stored in a string.", 1, 1, 1));
  t.Add(MakeSpec("append", 3, kWDF, Append, "string", "2.0.0", "key value",
                 "Adds bytes to the end of a string, creating it if needed.", 1, 1, 1));
  t.Add(MakeSpec("strlen", 2, kRF, StrLen, "string", "2.2.0", "key",
                 "Returns the length in bytes of a string.", 1, 1, 1));
  t.Add(MakeSpec("getrange", 4, kR, GetRange, "string", "2.4.0", "key start end",
                 "Returns a byte range of a string; negative offsets count from the end.", 1, 1,
                 1));
  t.Add(MakeSpec("substr", 4, kR, GetRange, "string", "1.0.0", "key start end",
                 "Old name of GETRANGE.", 1, 1, 1));
  t.Add(MakeSpec("setrange", 4, kWD, SetRange, "string", "2.2.0", "key offset value",
                 "Overwrites part of a string at an offset, padding with zero bytes.", 1, 1, 1));
}

}  // namespace plab
