// Tests for core/persist/rdb_annotate.h: spans of files written by the
// project's RdbWriter, by a real Redis 7.0.15 (tests/testdata), and by hand
// in the old encodings; the tiling invariants (depth-0 spans tile the file,
// children tile their parent); corrupt files (spans up to the break, then
// the loader's own error); AOF files with an RDB preamble; the JSON form;
// and the loader's observer hook (a load with an observer gives the same
// keyspace as one without).
#include "core/persist/rdb_annotate.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/persist/aof_reader.h"
#include "core/persist/crc64.h"
#include "core/persist/intset.h"
#include "core/persist/rdb_coding.h"
#include "core/persist/rdb_format.h"
#include "core/persist/rdb_loader.h"
#include "core/persist/rdb_writer.h"
#include "core/resp/reply_format.h"
#include "core/util/utc_text.h"
#include "tests/unit/persist_test_util.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using rdb::PutByte;
using rdb::PutLength;
using rdb::PutRawString;

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(PLAB_TESTDATA_DIR) + "/" + name, std::ios::binary);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool InVocabulary(std::string_view label) {
  for (std::string_view l :
       {kSpanMagic,  kSpanVersion,      kSpanAux,        kSpanSelectDb, kSpanResizeDb,
        kSpanEntry,  kSpanEof,          kSpanChecksum,   kSpanAofTail,  kSpanTrailing,
        kSpanUnread, kSpanExpireTimeMs, kSpanExpireTime, kSpanIdle,     kSpanFreq,
        kSpanType,   kSpanKey,          kSpanValue,      kSpanCount,    kSpanNode,
        kSpanElided}) {
    if (l == label) return true;
  }
  return false;
}

// The contract's invariants: depth-0 spans tile [0, size); each span with
// children is tiled by them exactly; depths grow one at a time; labels come
// from the vocabulary; details are one line of printable ASCII.
void CheckTiling(const RdbAnnotation& a) {
  struct Open {
    uint64_t end, next;
    bool has_children;
  };
  std::vector<Open> stack;
  uint64_t top_next = 0;
  auto close = [&stack] {
    CHECK_MESSAGE(
        (!stack.back().has_children || stack.back().next == stack.back().end),
        "children stop at " << stack.back().next << ", parent ends at " << stack.back().end);
    stack.pop_back();
  };
  for (const RdbSpan& s : a.spans) {
    CAPTURE(s.offset);
    CAPTURE(s.label);
    CHECK(s.length > 0);
    CHECK(InVocabulary(s.label));
    CHECK(std::all_of(s.detail.begin(), s.detail.end(),
                      [](char c) { return c >= 0x20 && c < 0x7F; }));
    REQUIRE(s.depth >= 0);
    REQUIRE(static_cast<size_t>(s.depth) <= stack.size());
    while (stack.size() > static_cast<size_t>(s.depth)) close();
    if (s.depth == 0) {
      CHECK(s.offset == top_next);
      top_next = s.offset + s.length;
    } else {
      Open& parent = stack.back();
      CHECK(s.offset == parent.next);
      CHECK(s.offset + s.length <= parent.end);
      parent.next = s.offset + s.length;
      parent.has_children = true;
    }
    stack.push_back({s.offset + s.length, s.offset, false});
  }
  while (!stack.empty()) close();
  CHECK(top_next == a.size);
}

std::vector<const RdbSpan*> WithLabel(const RdbAnnotation& a, std::string_view label) {
  std::vector<const RdbSpan*> out;
  for (const RdbSpan& s : a.spans) {
    if (s.label == label) out.push_back(&s);
  }
  return out;
}

// The one span with `label` whose detail contains `text` (fails otherwise).
const RdbSpan& Find(const RdbAnnotation& a, std::string_view label, std::string_view text) {
  const RdbSpan* found = nullptr;
  for (const RdbSpan* s : WithLabel(a, label)) {
    if (s->detail.find(text) == std::string::npos) continue;
    REQUIRE_MESSAGE(found == nullptr, "two " << label << " spans with " << text);
    found = s;
  }
  REQUIRE_MESSAGE(found != nullptr, "no " << label << " span with " << text);
  return *found;
}

// The children of the entry whose detail is exactly `detail`, by label.
std::vector<std::string_view> EntryParts(const RdbAnnotation& a, std::string_view detail) {
  std::vector<std::string_view> parts;
  for (size_t i = 0; i < a.spans.size(); ++i) {
    if (a.spans[i].label != kSpanEntry || a.spans[i].detail != detail) continue;
    for (size_t j = i + 1; j < a.spans.size() && a.spans[j].depth > 0; ++j) {
      if (a.spans[j].depth == 1) parts.push_back(a.spans[j].label);
    }
  }
  return parts;
}

std::string_view Bytes(std::string_view file, const RdbSpan& s) {
  return file.substr(s.offset, s.length);
}

// A whole file around `body`: header, EOF and (version >= 5) the CRC-64,
// or zeros when `checksum` is false (rdbchecksum no).
std::string Rdb(int version, const std::string& body, bool checksum = true) {
  std::string out;
  rdb::PutHeader(&out, version);
  out += body;
  PutByte(&out, rdb::kOpEof);
  if (version >= rdb::kFirstVersionWithChecksum) {
    const uint64_t crc = checksum ? Crc64(0, out) : 0;
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  }
  return out;
}

std::string KeyHeader(uint8_t type, std::string_view key) {
  std::string out;
  PutByte(&out, type);
  PutRawString(&out, key);
  return out;
}

// What the engine holds after these commands, saved by the project's
// writer with small list nodes (several quicklist nodes per list).
std::string WriterDump() {
  testing::TestEngine t;
  t.Run("SET s hello");
  t.Run("SET n 12345");
  t.Run("SET big " + std::string(300, 'x'));
  t.Run("SET ttl v");
  t.Run("PEXPIREAT ttl 4102444800000");
  t.Run("RPUSH l a b c 1 2 3 4 5 6");
  t.Run("HSET h name Ann age 30");
  t.Run("SADD si 3 1 2");
  t.Run("SADD ss x y z");
  t.Run("ZADD z 1 a 2.5 b");
  for (int i = 0; i < 600; ++i) {  // over hash-max-listpack-entries (512)
    const std::string n = std::to_string(i);
    t.Run("HSET bighash f" + n + " v" + n);
    if (i < 200) t.Run("ZADD bigz " + n + " m" + n);  // over zset-max-listpack-entries
  }
  t.Run("SELECT 3");
  t.Run("SET \"bin\\x00key\\xff\" x");
  rdb::RdbWriteOptions options;
  options.list_max_listpack_size = 4;
  Result<std::string> bytes = rdb::SerializeKeyspace(t.engine.server().keyspace(), options);
  REQUIRE(bytes.ok());
  return *bytes;
}

// The annotation of a file that must load, its tiling checked.
RdbAnnotation AnnotateOk(std::string_view file) {
  RdbAnnotation a = AnnotateRdb(file);
  REQUIRE_MESSAGE(a.error.ok(), a.error.ToString());
  CHECK(a.size == file.size());
  CheckTiling(a);
  return a;
}

// Records what the loader reports, to compare loads with and without it.
class CountingObserver final : public RdbLoadObserver {
 public:
  void OnHeader(int) override { ++calls; }
  void OnAux(uint64_t, uint64_t, std::string_view, std::string_view) override { ++calls; }
  void OnSelectDb(uint64_t, uint64_t, uint64_t) override { ++calls; }
  void OnResizeDb(uint64_t, uint64_t, uint64_t, uint64_t) override { ++calls; }
  void OnKeyHint(uint8_t, uint64_t, uint64_t, int64_t) override { ++calls; }
  void OnKey(uint8_t, uint64_t, uint64_t, std::string_view) override { ++keys; }
  void OnQuicklistNode(uint64_t, uint64_t, uint64_t, uint64_t, size_t) override { ++calls; }
  void OnValue(uint8_t, uint64_t, uint64_t, const Value*) override { ++calls; }
  void OnEof(uint64_t) override { ++calls; }
  void OnChecksum(uint64_t, uint64_t, uint64_t) override { ++calls; }
  int calls = 0;
  int keys = 0;
};

}  // namespace

TEST_SUITE("rdb annotate") {
  TEST_CASE("a dump by the project's writer gets every span kind, tiled over the whole file") {
    const std::string file = WriterDump();
    const RdbAnnotation a = AnnotateOk(file);
    CHECK(Bytes(file, Find(a, kSpanMagic, "REDIS")) == "REDIS");
    CHECK(Find(a, kSpanVersion, "RDB version 10").length == 4);
    CHECK(WithLabel(a, kSpanAux).size() == 5);
    Find(a, kSpanAux, "redis-ver = \"7.0.15\"");
    Find(a, kSpanAux, "aof-base = \"0\"");
    Find(a, kSpanSelectDb, "db 0");
    Find(a, kSpanSelectDb, "db 3");
    Find(a, kSpanResizeDb, "db_size 11, expires_size 1");
    CHECK(WithLabel(a, kSpanEntry).size() == 12);
    CHECK(Find(a, kSpanValue, "string (plain): \"hello\"").length == 6);
    Find(a, kSpanValue, "string (int-encoded): \"12345\"");
    Find(a, kSpanValue, "string (LZF-compressed): \"" + std::string(40, 'x') + "\"... (300 bytes)");
    Find(a, kSpanValue, "hash (listpack), 2 fields");
    Find(a, kSpanValue, "hash (hashtable), 600 fields");
    Find(a, kSpanValue, "set (intset), 3 members");
    Find(a, kSpanValue, "set (hashtable), 3 members");
    Find(a, kSpanValue, "zset (listpack), 2 members");
    Find(a, kSpanValue, "zset (skiplist), 200 members");
    // 9 elements in nodes of at most 4: 3 nodes, after the node count.
    Find(a, kSpanValue, "list (quicklist, listpack nodes), 9 elements in 3 nodes");
    CHECK(Find(a, kSpanCount, "3 nodes").length == 1);
    CHECK(WithLabel(a, kSpanNode).size() == 3);
    Find(a, kSpanNode, "listpack node, 1 element");
    CHECK(Find(a, kSpanExpireTimeMs, "4102444800000 ms: 2100-01-01 00:00:00.000 UTC").length == 9);
    CHECK(EntryParts(a, "string \"ttl\"") ==
          std::vector<std::string_view>{kSpanExpireTimeMs, kSpanType, kSpanKey, kSpanValue});
    CHECK(EntryParts(a, "string \"s\"") ==
          std::vector<std::string_view>{kSpanType, kSpanKey, kSpanValue});
    const RdbSpan& bin = Find(a, kSpanKey, "\"bin\\x00key\\xff\"");
    CHECK(Bytes(file, bin).substr(1) == std::string_view("bin\0key\xff", 8));
    const RdbSpan& eof = Find(a, kSpanEof, "EOF");
    CHECK(static_cast<uint8_t>(file[eof.offset]) == rdb::kOpEof);
    const RdbSpan& crc = Find(a, kSpanChecksum, "(matches)");
    CHECK(crc.offset + crc.length == file.size());
    char hex[24];
    std::snprintf(hex, sizeof(hex), "0x%016llx",
                  static_cast<unsigned long long>(Crc64(0, file.substr(0, eof.offset + 1))));
    CHECK(crc.detail == "CRC64 " + std::string(hex) + " (matches)");
  }

  TEST_CASE("type spans hold the type byte they name and key spans the key's bytes") {
    const std::string file = WriterDump();
    const RdbAnnotation a = AnnotateOk(file);
    int checked = 0;
    for (size_t i = 0; i + 1 < a.spans.size(); ++i) {
      const RdbSpan& s = a.spans[i];
      if (s.label != kSpanType) continue;
      const auto type = static_cast<uint8_t>(file[s.offset]);
      CHECK(s.length == 1);
      CHECK(s.detail == std::to_string(type) + " (" + std::string(rdb::TypeName(type)) + ")");
      const RdbSpan& key = a.spans[i + 1];
      REQUIRE(key.label == kSpanKey);
      // Raw key strings: one length byte, then the name the detail quotes.
      CHECK(static_cast<uint8_t>(file[key.offset]) == key.length - 1);
      CHECK(key.detail == QuoteReplyString(Bytes(file, key).substr(1)));
      ++checked;
    }
    CHECK(checked == 12);
  }

  TEST_CASE("Redis 7.0.15's dumps annotate every key with its type and encoding") {
    const std::string file = ReadTestdata("redis7_types.rdb");
    const RdbAnnotation a = AnnotateOk(file);
    CHECK(WithLabel(a, kSpanEntry).size() == 23);  // 19 + 2 + 2, as the README says
    CHECK(WithLabel(a, kSpanSelectDb).size() == 3);
    Find(a, kSpanResizeDb, "db_size 19, expires_size 2");
    CHECK(WithLabel(a, kSpanExpireTimeMs).size() == 3);
    Find(a, kSpanExpireTimeMs, "4102444800123 ms: 2100-01-01 00:00:00.123 UTC");
    Find(a, kSpanEntry, "string \"k\\x01\\x02\"");
    Find(a, kSpanValue, "string (plain): \"bin\\x00key\\xff\"");
    Find(a, kSpanValue, "string (LZF-compressed): \"xxxx");
    Find(a, kSpanValue, "string (int-encoded): \"-129\"");
    Find(a, kSpanValue, "hash (hashtable), 600 fields");
    Find(a, kSpanValue, "hash (listpack), 3 fields");
    Find(a, kSpanValue, "set (intset), 5 members");
    Find(a, kSpanValue, "set (hashtable), 600 members");
    Find(a, kSpanValue, "zset (skiplist), 200 members");
    Find(a, kSpanValue, "zset (listpack), 2 members");  // zinf
    Find(a, kSpanValue, "list (quicklist, listpack nodes), 200 elements in 1 node");
    Find(a, kSpanNode, "listpack node, 200 elements, LZF-compressed");
    Find(a, kSpanChecksum, "(matches)");

    const std::string small = ReadTestdata("redis7_small.rdb");
    const RdbAnnotation b = AnnotateOk(small);
    CHECK(WithLabel(b, kSpanEntry).size() == 6);
  }

  TEST_CASE("old encodings, key hints and version 3's missing checksum are annotated") {
    std::string body;
    PutByte(&body, rdb::kOpSelectDb);
    PutLength(&body, 0);
    PutByte(&body, rdb::kOpExpireTime);
    rdb::PutSecondTime(&body, 2000000000);
    PutByte(&body, rdb::kOpIdle);
    PutLength(&body, 77);
    PutByte(&body, rdb::kOpFreq);
    PutByte(&body, 5);
    body += KeyHeader(rdb::kTypeList, "plainlist");
    PutLength(&body, 2);
    PutRawString(&body, "a");
    PutRawString(&body, "b");
    body += KeyHeader(rdb::kTypeZset, "textscores");
    PutLength(&body, 1);
    PutRawString(&body, "m");
    rdb::PutDoubleString(&body, 1.5);
    // A ziplist holding "a": header (bytes, tail, count), one entry, end.
    const std::string ziplist(
        "\x0e\0\0\0\x0a\0\0\0\x01\0\0\x01"
        "a\xff",
        14);
    body += KeyHeader(rdb::kTypeListQuicklist, "qlv1");
    PutLength(&body, 1);
    PutRawString(&body, ziplist);
    body += KeyHeader(rdb::kTypeListZiplist, "zl");
    PutRawString(&body, ziplist);
    body += KeyHeader(rdb::kTypeSetIntset, "is");
    PutRawString(&body, EncodeIntset({7, 8}));
    body += KeyHeader(rdb::kTypeSet, "plainints");
    PutLength(&body, 1);
    PutRawString(&body, "42");
    body += KeyHeader(rdb::kTypeSet, "empty");
    PutLength(&body, 0);
    const std::string file = Rdb(3, body);
    const RdbAnnotation a = AnnotateOk(file);
    Find(a, kSpanVersion, "RDB version 3");
    Find(a, kSpanExpireTime, "2000000000 s: 2033-05-18 03:33:20.000 UTC");
    Find(a, kSpanIdle, "LRU idle 77 s");
    Find(a, kSpanFreq, "LFU counter 5");
    CHECK(EntryParts(a, "list \"plainlist\"") ==
          std::vector<std::string_view>{kSpanExpireTime, kSpanIdle, kSpanFreq, kSpanType, kSpanKey,
                                        kSpanValue});
    Find(a, kSpanValue, "list (linkedlist), 2 elements, 5 bytes; loads as quicklist");
    Find(a, kSpanValue, "zset (skiplist, text scores), 1 member, 7 bytes; loads as listpack");
    Find(a, kSpanValue, "list (quicklist, ziplist nodes), 1 element in 1 node");
    Find(a, kSpanNode, "ziplist node, 1 element");
    Find(a, kSpanValue, "list (ziplist), 1 element, 15 bytes; loads as quicklist");
    Find(a, kSpanValue, "set (intset), 2 members");
    Find(a, kSpanValue, "set (hashtable), 1 member, 4 bytes; loads as intset");
    Find(a, kSpanEntry, "set \"empty\" (empty: skipped on load)");
    Find(a, kSpanValue, "set (hashtable), empty: skipped on load");
    CHECK(a.spans.back().label == kSpanEof);
    CHECK(a.spans.back().detail == "EOF (no checksum before RDB 5)");
  }

  TEST_CASE("quicklist PLAIN nodes, disabled checksums and hints with no key after them") {
    std::string body;
    PutByte(&body, rdb::kOpSelectDb);
    PutLength(&body, 0);
    body += KeyHeader(rdb::kTypeListQuicklist2, "plain");
    PutLength(&body, 1);
    PutLength(&body, rdb::kQuicklistNodePlain);
    PutRawString(&body, "one big element");
    PutByte(&body, rdb::kOpExpireTimeMs);
    rdb::PutMillisecondTime(&body, 1000);
    const std::string file = Rdb(10, body, /*checksum=*/false);
    const RdbAnnotation a = AnnotateOk(file);
    Find(a, kSpanNode, "plain node, 1 element");
    Find(a, kSpanExpireTimeMs, "1000 ms: 1970-01-01 00:00:01.000 UTC");
    Find(a, kSpanEntry, "(no key follows)");
    Find(a, kSpanChecksum, "CRC64 disabled (0)");
  }

  TEST_CASE("truncated files give the spans read so far, an unread span and the loader's error") {
    const std::string full = ReadTestdata("redis7_small.rdb");
    const RdbAnnotation whole = AnnotateRdb(full);
    for (size_t len = 0; len < full.size(); ++len) {
      CAPTURE(len);
      const std::string cut = full.substr(0, len);
      const RdbAnnotation a = AnnotateRdb(cut);
      REQUIRE_FALSE(a.error.ok());
      // The same error as a plain load, word for word.
      Keyspace ks;
      Result<RdbLoadResult> plain = LoadRdb(cut, 0, RdbLoadOptions(), &ks);
      REQUIRE_FALSE(plain.ok());
      CHECK(a.error.message() == plain.status().message());
      CHECK(a.error.message().find("offset") != std::string::npos);
      CheckTiling(a);
      // Every complete top-level span matches the whole file's.
      for (size_t i = 0; i < a.spans.size(); ++i) {
        const RdbSpan& s = a.spans[i];
        if (s.label == kSpanUnread || s.detail.find("incomplete") != std::string::npos) break;
        REQUIRE(i < whole.spans.size());
        CHECK(s.offset == whole.spans[i].offset);
        CHECK(s.length == whole.spans[i].length);
        CHECK(s.label == whole.spans[i].label);
        CHECK(s.detail == whole.spans[i].detail);
      }
    }
  }

  TEST_CASE("damage inside a value, a bad magic and a wrong checksum show where the file broke") {
    const std::string full = ReadTestdata("redis7_small.rdb");
    const RdbAnnotation whole = AnnotateRdb(full);
    const RdbSpan& h = Find(whole, kSpanEntry, "hash \"h\"");
    const RdbSpan& h_value = Find(whole, kSpanValue, "hash (listpack)");

    std::string broken = full;
    broken[h_value.offset + 6] = '\x7f';  // inside the listpack header/entries
    RdbAnnotation a = AnnotateRdb(broken);
    REQUIRE_FALSE(a.error.ok());
    CHECK(a.error.message().find("offset " + std::to_string(h_value.offset)) == 0);
    CheckTiling(a);
    const RdbSpan& cut = Find(a, kSpanEntry, "hash \"h\" (incomplete)");
    CHECK(cut.offset == h.offset);
    CHECK(cut.length == h_value.offset - h.offset);  // type and key were read
    CHECK(a.spans.back().label == kSpanUnread);
    CHECK(a.spans.back().offset == h_value.offset);

    broken = full;
    broken[0] = 'X';
    a = AnnotateRdb(broken);
    REQUIRE_FALSE(a.error.ok());
    REQUIRE(a.spans.size() == 1);
    CHECK(a.spans[0].label == kSpanUnread);
    CHECK(a.spans[0].length == full.size());

    broken = full;
    broken[full.size() - 1] ^= 1;
    a = AnnotateRdb(broken);
    REQUIRE_FALSE(a.error.ok());
    CHECK(a.error.message().find("wrong RDB checksum") != std::string::npos);
    CheckTiling(a);
    const RdbSpan& crc = Find(a, kSpanChecksum, "(does not match: file says 0x");
    CHECK(crc.offset + crc.length == full.size());
    // "CRC64 0x<16 digits>": the computed CRC is still the good file's.
    const std::string good = Find(whole, kSpanChecksum, "(matches)").detail;
    CHECK(crc.detail.substr(0, 24) == good.substr(0, 24));
  }

  TEST_CASE("random byte damage never breaks the tiling and always gives the loader's verdict") {
    const std::string full = ReadTestdata("redis7_types.rdb");
    std::mt19937_64 rng(31);
    int failures = 0;
    for (int round = 0; round < 300; ++round) {
      std::string damaged = full;
      const size_t at = rng() % full.size();
      damaged[at] = static_cast<char>(rng() & 0xFF);
      CAPTURE(at);
      const RdbAnnotation a = AnnotateRdb(damaged);
      Keyspace ks;
      Result<RdbLoadResult> plain = LoadRdb(damaged, 0, RdbLoadOptions(), &ks);
      REQUIRE(a.error.ok() == plain.ok());
      if (!plain.ok()) {
        CHECK(a.error.message() == plain.status().message());
        ++failures;
      }
      CheckTiling(a);
    }
    CHECK(failures > 250);  // the checksum catches what the structure does not
  }

  TEST_CASE("an AOF file with an RDB preamble ends in one aof-tail span") {
    testing::TestEngine t;
    t.Run("SET k v");
    rdb::RdbWriteOptions options;
    options.aof_base = true;
    Result<std::string> rdb_part = rdb::SerializeKeyspace(t.engine.server().keyspace(), options);
    REQUIRE(rdb_part.ok());
    const std::string tail =
        EncodeAofCommand({"SELECT", "0"}) + EncodeAofCommand({"SET", "k2", "v2"});
    const RdbAnnotation a = AnnotateOk(*rdb_part + tail);
    Find(a, kSpanAux, "aof-base = \"1\"");
    const RdbSpan& last = a.spans.back();
    CHECK(last.label == kSpanAofTail);
    CHECK(last.offset == rdb_part->size());
    CHECK(last.length == tail.size());
    CHECK(last.detail == "AOF tail in RESP: " + std::to_string(tail.size()) +
                             " bytes from offset " + std::to_string(rdb_part->size()));

    const RdbAnnotation junk = AnnotateOk(*rdb_part + "junk");
    CHECK(junk.spans.back().label == kSpanTrailing);
    CHECK(junk.spans.back().length == 4);
  }

  TEST_CASE("an entry window lists only its entries and elides the rest in tiled runs") {
    const std::string file = ReadTestdata("redis7_small.rdb");
    const RdbAnnotation whole = AnnotateOk(file);
    CHECK(whole.entries == 6);
    CHECK(WithLabel(whole, kSpanElided).empty());
    RdbAnnotateOptions window;
    window.first_entry = 2;
    window.max_entries = 3;
    const RdbAnnotation a = AnnotateRdb(file, window);
    REQUIRE(a.error.ok());
    CheckTiling(a);
    CHECK(a.entries == 6);
    const std::vector<const RdbSpan*> entries = WithLabel(a, kSpanEntry);
    REQUIRE(entries.size() == 3);
    const std::vector<const RdbSpan*> all = WithLabel(whole, kSpanEntry);
    for (size_t i = 0; i < 3; ++i) {
      CHECK(entries[i]->offset == all[i + 2]->offset);
      CHECK(entries[i]->detail == all[i + 2]->detail);
    }
    const std::vector<const RdbSpan*> elided = WithLabel(a, kSpanElided);
    REQUIRE(elided.size() == 2);
    CHECK(elided[0]->detail == "2 keys not annotated (#0..#1)");
    CHECK(elided[0]->offset == all[0]->offset);
    CHECK(elided[0]->offset + elided[0]->length == all[2]->offset);
    CHECK(elided[1]->detail == "1 key not annotated (#5..#5)");
    CHECK(elided[1]->offset == all[5]->offset);
    CHECK(elided[1]->length == all[5]->length);  // the TTL hint is elided with its key
    Find(a, kSpanChecksum, "(matches)");

    // No entries at all, and a window cut short by damage inside an elided entry.
    window.max_entries = 0;
    const RdbAnnotation none = AnnotateRdb(file, window);
    CheckTiling(none);
    CHECK(WithLabel(none, kSpanEntry).empty());
    Find(none, kSpanElided, "6 keys not annotated (#0..#5)");
    window.first_entry = 0;
    window.max_entries = 1;
    const RdbAnnotation cut = AnnotateRdb(file.substr(0, all[3]->offset + 5), window);
    REQUIRE_FALSE(cut.error.ok());
    CheckTiling(cut);
    CHECK(WithLabel(cut, kSpanEntry).size() == 1);
    Find(cut, kSpanElided, "3 keys not annotated (#1..#3)");
    CHECK(cut.spans.back().label == kSpanUnread);
  }

  TEST_CASE("UtcText names the calendar day and time, before 1970 and on leap days too") {
    CHECK(UtcText(0) == "1970-01-01 00:00:00.000 UTC");
    CHECK(UtcText(-1) == "1969-12-31 23:59:59.999 UTC");
    CHECK(UtcText(951782400000) == "2000-02-29 00:00:00.000 UTC");
    CHECK(UtcText(4102444800123) == "2100-01-01 00:00:00.123 UTC");
    CHECK(UtcText(-62135596800000) == "0001-01-01 00:00:00.000 UTC");
  }

  TEST_CASE("the JSON form carries every span, the size and the error") {
    const std::string full = ReadTestdata("redis7_types.rdb");
    for (const std::string& file : {full, full.substr(0, 200)}) {
      const RdbAnnotation a = AnnotateRdb(file);
      const nlohmann::json doc = nlohmann::json::parse(AnnotationJson(a));
      CHECK(doc.at("size") == file.size());
      CHECK(doc.at("entries") == a.entries);
      REQUIRE(doc.at("spans").size() == a.spans.size());
      for (size_t i = 0; i < a.spans.size(); ++i) {
        const nlohmann::json& s = doc.at("spans")[i];
        CHECK(s.at("offset") == a.spans[i].offset);
        CHECK(s.at("length") == a.spans[i].length);
        CHECK(s.at("depth") == a.spans[i].depth);
        CHECK(s.at("label") == std::string(a.spans[i].label));
        CHECK(s.at("detail") == a.spans[i].detail);
      }
      if (a.error.ok()) {
        CHECK(doc.at("error").is_null());
      } else {
        CHECK(doc.at("error") == a.error.message());
      }
    }
  }

  TEST_CASE("a load with an observer gives the same keyspace and result as one without") {
    for (const std::string& file :
         {WriterDump(), ReadTestdata("redis7_types.rdb"), ReadTestdata("redis7_small.rdb")}) {
      Keyspace plain_ks;
      Keyspace observed_ks;
      CountingObserver observer;
      Result<RdbLoadResult> plain = LoadRdb(file, 0, RdbLoadOptions(), &plain_ks);
      Result<RdbLoadResult> observed = LoadRdb(file, 0, RdbLoadOptions(), &observed_ks, &observer);
      REQUIRE(plain.ok());
      REQUIRE(observed.ok());
      CHECK(testing::DescribeKeyspace(plain_ks) == testing::DescribeKeyspace(observed_ks));
      CHECK(plain->keys_loaded == observed->keys_loaded);
      CHECK(plain->bytes_read == observed->bytes_read);
      CHECK(plain->aux == observed->aux);
      CHECK(observer.keys == plain->keys_loaded);
      CHECK(observer.calls > observer.keys);
    }
  }
}

}  // namespace plab
