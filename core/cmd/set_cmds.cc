// Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP
// SRANDMEMBER SINTER SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE
// SINTERCARD SMOVE SSCAN, matching Redis 7.0's t_set.c.
//
// Encoding: a set is "intset" while every member is a canonical int64 and it
// has at most set-max-intset-entries members, then "hashtable" (setTypeAdd).
// A set never converts back, but SPOP with a large count and the *STORE
// commands build fresh sets, which start over as intsets when they can.
// PersistLab always stores a Dict and only keeps the flag. The flag
// also decides iteration order, which clients can see: an intset is walked
// in ascending numeric order, a hashtable in table order.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cmd/command_table.h"
#include "core/cmd/scan_args.h"
#include "core/server/server.h"
#include "core/util/numbers.h"
#include "core/util/random_sample.h"

namespace plab {
namespace {

// isSdsRepresentableAsLongLong(): what an intset can hold.
bool IsIntsetMember(std::string_view s) { return ParseInt64(s).has_value(); }

// setTypeCreate(): the first member decides the initial encoding.
Value NewSetFor(std::string_view first_member) {
  Value v = Value::Set();
  v.set().intset = IsIntsetMember(first_member);
  return v;
}

// set-max-intset-entries, capped at 2^30 like setTypeAdd (intset internals).
size_t MaxIntsetEntries(const CommandContext& ctx) {
  int64_t max = ctx.config().set_max_intset_entries;
  if (max < 0) max = 0;
  if (max >= (int64_t{1} << 30)) max = int64_t{1} << 30;
  return static_cast<size_t>(max);
}

// setTypeAdd(): adds `m` and converts to "hashtable" when the member is not
// an integer or the intset grows past its limit. Returns true when added.
bool SetAdd(SetValue& s, std::string_view m, size_t max_intset) {
  if (s.intset && !IsIntsetMember(m)) s.intset = false;
  if (!s.members.TryEmplace(m).second) return false;
  if (s.intset && s.members.size() > max_intset) s.intset = false;
  return true;
}

// The members in the order Redis iterates them (setTypeNext): an intset is
// sorted by value, a hashtable in table order.
std::vector<const std::string*> OrderedMembers(const SetValue& s) {
  std::vector<const std::string*> out;
  out.reserve(s.members.size());
  s.members.ForEach([&](const std::string& m, const NoValue&) { out.push_back(&m); });
  if (s.intset) {
    std::vector<std::pair<int64_t, const std::string*>> ints;
    ints.reserve(out.size());
    for (const std::string* m : out) ints.emplace_back(*ParseInt64(*m), m);
    std::sort(ints.begin(), ints.end());
    for (size_t i = 0; i < ints.size(); ++i) out[i] = ints[i].second;
  }
  return out;
}

// Every member in Redis's iteration order. `as_set`: a set reply (RESP3
// "~", addReplySetLen) rather than an array (SRANDMEMBER uses an array).
void ReplyMembers(CommandContext& ctx, const SetValue& s, bool as_set = true) {
  auto members = OrderedMembers(s);
  if (as_set) {
    ctx.reply.SetHeader(members.size());
  } else {
    ctx.reply.ArrayHeader(members.size());
  }
  for (const std::string* m : members) ctx.reply.Bulk(*m);
}

// Looks up a set for reading. Returns false after replying WRONGTYPE; *out
// is nullptr when the key is missing.
bool ReadSet(CommandContext& ctx, std::string_view key, const Value** out) {
  return ctx.LookupTypedRead(key, ValueType::kSet, out);
}

bool WriteSet(CommandContext& ctx, std::string_view key, Value** out) {
  return ctx.LookupTypedWrite(key, ValueType::kSet, out);
}

// ---------------------------------------------------------------------------
// Single-key commands

void SAdd(CommandContext& ctx) {
  const std::string& key = ctx.argv[1];
  Value* v;
  if (!WriteSet(ctx, key, &v)) return;
  if (v == nullptr) v = &ctx.keyspace().Add(ctx.db(), key, NewSetFor(ctx.argv[2]));
  const size_t max = MaxIntsetEntries(ctx);
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argv.size(); ++i) added += SetAdd(v->set(), ctx.argv[i], max);
  if (added > 0) ctx.KeyModified(key, added);
  ctx.reply.Integer(added);
}

void SRem(CommandContext& ctx) {
  const std::string& key = ctx.argv[1];
  Value* v;
  if (!WriteSet(ctx, key, &v)) return;
  if (v == nullptr) return ctx.reply.Integer(0);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    if (v->set().members.Erase(ctx.argv[i])) ++removed;
    if (v->set().members.empty()) {
      ctx.keyspace().Delete(ctx.db(), key);
      break;
    }
  }
  if (removed > 0) ctx.KeyModified(key, removed);
  ctx.reply.Integer(removed);
}

// SMEMBERS is SINTER over one key in Redis; the reply is the same.
void SMembers(CommandContext& ctx) {
  const Value* v;
  if (!ReadSet(ctx, ctx.argv[1], &v)) return;
  if (v == nullptr) return ctx.reply.SetHeader(0);
  ReplyMembers(ctx, v->set());
}

void SIsMember(CommandContext& ctx) {
  const Value* v;
  if (!ReadSet(ctx, ctx.argv[1], &v)) return;
  ctx.reply.Integer(v != nullptr && v->set().members.Contains(ctx.argv[2]) ? 1 : 0);
}

void SMIsMember(CommandContext& ctx) {
  const Value* v;
  if (!ReadSet(ctx, ctx.argv[1], &v)) return;
  ctx.reply.ArrayHeader(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    ctx.reply.Integer(v != nullptr && v->set().members.Contains(ctx.argv[i]) ? 1 : 0);
  }
}

void SCard(CommandContext& ctx) {
  const Value* v;
  if (!ReadSet(ctx, ctx.argv[1], &v)) return;
  ctx.reply.Integer(v == nullptr ? 0 : static_cast<int64_t>(v->set().members.size()));
}

void SMove(CommandContext& ctx) {
  const std::string& src_key = ctx.argv[1];
  const std::string& dst_key = ctx.argv[2];
  const std::string& member = ctx.argv[3];
  Keyspace& ks = ctx.keyspace();
  Value* src = ks.LookupWrite(ctx.db(), src_key);
  Value* dst = ks.LookupWrite(ctx.db(), dst_key);
  // A missing source answers 0 before any type check (smoveCommand).
  if (src == nullptr) return ctx.reply.Integer(0);
  if (!src->is(ValueType::kSet) || (dst != nullptr && !dst->is(ValueType::kSet))) {
    return ctx.WrongType();
  }
  if (src_key == dst_key) return ctx.reply.Integer(src->set().members.Contains(member) ? 1 : 0);
  if (!src->set().members.Erase(member)) return ctx.reply.Integer(0);
  if (src->set().members.empty()) ks.Delete(ctx.db(), src_key);
  if (dst == nullptr) dst = &ks.Add(ctx.db(), dst_key, NewSetFor(member));
  ctx.KeyModified(src_key, 1);
  if (SetAdd(dst->set(), member, MaxIntsetEntries(ctx))) ctx.KeyModified(dst_key, 1);
  ctx.reply.Integer(1);
}

void SScan(CommandContext& ctx) {
  const Value* v = nullptr;
  uint64_t cursor = 0;
  ScanOptions opts;
  if (!BeginCollectionScan(ctx, ValueType::kSet, &v, &cursor, &opts)) return;
  const SetValue& s = v->set();
  std::vector<const std::string*> found;
  uint64_t next = 0;
  if (s.intset) {
    // Small encodings are returned whole, with cursor 0 (scanGenericCommand).
    found = OrderedMembers(s);
  } else {
    next = ScanDictLikeRedis(
        s.members, cursor, opts.count,
        [&](const std::string& m, const NoValue&) { found.push_back(&m); },
        [&] { return found.size(); });
  }
  std::erase_if(found, [&](const std::string* m) { return !opts.Matches(*m); });
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(found.size());
  for (const std::string* m : found) ctx.reply.Bulk(*m);
}

// ---------------------------------------------------------------------------
// Random members: SPOP and SRANDMEMBER

// Strategy thresholds from t_set.c (SPOP_MOVE_STRATEGY_MUL and
// SRANDMEMBER_SUB_STRATEGY_MUL). They change which elements come back and,
// for SPOP, the resulting encoding, so they are kept.
constexpr uint64_t kSpopMoveStrategyMul = 5;
constexpr uint64_t kSrandmemberSubStrategyMul = 3;

const std::string& RandomMember(CommandContext& ctx, const SetValue& s) {
  return s.members.RandomNode(ctx.keyspace().rng())->key;
}

// A copy built the way Redis builds a result set: starting as an intset and
// adding every member (sunionDiffGenericCommand's dstset).
SetValue RebuildSet(const SetValue& s, size_t max_intset) {
  SetValue out;
  for (const std::string* m : OrderedMembers(s)) SetAdd(out, *m, max_intset);
  return out;
}

// One SREM for the AOF per member SPOP removed (SPOP itself is random, so a
// replay must not run it).
void PropagateSRem(CommandContext& ctx, const std::string& key, const std::string& member) {
  if (ctx.propagating()) ctx.AlsoPropagate(ctx.db(), {"SREM", key, member});
}

// SPOP key count (spopWithCountCommand). Logged as DEL when the whole set
// goes, otherwise as one SREM per popped member instead of the SPOP.
void SPopCount(CommandContext& ctx) {
  const std::string& key = ctx.argv[1];
  auto count = ParseInt64(ctx.argv[2]);
  if (!count || *count < 0) return ctx.reply.Error(errors::kPositive);
  Value* v;
  if (!WriteSet(ctx, key, &v)) return;
  if (v == nullptr || *count == 0) return ctx.reply.SetHeader(0);
  SetValue& s = v->set();
  const uint64_t size = s.members.size();
  const uint64_t want = static_cast<uint64_t>(*count);
  const size_t max = MaxIntsetEntries(ctx);
  if (want >= size) {
    // The whole set goes, replied through the union machinery in Redis.
    ReplyMembers(ctx, RebuildSet(s, max));
    if (ctx.propagating()) ctx.PropagateAs({"DEL", key});
    ctx.keyspace().Delete(ctx.db(), key);
    ctx.KeyModified(key, static_cast<int64_t>(size));
    return;
  }
  ctx.reply.SetHeader(want);
  uint64_t remaining = size - want;
  if (remaining * kSpopMoveStrategyMul > want) {
    // Few to pop: pick and remove them one at a time.
    for (uint64_t i = 0; i < want; ++i) {
      std::string m = RandomMember(ctx, s);
      ctx.reply.Bulk(m);
      PropagateSRem(ctx, key, m);
      s.members.Erase(m);
    }
  } else {
    // Most of the set goes: move the survivors to a new set (created from
    // the first survivor, so its encoding can change) and reply the rest.
    SetValue kept;
    bool first = true;
    while (remaining-- > 0) {
      std::string m = RandomMember(ctx, s);
      if (first) kept.intset = IsIntsetMember(m);
      first = false;
      SetAdd(kept, m, max);
      s.members.Erase(m);
    }
    for (const std::string* m : OrderedMembers(s)) {
      ctx.reply.Bulk(*m);
      PropagateSRem(ctx, key, *m);
    }
    s = std::move(kept);
  }
  ctx.PreventPropagation();  // the SREMs stand for it
  ctx.KeyModified(key, static_cast<int64_t>(want));
}

void SPop(CommandContext& ctx) {
  if (ctx.argv.size() == 3) return SPopCount(ctx);
  if (ctx.argv.size() > 3) return ctx.Syntax();
  const std::string& key = ctx.argv[1];
  Value* v;
  if (!WriteSet(ctx, key, &v)) return;
  if (v == nullptr) return ctx.reply.Null();
  std::string m = RandomMember(ctx, v->set());
  v->set().members.Erase(m);
  ctx.reply.Bulk(m);
  // Logged as SREM of the member it picked, even when that empties the set.
  if (ctx.propagating()) ctx.PropagateAs({"SREM", key, m});
  if (v->set().members.empty()) ctx.keyspace().Delete(ctx.db(), key);
  ctx.KeyModified(key, 1);
}

// SRANDMEMBER key count (srandmemberWithCountCommand). Negative counts may
// repeat members; positive counts return distinct members.
void SRandMemberCount(CommandContext& ctx) {
  auto l = ParseInt64(ctx.argv[2]);
  if (!l) return ctx.NotInteger();
  if (*l == INT64_MIN) {
    return ctx.reply.Error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  }
  const Value* v;
  if (!ReadSet(ctx, ctx.argv[1], &v)) return;
  if (v == nullptr || *l == 0) return ctx.reply.ArrayHeader(0);
  const SetValue& s = v->set();
  const bool unique = *l > 0;
  const uint64_t count = static_cast<uint64_t>(unique ? *l : -*l);
  const uint64_t size = s.members.size();
  if (!unique || count == 1) {
    ctx.reply.ArrayHeader(count);
    for (uint64_t i = 0; i < count; ++i) ctx.reply.Bulk(RandomMember(ctx, s));
    return;
  }
  if (count >= size) return ReplyMembers(ctx, s, /*as_set=*/false);
  std::vector<const std::string*> picked;
  if (count * kSrandmemberSubStrategyMul > size) {
    // Close to the whole set: start from everything, drop random members.
    picked = OrderedMembers(s);
    DropRandomUntil(picked, count, ctx.keyspace().rng());
  } else {
    // Much smaller than the set: sample until enough distinct members.
    Dict<NoValue> seen;
    while (picked.size() < count) {
      const std::string& m = RandomMember(ctx, s);
      if (seen.TryEmplace(m).second) picked.push_back(&m);
    }
  }
  ctx.reply.ArrayHeader(picked.size());
  for (const std::string* m : picked) ctx.reply.Bulk(*m);
}

void SRandMember(CommandContext& ctx) {
  if (ctx.argv.size() == 3) return SRandMemberCount(ctx);
  if (ctx.argv.size() > 3) return ctx.Syntax();
  const Value* v;
  if (!ReadSet(ctx, ctx.argv[1], &v)) return;
  if (v == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(RandomMember(ctx, v->set()));
}

// ---------------------------------------------------------------------------
// Set algebra

// Looks up argv[first..last) as sets (nullptr for missing keys). Returns
// false after replying WRONGTYPE for the first key of another type.
bool GatherSets(CommandContext& ctx, size_t first, size_t last,
                std::vector<const SetValue*>* sets) {
  for (size_t i = first; i < last; ++i) {
    const Value* v;
    if (!ReadSet(ctx, ctx.argv[i], &v)) return false;
    sets->push_back(v == nullptr ? nullptr : &v->set());
  }
  return true;
}

// Stores a computed result in `dst` (or deletes `dst` when the result is
// empty) and replies with its size, as the *STORE commands do.
void StoreResult(CommandContext& ctx, const std::string& dst, SetValue result) {
  const int64_t size = static_cast<int64_t>(result.members.size());
  if (size > 0) {
    Value v = Value::Set();
    v.set() = std::move(result);
    ctx.keyspace().Set(ctx.db(), dst, std::move(v));
    ctx.KeyModified(dst, 1);
  } else if (ctx.keyspace().Delete(ctx.db(), dst)) {
    ctx.KeyModified(dst, 1);
  }
  ctx.reply.Integer(size);
}

// SINTER / SINTERSTORE / SINTERCARD (sinterGenericCommand). `dst` is null
// unless storing; `limit` 0 means no limit.
void InterGeneric(CommandContext& ctx, size_t first, size_t last, const std::string* dst,
                  bool cardinality_only, uint64_t limit) {
  std::vector<const SetValue*> sets;
  if (!GatherSets(ctx, first, last, &sets)) return;
  const bool any_missing = std::find(sets.begin(), sets.end(), nullptr) != sets.end();
  if (any_missing) {
    if (dst != nullptr) return StoreResult(ctx, *dst, SetValue());
    if (cardinality_only) return ctx.reply.Integer(0);
    return ctx.reply.SetHeader(0);
  }
  // Walk the smallest set and probe the others.
  std::stable_sort(sets.begin(), sets.end(), [](const SetValue* a, const SetValue* b) {
    return a->members.size() < b->members.size();
  });
  std::vector<const std::string*> common;
  for (const std::string* m : OrderedMembers(*sets[0])) {
    bool everywhere = true;
    for (size_t j = 1; j < sets.size() && everywhere; ++j) {
      if (sets[j] != sets[0]) everywhere = sets[j]->members.Contains(*m);
    }
    if (!everywhere) continue;
    common.push_back(m);
    if (cardinality_only && limit != 0 && common.size() >= limit) break;
  }
  if (cardinality_only) return ctx.reply.Integer(static_cast<int64_t>(common.size()));
  if (dst == nullptr) {
    ctx.reply.SetHeader(common.size());
    for (const std::string* m : common) ctx.reply.Bulk(*m);
    return;
  }
  SetValue result;
  const size_t max = MaxIntsetEntries(ctx);
  for (const std::string* m : common) SetAdd(result, *m, max);
  StoreResult(ctx, *dst, std::move(result));
}

// SDIFF's two strategies (sunionDiffGenericCommand) give the same members
// but can leave different encodings, so both are reproduced. Algorithm 1
// probes each member of the first set; algorithm 2 copies the first set and
// removes the others' members.
SetValue DiffSets(const std::vector<const SetValue*>& sets, size_t max) {
  SetValue result;
  if (sets[0] == nullptr) return result;
  for (size_t j = 1; j < sets.size(); ++j) {
    if (sets[j] == sets[0]) return result;  // a set minus itself is empty
  }
  uint64_t algo_one_work = 0;
  uint64_t algo_two_work = 0;
  for (const SetValue* s : sets) {
    if (s == nullptr) continue;
    algo_one_work += sets[0]->members.size();
    algo_two_work += s->members.size();
  }
  algo_one_work /= 2;  // Redis gives algorithm 1 this advantage
  if (algo_one_work <= algo_two_work) {
    for (const std::string* m : OrderedMembers(*sets[0])) {
      bool elsewhere = false;
      for (size_t j = 1; j < sets.size() && !elsewhere; ++j) {
        elsewhere = sets[j] != nullptr && sets[j]->members.Contains(*m);
      }
      if (!elsewhere) SetAdd(result, *m, max);
    }
    return result;
  }
  for (const std::string* m : OrderedMembers(*sets[0])) SetAdd(result, *m, max);
  for (size_t j = 1; j < sets.size() && !result.members.empty(); ++j) {
    if (sets[j] == nullptr) continue;
    sets[j]->members.ForEach(
        [&](const std::string& m, const NoValue&) { result.members.Erase(m); });
  }
  return result;
}

enum class SetOp { kUnion, kDiff };

void UnionDiffGeneric(CommandContext& ctx, size_t first, size_t last, const std::string* dst,
                      SetOp op) {
  std::vector<const SetValue*> sets;
  if (!GatherSets(ctx, first, last, &sets)) return;
  const size_t max = MaxIntsetEntries(ctx);
  SetValue result;
  if (op == SetOp::kUnion) {
    for (const SetValue* s : sets) {
      if (s == nullptr) continue;
      for (const std::string* m : OrderedMembers(*s)) SetAdd(result, *m, max);
    }
  } else {
    result = DiffSets(sets, max);
  }
  if (dst != nullptr) return StoreResult(ctx, *dst, std::move(result));
  ReplyMembers(ctx, result);
}

void SInter(CommandContext& ctx) { InterGeneric(ctx, 1, ctx.argv.size(), nullptr, false, 0); }
void SInterStore(CommandContext& ctx) {
  InterGeneric(ctx, 2, ctx.argv.size(), &ctx.argv[1], false, 0);
}
void SUnion(CommandContext& ctx) {
  UnionDiffGeneric(ctx, 1, ctx.argv.size(), nullptr, SetOp::kUnion);
}
void SUnionStore(CommandContext& ctx) {
  UnionDiffGeneric(ctx, 2, ctx.argv.size(), &ctx.argv[1], SetOp::kUnion);
}
void SDiff(CommandContext& ctx) {
  UnionDiffGeneric(ctx, 1, ctx.argv.size(), nullptr, SetOp::kDiff);
}
void SDiffStore(CommandContext& ctx) {
  UnionDiffGeneric(ctx, 2, ctx.argv.size(), &ctx.argv[1], SetOp::kDiff);
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void SInterCard(CommandContext& ctx) {
  // Redis reports its custom message for a non-number too.
  auto numkeys = ParseInt64(ctx.argv[1]);
  if (!numkeys || *numkeys < 1) return ctx.reply.Error("ERR numkeys should be greater than 0");
  if (*numkeys > static_cast<int64_t>(ctx.argv.size()) - 2) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  const size_t keys_end = 2 + static_cast<size_t>(*numkeys);
  uint64_t limit = 0;
  for (size_t j = keys_end; j < ctx.argv.size(); ++j) {
    if (EqualsIgnoreCase(ctx.argv[j], "limit") && j + 1 < ctx.argv.size()) {
      auto l = ParseInt64(ctx.argv[++j]);
      if (!l || *l < 0) return ctx.reply.Error("ERR LIMIT can't be negative");
      limit = static_cast<uint64_t>(*l);
    } else {
      return ctx.Syntax();
    }
  }
  InterGeneric(ctx, 2, keys_end, nullptr, true, limit);
}

}  // namespace

void RegisterSetCommands(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite;
  constexpr uint32_t kR = kCmdReadOnly;
  t.Add(MakeSpec("sadd", -3, kW | kCmdDenyOom | kCmdFast, SAdd, "set", "1.0.0",
                 "key member [member ...]", "Adds members to a set, creating it if needed.", 1, 1,
                 1));
  t.Add(MakeSpec("srem", -3, kW | kCmdFast, SRem, "set", "1.0.0", "key member [member ...]",
                 "Removes members from a set; the key goes away with its last member.", 1, 1, 1));
  t.Add(MakeSpec("smembers", 2, kR, SMembers, "set", "1.0.0", "key", "Lists every member of a set.",
                 1, 1, 1));
  t.Add(MakeSpec("sismember", 3, kR | kCmdFast, SIsMember, "set", "1.0.0", "key member",
                 "Tells whether a value belongs to a set (1 or 0).", 1, 1, 1));
  t.Add(MakeSpec("smismember", -3, kR | kCmdFast, SMIsMember, "set", "6.2.0",
                 "key member [member ...]", "Tells, for each value, whether it is in the set.", 1,
                 1, 1));
  t.Add(MakeSpec("scard", 2, kR | kCmdFast, SCard, "set", "1.0.0", "key",
                 "Counts the members of a set.", 1, 1, 1));
  t.Add(MakeSpec("spop", -2, kW | kCmdFast, SPop, "set", "1.0.0", "key [count]",
                 "Removes and returns one or more random members.", 1, 1, 1));
  t.Add(MakeSpec("srandmember", -2, kR, SRandMember, "set", "1.0.0", "key [count]",
                 "Returns random members without removing them; a negative count may repeat.", 1, 1,
                 1));
  t.Add(MakeSpec("sinter", -2, kR, SInter, "set", "1.0.0", "key [key ...]",
                 "Returns the members common to all the given sets.", 1, -1, 1));
  t.Add(MakeSpec("sintercard", -3, kR, SInterCard, "set", "7.0.0",
                 "numkeys key [key ...] [LIMIT limit]",
                 "Counts the members common to all the given sets, optionally stopping early."));
  t.Add(MakeSpec("sinterstore", -3, kW | kCmdDenyOom, SInterStore, "set", "1.0.0",
                 "destination key [key ...]",
                 "Stores the intersection of sets in a key and returns its size.", 1, -1, 1));
  t.Add(MakeSpec("sunion", -2, kR, SUnion, "set", "1.0.0", "key [key ...]",
                 "Returns every member found in any of the given sets.", 1, -1, 1));
  t.Add(MakeSpec("sunionstore", -3, kW | kCmdDenyOom, SUnionStore, "set", "1.0.0",
                 "destination key [key ...]",
                 "Stores the union of sets in a key and returns its size.", 1, -1, 1));
  t.Add(MakeSpec("sdiff", -2, kR, SDiff, "set", "1.0.0", "key [key ...]",
                 "Returns the members of the first set that no other given set has.", 1, -1, 1));
  t.Add(MakeSpec("sdiffstore", -3, kW | kCmdDenyOom, SDiffStore, "set", "1.0.0",
                 "destination key [key ...]",
                 "Stores the difference of sets in a key and returns its size.", 1, -1, 1));
  t.Add(MakeSpec("smove", 4, kW | kCmdFast, SMove, "set", "1.0.0", "source destination member",
                 "Moves a member from one set to another.", 1, 2, 1));
  t.Add(MakeSpec("sscan", -3, kR, SScan, "set", "2.8.0", "key cursor [MATCH pattern] [COUNT count]",
                 "Iterates a set's members incrementally with a cursor.", 1, 1, 1));
}

}  // namespace plab
