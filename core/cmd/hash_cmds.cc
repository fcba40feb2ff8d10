// Hash commands: HSET HSETNX HGET HMSET HMGET HDEL HLEN HEXISTS HGETALL HKEYS
// HVALS HINCRBY HINCRBYFLOAT HSTRLEN HRANDFIELD HSCAN. Replies, error
// strings, the order of checks and dirty counting follow Redis 7.0's
// t_hash.c. A hash that becomes empty is deleted.
//
// Encoding: a hash starts as "listpack" and becomes "hashtable" (for good)
// as soon as it stores a field or value longer than hash-max-listpack-value
// or holds more than hash-max-listpack-entries fields, like hashTypeSet()
// and hashTypeTryConversion() decide in Redis. Replies depend on it: a
// listpack hash lists its fields in insertion order (HGETALL, HKEYS, HVALS,
// HSCAN, HRANDFIELD) and HSCAN returns it whole in one call with cursor 0.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/cmd/command_table.h"
#include "core/cmd/scan_args.h"
#include "core/server/server.h"
#include "core/util/numbers.h"
#include "core/util/random_sample.h"

namespace plab {
namespace {

// A field (and its value) as collected for a reply; points into the hash.
using FieldRef = HashValue::FieldRef;

// lookupKeyRead() + checkType(): nullptr when the key is missing (nothing
// replied) or holds another type (WRONGTYPE replied, *wrong_type set).
const HashValue* HashForRead(CommandContext& ctx, bool* wrong_type) {
  const Value* v = nullptr;
  *wrong_type = !ctx.LookupTypedRead(ctx.argv[1], ValueType::kHash, &v);
  return v != nullptr && !*wrong_type ? &v->hash() : nullptr;
}

// lookupKeyWrite() + checkType(), same contract as HashForRead.
HashValue* HashForWrite(CommandContext& ctx, bool* wrong_type) {
  Value* v = nullptr;
  *wrong_type = !ctx.LookupTypedWrite(ctx.argv[1], ValueType::kHash, &v);
  return v != nullptr && !*wrong_type ? &v->hash() : nullptr;
}

// hashTypeLookupWriteOrCreate(): the hash at argv[1], created empty when
// missing; nullptr after replying WRONGTYPE.
HashValue* HashOrCreate(CommandContext& ctx) {
  bool wrong_type = false;
  HashValue* hash = HashForWrite(ctx, &wrong_type);
  if (hash != nullptr || wrong_type) return hash;
  return &ctx.keyspace().Add(ctx.db(), ctx.argv[1], Value::Hash()).hash();
}

// hashTypeSet(): stores field=value and returns true when the field is new.
// Applies Redis's one-way listpack -> hashtable conversion rules.
bool SetField(HashValue& hash, std::string&& field, std::string&& value, const Config& config) {
  const auto too_long = [&](const std::string& s) {
    return static_cast<int64_t>(s.size()) > config.hash_max_listpack_value;
  };
  if (hash.listpack() && (too_long(field) || too_long(value))) hash.ConvertToHashtable();
  const bool inserted = hash.Set(std::move(field), std::move(value));
  if (hash.listpack() && static_cast<int64_t>(hash.size()) > config.hash_max_listpack_entries) {
    hash.ConvertToHashtable();
  }
  return inserted;
}

// HSET key field value [field value ...] and the deprecated HMSET, which
// differ only in the reply. Every pair counts as one change.
void SetGeneric(CommandContext& ctx, bool reply_ok) {
  if (ctx.argv.size() % 2 == 1) {
    return ctx.reply.Error("ERR wrong number of arguments for '" + ctx.spec.full_name +
                           "' command");
  }
  HashValue* hash = HashOrCreate(ctx);
  if (hash == nullptr) return;
  int64_t created = 0;
  for (size_t i = 2; i < ctx.argv.size(); i += 2) {
    created += SetField(*hash, std::move(ctx.argv[i]), std::move(ctx.argv[i + 1]), ctx.config());
  }
  reply_ok ? ctx.reply.Ok() : ctx.reply.Integer(created);
  ctx.KeyModified(ctx.argv[1], static_cast<int64_t>(ctx.argv.size() - 2) / 2);
}

void HSet(CommandContext& ctx) { SetGeneric(ctx, false); }
void HMSet(CommandContext& ctx) { SetGeneric(ctx, true); }

void HSetNx(CommandContext& ctx) {
  HashValue* hash = HashOrCreate(ctx);
  if (hash == nullptr) return;
  if (hash->Contains(ctx.argv[2])) return ctx.reply.Integer(0);
  SetField(*hash, std::move(ctx.argv[2]), std::move(ctx.argv[3]), ctx.config());
  ctx.reply.Integer(1);
  ctx.KeyModified(ctx.argv[1]);
}

void HGet(CommandContext& ctx) {
  bool wrong_type = false;
  const HashValue* hash = HashForRead(ctx, &wrong_type);
  if (wrong_type) return;
  const std::string* value = hash ? hash->Find(ctx.argv[2]) : nullptr;
  value ? ctx.reply.Bulk(*value) : ctx.reply.Null();
}

// HMGET: a missing key is an empty hash, so every field answers nil.
void HMGet(CommandContext& ctx) {
  bool wrong_type = false;
  const HashValue* hash = HashForRead(ctx, &wrong_type);
  if (wrong_type) return;
  ctx.reply.ArrayHeader(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    const std::string* value = hash ? hash->Find(ctx.argv[i]) : nullptr;
    value ? ctx.reply.Bulk(*value) : ctx.reply.Null();
  }
}

// HDEL: each removed field is one change; the key goes with its last field.
void HDel(CommandContext& ctx) {
  bool wrong_type = false;
  HashValue* hash = HashForWrite(ctx, &wrong_type);
  if (wrong_type) return;
  if (hash == nullptr) return ctx.reply.Integer(0);
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    if (!hash->Erase(ctx.argv[i])) continue;
    ++deleted;
    if (hash->empty()) {
      ctx.keyspace().Delete(ctx.db(), ctx.argv[1]);
      break;
    }
  }
  if (deleted > 0) ctx.KeyModified(ctx.argv[1], deleted);
  ctx.reply.Integer(deleted);
}

void HLen(CommandContext& ctx) {
  bool wrong_type = false;
  const HashValue* hash = HashForRead(ctx, &wrong_type);
  if (wrong_type) return;
  ctx.reply.Integer(hash ? static_cast<int64_t>(hash->size()) : 0);
}

void HStrLen(CommandContext& ctx) {
  bool wrong_type = false;
  const HashValue* hash = HashForRead(ctx, &wrong_type);
  if (wrong_type) return;
  const std::string* value = hash ? hash->Find(ctx.argv[2]) : nullptr;
  ctx.reply.Integer(value ? static_cast<int64_t>(value->size()) : 0);
}

void HExists(CommandContext& ctx) {
  bool wrong_type = false;
  const HashValue* hash = HashForRead(ctx, &wrong_type);
  if (wrong_type) return;
  ctx.reply.Integer(hash && hash->Contains(ctx.argv[2]) ? 1 : 0);
}

// HGETALL/HKEYS/HVALS (genericHgetallCommand): a listpack hash in insertion
// order. HGETALL replies a map (RESP3 "%"), which RESP2 flattens into field,
// value, field, value...; HKEYS and HVALS reply arrays.
void GetAllGeneric(CommandContext& ctx, bool with_fields, bool with_values) {
  bool wrong_type = false;
  const HashValue* hash = HashForRead(ctx, &wrong_type);
  if (wrong_type) return;
  const bool as_map = with_fields && with_values;
  const size_t size = hash == nullptr ? 0 : hash->size();
  if (as_map) {
    ctx.reply.MapHeader(size);
  } else {
    ctx.reply.ArrayHeader(size);
  }
  if (hash == nullptr) return;
  hash->ForEach([&](const std::string& field, const std::string& value) {
    if (with_fields) ctx.reply.Bulk(field);
    if (with_values) ctx.reply.Bulk(value);
  });
}

void HGetAll(CommandContext& ctx) { GetAllGeneric(ctx, true, true); }
void HKeys(CommandContext& ctx) { GetAllGeneric(ctx, true, false); }
void HVals(CommandContext& ctx) { GetAllGeneric(ctx, false, true); }

// HINCRBY key field increment: the increment is validated before the key is
// looked up; a missing field counts as 0.
void HIncrBy(CommandContext& ctx) {
  auto incr = ParseInt64(ctx.argv[3]);
  if (!incr) return ctx.NotInteger();
  HashValue* hash = HashOrCreate(ctx);
  if (hash == nullptr) return;
  int64_t old = 0;
  if (const std::string* current = hash->Find(ctx.argv[2])) {
    auto parsed = ParseInt64(*current);
    if (!parsed) return ctx.reply.Error("ERR hash value is not an integer");
    old = *parsed;
  }
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if ((*incr < 0 && old < 0 && *incr < kMin - old) ||
      (*incr > 0 && old > 0 && *incr > kMax - old)) {
    return ctx.reply.Error(errors::kOverflow);
  }
  const int64_t result = old + *incr;
  SetField(*hash, std::move(ctx.argv[2]), FormatInt64(result), ctx.config());
  ctx.reply.Integer(result);
  ctx.KeyModified(ctx.argv[1]);
}

// HINCRBYFLOAT key field increment: long double arithmetic, the result
// stored and replied in ld2string's "human" form, and logged as HSET key
// field <result> so a replay doesn't redo float arithmetic.
void HIncrByFloat(CommandContext& ctx) {
  auto incr = ParseLongDouble(ctx.argv[3]);
  if (!incr) return ctx.NotFloat();
  if (std::isnan(*incr) || std::isinf(*incr)) {
    return ctx.reply.Error("ERR value is NaN or Infinity");
  }
  HashValue* hash = HashOrCreate(ctx);
  if (hash == nullptr) return;
  long double value = 0;
  if (const std::string* current = hash->Find(ctx.argv[2])) {
    auto parsed = ParseLongDouble(*current);
    if (!parsed) return ctx.reply.Error("ERR hash value is not a float");
    value = *parsed;
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value)) {
    return ctx.reply.Error("ERR increment would produce NaN or Infinity");
  }
  std::string formatted = FormatLongDoubleHuman(value).value_or("0");
  ctx.reply.Bulk(formatted);
  if (ctx.propagating()) ctx.PropagateAs({"HSET", ctx.argv[1], ctx.argv[2], formatted});
  SetField(*hash, std::move(ctx.argv[2]), std::move(formatted), ctx.config());
  ctx.KeyModified(ctx.argv[1]);
}

// One HRANDFIELD pick; RESP3 nests a field with its value in a 2-element
// array (t_hash.c checks c->resp > 2), RESP2 keeps them flat.
void ReplyField(CommandContext& ctx, FieldRef f, bool with_values) {
  if (with_values && ctx.reply.resp() != 2) ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(*f.field);
  if (with_values) ctx.reply.Bulk(*f.value);
}

FieldRef RandomField(CommandContext& ctx, const HashValue& hash) {
  return hash.RandomField(ctx.keyspace().rng());
}

// Distinct random fields when the request is close to the hash's size
// (CASE 3 of hrandfieldWithCountCommand): start from every field and drop
// random ones until `count` remain. Redis replies in the order of a
// temporary dict, i.e. unpredictably, for both encodings.
void ReplyUniqueByRemoval(CommandContext& ctx, const HashValue& hash, size_t count,
                          bool with_values) {
  std::vector<FieldRef> refs;
  refs.reserve(hash.size());
  hash.ForEach([&](const std::string& f, const std::string& v) { refs.push_back({&f, &v}); });
  DropRandomUntil(refs, count, ctx.keyspace().rng());
  for (FieldRef f : refs) ReplyField(ctx, f, with_values);
}

// Distinct random fields from a listpack hash much larger than the request
// (CASE 4, lpRandomPairsUnique): one pass in listpack order, taking each
// field with probability (still wanted) / (not yet visited). The chosen
// fields come out in insertion order, as in Redis.
void ReplyUniqueInOrder(CommandContext& ctx, const HashValue& hash, size_t count,
                        bool with_values) {
  auto& rng = ctx.keyspace().rng();
  size_t unvisited = hash.size();
  size_t wanted = count;
  hash.ForEach([&](const std::string& f, const std::string& v) {
    if (wanted > 0 && rng() % unvisited < wanted) {
      ReplyField(ctx, {&f, &v}, with_values);
      --wanted;
    }
    --unvisited;
  });
}

// Distinct random fields from a hashtable hash much larger than the request
// (CASE 4): sample until `count` distinct fields were seen.
void ReplyUniqueBySampling(CommandContext& ctx, const HashValue& hash, size_t count,
                           bool with_values) {
  std::unordered_set<const std::string*> seen;
  while (seen.size() < count) {
    FieldRef f = RandomField(ctx, hash);
    if (seen.insert(f.field).second) ReplyField(ctx, f, with_values);
  }
}

// HRANDFIELD key count [WITHVALUES]: count > 0 gives distinct fields (at
// most the whole hash, which comes back in order), count < 0 gives |count|
// fields that may repeat.
void HRandFieldWithCount(CommandContext& ctx, int64_t count, bool with_values) {
  bool wrong_type = false;
  const HashValue* hash = HashForRead(ctx, &wrong_type);
  if (wrong_type) return;
  if (hash == nullptr || count == 0) return ctx.reply.ArrayHeader(0);
  const size_t size = hash->size();
  const size_t per_field = with_values && ctx.reply.resp() == 2 ? 2 : 1;
  // CASE 1: independent picks; Redis serves a count of 1 this way too.
  if (count < 0 || count == 1) {
    const size_t n = count < 0 ? static_cast<size_t>(-count) : 1;
    ctx.reply.ArrayHeader(n * per_field);
    for (size_t i = 0; i < n; ++i) ReplyField(ctx, RandomField(ctx, *hash), with_values);
    return;
  }
  const size_t n = static_cast<size_t>(count);
  if (n >= size) {  // CASE 2: the whole hash, listpack order included.
    ctx.reply.ArrayHeader(size * per_field);
    hash->ForEach([&](const std::string& field, const std::string& value) {
      ReplyField(ctx, {&field, &value}, with_values);
    });
    return;
  }
  ctx.reply.ArrayHeader(n * per_field);
  // Redis's threshold between its two strategies (HRANDFIELD_SUB_STRATEGY_MUL).
  if (n * 3 > size) return ReplyUniqueByRemoval(ctx, *hash, n, with_values);
  if (hash->listpack()) return ReplyUniqueInOrder(ctx, *hash, n, with_values);
  ReplyUniqueBySampling(ctx, *hash, n, with_values);
}

// HRANDFIELD key [count [WITHVALUES]]: the count's range and the syntax are
// checked before the key is looked up.
void HRandField(CommandContext& ctx) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (ctx.argv.size() >= 3) {
    auto count = ParseInt64(ctx.argv[2]);
    if (!count) return ctx.NotInteger();
    if (*count < -kMax) {
      return ctx.reply.Error(
          "ERR value is out of range, value must between -9223372036854775807 and "
          "9223372036854775807");
    }
    const bool with_values = ctx.argv.size() == 4;
    if (ctx.argv.size() > 4 || (with_values && !EqualsIgnoreCase(ctx.argv[3], "withvalues"))) {
      return ctx.Syntax();
    }
    // With values the reply has twice as many entries; Redis bounds the
    // count so that can't overflow.
    if (with_values && (*count < -kMax / 2 || *count > kMax / 2)) {
      return ctx.reply.Error("ERR value is out of range");
    }
    return HRandFieldWithCount(ctx, *count, with_values);
  }
  bool wrong_type = false;
  const HashValue* hash = HashForRead(ctx, &wrong_type);
  if (wrong_type) return;
  if (hash == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(*RandomField(ctx, *hash).field);
}

// HSCAN key cursor [MATCH pattern] [COUNT count]: a listpack-encoded hash is
// small, so Redis returns all of it at once with cursor 0; a hashtable is
// walked with the SCAN cursor. MATCH filters on field names.
void HScan(CommandContext& ctx) {
  const Value* v = nullptr;
  uint64_t cursor = 0;
  ScanOptions opts;
  if (!BeginCollectionScan(ctx, ValueType::kHash, &v, &cursor, &opts)) return;
  const HashValue* hash = &v->hash();
  std::vector<FieldRef> found;
  const auto collect = [&](const std::string& f, const std::string& v) {
    found.push_back({&f, &v});
  };
  uint64_t next = 0;
  if (hash->listpack()) {
    hash->ForEach(collect);  // in insertion order
  } else {
    // Redis counts fields and values separately, hence the doubled COUNT.
    next = ScanDictLikeRedis(hash->table(), cursor, SaturatingMul(opts.count, 2), collect,
                             [&] { return found.size() * 2; });
  }
  std::erase_if(found, [&](FieldRef f) { return !opts.Matches(*f.field); });
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(found.size() * 2);
  for (FieldRef f : found) {  // HSCAN stays flat in RESP3
    ctx.reply.Bulk(*f.field);
    ctx.reply.Bulk(*f.value);
  }
}

}  // namespace

void RegisterHashCommands(CommandTable& t) {
  constexpr uint32_t kWriteFast = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kReadFast = kCmdReadOnly | kCmdFast;
  t.Add(MakeSpec("hset", -4, kWriteFast, HSet, "hash", "2.0.0", "key field value [field value ...]",
                 "Sets fields of a hash, creating it if needed; replies how many were new.", 1, 1,
                 1));
  t.Add(MakeSpec("hsetnx", 4, kWriteFast, HSetNx, "hash", "2.0.0", "key field value",
                 "Sets a hash field only when it does not exist yet.", 1, 1, 1));
  t.Add(MakeSpec("hget", 3, kReadFast, HGet, "hash", "2.0.0", "key field",
                 "Returns the value of a hash field.", 1, 1, 1));
  t.Add(MakeSpec("hmset", -4, kWriteFast, HMSet, "hash", "2.0.0",
                 "key field value [field value ...]",
                 "Sets fields of a hash and replies OK (superseded by HSET).", 1, 1, 1));
  t.Add(MakeSpec("hmget", -3, kReadFast, HMGet, "hash", "2.0.0", "key field [field ...]",
                 "Returns the values of several hash fields, nil for missing ones.", 1, 1, 1));
  t.Add(MakeSpec("hdel", -3, kCmdWrite | kCmdFast, HDel, "hash", "2.0.0", "key field [field ...]",
                 "Removes fields from a hash; replies how many existed.", 1, 1, 1));
  t.Add(MakeSpec("hlen", 2, kReadFast, HLen, "hash", "2.0.0", "key",
                 "Returns how many fields a hash has.", 1, 1, 1));
  t.Add(MakeSpec("hexists", 3, kReadFast, HExists, "hash", "2.0.0", "key field",
                 "Tells whether a hash has a field.", 1, 1, 1));
  t.Add(MakeSpec("hgetall", 2, kCmdReadOnly, HGetAll, "hash", "2.0.0", "key",
                 "Returns every field and value of a hash.", 1, 1, 1));
  t.Add(MakeSpec("hkeys", 2, kCmdReadOnly, HKeys, "hash", "2.0.0", "key",
                 "Returns every field name of a hash.", 1, 1, 1));
  t.Add(MakeSpec("hvals", 2, kCmdReadOnly, HVals, "hash", "2.0.0", "key",
                 "Returns every value of a hash.", 1, 1, 1));
  t.Add(MakeSpec("hincrby", 4, kWriteFast, HIncrBy, "hash", "2.0.0", "key field increment",
                 "Adds an integer to a hash field (missing fields count as 0).", 1, 1, 1));
  t.Add(MakeSpec(
      "hincrbyfloat", 4, kWriteFast, HIncrByFloat, "hash", "2.6.0", "key field increment",
      "Adds a floating point number to a hash field (missing fields count as 0).", 1, 1, 1));
  t.Add(MakeSpec("hstrlen", 3, kReadFast, HStrLen, "hash", "3.2.0", "key field",
                 "Returns the length of a hash field's value.", 1, 1, 1));
  t.Add(MakeSpec("hrandfield", -2, kCmdReadOnly, HRandField, "hash", "6.2.0",
                 "key [count [WITHVALUES]]",
                 "Returns random fields of a hash, optionally with their values.", 1, 1, 1));
  t.Add(MakeSpec("hscan", -3, kCmdReadOnly, HScan, "hash", "2.8.0",
                 "key cursor [MATCH pattern] [COUNT count]",
                 "Iterates over the fields and values of a hash with a cursor.", 1, 1, 1));
}

}  // namespace plab
