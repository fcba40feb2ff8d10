// Loads a whole RDB file (the bytes of dump.rdb) into a Keyspace, accepting
// everything Redis 2.6 .. 7.2 writes (RDB versions 1..11) except streams,
// module values, module AUX data and function libraries, which are refused
// with Status::NotSupported naming the offset.
//
// Contract:
//  * The input is hostile. Every nested blob (listpack, ziplist, intset,
//    zipmap) is validated deeply, like Redis with sanitize-dump-payload=yes:
//    duplicate hash fields / set members / zset members, odd element counts
//    in field-value or member-score blobs, NaN scores, unknown quicklist
//    containers and duplicate keys are all Corruption. Nothing is ever
//    allocated beyond what the input bytes could hold.
//  * Errors are Status::Corruption("offset N: <what>") where N is the file
//    offset of the item that failed; a file that ends too early fails with
//    "... unexpected end of file at offset <size> ...".
//  * Values get the encoding Redis 7.0's rdbLoadObject would give them
//    (e.g. a plain-encoded hash with few short fields becomes listpack, a
//    hash listpack longer than hash-max-listpack-entries becomes hashtable,
//    sets become intset only when all-integer and small, lists are always
//    quicklist).
//  * Empty collections are skipped, not errors, like Redis 7.0 ("empty keys
//    skipped"). Keys whose expire time is before `now_ms` are dropped and
//    counted in keys_expired, like a master loading its own dump.
//  * NO PARTIAL LOAD OVER GOOD DATA: on failure `out` holds whatever was
//    loaded before the error. Callers must pass a FRESH Keyspace and swap it
//    in for the live one only when LoadRdb succeeds.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/store/keyspace.h"
#include "core/util/status.h"

namespace plab {

struct RdbLoadResult {
  int version = 0;
  // AUX fields in file order (redis-ver, redis-bits, ctime, used-mem, ...).
  std::vector<std::pair<std::string, std::string>> aux;
  int64_t keys_loaded = 0;
  int64_t keys_expired = 0;  // dropped: expire time already past
  int64_t empty_keys_skipped = 0;
  std::array<int64_t, 16> keys_per_db{};
  // Bytes the RDB occupied: up to and including the EOF opcode and its
  // checksum. An AOF with an RDB preamble continues with RESP right after.
  uint64_t bytes_read = 0;
};

// Told by the loader what it parsed, item by item in file order, so a tool
// can show the file's structure from the one real parser (rdb_annotate.h
// does; nothing else re-decodes RDB bytes). Offsets are file offsets; `end`
// is one past an item's last byte. Only items that parsed are reported: on
// failure the calls stop at the item that broke. Calls happen while the
// item is being loaded, so string views and `value` are valid only during
// the call.
class RdbLoadObserver {
 public:
  virtual ~RdbLoadObserver() = default;
  // The header "REDIS" + 4 version digits, bytes [0, rdb::kHeaderSize).
  virtual void OnHeader(int version) = 0;
  // kOpAux: a metadata field.
  virtual void OnAux(uint64_t at, uint64_t end, std::string_view name, std::string_view value) = 0;
  virtual void OnSelectDb(uint64_t at, uint64_t end, uint64_t db) = 0;
  virtual void OnResizeDb(uint64_t at, uint64_t end, uint64_t keys, uint64_t expires) = 0;
  // An opcode about the key that follows: kOpExpireTime (`v` = Unix s),
  // kOpExpireTimeMs (Unix ms), kOpIdle (LRU idle s) or kOpFreq (LFU counter).
  virtual void OnKeyHint(uint8_t op, uint64_t at, uint64_t end, int64_t v) = 0;
  // A key's type byte at `at`, then its name, ending at `end`.
  virtual void OnKey(uint8_t type, uint64_t at, uint64_t end, std::string_view key) = 0;
  // One node of the quicklist being read: [at, end), its string starting
  // at `blob_at` (after the v2 container), `container` kQuicklistNode*
  // (always kQuicklistNodePacked for v1's ziplists), `elements` it holds.
  virtual void OnQuicklistNode(uint64_t at, uint64_t blob_at, uint64_t end, uint64_t container,
                               size_t elements) = 0;
  // The key's value [at, end) as loaded, or null for an empty collection
  // (skipped). Reported before the key is checked for being a duplicate.
  virtual void OnValue(uint8_t type, uint64_t at, uint64_t end, const Value* value) = 0;
  // kOpEof at `at`.
  virtual void OnEof(uint64_t at) = 0;
  // The trailer at `at` (version >= 5): the CRC-64 the file stores and the
  // one computed over [0, EOF]; `computed` is 0, uncomputed, when `stored`
  // is 0 (rdbchecksum off). Reported before a mismatch fails the load.
  virtual void OnChecksum(uint64_t at, uint64_t stored, uint64_t computed) = 0;
};

// The encoding thresholds rdbLoadObject applies to what it loads: the
// server's *-max-listpack-* and set-max-intset-entries parameters (the
// server fills them from its Config: RdbLoadOptionsFrom in
// core/server/rdb_persistence.h). The defaults are Redis 7.0's. Negative
// values act as 0; set_max_intset_entries is capped at 2^30.
struct RdbLoadOptions {
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
};

// Loads `bytes` into `out` (see the contract above). `now_ms` is the Unix
// time in ms used to decide which keys have already expired; `options`
// supplies the encoding thresholds.
// `observer`, when given, hears about every item parsed; without one the
// loader only pays a pointer test per item.
Result<RdbLoadResult> LoadRdb(std::string_view bytes, int64_t now_ms, const RdbLoadOptions& options,
                              Keyspace* out, RdbLoadObserver* observer = nullptr);

}  // namespace plab
