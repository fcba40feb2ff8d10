// Sorted-set commands on single members: ZADD ZINCRBY ZSCORE ZMSCORE ZRANK
// ZREVRANK ZREM ZCARD ZPOPMIN ZPOPMAX ZRANDMEMBER ZSCAN, matching Redis
// 7.0's t_zset.c. Range commands live in zset_range_cmds.cc.
//
// Encoding: Redis keeps small sorted sets in a "listpack" and converts to
// "skiplist" (never back, for these commands) when a new member would make
// the set longer than zset-max-listpack-entries or is itself longer than
// zset-max-listpack-value. ZSetValue::Add() tracks that; ZSCAN and the
// score spelling of ZSCAN replies depend on it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/cmd/command_table.h"
#include "core/cmd/scan_args.h"
#include "core/cmd/zset_family.h"
#include "core/server/server.h"
#include "core/util/numbers.h"
#include "core/util/random_sample.h"

namespace plab {

bool ReadZSet(CommandContext& ctx, std::string_view key, const Value** out) {
  return ctx.LookupTypedRead(key, ValueType::kZSet, out);
}

bool WriteZSet(CommandContext& ctx, std::string_view key, Value** out) {
  return ctx.LookupTypedWrite(key, ValueType::kZSet, out);
}

ZSetLimits ZSetLimitsOf(const CommandContext& ctx) {
  const Config& c = ctx.config();
  ZSetLimits l;
  l.max_listpack_entries = static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_entries));
  l.max_listpack_value = static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_value));
  return l;
}

Value NewZSetFor(const CommandContext& ctx, size_t first_member_len) {
  const ZSetLimits l = ZSetLimitsOf(ctx);
  Value v = Value::ZSet();
  v.zset().set_listpack(l.max_listpack_entries != 0 && first_member_len <= l.max_listpack_value);
  return v;
}

namespace {

// ---------------------------------------------------------------------------
// ZADD / ZINCRBY (zaddGenericCommand)

// Parses the leading option words; returns the index of the first score.
size_t ParseZAddOptions(const std::vector<std::string>& argv, ZAddOptions* opts, bool* ch) {
  size_t i = 2;
  for (; i < argv.size(); ++i) {
    const std::string& o = argv[i];
    if (EqualsIgnoreCase(o, "nx")) {
      opts->nx = true;
    } else if (EqualsIgnoreCase(o, "xx")) {
      opts->xx = true;
    } else if (EqualsIgnoreCase(o, "ch")) {
      *ch = true;
    } else if (EqualsIgnoreCase(o, "incr")) {
      opts->incr = true;
    } else if (EqualsIgnoreCase(o, "gt")) {
      opts->gt = true;
    } else if (EqualsIgnoreCase(o, "lt")) {
      opts->lt = true;
    } else {
      break;
    }
  }
  return i;
}

// ZINCRBY is ZADD with INCR forced on; it still accepts (and trips over)
// option words, as Redis's shared parser does.
void ZAddGeneric(CommandContext& ctx, bool incr) {
  const std::string& key = ctx.argv[1];
  ZAddOptions opts;
  opts.incr = incr;
  bool ch = false;
  const size_t first = ParseZAddOptions(ctx.argv, &opts, &ch);
  const size_t pairs_args = ctx.argv.size() - first;
  if (pairs_args == 0 || pairs_args % 2 != 0) return ctx.Syntax();
  const size_t pairs = pairs_args / 2;
  if (opts.nx && opts.xx) {
    return ctx.reply.Error("ERR XX and NX options at the same time are not compatible");
  }
  if ((opts.gt && opts.nx) || (opts.lt && opts.nx) || (opts.gt && opts.lt)) {
    return ctx.reply.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (opts.incr && pairs > 1) {
    return ctx.reply.Error("ERR INCR option supports a single increment-element pair");
  }
  // All scores are validated before anything changes.
  std::vector<double> scores(pairs);
  for (size_t j = 0; j < pairs; ++j) {
    auto d = ParseDouble(ctx.argv[first + 2 * j]);
    if (!d) return ctx.NotFloat();
    scores[j] = *d;
  }
  Value* v;
  if (!WriteZSet(ctx, key, &v)) return;
  int64_t added = 0;
  int64_t updated = 0;
  int64_t processed = 0;
  double last_score = 0;
  if (v == nullptr && !opts.xx) {
    v = &ctx.keyspace().Add(ctx.db(), key, NewZSetFor(ctx, ctx.argv[first + 1].size()));
  }
  if (v != nullptr) {
    const ZSetLimits limits = ZSetLimitsOf(ctx);
    for (size_t j = 0; j < pairs; ++j) {
      ZAddResult r = v->zset().Add(ctx.argv[first + 2 * j + 1], scores[j], opts, limits);
      if (r.nan) {
        // Only reachable with INCR (a single pair), before any change.
        return ctx.reply.Error("ERR resulting score is not a number (NaN)");
      }
      added += r.added;
      updated += r.updated;
      processed += !r.nop;
      last_score = r.score;
    }
  }
  if (added + updated > 0) ctx.KeyModified(key, added + updated);
  if (opts.incr) {
    if (processed > 0) return ctx.reply.Double(last_score);
    return ctx.reply.Null();
  }
  ctx.reply.Integer(ch ? added + updated : added);
}

void ZAdd(CommandContext& ctx) { ZAddGeneric(ctx, false); }
void ZIncrBy(CommandContext& ctx) { ZAddGeneric(ctx, true); }

// ---------------------------------------------------------------------------
// Member lookups

void ZScore(CommandContext& ctx) {
  const Value* v;
  if (!ReadZSet(ctx, ctx.argv[1], &v)) return;
  auto score = v == nullptr ? std::nullopt : v->zset().Score(ctx.argv[2]);
  if (!score) return ctx.reply.Null();
  ctx.reply.Double(*score);
}

void ZMScore(CommandContext& ctx) {
  const Value* v;
  if (!ReadZSet(ctx, ctx.argv[1], &v)) return;
  ctx.reply.ArrayHeader(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    auto score = v == nullptr ? std::nullopt : v->zset().Score(ctx.argv[i]);
    if (score) {
      ctx.reply.Double(*score);
    } else {
      ctx.reply.Null();
    }
  }
}

void RankGeneric(CommandContext& ctx, bool reverse) {
  const Value* v;
  if (!ReadZSet(ctx, ctx.argv[1], &v)) return;
  if (v == nullptr) return ctx.reply.Null();
  auto rank = v->zset().Rank(ctx.argv[2]);
  if (!rank) return ctx.reply.Null();
  const size_t r = reverse ? v->zset().size() - 1 - *rank : *rank;
  ctx.reply.Integer(static_cast<int64_t>(r));
}

void ZRank(CommandContext& ctx) { RankGeneric(ctx, false); }
void ZRevRank(CommandContext& ctx) { RankGeneric(ctx, true); }

void ZCard(CommandContext& ctx) {
  const Value* v;
  if (!ReadZSet(ctx, ctx.argv[1], &v)) return;
  ctx.reply.Integer(v == nullptr ? 0 : static_cast<int64_t>(v->zset().size()));
}

void ZRem(CommandContext& ctx) {
  const std::string& key = ctx.argv[1];
  Value* v;
  if (!WriteZSet(ctx, key, &v)) return;
  if (v == nullptr) return ctx.reply.Integer(0);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    removed += v->zset().Erase(ctx.argv[i]);
    if (v->zset().empty()) {
      ctx.keyspace().Delete(ctx.db(), key);
      break;
    }
  }
  if (removed > 0) ctx.KeyModified(key, removed);
  ctx.reply.Integer(removed);
}

// ---------------------------------------------------------------------------
// ZPOPMIN / ZPOPMAX key [count] (genericZpopCommand). Without a count the
// reply is one flat member/score pair even in RESP3 (zpopMinMaxCommand).

void PopGeneric(CommandContext& ctx, bool max) {
  if (ctx.argv.size() > 3) return ctx.Syntax();
  int64_t count = 1;
  if (ctx.argv.size() == 3) {
    auto c = ParseInt64(ctx.argv[2]);
    if (!c || *c < 0) return ctx.reply.Error(errors::kPositive);
    count = *c;
  }
  const std::string& key = ctx.argv[1];
  Value* v;
  if (!WriteZSet(ctx, key, &v)) return;
  if (v == nullptr || count == 0) return ctx.reply.ArrayHeader(0);
  ZSetValue& z = v->zset();
  const size_t n = std::min(static_cast<uint64_t>(count), static_cast<uint64_t>(z.size()));
  const bool nested = ctx.argv.size() == 3 && ctx.reply.resp() != 2;
  ctx.reply.ArrayHeader(nested ? n : n * 2);
  for (size_t i = 0; i < n; ++i) {
    const ZSetValue::Node* node = max ? z.Last() : z.First();
    if (nested) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(node->member());
    ctx.reply.Double(node->score());
    z.Erase(node->member());
  }
  if (z.empty()) ctx.keyspace().Delete(ctx.db(), key);
  ctx.KeyModified(key, static_cast<int64_t>(n));
}

void ZPopMin(CommandContext& ctx) { PopGeneric(ctx, false); }
void ZPopMax(CommandContext& ctx) { PopGeneric(ctx, true); }

// ---------------------------------------------------------------------------
// ZRANDMEMBER key [count [WITHSCORES]] (zrandmemberWithCountCommand)

// ZRANDMEMBER_SUB_STRATEGY_MUL: past count*3 > size it is cheaper to drop
// random elements from a full copy than to sample distinct ones.
constexpr uint64_t kZRandSubStrategyMul = 3;

const ZSetValue::Node* RandomNode(CommandContext& ctx, const ZSetValue& z) {
  return z.dict().RandomNode(ctx.keyspace().rng())->value;
}

void ReplyNodes(CommandContext& ctx, const std::vector<const ZSetValue::Node*>& nodes,
                bool withscores) {
  ScoredArrayHeader(ctx.reply, nodes.size(), withscores);
  for (const ZSetValue::Node* n : nodes) ScoredMember(ctx.reply, n, withscores);
}

void RandMemberWithCount(CommandContext& ctx, int64_t l, bool withscores) {
  const Value* v;
  if (!ReadZSet(ctx, ctx.argv[1], &v)) return;
  if (v == nullptr || l == 0) return ctx.reply.ArrayHeader(0);
  const ZSetValue& z = v->zset();
  const bool unique = l > 0;
  const uint64_t count = static_cast<uint64_t>(unique ? l : -l);
  const uint64_t size = z.size();
  if (!unique || count == 1) {
    // Repeats allowed: sample independently, reply as we go.
    ScoredArrayHeader(ctx.reply, count, withscores);
    for (uint64_t i = 0; i < count; ++i) ScoredMember(ctx.reply, RandomNode(ctx, z), withscores);
    return;
  }
  std::vector<const ZSetValue::Node*> picked;
  if (count >= size || count * kZRandSubStrategyMul > size) {
    // Everything, highest score first: Redis walks the set with the zunion
    // iterator, which goes backwards (zuiInitIterator). Past the threshold,
    // random elements are then dropped until `count` remain.
    for (const ZSetValue::Node* n = z.Last(); n != nullptr; n = n->prev()) picked.push_back(n);
    DropRandomUntil(picked, count, ctx.keyspace().rng());
  } else {
    Dict<NoValue> seen;
    while (picked.size() < count) {
      const ZSetValue::Node* n = RandomNode(ctx, z);
      if (seen.TryEmplace(n->member()).second) picked.push_back(n);
    }
  }
  ReplyNodes(ctx, picked, withscores);
}

void ZRandMember(CommandContext& ctx) {
  if (ctx.argv.size() >= 3) {
    auto l = ParseInt64(ctx.argv[2]);
    if (!l) return ctx.NotInteger();
    if (*l == INT64_MIN) {
      return ctx.reply.Error(
          "ERR value is out of range, value must between -9223372036854775807 and "
          "9223372036854775807");
    }
    if (ctx.argv.size() > 4 ||
        (ctx.argv.size() == 4 && !EqualsIgnoreCase(ctx.argv[3], "withscores"))) {
      return ctx.Syntax();
    }
    const bool withscores = ctx.argv.size() == 4;
    // With scores the reply doubles in length; Redis refuses counts whose
    // doubled size would overflow.
    if (withscores && (*l < -(INT64_MAX / 2) || *l > INT64_MAX / 2)) {
      return ctx.reply.Error("ERR value is out of range");
    }
    return RandMemberWithCount(ctx, *l, withscores);
  }
  const Value* v;
  if (!ReadZSet(ctx, ctx.argv[1], &v)) return;
  if (v == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(RandomNode(ctx, v->zset())->member());
}

// ---------------------------------------------------------------------------
// ZSCAN

// How a listpack spells a stored score (zzlInsertAt + d2string): integral
// values within +-2^62 as integers, the rest with "%.17g".
std::string ListpackScoreString(double score) {
  constexpr double kLongLimit = static_cast<double>(INT64_MAX / 2);
  if (std::isinf(score)) return score > 0 ? "inf" : "-inf";
  if (score >= -kLongLimit && score <= kLongLimit) {
    const auto ll = static_cast<int64_t>(score);
    if (static_cast<double>(ll) == score) return FormatInt64(ll);
  }
  return FormatDoubleReply(score);
}

void ZScan(CommandContext& ctx) {
  const Value* v = nullptr;
  uint64_t cursor = 0;
  ScanOptions opts;
  if (!BeginCollectionScan(ctx, ValueType::kZSet, &v, &cursor, &opts)) return;
  const ZSetValue& z = v->zset();
  std::vector<std::pair<const std::string*, std::string>> found;
  uint64_t next = 0;
  if (z.listpack()) {
    // A listpack is returned whole, in order, with cursor 0.
    for (const ZSetValue::Node* n = z.First(); n != nullptr; n = n->next()) {
      found.emplace_back(&n->member(), ListpackScoreString(n->score()));
    }
  } else {
    // Redis doubles COUNT for member/score pairs.
    next = ScanDictLikeRedis(
        z.dict(), cursor, SaturatingMul(opts.count, 2),
        [&](const std::string& m, const ZSetValue::Node* const& n) {
          found.emplace_back(&m, FormatDoubleReply(n->score()));
        },
        [&] { return found.size() * 2; });
  }
  std::erase_if(found, [&](const auto& e) { return !opts.Matches(*e.first); });
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(found.size() * 2);
  for (const auto& [member, score] : found) {
    ctx.reply.Bulk(*member);
    ctx.reply.Bulk(score);
  }
}

}  // namespace

void RegisterZSetCommands(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite;
  constexpr uint32_t kR = kCmdReadOnly;
  t.Add(MakeSpec("zadd", -4, kW | kCmdDenyOom | kCmdFast, ZAdd, "sorted-set", "1.2.0",
                 "key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]",
                 "Adds members with scores to a sorted set, or updates their scores.", 1, 1, 1));
  t.Add(MakeSpec("zincrby", 4, kW | kCmdDenyOom | kCmdFast, ZIncrBy, "sorted-set", "1.2.0",
                 "key increment member",
                 "Adds to a member's score (from 0 if new) and returns the new score.", 1, 1, 1));
  t.Add(MakeSpec("zscore", 3, kR | kCmdFast, ZScore, "sorted-set", "1.2.0", "key member",
                 "Returns a member's score.", 1, 1, 1));
  t.Add(MakeSpec("zmscore", -3, kR | kCmdFast, ZMScore, "sorted-set", "6.2.0",
                 "key member [member ...]", "Returns the scores of several members.", 1, 1, 1));
  t.Add(MakeSpec("zrank", 3, kR | kCmdFast, ZRank, "sorted-set", "2.0.0", "key member",
                 "Returns a member's position, counting from the lowest score.", 1, 1, 1));
  t.Add(MakeSpec("zrevrank", 3, kR | kCmdFast, ZRevRank, "sorted-set", "2.0.0", "key member",
                 "Returns a member's position, counting from the highest score.", 1, 1, 1));
  t.Add(MakeSpec("zrem", -3, kW | kCmdFast, ZRem, "sorted-set", "1.2.0", "key member [member ...]",
                 "Removes members; the key goes away with its last member.", 1, 1, 1));
  t.Add(MakeSpec("zcard", 2, kR | kCmdFast, ZCard, "sorted-set", "1.2.0", "key",
                 "Counts the members of a sorted set.", 1, 1, 1));
  t.Add(MakeSpec("zpopmin", -2, kW | kCmdFast, ZPopMin, "sorted-set", "5.0.0", "key [count]",
                 "Removes and returns the members with the lowest scores.", 1, 1, 1));
  t.Add(MakeSpec("zpopmax", -2, kW | kCmdFast, ZPopMax, "sorted-set", "5.0.0", "key [count]",
                 "Removes and returns the members with the highest scores.", 1, 1, 1));
  t.Add(MakeSpec("zrandmember", -2, kR, ZRandMember, "sorted-set", "6.2.0",
                 "key [count [WITHSCORES]]",
                 "Returns random members; a negative count may repeat them.", 1, 1, 1));
  t.Add(MakeSpec(
      "zscan", -3, kR, ZScan, "sorted-set", "2.8.0", "key cursor [MATCH pattern] [COUNT count]",
      "Iterates a sorted set's members and scores incrementally with a cursor.", 1, 1, 1));
  RegisterZSetRangeCommands(t);
}

}  // namespace plab
