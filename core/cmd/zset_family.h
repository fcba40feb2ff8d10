// Internal helpers shared by the sorted-set command files (zset_cmds.cc and
// zset_range_cmds.cc). Not a public API.
#pragma once

#include <string_view>

#include "core/cmd/command.h"
#include "core/cmd/command_table.h"
#include "core/store/value.h"
#include "core/store/zset.h"

namespace plab {

// Lookups that reply WRONGTYPE (and return false) for a non-zset key. *out
// is nullptr when the key is missing. ReadZSet counts keyspace hits/misses
// (lookupKeyRead); WriteZSet announces a modification (lookupKeyWrite).
bool ReadZSet(CommandContext& ctx, std::string_view key, const Value** out);
bool WriteZSet(CommandContext& ctx, std::string_view key, Value** out);

// zset-max-listpack-entries / -value from the config.
ZSetLimits ZSetLimitsOf(const CommandContext& ctx);

// A new, empty sorted set whose encoding flag is what Redis would create
// for a first member of `first_member_len` bytes (zaddGenericCommand:
// "skiplist" when listpacks are disabled or that member is too long).
Value NewZSetFor(const CommandContext& ctx, size_t first_member_len);

// ZRANGE & co., ZCOUNT, ZLEXCOUNT, ZREMRANGEBY* (zset_range_cmds.cc).
void RegisterZSetRangeCommands(CommandTable& t);

// Replies of `n` members, with their scores when `withscores`. RESP2 flattens
// them (member, score, member, score ...); RESP3 nests each member/score pair
// in a 2-element array, as t_zset.c does when c->resp > 2 (ZRANGE and
// ZRANDMEMBER WITHSCORES, ZPOPMIN/ZPOPMAX with a count).
inline void ScoredArrayHeader(ReplyBuilder& r, size_t n, bool withscores) {
  r.ArrayHeader(withscores && r.resp() == 2 ? n * 2 : n);
}
inline void ScoredMember(ReplyBuilder& r, const ZSetValue::Node* node, bool withscores) {
  if (withscores && r.resp() != 2) r.ArrayHeader(2);
  r.Bulk(node->member());
  if (withscores) r.Double(node->score());
}

}  // namespace plab
