// The Redis RDB file format: every magic number, opcode, type code and
// length-encoding constant that PersistLab's RDB writer and loader use.
// This is the ONE place the format is defined; rdb_coding.h builds the
// primitive encoders/decoders on top of it, and the writer/loader build the
// file on top of those. Values match Redis 7.0.15's rdb.h (RDB version 10)
// plus what 7.2 added (version 11), so that dumps from Redis 2.6..7.2 load.
//
// File layout (all multi-byte numbers little-endian unless noted):
//
//   "REDIS" + 4 ASCII digits (zero padded version, "0010" for Redis 7.0)
//   { kOpAux key-string value-string }             metadata, e.g. redis-ver
//   { kOpFunction2 string }                        function libraries (7.0+)
//   per non-empty database, ascending:
//     kOpSelectDb length(db)
//     kOpResizeDb length(keys) length(keys-with-expiry)   (a sizing hint)
//     per key: [kOpExpireTimeMs int64-ms] [kOpIdle length | kOpFreq byte]
//              type-byte key-string value
//   kOpEof
//   8-byte CRC-64 of everything before it, including kOpEof (0 = not
//   computed; absent for versions < 5)
//
// Annotated example: the start of a real Redis 7.0.15 dump after
// `SET n 12`, `SET neg -129`, `SET c <"ab" x 100>`, `SAVE`:
//
//   52 45 44 49 53 30 30 31 30       "REDIS0010"
//   FA 09 "redis-ver" 06 "7.0.15"    AUX; lengths 9 and 6 in the 6-bit form
//   FA 0A "redis-bits" C0 40         AUX; value is an INT8-encoded "64"
//   FE 00                            SELECTDB 0
//   FB 03 00                         RESIZEDB: 3 keys, none with expiry
//   00 01 "n" C0 0C                  type 0 (string), key "n", INT8 12
//   00 03 "neg" C1 7F FF             INT16 little-endian -129
//   00 01 "c" C3 0A 40 C8 <10 bytes> LZF: compressed length 10, original
//                                    length 200 (14-bit form 40 C8)
//   FF <8 bytes CRC-64>              EOF and checksum
#pragma once

#include <cstdint>
#include <string_view>

namespace plab::rdb {

// ---- Header -------------------------------------------------------------

inline constexpr std::string_view kMagic = "REDIS";
inline constexpr size_t kVersionDigits = 4;
inline constexpr size_t kHeaderSize = 9;  // magic + 4 version digits
// We write what Redis 7.0 writes, so 7.0 can load our dumps (7.0 refuses
// any version above 10).
inline constexpr int kVersionWritten = 10;
// We load what Redis 7.2 writes too (version 11: set listpacks, streams v3),
// like rdbLoadRio's "1 <= version <= RDB_VERSION" check with 7.2's value.
inline constexpr int kVersionMinLoad = 1;
inline constexpr int kVersionMaxLoad = 11;
// Before version 5 files had no checksum after kOpEof.
inline constexpr int kFirstVersionWithChecksum = 5;
// Before version 9, Redis stored EXPIRETIME_MS in host byte order rather
// than little-endian (rdbLoadMillisecondTime); every such file we can meet
// was written on a little-endian host, so we read it little-endian too.
inline constexpr int kFirstVersionWithPortableMsTime = 9;
inline constexpr size_t kChecksumSize = 8;

// ---- Opcodes: read where a value type byte is expected ------------------

inline constexpr uint8_t kOpSlotInfo = 0xF4;       // 7.4+ (RDB 12), cluster mode only
inline constexpr uint8_t kOpFunction2 = 0xF5;      // string: a library's source
inline constexpr uint8_t kOpFunctionPreGa = 0xF6;  // 7.0-rc1/rc2 functions
inline constexpr uint8_t kOpModuleAux = 0xF7;      // module data outside keys
inline constexpr uint8_t kOpIdle = 0xF8;           // length: LRU idle seconds
inline constexpr uint8_t kOpFreq = 0xF9;           // 1 byte: LFU counter
inline constexpr uint8_t kOpAux = 0xFA;            // string key, string value
inline constexpr uint8_t kOpResizeDb = 0xFB;       // length keys, length expires
inline constexpr uint8_t kOpExpireTimeMs = 0xFC;   // int64 LE unix ms
inline constexpr uint8_t kOpExpireTime = 0xFD;     // int32 LE unix seconds (old)
inline constexpr uint8_t kOpSelectDb = 0xFE;       // length: db index
inline constexpr uint8_t kOpEof = 0xFF;            // then the checksum

// ---- Value type codes ---------------------------------------------------

inline constexpr uint8_t kTypeString = 0;       // one string
inline constexpr uint8_t kTypeList = 1;         // length n, n strings (<= 3.0)
inline constexpr uint8_t kTypeSet = 2;          // length n, n strings
inline constexpr uint8_t kTypeZset = 3;         // n x (string, double-as-text)
inline constexpr uint8_t kTypeHash = 4;         // n x (field, value)
inline constexpr uint8_t kTypeZset2 = 5;        // n x (string, 8-byte LE double)
inline constexpr uint8_t kTypeModulePreGa = 6;  // 4.0 release candidates
inline constexpr uint8_t kTypeModule2 = 7;      // module id + tagged values
// Code 8 has never been used.
inline constexpr uint8_t kTypeHashZipmap = 9;         // string: zipmap (<= 2.4)
inline constexpr uint8_t kTypeListZiplist = 10;       // string: ziplist (<= 3.0)
inline constexpr uint8_t kTypeSetIntset = 11;         // string: intset
inline constexpr uint8_t kTypeZsetZiplist = 12;       // string: ziplist (<= 6.2)
inline constexpr uint8_t kTypeHashZiplist = 13;       // string: ziplist (<= 6.2)
inline constexpr uint8_t kTypeListQuicklist = 14;     // n nodes, each a ziplist
inline constexpr uint8_t kTypeStreamListpacks = 15;   // 5.0 .. 6.2 streams
inline constexpr uint8_t kTypeHashListpack = 16;      // string: listpack (7.0)
inline constexpr uint8_t kTypeZsetListpack = 17;      // string: listpack (7.0)
inline constexpr uint8_t kTypeListQuicklist2 = 18;    // n x (container, string)
inline constexpr uint8_t kTypeStreamListpacks2 = 19;  // 7.0 streams
inline constexpr uint8_t kTypeSetListpack = 20;       // string: listpack (7.2)
inline constexpr uint8_t kTypeStreamListpacks3 = 21;  // 7.2 streams
// 22..25 are Redis 7.4's hash-field-expiry types (RDB 12); not loadable.

// True for the value type codes a version-11 (Redis 7.2) file may contain,
// like 7.2's rdbIsObjectType. Anything else where a type byte is expected
// is either an opcode or corruption.
constexpr bool IsObjectType(uint8_t type) {
  return type <= kTypeModule2 || (type >= kTypeHashZipmap && type <= kTypeStreamListpacks3);
}

// Redis 7.0 refuses types above 19, so our writer must never emit them.
inline constexpr uint8_t kMaxTypeRedis70Loads = kTypeStreamListpacks2;

// ---- Quicklist v2 node containers (kTypeListQuicklist2) -----------------

// A PLAIN node's string is one list element (Redis uses these for elements
// of 1 GiB or more); a PACKED node's string is a listpack of elements.
inline constexpr uint64_t kQuicklistNodePlain = 1;
inline constexpr uint64_t kQuicklistNodePacked = 2;

// ---- Length encoding ----------------------------------------------------
//
// The top two bits of the first byte choose the form:
//   00xxxxxx                  length 0..63 in the low 6 bits
//   01xxxxxx yyyyyyyy         14-bit length, high bits first
//   10000000 + 4 bytes        32-bit length, BIG-endian
//   10000001 + 8 bytes        64-bit length, BIG-endian
//   11xxxxxx                  not a length: a special string encoding
//                             (kEnc*) in the low 6 bits
// Other 10xxxxxx bytes are invalid. Writers use the smallest form; readers
// accept any.

inline constexpr uint8_t kLenTopBitsMask = 0xC0;
inline constexpr uint8_t kLenLowBitsMask = 0x3F;
inline constexpr uint8_t kLen6Bit = 0x00;   // top bits 00
inline constexpr uint8_t kLen14Bit = 0x40;  // top bits 01
inline constexpr uint8_t kLen32Bit = 0x80;
inline constexpr uint8_t kLen64Bit = 0x81;
inline constexpr uint8_t kLenEncoded = 0xC0;  // top bits 11
inline constexpr uint64_t kMax6BitLen = (1u << 6) - 1;
inline constexpr uint64_t kMax14BitLen = (1u << 14) - 1;
inline constexpr uint64_t kMax32BitLen = UINT32_MAX;

// Special string encodings (the low 6 bits after the 11 prefix):
inline constexpr uint8_t kEncInt8 = 0;   // C0 + 1 signed byte
inline constexpr uint8_t kEncInt16 = 1;  // C1 + 2 bytes LE signed
inline constexpr uint8_t kEncInt32 = 2;  // C2 + 4 bytes LE signed
inline constexpr uint8_t kEncLzf = 3;    // C3 + length(compressed) +
                                         //   length(original) + LZF bytes
// The integer forms hold strings that are canonical decimal integers
// (string2ll rules) of at most this many characters, as rdbSaveRawString
// only tries them for short strings.
inline constexpr size_t kMaxIntEncodedStringLength = 11;

// ---- Doubles ------------------------------------------------------------

// kTypeZset2 scores are raw IEEE-754 binary64, little-endian (8 bytes).
inline constexpr size_t kBinaryDoubleSize = 8;
// kTypeZset (and other pre-4.0 places) store a double as one length byte
// and that many ASCII characters ("%.17g" or an integer), except these
// length values, which stand alone:
inline constexpr uint8_t kDoubleStringNan = 253;
inline constexpr uint8_t kDoubleStringPosInf = 254;
inline constexpr uint8_t kDoubleStringNegInf = 255;

// ---- Module values (kTypeModule2, kOpModuleAux) ---------------------------

// Each field is length(opcode) followed by its payload; kModuleOpEof ends
// the value. These tags are what lets a loader skip a module it lacks.
inline constexpr uint64_t kModuleOpEof = 0;
inline constexpr uint64_t kModuleOpSint = 1;
inline constexpr uint64_t kModuleOpUint = 2;
inline constexpr uint64_t kModuleOpFloat = 3;
inline constexpr uint64_t kModuleOpDouble = 4;
inline constexpr uint64_t kModuleOpString = 5;

// ---- AUX field names ------------------------------------------------------

// Written by Redis 7.0, in this order (repl-* only with replication info).
inline constexpr std::string_view kAuxRedisVer = "redis-ver";
inline constexpr std::string_view kAuxRedisBits = "redis-bits";
inline constexpr std::string_view kAuxCtime = "ctime";
inline constexpr std::string_view kAuxUsedMem = "used-mem";
inline constexpr std::string_view kAuxReplStreamDb = "repl-stream-db";
inline constexpr std::string_view kAuxReplId = "repl-id";
inline constexpr std::string_view kAuxReplOffset = "repl-offset";
inline constexpr std::string_view kAuxAofBase = "aof-base";
// Written by older versions; 7.0 accepts and ignores them.
inline constexpr std::string_view kAuxAofPreamble = "aof-preamble";  // 6.x
inline constexpr std::string_view kAuxLua = "lua";                   // <= 6.2 scripts

// The short name redis-check-rdb (7.2) prints for a type code, e.g.
// "hash-listpack", so `plab check-rdb` can report types the same way;
// "unknown" for codes that are not value types.
constexpr std::string_view TypeName(uint8_t type) {
  switch (type) {
    case kTypeString:
      return "string";
    case kTypeList:
      return "list-linked";
    case kTypeSet:
      return "set-hashtable";
    case kTypeZset:
      return "zset-v1";
    case kTypeHash:
      return "hash-hashtable";
    case kTypeZset2:
      return "zset-v2";
    case kTypeModulePreGa:
      return "module-pre-release";
    case kTypeModule2:
      return "module-value";
    case kTypeHashZipmap:
      return "hash-zipmap";
    case kTypeListZiplist:
      return "list-ziplist";
    case kTypeSetIntset:
      return "set-intset";
    case kTypeZsetZiplist:
      return "zset-ziplist";
    case kTypeHashZiplist:
      return "hash-ziplist";
    case kTypeListQuicklist:
      return "quicklist";
    case kTypeStreamListpacks:
      return "stream";
    case kTypeHashListpack:
      return "hash-listpack";
    case kTypeZsetListpack:
      return "zset-listpack";
    case kTypeListQuicklist2:
      return "quicklist-v2";
    case kTypeStreamListpacks2:
      return "stream-v2";
    case kTypeSetListpack:
      return "set-listpack";
    case kTypeStreamListpacks3:
      return "stream-v3";
    default:
      return "unknown";
  }
}

}  // namespace plab::rdb
