// Tests for core/persist/rdb_writer.h: the file layout (header, AUX fields,
// SELECTDB/RESIZEDB, EOF, CRC-64), and each value type in the encoding Redis
// 7.0 would write for it. Datasets are built with real commands in a
// TestEngine; the dumps are read back with a small decoder built on
// ByteReader and the listpack/intset decoders (independent of the writer).
// Loading into a real redis-server is in tests/integration/rdb_interop_test.cc.
#include "core/persist/rdb_writer.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/persist/crc64.h"
#include "core/persist/intset.h"
#include "core/persist/listpack.h"
#include "core/util/numbers.h"
#include "tests/unit/test_util.h"

using namespace plab;
using namespace plab::rdb;
using plab::testing::TestEngine;

namespace {

// One key as decoded from a dump.
struct DumpedKey {
  uint8_t type = 0;
  int64_t expire_ms = -1;
  // string: {value}; list: elements; hash: field, value, ...; set: members;
  // zset: member, score text, ... (listpack order or file order).
  std::vector<std::string> items;
  std::vector<size_t> node_bytes;  // lists: listpack size of each node
  bool lzf = false;                // strings: stored in the C3 form
};

struct Dump {
  std::vector<std::pair<std::string, std::string>> aux;
  std::map<int, std::pair<uint64_t, uint64_t>> resize;  // db -> keys, expires
  std::map<std::pair<int, std::string>, DumpedKey> keys;
  uint64_t stored_crc = 0;
};

std::vector<std::string> Elements(const std::string& blob) {
  Result<std::vector<ListpackEntry>> lp = DecodeListpack(blob);
  REQUIRE(lp.ok());
  std::vector<std::string> out;
  for (const ListpackEntry& e : *lp) out.push_back(e.ToString());
  return out;
}

std::string Str(ByteReader& r) {
  Result<std::string> s = r.GetString();
  REQUIRE(s.ok());
  return *s;
}

uint64_t Len(ByteReader& r) {
  Result<uint64_t> n = r.GetLength();
  REQUIRE(n.ok());
  return *n;
}

void DecodeValue(ByteReader& r, DumpedKey* k) {
  switch (k->type) {
    case kTypeString: {
      Result<uint8_t> first = r.PeekByte();
      REQUIRE(first.ok());
      k->lzf = *first == (kLenEncoded | kEncLzf);
      k->items.push_back(Str(r));
      break;
    }
    case kTypeListQuicklist2:
      for (uint64_t nodes = Len(r); nodes > 0; --nodes) {
        uint64_t container = Len(r);
        std::string blob = Str(r);
        if (container == kQuicklistNodePlain) {
          k->items.push_back(blob);
          continue;
        }
        REQUIRE(container == kQuicklistNodePacked);
        k->node_bytes.push_back(blob.size());
        for (std::string& e : Elements(blob)) k->items.push_back(std::move(e));
      }
      break;
    case kTypeHashListpack:
    case kTypeZsetListpack:
      k->items = Elements(Str(r));
      break;
    case kTypeSetIntset: {
      Result<std::vector<int64_t>> members = DecodeIntset(Str(r));
      REQUIRE(members.ok());
      for (int64_t m : *members) k->items.push_back(std::to_string(m));
      break;
    }
    case kTypeSet:
      for (uint64_t n = Len(r); n > 0; --n) k->items.push_back(Str(r));
      break;
    case kTypeHash:
      for (uint64_t n = Len(r); n > 0; --n) {
        k->items.push_back(Str(r));
        k->items.push_back(Str(r));
      }
      break;
    case kTypeZset2:
      for (uint64_t n = Len(r); n > 0; --n) {
        k->items.push_back(Str(r));
        Result<double> score = r.GetDoubleBinary();
        REQUIRE(score.ok());
        k->items.push_back(FormatDoubleReply(*score));
      }
      break;
    default:
      FAIL("unexpected type byte " << int(k->type));
  }
}

Dump Decode(const std::string& file) {
  Dump d;
  ByteReader r(file);
  Result<int> version = r.GetHeader();
  REQUIRE(version.ok());
  CHECK(*version == 10);
  int db = -1;
  int64_t expire = -1;
  for (;;) {
    Result<uint8_t> op = r.GetByte();
    REQUIRE(op.ok());
    if (*op == kOpEof) break;
    if (*op == kOpAux) {
      std::string name = Str(r);
      d.aux.emplace_back(name, Str(r));
    } else if (*op == kOpSelectDb) {
      db = static_cast<int>(Len(r));
    } else if (*op == kOpResizeDb) {
      uint64_t keys = Len(r);
      d.resize[db] = {keys, Len(r)};
    } else if (*op == kOpExpireTimeMs) {
      Result<int64_t> ms = r.GetMillisecondTime();
      REQUIRE(ms.ok());
      expire = *ms;
    } else {
      DumpedKey k;
      k.type = *op;
      k.expire_ms = expire;
      expire = -1;
      std::string key = Str(r);
      DecodeValue(r, &k);
      d.keys[{db, key}] = std::move(k);
    }
  }
  REQUIRE(r.remaining() == 8);
  Result<std::string_view> crc = r.GetBytes(8);
  for (int i = 7; i >= 0; --i) d.stored_crc = (d.stored_crc << 8) | uint8_t((*crc)[i]);
  return d;
}

RdbWriteOptions Options() {
  RdbWriteOptions o;
  o.ctime_s = 1767225600;
  o.used_mem = 123456;
  return o;
}

std::string Save(TestEngine& t, const RdbWriteOptions& o = Options()) {
  Result<std::string> file = SerializeKeyspace(t.engine.server().keyspace(), o);
  REQUIRE(file.ok());
  return *file;
}

DumpedKey Only(TestEngine& t, const std::string& key, const RdbWriteOptions& o = Options()) {
  Dump d = Decode(Save(t, o));
  auto it = d.keys.find({0, key});
  REQUIRE(it != d.keys.end());
  return it->second;
}

std::vector<std::string> Strs(std::initializer_list<const char*> items) {
  return std::vector<std::string>(items.begin(), items.end());
}

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

}  // namespace

TEST_SUITE("rdb writer") {
  TEST_CASE("a one-key dump has Redis 7.0's exact header, AUX fields and layout") {
    TestEngine t;
    t.Run("SET n 12");
    std::string file = Save(t);
    // What Redis 7.0.15 writes for SET n 12, with ctime 1767225600 (0x6955B900)
    // and used-mem 123456 (0x0001E240) as INT32 strings.
    std::string expected = "REDIS0010" + Hex("FA09") + "redis-ver" + Hex("06") + "7.0.15" +
                           Hex("FA0A") + "redis-bits" + Hex("C040") + Hex("FA05") + "ctime" +
                           Hex("C200B95569") + Hex("FA08") + "used-mem" + Hex("C240E20100") +
                           Hex("FA08") + "aof-base" + Hex("C000") + Hex("FE00FB0100") +
                           Hex("0001") + "n" + Hex("C00C") + Hex("FF");
    REQUIRE(file.size() == expected.size() + 8);
    CHECK(file.substr(0, expected.size()) == expected);
    uint64_t crc = Crc64(0, std::string_view(file).substr(0, expected.size()));
    CHECK(Decode(file).stored_crc == crc);
  }

  TEST_CASE("rdbchecksum no writes eight zero bytes and aof-base follows the option") {
    TestEngine t;
    t.Run("SET a b");
    RdbWriteOptions o = Options();
    o.checksum = false;
    o.aof_base = true;
    std::string file = Save(t, o);
    CHECK(file.substr(file.size() - 8) == std::string(8, '\0'));
    Dump d = Decode(file);
    REQUIRE(d.aux.size() == 5);
    CHECK(d.aux[4] == std::make_pair(std::string("aof-base"), std::string("1")));
    CHECK(d.aux[3].second == "123456");
    o.used_mem = 5000000000;  // beyond INT32: written as text
    CHECK(Decode(Save(t, o)).aux[3].second == "5000000000");
  }

  TEST_CASE("an empty keyspace is the header, AUX fields and EOF only") {
    TestEngine t;
    Dump d = Decode(Save(t));
    CHECK(d.keys.empty());
    CHECK(d.resize.empty());
  }

  TEST_CASE("every non-empty database gets SELECTDB and RESIZEDB with its TTL count") {
    TestEngine t;
    t.Run("SET a 1");
    t.Run("SELECT 3");
    t.Run("SET b 2");
    t.Run("SET c 3 PX 5000");
    t.Run("SELECT 15");
    t.Run("SET d 4");
    Dump d = Decode(Save(t));
    CHECK(d.resize.size() == 3);
    CHECK(d.resize[0] == std::make_pair(uint64_t{1}, uint64_t{0}));
    CHECK(d.resize[3] == std::make_pair(uint64_t{2}, uint64_t{1}));
    CHECK(d.resize[15] == std::make_pair(uint64_t{1}, uint64_t{0}));
    CHECK(d.keys[{3, "c"}].expire_ms == 1767225600LL * 1000 + 5000);
    CHECK(d.keys[{3, "b"}].expire_ms == -1);
    CHECK(d.keys[{15, "d"}].items == Strs({"4"}));
  }

  TEST_CASE("the incremental writer gives the same bytes when the sink is drained between keys") {
    TestEngine t;
    for (int i = 0; i < 50; ++i)
      t.Run("SET key:" + std::to_string(i) + " value" + std::to_string(i));
    const Keyspace& ks = t.engine.server().keyspace();
    std::string whole = Save(t);
    std::string sink;
    std::string drained;
    RdbWriter w(&sink, Options());
    w.Begin();
    w.BeginDb(0, ks.Size(0), ks.ExpiresSize(0));
    ks.keys(0).ForEach([&](const std::string& key, const Value& v) {
      drained += sink;
      sink.clear();
      CHECK(w.WriteKey(key, v, ks.GetExpire(0, key)).ok());
    });
    w.Finish();
    drained += sink;
    CHECK(drained == whole);
  }

  TEST_CASE("strings use integer forms, LZF when compressible, and raw bytes otherwise") {
    TestEngine t;
    t.Run("SET big 12345678901");
    std::string repeated(1 << 20, 'x');
    t.Run(std::vector<std::string>{"SET", "mb", repeated});
    t.Run(std::vector<std::string>{"SET", std::string("bin\0\xff", 5), std::string("\r\n\0", 3)});
    CHECK(Only(t, "big").items == Strs({"12345678901"}));
    DumpedKey mb = Only(t, "mb");
    CHECK(mb.lzf);
    CHECK(mb.items[0] == repeated);
    RdbWriteOptions plain = Options();
    plain.compression = false;
    CHECK_FALSE(Only(t, "mb", plain).lzf);
    CHECK(Only(t, std::string("bin\0\xff", 5)).items[0] == std::string("\r\n\0", 3));
  }

  TEST_CASE("a small list is one packed listpack node of quicklist v2") {
    TestEngine t;
    t.Run("RPUSH l a 1 -7 bb");
    DumpedKey k = Only(t, "l");
    CHECK(k.type == kTypeListQuicklist2);
    CHECK(k.items == Strs({"a", "1", "-7", "bb"}));
    CHECK(k.node_bytes.size() == 1);
  }

  TEST_CASE("a long list is split into nodes of at most 8 KiB like list-max-listpack-size -2") {
    TestEngine t;
    std::vector<std::string> cmd = {"RPUSH", "l"};
    for (int i = 0; i < 3000; ++i) cmd.push_back("element-" + std::to_string(i));
    t.Run(cmd);
    RdbWriteOptions o = Options();
    o.compression = false;
    DumpedKey k = Only(t, "l", o);
    CHECK(k.items == std::vector<std::string>(cmd.begin() + 2, cmd.end()));
    REQUIRE(k.node_bytes.size() > 1);
    for (size_t bytes : k.node_bytes) CHECK(bytes <= 8192);
    // Every node but the last was closed because the next element did not fit.
    CHECK(k.node_bytes[0] + 13 + 8 > 8192);
  }

  TEST_CASE("an element over 8 KiB gets a packed node of its own") {
    TestEngine t;
    std::string big(10000, 'q');
    t.Run(std::vector<std::string>{"RPUSH", "l", "a", big, "b"});
    RdbWriteOptions o = Options();
    o.compression = false;
    DumpedKey k = Only(t, "l", o);
    CHECK(k.items == std::vector<std::string>{"a", big, "b"});
    CHECK(k.node_bytes.size() == 3);
  }

  TEST_CASE("a positive list-max-listpack-size limits nodes by element count") {
    TestEngine t;
    t.Run("RPUSH l 1 2 3 4 5 6 7 8 9 10 11 12");
    RdbWriteOptions o = Options();
    o.list_max_listpack_size = 5;
    DumpedKey k = Only(t, "l", o);
    CHECK(k.items.size() == 12);
    CHECK(k.node_bytes.size() == 3);
    o.list_max_listpack_size = -1;  // 4 KiB nodes
    std::vector<std::string> cmd = {"RPUSH", "m"};
    for (int i = 0; i < 1000; ++i) cmd.push_back("value-" + std::to_string(i));
    t.Run(cmd);
    DumpedKey m = Only(t, "m", o);
    for (size_t bytes : m.node_bytes) CHECK(bytes <= 4096);
    CHECK(m.node_bytes[0] > 4096 - 30);
  }

  TEST_CASE("a listpack hash keeps insertion order; a hashtable hash is type 4") {
    TestEngine t;
    t.Run("HSET h z 1 a 2 m 3");
    DumpedKey small = Only(t, "h");
    CHECK(small.type == kTypeHashListpack);
    CHECK(small.items == Strs({"z", "1", "a", "2", "m", "3"}));
    t.Run(std::vector<std::string>{"HSET", "h", "long", std::string(100, 'v')});
    DumpedKey big = Only(t, "h");
    CHECK(big.type == kTypeHash);
    CHECK(big.items.size() == 8);
  }

  TEST_CASE("an intset is written sorted; a hashtable set is type 2") {
    TestEngine t;
    t.Run("SADD s 5 -3 100000 2");
    DumpedKey ints = Only(t, "s");
    CHECK(ints.type == kTypeSetIntset);
    CHECK(ints.items == Strs({"-3", "2", "5", "100000"}));
    t.Run("SADD s x");
    DumpedKey table = Only(t, "s");
    CHECK(table.type == kTypeSet);
    CHECK(table.items.size() == 5);
  }

  TEST_CASE("a listpack zset stores integral scores as integers and others as %.17g text") {
    TestEngine t;
    t.Run("ZADD z 1.5 a 3 b -0 c inf d 0.1 e");
    DumpedKey k = Only(t, "z");
    CHECK(k.type == kTypeZsetListpack);
    CHECK(k.items ==
          Strs({"c", "0", "e", "0.10000000000000001", "a", "1.5", "b", "3", "d", "inf"}));
  }

  TEST_CASE("a skiplist zset is type 5, highest element first, binary scores") {
    TestEngine t;
    t.Run("ZADD z 1 a 2 b 3 c");
    t.Run(std::vector<std::string>{"ZADD", "z", "2.5", std::string(80, 'm')});
    DumpedKey k = Only(t, "z");
    CHECK(k.type == kTypeZset2);
    CHECK(k.items ==
          std::vector<std::string>{"c", "3", std::string(80, 'm'), "2.5", "b", "2", "a", "1"});
  }

  TEST_CASE("expired keys are still written, with their deadline") {
    TestEngine t;
    t.Run("SET gone v PX 10");
    t.AdvanceMs(100);
    DumpedKey k = Only(t, "gone");
    CHECK(k.expire_ms == 1767225600LL * 1000 + 10);
  }
}
