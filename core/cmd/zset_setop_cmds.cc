// Sorted-set algebra: ZUNION ZINTER ZDIFF, their STORE forms, and ZINTERCARD,
// following Redis 7.0's t_zset.c zunionInterDiffGenericCommand:
//
//   - inputs may be sorted sets or plain sets (every member scoring 1);
//     missing keys are empty inputs; any other type is WRONGTYPE, reported
//     before the options are even looked at;
//   - each input's scores are multiplied by its WEIGHT, and scores of a member
//     found in several inputs are combined with AGGREGATE SUM (default), MIN
//     or MAX; a product or sum that comes out NaN (0 * inf, inf + -inf) counts
//     as 0 at the points where Redis resets it;
//   - union and intersection visit inputs smallest first (a stable sort by
//     size), which fixes the order scores are summed in and so the exact
//     floating-point result;
//   - the STORE forms replace the destination (or delete it when the result
//     is empty) and give it the encoding Redis would: listpack when the
//     result is small enough (zsetConvertToListpackIfNeeded), else skiplist.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/cmd/command_table.h"
#include "core/cmd/zset_family.h"
#include "core/server/server.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// A listpack may not grow past 1 GiB (LISTPACK_MAX_SAFETY_SIZE, lpSafeToAdd).
constexpr uint64_t kListpackSafetyBytes = uint64_t{1} << 30;

// One input (Redis's zsetopsrc): a sorted set, a set, or nothing.
struct Source {
  const Value* value = nullptr;
  double weight = 1.0;

  size_t Length() const {
    if (value == nullptr) return 0;
    return value->is(ValueType::kZSet) ? value->zset().size() : value->set().members.size();
  }
  // The member's unweighted score, when present.
  std::optional<double> Find(std::string_view member) const {
    if (value == nullptr) return std::nullopt;
    if (value->is(ValueType::kZSet)) return value->zset().Score(member);
    if (value->set().members.Contains(member)) return 1.0;
    return std::nullopt;
  }
  // Calls f(member, unweighted score) for every element.
  template <typename F>
  void ForEach(F&& f) const {
    if (value == nullptr) return;
    if (value->is(ValueType::kZSet)) {
      for (const auto* n = value->zset().First(); n != nullptr; n = n->next()) {
        f(std::string_view(n->member()), n->score());
      }
    } else {
      value->set().members.ForEach([&](const std::string& m, const NoValue&) { f(m, 1.0); });
    }
  }
};

// Which command is running.
struct SetOpCall {
  SetOp op;
  bool store = false;      // destination in argv[1], numkeys in argv[2]
  bool card_only = false;  // ZINTERCARD: only the size matters
};

struct SetOpArgs {
  std::vector<Source> sources;
  Aggregate aggregate = Aggregate::kSum;
  bool withscores = false;
  uint64_t limit = 0;  // ZINTERCARD LIMIT; 0 = no limit
};

// A result element. The member views storage owned by an input, which stays
// untouched until the result has been replied or copied.
using Element = std::pair<std::string_view, double>;

// zunionInterAggregate(). Only a SUM resets NaN; MIN and MAX keep the
// current value when compared with NaN.
void AggregateInto(double* target, double value, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      *target += value;
      if (std::isnan(*target)) *target = 0;
      break;
    case Aggregate::kMin:
      *target = value < *target ? value : *target;
      break;
    case Aggregate::kMax:
      *target = value > *target ? value : *target;
      break;
  }
}

// A weighted score, with NaN (0 * inf) read as 0.
double Weighted(double score, double weight) {
  const double v = score * weight;
  return std::isnan(v) ? 0 : v;
}

// ---------------------------------------------------------------------------
// Argument parsing

// Looks every input key up (lookupKeyRead) before any option is parsed.
bool LookupSources(CommandContext& ctx, size_t first, size_t count, SetOpArgs* a) {
  for (size_t i = 0; i < count; ++i) {
    const Value* v = ctx.keyspace().LookupRead(ctx.db(), ctx.argv[first + i]);
    if (v != nullptr && !v->is(ValueType::kZSet) && !v->is(ValueType::kSet)) {
      ctx.WrongType();
      return false;
    }
    a->sources.push_back(Source{v, 1.0});
  }
  return true;
}

// WEIGHTS / AGGREGATE / WITHSCORES / LIMIT after the keys, each accepted
// only by the commands that have it; anything else is a syntax error.
// Options may repeat (the last one wins, WEIGHTS overwrite).
bool ParseSetOpOptions(CommandContext& ctx, const SetOpCall& call, size_t j, SetOpArgs* a) {
  const auto& argv = ctx.argv;
  const bool weighted = call.op != SetOp::kDiff && !call.card_only;
  const size_t n = a->sources.size();
  while (j < argv.size()) {
    const size_t remaining = argv.size() - j;
    const std::string& opt = argv[j];
    if (weighted && remaining >= n + 1 && EqualsIgnoreCase(opt, "weights")) {
      for (size_t i = 0; i < n; ++i) {
        auto w = ParseDouble(argv[j + 1 + i]);
        if (!w) {
          ctx.reply.Error("ERR weight value is not a float");
          return false;
        }
        a->sources[i].weight = *w;
      }
      j += n + 1;
    } else if (weighted && remaining >= 2 && EqualsIgnoreCase(opt, "aggregate")) {
      const std::string& how = argv[j + 1];
      if (EqualsIgnoreCase(how, "sum")) {
        a->aggregate = Aggregate::kSum;
      } else if (EqualsIgnoreCase(how, "min")) {
        a->aggregate = Aggregate::kMin;
      } else if (EqualsIgnoreCase(how, "max")) {
        a->aggregate = Aggregate::kMax;
      } else {
        ctx.Syntax();
        return false;
      }
      j += 2;
    } else if (!call.store && !call.card_only && EqualsIgnoreCase(opt, "withscores")) {
      a->withscores = true;
      j += 1;
    } else if (call.card_only && remaining >= 2 && EqualsIgnoreCase(opt, "limit")) {
      // getPositiveLongFromObjectOrReply: one message for junk and negatives.
      auto l = ParseInt64(argv[j + 1]);
      if (!l || *l < 0) {
        ctx.reply.Error("ERR LIMIT can't be negative");
        return false;
      }
      a->limit = static_cast<uint64_t>(*l);
      j += 2;
    } else {
      ctx.Syntax();
      return false;
    }
  }
  return true;
}

bool ParseSetOp(CommandContext& ctx, const SetOpCall& call, SetOpArgs* a) {
  const size_t numkeys_index = call.store ? 2 : 1;
  auto numkeys = ParseInt64(ctx.argv[numkeys_index]);
  if (!numkeys) {
    ctx.NotInteger();
    return false;
  }
  if (*numkeys < 1) {
    ctx.reply.Error("ERR at least 1 input key is needed for '" + ctx.spec.full_name + "' command");
    return false;
  }
  const size_t after_numkeys = ctx.argv.size() - numkeys_index - 1;
  if (static_cast<uint64_t>(*numkeys) > after_numkeys) {
    ctx.Syntax();
    return false;
  }
  const size_t n = static_cast<size_t>(*numkeys);
  if (!LookupSources(ctx, numkeys_index + 1, n, a)) return false;
  return ParseSetOpOptions(ctx, call, numkeys_index + 1 + n, a);
}

// ---------------------------------------------------------------------------
// The three operations. Results are unordered; callers sort them.

std::vector<Element> Union(const std::vector<Source>& src, Aggregate agg) {
  std::unordered_map<std::string_view, double> acc;
  if (!src.empty()) acc.reserve(src.back().Length());  // at least the largest input
  for (const Source& s : src) {
    s.ForEach([&](std::string_view member, double score) {
      const double v = Weighted(score, s.weight);
      auto [it, inserted] = acc.try_emplace(member, v);
      if (!inserted) AggregateInto(&it->second, v, agg);
    });
  }
  return {acc.begin(), acc.end()};
}

// Members of the smallest input found in all the others. Stops after
// `limit` results when limit > 0 (ZINTERCARD LIMIT).
std::vector<Element> Inter(const std::vector<Source>& src, Aggregate agg, uint64_t limit) {
  std::vector<Element> out;
  if (src[0].Length() == 0) return out;
  src[0].ForEach([&](std::string_view member, double score) {
    if (limit > 0 && out.size() >= limit) return;
    double total = Weighted(score, src[0].weight);
    for (size_t j = 1; j < src.size(); ++j) {
      auto found = src[j].Find(member);
      if (!found) return;
      // Unlike the first score, these products are aggregated as they are,
      // NaN included (AggregateInto decides what NaN does).
      AggregateInto(&total, *found * src[j].weight, agg);
    }
    out.emplace_back(member, total);
  });
  return out;
}

// Members of the first input that no other input has, with their scores.
std::vector<Element> Diff(const std::vector<Source>& src) {
  std::vector<Element> out;
  if (src[0].Length() == 0) return out;
  for (size_t j = 1; j < src.size(); ++j) {
    if (src[j].value == src[0].value) return out;  // the same key: nothing is left
  }
  src[0].ForEach([&](std::string_view member, double score) {
    for (size_t j = 1; j < src.size(); ++j) {
      if (src[j].Find(member)) return;
    }
    out.emplace_back(member, score);
  });
  return out;
}

// Skiplist order: by score, then by member bytes (shorter prefix first).
void SortLikeSkiplist(std::vector<Element>* elems) {
  std::sort(elems->begin(), elems->end(), [](const Element& x, const Element& y) {
    if (x.second != y.second) return x.second < y.second;
    return x.first < y.first;
  });
}

// ---------------------------------------------------------------------------
// Replies

void StoreResult(CommandContext& ctx, const std::string& dst, const std::vector<Element>& elems) {
  if (elems.empty()) {
    if (ctx.keyspace().Delete(ctx.db(), dst)) ctx.KeyModified(dst, 1);
    return ctx.reply.Integer(0);
  }
  // zsetConvertToListpackIfNeeded(): the result is built as a skiplist and
  // turned into a listpack when it is small enough.
  size_t longest = 0;
  uint64_t total = 0;
  for (const Element& e : elems) {
    longest = std::max(longest, e.first.size());
    total += e.first.size();
  }
  const ZSetLimits limits = ZSetLimitsOf(ctx);
  const bool listpack = elems.size() <= limits.max_listpack_entries &&
                        longest <= limits.max_listpack_value && total <= kListpackSafetyBytes;
  Value v = Value::ZSet();
  v.zset().set_listpack(listpack);
  for (const Element& e : elems) {
    // A listpack keeps integral scores as integers, so -0 reads back as 0.
    v.zset().Insert(e.first, listpack && e.second == 0 ? 0.0 : e.second);
  }
  // Every member is copied now: replacing dst may free an input.
  ctx.keyspace().Set(ctx.db(), dst, std::move(v));
  ctx.KeyModified(dst, 1);
  ctx.reply.Integer(static_cast<int64_t>(elems.size()));
}

void ReplyElements(ReplyBuilder& r, const std::vector<Element>& elems, bool withscores) {
  ScoredArrayHeader(r, elems.size(), withscores);
  for (const Element& e : elems) {
    if (withscores && r.resp() != 2) r.ArrayHeader(2);
    r.Bulk(e.first);
    if (withscores) r.Double(e.second);
  }
}

void SetOpGeneric(CommandContext& ctx, SetOpCall call) {
  SetOpArgs a;
  if (!ParseSetOp(ctx, call, &a)) return;
  std::vector<Element> result;
  if (call.op == SetOp::kDiff) {
    result = Diff(a.sources);
  } else {
    std::stable_sort(a.sources.begin(), a.sources.end(),
                     [](const Source& x, const Source& y) { return x.Length() < y.Length(); });
    result = call.op == SetOp::kUnion ? Union(a.sources, a.aggregate)
                                      : Inter(a.sources, a.aggregate, a.limit);
  }
  if (call.card_only) return ctx.reply.Integer(static_cast<int64_t>(result.size()));
  SortLikeSkiplist(&result);
  if (call.store) return StoreResult(ctx, ctx.argv[1], result);
  ReplyElements(ctx.reply, result, a.withscores);
}

void ZUnion(CommandContext& ctx) { SetOpGeneric(ctx, {SetOp::kUnion}); }
void ZInter(CommandContext& ctx) { SetOpGeneric(ctx, {SetOp::kInter}); }
void ZDiff(CommandContext& ctx) { SetOpGeneric(ctx, {SetOp::kDiff}); }
void ZUnionStore(CommandContext& ctx) { SetOpGeneric(ctx, {SetOp::kUnion, true}); }
void ZInterStore(CommandContext& ctx) { SetOpGeneric(ctx, {SetOp::kInter, true}); }
void ZDiffStore(CommandContext& ctx) { SetOpGeneric(ctx, {SetOp::kDiff, true}); }
void ZInterCard(CommandContext& ctx) { SetOpGeneric(ctx, {SetOp::kInter, false, true}); }

}  // namespace

void RegisterZSetSetOpCommands(CommandTable& t) {
  constexpr const char* kG = "sorted-set";
  constexpr uint32_t kR = kCmdReadOnly;
  constexpr uint32_t kWS = kCmdWrite | kCmdDenyOom;
  constexpr const char* kCombine =
      "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] "
      "[WITHSCORES]";
  constexpr const char* kCombineStore =
      "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] "
      "[AGGREGATE <SUM | MIN | MAX>]";
  t.Add(MakeSpec("zunion", -3, kR, ZUnion, kG, "6.2.0", kCombine,
                 "Returns every member of the given sorted sets, scores combined."));
  t.Add(MakeSpec("zinter", -3, kR, ZInter, kG, "6.2.0", kCombine,
                 "Returns the members common to all the given sorted sets, scores combined."));
  t.Add(MakeSpec("zdiff", -3, kR, ZDiff, kG, "6.2.0", "numkeys key [key ...] [WITHSCORES]",
                 "Returns the members of the first sorted set that no other given set has."));
  t.Add(MakeSpec("zunionstore", -4, kWS, ZUnionStore, kG, "2.0.0", kCombineStore,
                 "Stores the union of sorted sets in a key and returns its size.", 1, 1, 1));
  t.Add(MakeSpec("zinterstore", -4, kWS, ZInterStore, kG, "2.0.0", kCombineStore,
                 "Stores the intersection of sorted sets in a key and returns its size.", 1, 1, 1));
  t.Add(MakeSpec("zdiffstore", -4, kWS, ZDiffStore, kG, "6.2.0",
                 "destination numkeys key [key ...]",
                 "Stores the difference of sorted sets in a key and returns its size.", 1, 1, 1));
  t.Add(MakeSpec("zintercard", -3, kR, ZInterCard, kG, "7.0.0",
                 "numkeys key [key ...] [LIMIT limit]",
                 "Counts the members common to all the given sorted sets, optionally stopping "
                 "early."));
}

}  // namespace plab
