// LMPOP and ZMPOP (the non-blocking halves of Redis 7.0's lmpopGenericCommand
// in t_list.c and zmpopGenericCommand in t_zset.c): pop up to COUNT elements
// from the first of several keys that holds any.
//
//   LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
//   ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
//
// Both reply [key, [elements...]] (ZMPOP's elements are [member, score]
// pairs, nested in RESP2 too) or a null array when every key is missing.
// Keys are checked in order; the first existing key of the wrong type stops
// the command with WRONGTYPE even if a later key could have been popped.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/cmd/command_table.h"
#include "core/cmd/zset_family.h"
#include "core/server/server.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

// The parsed common shape: keys are argv[first_key, first_key + num_keys).
struct MPopArgs {
  size_t first_key = 0;
  size_t num_keys = 0;
  bool first_side = true;  // LEFT / MIN (the word given as `first_word`)
  uint64_t count = 1;
};

// getRangeLongFromObjectOrReply(c, arg, 1, LONG_MAX, ..., msg): the message
// covers non-integers too.
std::optional<int64_t> ParsePositiveOrReply(CommandContext& ctx, std::string_view arg,
                                            std::string_view error) {
  auto v = ParseInt64(arg);
  if (!v || *v < 1) {
    ctx.reply.Error(error);
    return std::nullopt;
  }
  return v;
}

// Validates in Redis's order: numkeys, the side word, then COUNT (given at
// most once).
bool ParseMPopArgs(CommandContext& ctx, std::string_view first_word, std::string_view second_word,
                   MPopArgs* out) {
  const auto& argv = ctx.argv;
  constexpr size_t kNumKeysIndex = 1;
  auto numkeys =
      ParsePositiveOrReply(ctx, argv[kNumKeysIndex], "ERR numkeys should be greater than 0");
  if (!numkeys) return false;
  // The side word must follow the keys.
  if (static_cast<uint64_t>(*numkeys) >= argv.size() - kNumKeysIndex - 1) {
    ctx.Syntax();
    return false;
  }
  out->first_key = kNumKeysIndex + 1;
  out->num_keys = static_cast<size_t>(*numkeys);
  const size_t where = out->first_key + out->num_keys;
  if (EqualsIgnoreCase(argv[where], first_word)) {
    out->first_side = true;
  } else if (EqualsIgnoreCase(argv[where], second_word)) {
    out->first_side = false;
  } else {
    ctx.Syntax();
    return false;
  }
  bool have_count = false;
  for (size_t j = where + 1; j < argv.size(); ++j) {
    if (have_count || !EqualsIgnoreCase(argv[j], "count") || j + 1 >= argv.size()) {
      ctx.Syntax();
      return false;
    }
    auto c = ParsePositiveOrReply(ctx, argv[++j], "ERR count should be greater than 0");
    if (!c) return false;
    out->count = static_cast<uint64_t>(*c);
    have_count = true;
  }
  return true;
}

// Finds the first existing key (lookupKeyWrite order). Returns false after
// replying WRONGTYPE when that key has another type; *found stays null
// when no key exists.
bool FirstExisting(CommandContext& ctx, const MPopArgs& args, ValueType type, Value** found,
                   const std::string** key) {
  *found = nullptr;
  for (size_t i = 0; i < args.num_keys; ++i) {
    const std::string& k = ctx.argv[args.first_key + i];
    Value* v = ctx.keyspace().LookupWrite(ctx.db(), k);
    if (v == nullptr) continue;
    if (!v->is(type)) {
      ctx.WrongType();
      return false;
    }
    *found = v;
    *key = &k;
    return true;
  }
  return true;
}

void LMPop(CommandContext& ctx) {
  MPopArgs args;
  if (!ParseMPopArgs(ctx, "left", "right", &args)) return;
  Value* v;
  const std::string* key = nullptr;
  if (!FirstExisting(ctx, args, ValueType::kList, &v, &key)) return;
  if (v == nullptr) return ctx.reply.NullArray();
  auto& items = v->list().items;
  const size_t n = static_cast<size_t>(std::min<uint64_t>(args.count, items.size()));
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(*key);
  // Popping from the right lists elements tail first (addListRangeReply
  // with reverse set).
  ctx.reply.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) {
    if (args.first_side) {
      ctx.reply.Bulk(items.front());
      items.pop_front();
    } else {
      ctx.reply.Bulk(items.back());
      items.pop_back();
    }
  }
  // *key views ctx.argv, so it outlives the deleted entry.
  if (items.empty()) ctx.keyspace().Delete(ctx.db(), *key);
  // mpopGenericCommand() logs [LR]POP key <popped count>.
  if (ctx.propagating()) {
    ctx.PropagateAs({args.first_side ? "LPOP" : "RPOP", *key, std::to_string(n)});
  }
  // listElementsRemoved(): dirty grows by the number of elements.
  ctx.KeyModified(*key, static_cast<int64_t>(n));
}

void ZMPop(CommandContext& ctx) {
  MPopArgs args;
  if (!ParseMPopArgs(ctx, "min", "max", &args)) return;
  Value* v;
  const std::string* key = nullptr;
  if (!FirstExisting(ctx, args, ValueType::kZSet, &v, &key)) return;
  if (v == nullptr) return ctx.reply.NullArray();
  ZSetValue& z = v->zset();
  const size_t n = static_cast<size_t>(std::min<uint64_t>(args.count, z.size()));
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(*key);
  ctx.reply.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) {
    const ZSetValue::Node* node = args.first_side ? z.First() : z.Last();
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(node->member());
    ctx.reply.Double(node->score());
    z.Erase(node->member());
  }
  if (z.empty()) ctx.keyspace().Delete(ctx.db(), *key);
  // genericZpopCommand() logs ZMPOP as ZPOPMIN/ZPOPMAX key <popped count>.
  if (ctx.propagating()) {
    ctx.PropagateAs({args.first_side ? "ZPOPMIN" : "ZPOPMAX", *key, std::to_string(n)});
  }
  // genericZpopCommand(): dirty++ per popped member.
  ctx.KeyModified(*key, static_cast<int64_t>(n));
}

}  // namespace

void RegisterMPopCommands(CommandTable& t) {
  t.Add(MakeSpec("lmpop", -4, kCmdWrite, LMPop, "list", "7.0.0",
                 "numkeys key [key ...] <LEFT | RIGHT> [COUNT count]",
                 "Pops one or more elements from the first non-empty list among the keys."));
  t.Add(MakeSpec("zmpop", -4, kCmdWrite, ZMPop, "sorted-set", "7.0.0",
                 "numkeys key [key ...] <MIN | MAX> [COUNT count]",
                 "Pops the lowest- or highest-scored members of the first non-empty sorted set "
                 "among the keys."));
}

}  // namespace plab
