// Sorted-set range commands: ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES),
// ZRANGESTORE, ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX,
// ZREVRANGEBYLEX, ZCOUNT, ZLEXCOUNT, ZREMRANGEBYRANK, ZREMRANGEBYSCORE and
// ZREMRANGEBYLEX, following Redis 7.0's t_zset.c (zrangeGenericCommand and
// friends), including the order in which arguments are validated.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/cmd/command_table.h"
#include "core/cmd/zset_family.h"
#include "core/server/server.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

using Node = ZSetValue::Node;

constexpr std::string_view kNotFloatRange = "ERR min or max is not a float";
constexpr std::string_view kNotLexRange = "ERR min or max not valid string range item";

// ---------------------------------------------------------------------------
// Range parsing

// One end of a score range (zslParseRange): "(" makes it exclusive, the rest
// goes through strtod, which (unlike ZADD's score parsing) tolerates leading
// spaces, an empty string (0) and out-of-range values (+-inf). Only
// trailing junk and NaN are refused. std::string is NUL-terminated, so an
// embedded NUL ends the number just as it does for Redis's C string.
bool ParseScoreBound(const std::string& s, double* value, bool* exclusive) {
  const char* start = s.c_str();
  *exclusive = !s.empty() && s[0] == '(';
  if (*exclusive) ++start;
  char* end = nullptr;
  *value = std::strtod(start, &end);
  return *end == '\0' && !std::isnan(*value);
}

std::optional<ZScoreRange> ParseScoreRange(const std::string& min, const std::string& max) {
  ZScoreRange r;
  if (!ParseScoreBound(min, &r.min, &r.min_exclusive) ||
      !ParseScoreBound(max, &r.max, &r.max_exclusive)) {
    return std::nullopt;
  }
  return r;
}

// One end of a lex range (zslParseLexRangeItem): "-", "+", "(value" or
// "[value". A NUL right after '-' or '+' counts as the end of the string, as
// it does for Redis's C-string check.
bool ParseLexBound(const std::string& s, ZLexBound* out) {
  if (s.empty()) return false;
  const bool alone = s.size() == 1 || s[1] == '\0';
  switch (s[0]) {
    case '-':
      if (!alone) return false;
      out->kind = ZLexBound::Kind::kMinusInf;
      out->exclusive = true;
      return true;
    case '+':
      if (!alone) return false;
      out->kind = ZLexBound::Kind::kPlusInf;
      out->exclusive = true;
      return true;
    case '(':
    case '[':
      out->kind = ZLexBound::Kind::kValue;
      out->exclusive = s[0] == '(';
      out->value = s.substr(1);
      return true;
    default:
      return false;
  }
}

std::optional<ZLexRange> ParseLexRange(const std::string& min, const std::string& max) {
  ZLexRange r;
  if (!ParseLexBound(min, &r.min) || !ParseLexBound(max, &r.max)) return std::nullopt;
  return r;
}

// getLongFromObjectOrReply().
bool ParseLongOrReply(CommandContext& ctx, const std::string& s, int64_t* out) {
  auto v = ParseInt64(s);
  if (!v) {
    ctx.NotInteger();
    return false;
  }
  *out = *v;
  return true;
}

// Clamps Redis-style rank indexes (negative = from the end) to [start, end]
// within a set of `len` elements. Returns false when the range is empty.
bool ClampRanks(int64_t len, int64_t* start, int64_t* end) {
  if (*start < 0) *start += len;
  if (*end < 0) *end += len;
  if (*start < 0) *start = 0;
  if (*start > *end || *start >= len) return false;
  if (*end >= len) *end = len - 1;
  return true;
}

// ---------------------------------------------------------------------------
// Range selection: the elements ZRANGE & co. return, in reply order.

enum class RangeType { kAuto, kRank, kScore, kLex };

struct RangeQuery {
  RangeType type = RangeType::kRank;
  bool reverse = false;
  int64_t start = 0;  // ranks, for kRank
  int64_t end = 0;
  ZScoreRange score;
  ZLexRange lex;
  int64_t offset = 0;  // LIMIT offset (score/lex only)
  int64_t limit = -1;  // LIMIT count; negative = no limit
};

std::vector<const Node*> SelectByRank(const ZSetValue& z, const RangeQuery& q) {
  std::vector<const Node*> out;
  int64_t start = q.start;
  int64_t end = q.end;
  if (!ClampRanks(static_cast<int64_t>(z.size()), &start, &end)) return out;
  const size_t n = static_cast<size_t>(end - start + 1);
  out.reserve(n);
  // Ranks count from the top when reversed.
  const size_t first =
      q.reverse ? z.size() - 1 - static_cast<size_t>(start) : static_cast<size_t>(start);
  for (const Node* x = z.ByRank(first); x != nullptr && out.size() < n;
       x = q.reverse ? x->prev() : x->next()) {
    out.push_back(x);
  }
  return out;
}

// Walks from the first element in range (last when reversed), skipping
// `offset` elements and taking up to `limit` while still in range. As in
// Redis, a negative offset skips past the end and yields nothing.
template <typename InRangeEnd>
std::vector<const Node*> WalkRange(const Node* x, const RangeQuery& q, InRangeEnd in_range) {
  std::vector<const Node*> out;
  if (q.offset < 0) return out;
  for (int64_t skip = q.offset; x != nullptr && skip > 0; --skip) {
    x = q.reverse ? x->prev() : x->next();
  }
  for (int64_t left = q.limit; x != nullptr && left != 0; --left) {
    if (!in_range(x)) break;
    out.push_back(x);
    x = q.reverse ? x->prev() : x->next();
  }
  return out;
}

std::vector<const Node*> Select(const ZSetValue& z, const RangeQuery& q) {
  switch (q.type) {
    case RangeType::kAuto:
    case RangeType::kRank:
      return SelectByRank(z, q);
    case RangeType::kScore: {
      if (q.offset > 0 && static_cast<uint64_t>(q.offset) >= z.size()) return {};
      const Node* x = q.reverse ? z.LastInRange(q.score) : z.FirstInRange(q.score);
      return WalkRange(x, q, [&](const Node* n) {
        return q.reverse ? q.score.AboveMin(n->score()) : q.score.BelowMax(n->score());
      });
    }
    case RangeType::kLex: {
      const Node* x = q.reverse ? z.LastInLexRange(q.lex) : z.FirstInLexRange(q.lex);
      return WalkRange(x, q, [&](const Node* n) {
        return q.reverse ? q.lex.AboveMin(n->member()) : q.lex.BelowMax(n->member());
      });
    }
  }
  return {};
}

// ---------------------------------------------------------------------------
// ZRANGE & co. (zrangeGenericCommand)

struct RangeCall {
  size_t key_index = 1;              // argv index of the source key
  const std::string* dst = nullptr;  // ZRANGESTORE's destination
  RangeType type = RangeType::kAuto;
  bool reverse_fixed = false;  // direction given by the command name
  bool reverse = false;
};

// Parses the options after <key> <min> <max>. Returns false after replying.
bool ParseRangeOptions(CommandContext& ctx, RangeCall& call, RangeQuery* q, bool* withscores) {
  const auto& argv = ctx.argv;
  for (size_t j = call.key_index + 3; j < argv.size(); ++j) {
    const size_t left = argv.size() - j - 1;
    if (call.dst == nullptr && EqualsIgnoreCase(argv[j], "withscores")) {
      *withscores = true;
    } else if (EqualsIgnoreCase(argv[j], "limit") && left >= 2) {
      if (!ParseLongOrReply(ctx, argv[j + 1], &q->offset) ||
          !ParseLongOrReply(ctx, argv[j + 2], &q->limit)) {
        return false;
      }
      j += 2;
    } else if (!call.reverse_fixed && !call.reverse && EqualsIgnoreCase(argv[j], "rev")) {
      call.reverse = true;
    } else if (call.type == RangeType::kAuto && EqualsIgnoreCase(argv[j], "bylex")) {
      call.type = RangeType::kLex;
    } else if (call.type == RangeType::kAuto && EqualsIgnoreCase(argv[j], "byscore")) {
      call.type = RangeType::kScore;
    } else {
      ctx.Syntax();
      return false;
    }
  }
  return true;
}

// Validates options and parses the range. Returns false after replying.
bool ParseRangeCall(CommandContext& ctx, RangeCall& call, RangeQuery* q, bool* withscores) {
  if (!ParseRangeOptions(ctx, call, q, withscores)) return false;
  if (call.type == RangeType::kAuto) call.type = RangeType::kRank;
  // Like Redis, "LIMIT x -1" is indistinguishable from no LIMIT here.
  if (q->limit != -1 && call.type == RangeType::kRank) {
    ctx.reply.Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return false;
  }
  if (*withscores && call.type == RangeType::kLex) {
    ctx.reply.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return false;
  }
  q->type = call.type;
  q->reverse = call.reverse;
  size_t min_i = call.key_index + 1;
  size_t max_i = call.key_index + 2;
  // Reversed score and lex ranges are written max first.
  if (q->reverse && q->type != RangeType::kRank) std::swap(min_i, max_i);
  const std::string& min = ctx.argv[min_i];
  const std::string& max = ctx.argv[max_i];
  if (q->type == RangeType::kRank) {
    return ParseLongOrReply(ctx, min, &q->start) && ParseLongOrReply(ctx, max, &q->end);
  }
  if (q->type == RangeType::kScore) {
    auto r = ParseScoreRange(min, max);
    if (!r) ctx.reply.Error(kNotFloatRange);
    if (r) q->score = *r;
    return r.has_value();
  }
  auto r = ParseLexRange(min, max);
  if (!r) ctx.reply.Error(kNotLexRange);
  if (r) q->lex = std::move(*r);
  return r.has_value();
}

// ZRANGESTORE's result handling (zrangeResultBeginStore/FinalizeStore): the
// destination starts as a listpack unless the (known) length is already too
// big, then members are added with ZADD's conversion rules.
void StoreRange(CommandContext& ctx, const std::string& dst, const std::vector<const Node*>& nodes,
                std::optional<size_t> known_length) {
  if (nodes.empty()) {
    if (ctx.keyspace().Delete(ctx.db(), dst)) ctx.KeyModified(dst, 1);
    return ctx.reply.Integer(0);
  }
  const ZSetLimits limits = ZSetLimitsOf(ctx);
  Value v = Value::ZSet();
  v.zset().set_listpack(!(known_length && *known_length > limits.max_listpack_entries));
  for (const Node* n : nodes) v.zset().Add(n->member(), n->score(), ZAddOptions{}, limits);
  ctx.keyspace().Set(ctx.db(), dst, std::move(v));
  ctx.KeyModified(dst, 1);
  ctx.reply.Integer(static_cast<int64_t>(nodes.size()));
}

void RangeGeneric(CommandContext& ctx, RangeCall call) {
  RangeQuery q;
  bool withscores = false;
  if (!ParseRangeCall(ctx, call, &q, &withscores)) return;
  const Value* v;
  if (!ReadZSet(ctx, ctx.argv[call.key_index], &v)) return;
  std::vector<const Node*> nodes;
  if (v != nullptr) nodes = Select(v->zset(), q);
  if (call.dst != nullptr) {
    std::optional<size_t> known;
    if (q.type == RangeType::kRank && v != nullptr) known = nodes.size();
    return StoreRange(ctx, *call.dst, nodes, known);
  }
  ScoredArrayHeader(ctx.reply, nodes.size(), withscores);
  for (const Node* n : nodes) ScoredMember(ctx.reply, n, withscores);
}

void ZRange(CommandContext& ctx) { RangeGeneric(ctx, RangeCall{}); }

void ZRangeStore(CommandContext& ctx) {
  RangeCall c;
  c.key_index = 2;
  c.dst = &ctx.argv[1];
  RangeGeneric(ctx, c);
}

RangeCall Fixed(RangeType type, bool reverse) {
  RangeCall c;
  c.type = type;
  c.reverse_fixed = true;
  c.reverse = reverse;
  return c;
}

void ZRevRange(CommandContext& ctx) { RangeGeneric(ctx, Fixed(RangeType::kRank, true)); }
void ZRangeByScore(CommandContext& ctx) { RangeGeneric(ctx, Fixed(RangeType::kScore, false)); }
void ZRevRangeByScore(CommandContext& ctx) { RangeGeneric(ctx, Fixed(RangeType::kScore, true)); }
void ZRangeByLex(CommandContext& ctx) { RangeGeneric(ctx, Fixed(RangeType::kLex, false)); }
void ZRevRangeByLex(CommandContext& ctx) { RangeGeneric(ctx, Fixed(RangeType::kLex, true)); }

// ---------------------------------------------------------------------------
// ZCOUNT / ZLEXCOUNT: ranks of the first and last element in range.

size_t CountBetween(const ZSetValue& z, const Node* first, const Node* last) {
  if (first == nullptr || last == nullptr) return 0;
  return *z.Rank(last->member()) - *z.Rank(first->member()) + 1;
}

void ZCount(CommandContext& ctx) {
  auto r = ParseScoreRange(ctx.argv[2], ctx.argv[3]);
  if (!r) return ctx.reply.Error(kNotFloatRange);
  const Value* v;
  if (!ReadZSet(ctx, ctx.argv[1], &v)) return;
  if (v == nullptr) return ctx.reply.Integer(0);
  const ZSetValue& z = v->zset();
  ctx.reply.Integer(static_cast<int64_t>(CountBetween(z, z.FirstInRange(*r), z.LastInRange(*r))));
}

void ZLexCount(CommandContext& ctx) {
  auto r = ParseLexRange(ctx.argv[2], ctx.argv[3]);
  if (!r) return ctx.reply.Error(kNotLexRange);
  const Value* v;
  if (!ReadZSet(ctx, ctx.argv[1], &v)) return;
  if (v == nullptr) return ctx.reply.Integer(0);
  const ZSetValue& z = v->zset();
  if (!z.listpack()) {
    return ctx.reply.Integer(
        static_cast<int64_t>(CountBetween(z, z.FirstInLexRange(*r), z.LastInLexRange(*r))));
  }
  // A listpack counts by walking from the first match while below max; with
  // mixed scores that differs from the rank arithmetic above.
  int64_t count = 0;
  for (const Node* n = z.FirstInLexRange(*r); n != nullptr && r->BelowMax(n->member());
       n = n->next()) {
    ++count;
  }
  ctx.reply.Integer(count);
}

// ---------------------------------------------------------------------------
// ZREMRANGEBY* (zremrangeGenericCommand): parse, look up, remove.

void RemRangeGeneric(CommandContext& ctx, RangeType type) {
  const std::string& key = ctx.argv[1];
  int64_t start = 0;
  int64_t end = 0;
  std::optional<ZScoreRange> score;
  std::optional<ZLexRange> lex;
  if (type == RangeType::kRank) {
    if (!ParseLongOrReply(ctx, ctx.argv[2], &start) || !ParseLongOrReply(ctx, ctx.argv[3], &end)) {
      return;
    }
  } else if (type == RangeType::kScore) {
    score = ParseScoreRange(ctx.argv[2], ctx.argv[3]);
    if (!score) return ctx.reply.Error(kNotFloatRange);
  } else {
    lex = ParseLexRange(ctx.argv[2], ctx.argv[3]);
    if (!lex) return ctx.reply.Error(kNotLexRange);
  }
  Value* v;
  if (!WriteZSet(ctx, key, &v)) return;
  if (v == nullptr) return ctx.reply.Integer(0);
  ZSetValue& z = v->zset();
  size_t removed = 0;
  if (type == RangeType::kRank) {
    if (!ClampRanks(static_cast<int64_t>(z.size()), &start, &end)) return ctx.reply.Integer(0);
    removed = z.EraseRankRange(static_cast<size_t>(start), static_cast<size_t>(end));
  } else if (type == RangeType::kScore) {
    removed = z.EraseScoreRange(*score);
  } else {
    removed = z.EraseLexRange(*lex);
  }
  if (z.empty()) ctx.keyspace().Delete(ctx.db(), key);
  if (removed > 0) ctx.KeyModified(key, static_cast<int64_t>(removed));
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

void ZRemRangeByRank(CommandContext& ctx) { RemRangeGeneric(ctx, RangeType::kRank); }
void ZRemRangeByScore(CommandContext& ctx) { RemRangeGeneric(ctx, RangeType::kScore); }
void ZRemRangeByLex(CommandContext& ctx) { RemRangeGeneric(ctx, RangeType::kLex); }

}  // namespace

void RegisterZSetRangeCommands(CommandTable& t) {
  constexpr uint32_t kR = kCmdReadOnly;
  constexpr uint32_t kW = kCmdWrite;
  constexpr const char* kG = "sorted-set";
  t.Add(MakeSpec("zrange", -4, kR, ZRange, kG, "1.2.0",
                 "key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]",
                 "Returns members by rank, score or lexical range, optionally reversed.", 1, 1, 1));
  t.Add(MakeSpec("zrangestore", -5, kW | kCmdDenyOom, ZRangeStore, kG, "6.2.0",
                 "dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]",
                 "Stores a range of a sorted set (as ZRANGE selects it) in another key.", 1, 2, 1));
  t.Add(MakeSpec("zrevrange", -4, kR, ZRevRange, kG, "1.2.0", "key start stop [WITHSCORES]",
                 "Returns members by rank, counting from the highest score.", 1, 1, 1));
  t.Add(MakeSpec("zrangebyscore", -4, kR, ZRangeByScore, kG, "1.0.5",
                 "key min max [WITHSCORES] [LIMIT offset count]",
                 "Returns members whose scores lie in a range, lowest first.", 1, 1, 1));
  t.Add(MakeSpec("zrevrangebyscore", -4, kR, ZRevRangeByScore, kG, "2.2.0",
                 "key max min [WITHSCORES] [LIMIT offset count]",
                 "Returns members whose scores lie in a range, highest first.", 1, 1, 1));
  t.Add(MakeSpec("zrangebylex", -4, kR, ZRangeByLex, kG, "2.8.9",
                 "key min max [LIMIT offset count]",
                 "Returns members in a lexical range (for members of equal score).", 1, 1, 1));
  t.Add(MakeSpec("zrevrangebylex", -4, kR, ZRevRangeByLex, kG, "2.8.9",
                 "key max min [LIMIT offset count]",
                 "Returns members in a lexical range, in reverse order.", 1, 1, 1));
  t.Add(MakeSpec("zcount", 4, kR | kCmdFast, ZCount, kG, "2.0.0", "key min max",
                 "Counts members whose scores lie in a range.", 1, 1, 1));
  t.Add(MakeSpec("zlexcount", 4, kR | kCmdFast, ZLexCount, kG, "2.8.9", "key min max",
                 "Counts members in a lexical range.", 1, 1, 1));
  t.Add(MakeSpec("zremrangebyrank", 4, kW, ZRemRangeByRank, kG, "2.0.0", "key start stop",
                 "Removes the members within a range of ranks.", 1, 1, 1));
  t.Add(MakeSpec("zremrangebyscore", 4, kW, ZRemRangeByScore, kG, "1.2.0", "key min max",
                 "Removes the members whose scores lie in a range.", 1, 1, 1));
  t.Add(MakeSpec("zremrangebylex", 4, kW, ZRemRangeByLex, kG, "2.8.9", "key min max",
                 "Removes the members within a lexical range.", 1, 1, 1));
}

}  // namespace plab
