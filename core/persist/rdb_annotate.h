// The RDB annotator: what every byte of an RDB file (or of an AOF file's RDB
// preamble, appendonlydir/*.base.rdb or a legacy appendonly.aof starting
// with "REDIS") means, as a list of spans for a byte inspector. It is
// printed by `plab rdb-dump --annotate FILE` and shown by the browser
// playground's Disk view (wasm/annotate_binding.cc, as JSON).
//
// The spans come from the loader itself (rdb_loader.h's RdbLoadObserver):
// the annotator only names and describes what LoadRdb parsed, so the
// inspector can never disagree with what a restart would load.
//
// Contract:
//  * Spans are in file order, parents before their children. Depth 0 spans
//    tile [0, size) without gaps or overlap; a parent's children tile the
//    parent exactly. (Leaves: every span without children.) With an
//    entry window (RdbAnnotateOptions) entries outside it are kSpanElided.
//  * A corrupt file yields the spans of everything parsed before the item
//    that broke, then one kSpanUnread span over the rest of the file, and
//    `error` holds the loader's Status ("offset N: what", N being where the
//    failing item starts). An entry (or quicklist value) cut by the error
//    is kept with the children read so far and "(incomplete)" in its detail.
//  * Bytes after the RDB's checksum: kSpanAofTail when they look like RESP
//    (an AOF with an RDB preamble), kSpanTrailing otherwise (Redis ignores
//    them too).
//  * Details are one line of printable ASCII: key names and values are
//    quoted like redis-cli (QuoteReplyString) and cut after
//    kMaxShownBytes bytes with "... (N bytes)".
//
// Example: tests/testdata/redis7_small.rdb (written by Redis 7.0.15) as
// `plab rdb-dump --annotate` prints it (offset, length, label, detail):
//   0x0000000    5  magic            "REDIS"
//   0x0000005    4  version          RDB version 10 (Redis 7.0)
//   0x0000009   18  aux              redis-ver = "7.0.15"
//   ...
//   0x0000050    2  selectdb         db 0
//   0x0000052    3  resizedb         db_size 6, expires_size 1
//   0x0000055    5  entry            string "a"
//   0x0000055    1    type           0 (string)
//   0x0000056    2    key            "a"
//   0x0000058    2    value          string (int-encoded): "1"
//   0x000005a   17  entry            hash "h"
//   0x000005a    1    type           16 (hash-listpack)
//   0x000005b    2    key            "h"
//   0x000005d   14    value          hash (listpack), 1 field, 14 bytes
//   ...
//   0x000008e   19  entry            list "l"
//   ...
//   0x0000091   16    value          list (quicklist, listpack nodes), 2 elements in 1 node, ...
//   0x0000091    1      count        1 node
//   0x0000092   15      node         listpack node, 2 elements
//   0x00000a1   14  entry            string "e"
//   0x00000a1    9    expiretime-ms  4102444800000 ms: 2100-01-01 00:00:00.000 UTC
//   0x00000aa    1    type           0 (string)
//   0x00000ab    2    key            "e"
//   0x00000ad    2    value          string (plain): "v"
//   0x00000af    1  eof              EOF
//   0x00000b0    8  checksum         CRC64 0xd4fececdbf1224d0 (matches)
// Value details: "<type> (<encoding in the file>), <count>, <bytes>", plus
// "; loads as <OBJECT ENCODING>" when loading converts it (a small plain
// hash becomes a listpack) and ", LZF-compressed" for compressed blobs;
// strings: "string (plain|int-encoded|LZF-compressed): <quoted value>".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace plab {

// ---- The label vocabulary (RdbSpan::label is always one of these) ------
// depth 0:
inline constexpr std::string_view kSpanMagic = "magic";        // "REDIS"
inline constexpr std::string_view kSpanVersion = "version";    // 4 digits
inline constexpr std::string_view kSpanAux = "aux";            // name = value
inline constexpr std::string_view kSpanSelectDb = "selectdb";  // db N
inline constexpr std::string_view kSpanResizeDb = "resizedb";  // size hints
inline constexpr std::string_view kSpanEntry = "entry";        // one key: hints, type, key, value
inline constexpr std::string_view kSpanEof = "eof";            // the EOF opcode
inline constexpr std::string_view kSpanChecksum = "checksum";  // CRC-64, whether it matches
inline constexpr std::string_view kSpanAofTail = "aof-tail";   // RESP after an RDB preamble
inline constexpr std::string_view kSpanTrailing = "trailing";  // other bytes after the RDB
inline constexpr std::string_view kSpanUnread = "unread";      // after the error
inline constexpr std::string_view kSpanElided = "elided";      // entries outside the window
// depth 1, the parts of an entry in file order:
inline constexpr std::string_view kSpanExpireTimeMs = "expiretime-ms";
inline constexpr std::string_view kSpanExpireTime = "expiretime";  // seconds (old files)
inline constexpr std::string_view kSpanIdle = "idle";              // LRU hint
inline constexpr std::string_view kSpanFreq = "freq";              // LFU hint
inline constexpr std::string_view kSpanType = "type";              // the type byte
inline constexpr std::string_view kSpanKey = "key";                // the key name
inline constexpr std::string_view kSpanValue = "value";            // type, encoding, counts
// depth 2, children of a quicklist value only:
inline constexpr std::string_view kSpanCount = "count";  // the node count
inline constexpr std::string_view kSpanNode = "node";    // one quicklist node

// Key names and values in details show at most this many bytes.
inline constexpr size_t kMaxShownBytes = 40;

// One annotated byte range [offset, offset + length) of the file.
struct RdbSpan {
  uint64_t offset = 0;
  uint64_t length = 0;
  int depth = 0;           // 0 = top level; children are one deeper
  std::string_view label;  // one of the kSpan* constants (static storage)
  std::string detail;      // human-readable, printable ASCII, one line
};

struct RdbAnnotation {
  std::vector<RdbSpan> spans;
  Status error;          // Ok, or the loader's error for a corrupt file
  uint64_t size = 0;     // bytes annotated (the whole input)
  uint64_t entries = 0;  // entries (keys) read, listed or elided
};

// A dump of a million keys has several million spans (a 43 MB dump: 4.5M
// spans, 1.2 GB of them in memory), more than a page can hold or show. A
// window lists only entries first_entry .. first_entry + max_entries - 1
// (counted from 0 in file order); each run of entries outside it becomes
// one kSpanElided span, so the spans still tile the file and everything
// else (header, AUX, SELECTDB, EOF, checksum, errors) is always listed.
// The file is still loaded whole: the window bounds memory, not time.
struct RdbAnnotateOptions {
  uint64_t first_entry = 0;
  uint64_t max_entries = UINT64_MAX;
};

// Annotates a whole file's bytes (see the contract above). Loads it with
// the real loader under the default RdbLoadOptions, keeping keys whose TTL has
// passed (the file is described, not served).
RdbAnnotation AnnotateRdb(std::string_view bytes, const RdbAnnotateOptions& options = {});

// The browser's form, one JSON object:
//   {"size":N,"entries":E,"spans":[{"offset":O,"length":L,"depth":D,
//    "label":"aux","detail":"..."},...],"error":"offset 12: ..."|null}
std::string AnnotationJson(const RdbAnnotation& annotation);

}  // namespace plab
