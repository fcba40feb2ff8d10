// List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET
// LREM LTRIM LINSERT LPOS LMOVE RPOPLPUSH. Replies, error strings, the order
// in which arguments and keys are checked, and dirty counting follow Redis
// 7.0's t_list.c. A list is a std::deque; OBJECT ENCODING always reports
// "quicklist" as 7.0 does. A list that becomes empty is deleted.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cmd/command_table.h"
#include "core/server/server.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

using Items = std::deque<std::string>;

enum class End { kHead, kTail };

// getLongFromObjectOrReply(): replies with `error` and returns nullopt when
// `arg` is not an int64.
std::optional<int64_t> ParseLongOrReply(CommandContext& ctx, std::string_view arg,
                                        std::string_view error = errors::kNotInteger) {
  auto v = ParseInt64(arg);
  if (!v) ctx.reply.Error(error);
  return v;
}

// getPositiveLongFromObjectOrReply(): with a custom message Redis uses that
// message for non-integers too (LPOS "COUNT can't be negative").
std::optional<int64_t> ParseNonNegativeOrReply(CommandContext& ctx, std::string_view arg,
                                               std::string_view error = errors::kPositive) {
  auto v = ParseInt64(arg);
  if (!v || *v < 0) {
    ctx.reply.Error(error);
    return std::nullopt;
  }
  return v;
}

// lookupKeyWrite() + checkType(): nullptr when the key is missing (nothing
// replied) or holds another type (WRONGTYPE replied, *wrong_type set).
ListValue* ListForWrite(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  Value* v = nullptr;
  *wrong_type = !ctx.LookupTypedWrite(key, ValueType::kList, &v);
  return v != nullptr && !*wrong_type ? &v->list() : nullptr;
}

// lookupKeyRead() + checkType(), same contract as ListForWrite.
const ListValue* ListForRead(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  const Value* v = nullptr;
  *wrong_type = !ctx.LookupTypedRead(key, ValueType::kList, &v);
  return v != nullptr && !*wrong_type ? &v->list() : nullptr;
}

// Deletes `key` when its list ran empty: Redis never keeps empty lists.
void DeleteIfEmpty(CommandContext& ctx, std::string_view key, const ListValue& list) {
  if (list.items.empty()) ctx.keyspace().Delete(ctx.db(), key);
}

// Maps a LINDEX/LSET index (negative counts from the tail) to a position,
// or nullopt when outside the list. Like quicklist's index lookup, -i-1 is
// computed as ~i so INT64_MIN can't overflow.
std::optional<size_t> ResolveIndex(int64_t index, size_t len) {
  const uint64_t from_end =
      index < 0 ? ~static_cast<uint64_t>(index) : static_cast<uint64_t>(index);
  if (from_end >= len) return std::nullopt;
  return index < 0 ? len - 1 - static_cast<size_t>(from_end) : static_cast<size_t>(from_end);
}

// The inclusive range [start, end] of LRANGE/LTRIM after Redis's clamping
// (negative indexes count from the tail); nullopt when empty.
struct Range {
  size_t start;
  size_t end;
};
std::optional<Range> ClampRange(int64_t start, int64_t end, size_t len) {
  const int64_t llen = static_cast<int64_t>(len);
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  if (start > end || start >= llen) return std::nullopt;
  if (end >= llen) end = llen - 1;
  return Range{static_cast<size_t>(start), static_cast<size_t>(end)};
}

// LPUSH/RPUSH/LPUSHX/RPUSHX (pushGenericCommand). The X variants only push
// onto an existing list. Every pushed element counts as one change.
void PushGeneric(CommandContext& ctx, End end, bool only_if_exists) {
  bool wrong_type = false;
  ListValue* list = ListForWrite(ctx, ctx.argv[1], &wrong_type);
  if (wrong_type) return;
  if (list == nullptr) {
    if (only_if_exists) return ctx.reply.Integer(0);
    list = &ctx.keyspace().Add(ctx.db(), ctx.argv[1], Value::List()).list();
  }
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    if (end == End::kHead) {
      list->items.push_front(std::move(ctx.argv[i]));
    } else {
      list->items.push_back(std::move(ctx.argv[i]));
    }
  }
  ctx.reply.Integer(static_cast<int64_t>(list->items.size()));
  ctx.KeyModified(ctx.argv[1], static_cast<int64_t>(ctx.argv.size() - 2));
}

void LPush(CommandContext& ctx) { PushGeneric(ctx, End::kHead, false); }
void RPush(CommandContext& ctx) { PushGeneric(ctx, End::kTail, false); }
void LPushX(CommandContext& ctx) { PushGeneric(ctx, End::kHead, true); }
void RPushX(CommandContext& ctx) { PushGeneric(ctx, End::kTail, true); }

// Pops up to `count` elements from one end, replying with them as an array
// in popping order.
void PopRangeReply(CommandContext& ctx, Items& items, End end, int64_t count) {
  const size_t n =
      static_cast<size_t>(count) < items.size() ? static_cast<size_t>(count) : items.size();
  ctx.reply.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) {
    if (end == End::kHead) {
      ctx.reply.Bulk(items.front());
      items.pop_front();
    } else {
      ctx.reply.Bulk(items.back());
      items.pop_back();
    }
  }
  ctx.KeyModified(ctx.argv[1], static_cast<int64_t>(n));
}

// LPOP/RPOP key [count] (popGenericCommand). Without a count: one bulk, or
// nil for a missing key. With a count: an array, a nil array for a missing
// key (even for count 0), and an empty array for count 0.
void PopGeneric(CommandContext& ctx, End end) {
  if (ctx.argv.size() > 3) {
    return ctx.reply.Error("ERR wrong number of arguments for '" + ctx.spec.full_name +
                           "' command");
  }
  const bool has_count = ctx.argv.size() == 3;
  int64_t count = 0;
  if (has_count) {
    auto parsed = ParseNonNegativeOrReply(ctx, ctx.argv[2]);
    if (!parsed) return;
    count = *parsed;
  }
  bool wrong_type = false;
  ListValue* list = ListForWrite(ctx, ctx.argv[1], &wrong_type);
  if (wrong_type) return;
  if (list == nullptr) return has_count ? ctx.reply.NullArray() : ctx.reply.Null();
  if (has_count && count == 0) return ctx.reply.ArrayHeader(0);
  if (has_count) {
    PopRangeReply(ctx, list->items, end, count);
  } else {
    std::string& elem = end == End::kHead ? list->items.front() : list->items.back();
    ctx.reply.Bulk(elem);
    end == End::kHead ? list->items.pop_front() : list->items.pop_back();
    ctx.KeyModified(ctx.argv[1]);
  }
  DeleteIfEmpty(ctx, ctx.argv[1], *list);
}

void LPop(CommandContext& ctx) { PopGeneric(ctx, End::kHead); }
void RPop(CommandContext& ctx) { PopGeneric(ctx, End::kTail); }

void LLen(CommandContext& ctx) {
  bool wrong_type = false;
  const ListValue* list = ListForRead(ctx, ctx.argv[1], &wrong_type);
  if (wrong_type) return;
  ctx.reply.Integer(list == nullptr ? 0 : static_cast<int64_t>(list->items.size()));
}

// LRANGE key start stop: indexes are parsed before the key is looked up.
void LRange(CommandContext& ctx) {
  auto start = ParseLongOrReply(ctx, ctx.argv[2]);
  if (!start) return;
  auto stop = ParseLongOrReply(ctx, ctx.argv[3]);
  if (!stop) return;
  bool wrong_type = false;
  const ListValue* list = ListForRead(ctx, ctx.argv[1], &wrong_type);
  if (wrong_type) return;
  if (list == nullptr) return ctx.reply.ArrayHeader(0);
  auto range = ClampRange(*start, *stop, list->items.size());
  if (!range) return ctx.reply.ArrayHeader(0);
  ctx.reply.ArrayHeader(range->end - range->start + 1);
  for (size_t i = range->start; i <= range->end; ++i) ctx.reply.Bulk(list->items[i]);
}

// LINDEX key index: unlike LRANGE, the key is checked before the index.
void LIndex(CommandContext& ctx) {
  bool wrong_type = false;
  const ListValue* list = ListForRead(ctx, ctx.argv[1], &wrong_type);
  if (wrong_type) return;
  if (list == nullptr) return ctx.reply.Null();
  auto index = ParseLongOrReply(ctx, ctx.argv[2]);
  if (!index) return;
  auto pos = ResolveIndex(*index, list->items.size());
  if (!pos) return ctx.reply.Null();
  ctx.reply.Bulk(list->items[*pos]);
}

void LSet(CommandContext& ctx) {
  bool wrong_type = false;
  ListValue* list = ListForWrite(ctx, ctx.argv[1], &wrong_type);
  if (wrong_type) return;
  if (list == nullptr) return ctx.reply.Error(errors::kNoSuchKey);
  auto index = ParseLongOrReply(ctx, ctx.argv[2]);
  if (!index) return;
  auto pos = ResolveIndex(*index, list->items.size());
  if (!pos) return ctx.reply.Error(errors::kOutOfRange);
  list->items[*pos] = std::move(ctx.argv[3]);
  ctx.reply.Ok();
  ctx.KeyModified(ctx.argv[1]);
}

// Removes elements equal to `elem` from [first, last), at most `limit` of
// them (0: all), compacting the survivors towards `first`. Returns the new
// logical end. Works on forward and reverse iterators alike.
template <typename It>
It RemoveEqual(It first, It last, std::string_view elem, uint64_t limit, int64_t* removed) {
  It out = first;
  for (; first != last; ++first) {
    if (*first == elem && (limit == 0 || static_cast<uint64_t>(*removed) < limit)) {
      ++*removed;
      continue;
    }
    if (out != first) *out = std::move(*first);
    ++out;
  }
  return out;
}

// LREM key count element: count > 0 removes from the head, < 0 from the
// tail, 0 removes all. Each removal is one change.
void LRem(CommandContext& ctx) {
  auto count = ParseLongOrReply(ctx, ctx.argv[2]);
  if (!count) return;
  bool wrong_type = false;
  ListValue* list = ListForWrite(ctx, ctx.argv[1], &wrong_type);
  if (wrong_type) return;
  if (list == nullptr) return ctx.reply.Integer(0);
  Items& items = list->items;
  int64_t removed = 0;
  if (*count >= 0) {
    auto end = RemoveEqual(items.begin(), items.end(), ctx.argv[3], static_cast<uint64_t>(*count),
                           &removed);
    items.erase(end, items.end());
  } else {
    // Negating via unsigned keeps INT64_MIN meaningful (a huge limit).
    const uint64_t limit = 0 - static_cast<uint64_t>(*count);
    auto end = RemoveEqual(items.rbegin(), items.rend(), ctx.argv[3], limit, &removed);
    items.erase(items.begin(), end.base());
  }
  if (removed > 0) ctx.KeyModified(ctx.argv[1], removed);
  DeleteIfEmpty(ctx, ctx.argv[1], *list);
  ctx.reply.Integer(removed);
}

// LTRIM key start stop: the key is always signalled as modified (even when
// nothing was trimmed) and each dropped element is one change.
void LTrim(CommandContext& ctx) {
  auto start = ParseLongOrReply(ctx, ctx.argv[2]);
  if (!start) return;
  auto stop = ParseLongOrReply(ctx, ctx.argv[3]);
  if (!stop) return;
  bool wrong_type = false;
  ListValue* list = ListForWrite(ctx, ctx.argv[1], &wrong_type);
  if (wrong_type) return;
  if (list == nullptr) return ctx.reply.Ok();
  Items& items = list->items;
  const size_t len = items.size();
  auto range = ClampRange(*start, *stop, len);
  if (range) {
    items.erase(items.begin() + static_cast<ptrdiff_t>(range->end + 1), items.end());
    items.erase(items.begin(), items.begin() + static_cast<ptrdiff_t>(range->start));
  } else {
    items.clear();
  }
  const int64_t dropped = static_cast<int64_t>(len - items.size());
  DeleteIfEmpty(ctx, ctx.argv[1], *list);
  ctx.KeyModified(ctx.argv[1], dropped);
  ctx.reply.Ok();
}

// LINSERT key BEFORE|AFTER pivot element: -1 when the pivot is absent, 0
// when the key is missing; the direction word is checked first.
void LInsert(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.argv[2], "after")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.argv[2], "before")) {
    after = false;
  } else {
    return ctx.Syntax();
  }
  bool wrong_type = false;
  ListValue* list = ListForWrite(ctx, ctx.argv[1], &wrong_type);
  if (wrong_type) return;
  if (list == nullptr) return ctx.reply.Integer(0);
  Items& items = list->items;
  for (auto it = items.begin(); it != items.end(); ++it) {
    if (*it != ctx.argv[3]) continue;
    items.insert(after ? it + 1 : it, std::move(ctx.argv[4]));
    ctx.KeyModified(ctx.argv[1]);
    return ctx.reply.Integer(static_cast<int64_t>(items.size()));
  }
  ctx.reply.Integer(-1);
}

struct LPosOptions {
  int64_t rank = 1;
  int64_t count = -1;  // -1: COUNT not given (reply is a single index)
  int64_t maxlen = 0;  // 0: scan the whole list
};

// Parses LPOS's RANK/COUNT/MAXLEN options; false after replying an error.
bool ParseLPosOptions(CommandContext& ctx, LPosOptions* opts) {
  for (size_t i = 3; i < ctx.argv.size(); ++i) {
    const bool has_value = i + 1 < ctx.argv.size();
    const std::string& opt = ctx.argv[i];
    std::optional<int64_t> v;
    if (has_value && EqualsIgnoreCase(opt, "rank")) {
      if (!(v = ParseLongOrReply(ctx, ctx.argv[++i]))) return false;
      if (*v == 0) {
        ctx.reply.Error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
        return false;
      }
      opts->rank = *v;
    } else if (has_value && EqualsIgnoreCase(opt, "count")) {
      if (!(v = ParseNonNegativeOrReply(ctx, ctx.argv[++i], "ERR COUNT can't be negative"))) {
        return false;
      }
      opts->count = *v;
    } else if (has_value && EqualsIgnoreCase(opt, "maxlen")) {
      if (!(v = ParseNonNegativeOrReply(ctx, ctx.argv[++i], "ERR MAXLEN can't be negative"))) {
        return false;
      }
      opts->maxlen = *v;
    } else {
      ctx.Syntax();
      return false;
    }
  }
  return true;
}

// LPOS key element [RANK rank] [COUNT num] [MAXLEN len] (lposCommand).
void LPos(CommandContext& ctx) {
  LPosOptions opts;
  if (!ParseLPosOptions(ctx, &opts)) return;
  const bool from_tail = opts.rank < 0;
  // Redis negates the rank in a C long; for INT64_MIN that wraps back to
  // INT64_MIN, which then accepts the very first match. Keep that quirk.
  int64_t rank = opts.rank;
  if (from_tail && rank != std::numeric_limits<int64_t>::min()) rank = -rank;
  bool wrong_type = false;
  const ListValue* list = ListForRead(ctx, ctx.argv[1], &wrong_type);
  if (wrong_type) return;
  if (list == nullptr) return opts.count != -1 ? ctx.reply.ArrayHeader(0) : ctx.reply.Null();
  const Items& items = list->items;
  const size_t len = items.size();
  std::vector<int64_t> found;
  int64_t matches = 0;
  for (size_t scanned = 0; scanned < len; ++scanned) {
    if (opts.maxlen != 0 && scanned >= static_cast<size_t>(opts.maxlen)) break;
    const size_t pos = from_tail ? len - 1 - scanned : scanned;
    if (items[pos] != ctx.argv[2] || ++matches < rank) continue;
    found.push_back(static_cast<int64_t>(pos));
    if (opts.count == -1) break;
    // matches-rank+1 in wrapping arithmetic, as the C long does for INT64_MIN.
    const int64_t taken =
        static_cast<int64_t>(static_cast<uint64_t>(matches) - static_cast<uint64_t>(rank) + 1);
    if (opts.count != 0 && taken >= opts.count) break;
  }
  if (opts.count == -1) return found.empty() ? ctx.reply.Null() : ctx.reply.Integer(found[0]);
  ctx.reply.ArrayHeader(found.size());
  for (int64_t pos : found) ctx.reply.Integer(pos);
}

// "LEFT"/"RIGHT" for LMOVE; nullopt after replying a syntax error.
std::optional<End> ParseEndOrReply(CommandContext& ctx, std::string_view arg) {
  if (EqualsIgnoreCase(arg, "right")) return End::kTail;
  if (EqualsIgnoreCase(arg, "left")) return End::kHead;
  ctx.Syntax();
  return std::nullopt;
}

// lmoveGenericCommand(): a missing source answers nil before the
// destination's type is checked; source == destination rotates the list.
void MoveGeneric(CommandContext& ctx, End from, End to) {
  const std::string& src_key = ctx.argv[1];
  const std::string& dst_key = ctx.argv[2];
  bool wrong_type = false;
  ListValue* src = ListForWrite(ctx, src_key, &wrong_type);
  if (wrong_type) return;
  if (src == nullptr) return ctx.reply.Null();
  ListValue* dst = ListForWrite(ctx, dst_key, &wrong_type);
  if (wrong_type) return;
  // Value pointers stay valid across inserts: Dict nodes never move.
  if (dst == nullptr) dst = &ctx.keyspace().Add(ctx.db(), dst_key, Value::List()).list();
  std::string elem;
  if (from == End::kHead) {
    elem = std::move(src->items.front());
    src->items.pop_front();
  } else {
    elem = std::move(src->items.back());
    src->items.pop_back();
  }
  ctx.reply.Bulk(elem);
  if (to == End::kHead) {
    dst->items.push_front(std::move(elem));
  } else {
    dst->items.push_back(std::move(elem));
  }
  ctx.KeyModified(dst_key, 0);
  DeleteIfEmpty(ctx, src_key, *src);
  ctx.KeyModified(src_key, 1);
}

void LMove(CommandContext& ctx) {
  auto from = ParseEndOrReply(ctx, ctx.argv[3]);
  if (!from) return;
  auto to = ParseEndOrReply(ctx, ctx.argv[4]);
  if (!to) return;
  MoveGeneric(ctx, *from, *to);
}

void RPopLPush(CommandContext& ctx) { MoveGeneric(ctx, End::kTail, End::kHead); }

}  // namespace

void RegisterListCommands(CommandTable& t) {
  constexpr uint32_t kWriteFast = kCmdWrite | kCmdDenyOom | kCmdFast;
  t.Add(MakeSpec("lpush", -3, kWriteFast, LPush, "list", "1.0.0", "key element [element ...]",
                 "Adds elements to the head of a list, creating it if needed.", 1, 1, 1));
  t.Add(MakeSpec("rpush", -3, kWriteFast, RPush, "list", "1.0.0", "key element [element ...]",
                 "Adds elements to the tail of a list, creating it if needed.", 1, 1, 1));
  t.Add(MakeSpec("lpushx", -3, kWriteFast, LPushX, "list", "2.2.0", "key element [element ...]",
                 "Adds elements to the head of a list, only if the list exists.", 1, 1, 1));
  t.Add(MakeSpec("rpushx", -3, kWriteFast, RPushX, "list", "2.2.0", "key element [element ...]",
                 "Adds elements to the tail of a list, only if the list exists.", 1, 1, 1));
  t.Add(MakeSpec("lpop", -2, kCmdWrite | kCmdFast, LPop, "list", "1.0.0", "key [count]",
                 "Removes and returns the first element(s) of a list.", 1, 1, 1));
  t.Add(MakeSpec("rpop", -2, kCmdWrite | kCmdFast, RPop, "list", "1.0.0", "key [count]",
                 "Removes and returns the last element(s) of a list.", 1, 1, 1));
  t.Add(MakeSpec("llen", 2, kCmdReadOnly | kCmdFast, LLen, "list", "1.0.0", "key",
                 "Returns how many elements a list holds.", 1, 1, 1));
  t.Add(MakeSpec("lrange", 4, kCmdReadOnly, LRange, "list", "1.0.0", "key start stop",
                 "Returns the elements between two indexes, inclusive.", 1, 1, 1));
  t.Add(MakeSpec("lindex", 3, kCmdReadOnly, LIndex, "list", "1.0.0", "key index",
                 "Returns the element at an index (negative counts from the tail).", 1, 1, 1));
  t.Add(MakeSpec("lset", 4, kCmdWrite | kCmdDenyOom, LSet, "list", "1.0.0", "key index element",
                 "Overwrites the element at an index.", 1, 1, 1));
  t.Add(MakeSpec("lrem", 4, kCmdWrite, LRem, "list", "1.0.0", "key count element",
                 "Removes occurrences of an element, from the head or the tail.", 1, 1, 1));
  t.Add(MakeSpec("ltrim", 4, kCmdWrite, LTrim, "list", "1.0.0", "key start stop",
                 "Keeps only the elements between two indexes.", 1, 1, 1));
  t.Add(MakeSpec("linsert", 5, kCmdWrite | kCmdDenyOom, LInsert, "list", "2.2.0",
                 "key <BEFORE | AFTER> pivot element",
                 "Inserts an element next to the first occurrence of a pivot.", 1, 1, 1));
  t.Add(MakeSpec("lpos", -3, kCmdReadOnly, LPos, "list", "6.0.6",
                 "key element [RANK rank] [COUNT num-matches] [MAXLEN len]",
                 "Returns the index(es) where an element occurs in a list.", 1, 1, 1));
  t.Add(MakeSpec("lmove", 5, kCmdWrite | kCmdDenyOom, LMove, "list", "6.2.0",
                 "source destination <LEFT | RIGHT> <LEFT | RIGHT>",
                 "Pops an element from one end of a list and pushes it onto another list.", 1, 2,
                 1));
  t.Add(MakeSpec("rpoplpush", 3, kCmdWrite | kCmdDenyOom, RPopLPush, "list", "1.2.0",
                 "source destination",
                 "Moves the last element of a list to the head of another (see LMOVE).", 1, 2, 1));
}

}  // namespace plab
