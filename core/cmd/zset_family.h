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
bool ReadZSet(CommandContext& ctx, std::string_view key, Value** out);
bool WriteZSet(CommandContext& ctx, std::string_view key, Value** out);

// zset-max-listpack-entries / -value from the config.
ZSetLimits ZSetLimitsOf(const CommandContext& ctx);

// A new, empty sorted set whose encoding flag is what Redis would create
// for a first member of `first_member_len` bytes (zaddGenericCommand:
// "skiplist" when listpacks are disabled or that member is too long).
Value NewZSetFor(const CommandContext& ctx, size_t first_member_len);

// ZRANGE & co., ZCOUNT, ZLEXCOUNT, ZREMRANGEBY* (zset_range_cmds.cc).
void RegisterZSetRangeCommands(CommandTable& t);

}  // namespace plab
