// The command form of a dataset: what Redis 7.0.15 writes into the BASE file
// of an AOF rewrite when aof-use-rdb-preamble is off (aof.c
// rewriteAppendOnlyFileRio and its rewrite*Object helpers). Pure encoding,
// no I/O: RdbSnapshot (SnapshotFormat::kAof) drives it for BGREWRITEAOF.
//
// File layout, byte for byte as Redis writes it:
//   ["#TS:<unix seconds>\r\n"]   with aof-timestamp-enabled, once, first
//   per non-empty database, in ascending order:
//     SELECT <db>
//     per key: the value's commands, then PEXPIREAT <key> <unix ms> if the
//     key has a TTL
// No trailer. Every command is a RESP array of bulk strings.
//
// The value's commands:
//   string  SET key value
//   list    RPUSH key e1 .. e64, RPUSH key e65 .. (head to tail)
//   set     SADD key m1 .. m64, ...
//   zset    ZADD key score1 member1 .. score64 member64, ...
//   hash    HMSET key field1 value1 .. field64 value64, ...
// Collections are cut into commands of at most 64 elements
// (AOF_REWRITE_ITEMS_PER_CMD); each command's array header announces the
// exact count it carries.
//
// Element order: an intset set goes in ascending numeric order, a listpack
// hash in insertion order and a zset in score order — Redis's own order for
// the small encodings, so those commands are byte-identical to Redis's.
// Hashtable sets and hashes follow our table's order and skiplist zsets go
// in score order, where Redis walks its own hash table (any order rebuilds
// the same value).
//
// ZADD scores are printed with "%.17g" (rioWriteBulkDouble). A listpack
// zset cannot hold -0 (zzlInsertAt stores it as the integer 0), so there
// it prints as "0"; a skiplist keeps the sign and prints "-0".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/store/keyspace.h"
#include "core/store/value.h"

namespace plab {

// AOF_REWRITE_ITEMS_PER_CMD: elements per RPUSH/SADD/ZADD/HMSET command.
inline constexpr size_t kAofRewriteItemsPerCommand = 64;

struct AofRewriteOptions {
  // aof-timestamp-enabled: start the file with "#TS:<timestamp_s>\r\n", the
  // rewrite's start time in Unix seconds (Redis takes time(NULL) there).
  bool timestamp_enabled = false;
  int64_t timestamp_s = 0;
};

// Appends the file's opening: the #TS annotation when enabled, else nothing.
void AppendAofRewriteHeader(const AofRewriteOptions& options, std::string* out);

// Appends "SELECT <db>" as the rewrite writes it before a database's keys.
void AppendAofSelect(int db, std::string* out);

// Appends the commands that rebuild `key` holding `value`, followed by
// PEXPIREAT when `expire_ms` is not Keyspace::kNoExpire.
void AppendAofRewriteKey(std::string_view key, const Value& value, int64_t expire_ms,
                         std::string* out);

// The ZADD score text for `score` in a zset of the given encoding.
std::string FormatAofRewriteScore(double score, bool listpack);

// The whole keyspace as one BASE file (a synchronous rewrite): databases in
// ascending order, keys in table order.
std::string SerializeKeyspaceAof(const Keyspace& keyspace, const AofRewriteOptions& options);

}  // namespace plab
