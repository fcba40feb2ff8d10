// RdbWriter: serializes a keyspace as a Redis 7.0.15 RDB file (version 10),
// choosing the same opcodes, AUX fields and value encodings Redis 7.0 writes
// (rdb.c rdbSaveRio / rdbSaveKeyValuePair / rdbSaveObject), so that a real
// Redis 7.0 loads our dumps and the files are about the same size as its own.
//
// File produced:
//   "REDIS0010"
//   AUX redis-ver "7.0.15", redis-bits 64, ctime, used-mem, aof-base
//   per database given to BeginDb: SELECTDB, RESIZEDB (keys, expires),
//     then per key: [EXPIRETIME_MS] type key value
//   EOF, then the CRC-64 of every byte before it (8 bytes little-endian), or
//   eight zero bytes when checksums are off (Redis's `rdbchecksum no`).
//
// Value encodings (what Redis 7.0 would hold in memory decides the form):
//   string            type 0: integer forms / LZF / raw (PutString)
//   list              type 18 (quicklist v2): listpack nodes split like a
//                     list built by RPUSH under list-max-listpack-size
//   hash listpack     type 16: one listpack, fields in insertion order
//   hash hashtable    type 4: count, then field/value strings
//   set intset        type 11: the intset blob
//   set hashtable     type 2: count, then members
//   zset listpack     type 17: one listpack of member, score (score order)
//   zset skiplist     type 5: count, then member + binary double, from the
//                     highest element to the lowest as rdbSaveObject does
// Expired keys are written like any other (Redis does the same; loaders
// drop them).
//
// The writer is incremental so a snapshot can be emitted a key at a time:
// each call appends to the sink and folds the appended bytes into the
// checksum, so the caller may drain (flush and clear) the sink between calls.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/persist/rdb_coding.h"
#include "core/store/keyspace.h"
#include "core/store/value.h"
#include "core/util/status.h"

namespace plab::rdb {

struct RdbWriteOptions {
  bool compression = true;  // rdbcompression: LZF for strings over 20 bytes
  bool checksum = true;     // rdbchecksum: CRC-64 trailer (zeros when off)
  int64_t ctime_s = 0;      // the "ctime" AUX field (Unix seconds)
  int64_t used_mem = 0;     // the "used-mem" AUX field
  bool aof_base = false;    // "aof-base" 1 when the RDB is an AOF's base
  // list-max-listpack-size: negative = per-node byte limit (-1 4 KiB ..
  // -5 64 KiB), positive = element count limit (with an 8 KiB safety cap).
  int64_t list_max_listpack_size = -2;
};

class RdbWriter {
 public:
  // `sink` must outlive the writer; bytes are appended to it.
  RdbWriter(std::string* sink, const RdbWriteOptions& options);

  // The header and the AUX fields. Call once, first.
  void Begin();
  // Starts database `db` (0..15) holding `size` keys, `expires` of them with
  // a TTL (the RESIZEDB hint). Redis skips empty databases; so should callers.
  void BeginDb(int db, uint64_t size, uint64_t expires);
  // One key. `expire_ms` is a Unix-ms deadline or Keyspace::kNoExpire.
  // Fails (writing nothing) only when a listpack would exceed 4 GiB.
  Status WriteKey(std::string_view key, const Value& value, int64_t expire_ms);
  // WriteKey's record (expiry, type, key, value) appended to `out` instead
  // of the sink, with no checksum: a snapshot copies a key aside this way
  // before a command changes it, and AppendEncoded()s it later.
  Status EncodeKey(std::string_view key, const Value& value, int64_t expire_ms,
                   std::string* out) const;
  // Appends records made by EncodeKey to the sink, folding them into the
  // checksum.
  void AppendEncoded(std::string_view records);
  // EOF and the checksum. Call once, last.
  void Finish();

 private:
  // Folds sink bytes from `from` to the end into the checksum.
  void Checksum(size_t from);
  // Appends type byte + value for one value to `out`.
  Status EncodeValue(const Value& value, std::string* out) const;
  Status EncodeList(const ListValue& list, std::string* out) const;
  Status EncodeHash(const HashValue& hash, std::string* out) const;
  void EncodeSet(const SetValue& set, std::string* out) const;
  Status EncodeZSet(const ZSetValue& zset, std::string* out) const;
  void PutAux(std::string_view name, std::string_view value);

  std::string* sink_;
  RdbWriteOptions options_;
  Compression compression_;
  uint64_t crc_ = 0;
};

// The whole keyspace as one RDB file (SAVE), databases in ascending order,
// keys in table order; ctime etc. come from `options`.
Result<std::string> SerializeKeyspace(const Keyspace& keyspace, const RdbWriteOptions& options);

}  // namespace plab::rdb
