// Writer and loader together: a keyspace saved with rdb::SerializeKeyspace and
// loaded with LoadRdb comes back identical (values, order where Redis keeps
// one, TTLs, encodings).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/persist/rdb_loader.h"
#include "core/persist/rdb_writer.h"
#include "core/store/zset.h"
#include "core/util/numbers.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

// One line per key, sorted: db, key, type, encoding, TTL and the contents.
// Hashtable-encoded hashes and sets are order-free in Redis, so their
// elements are sorted; everything else keeps its order.
std::string Describe(const Keyspace& ks) {
  std::vector<std::string> lines;
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    ks.keys(db).ForEach([&](const std::string& key, const Value& v) {
      std::string line = std::to_string(db) + " " + key + " " + std::string(TypeName(v.type())) +
                         " " + std::string(v.EncodingName()) + " ttl=" +
                         std::to_string(ks.GetExpire(db, key)) + " :";
      std::vector<std::string> items;
      switch (v.type()) {
        case ValueType::kString: items.push_back(v.str()); break;
        case ValueType::kList:
          for (const auto& e : v.list().items) items.push_back(e);
          break;
        case ValueType::kHash:
          v.hash().ForEach([&](const std::string& f, const std::string& val) {
            items.push_back(f + "=" + val);
          });
          if (!v.hash().listpack()) std::sort(items.begin(), items.end());
          break;
        case ValueType::kSet:
          v.set().members.ForEach([&](const std::string& m, const NoValue&) { items.push_back(m); });
          std::sort(items.begin(), items.end());
          break;
        case ValueType::kZSet:
          for (auto* n = v.zset().First(); n != nullptr; n = n->next()) {
            items.push_back(n->member() + "=" + FormatDoubleReply(n->score()));
          }
          break;
      }
      for (const auto& i : items) line += " " + i;
      lines.push_back(line);
    });
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_SUITE("rdb round trip") {
  TEST_CASE("every type in small and large encodings survives save and load unchanged") {
    testing::TestEngine t;
    t.Run("SET s hello");
    t.Run("SET n 12345");
    t.Run("SET big " + std::string(300, 'x'));
    t.Run("PSETEX ttl 100000 v");
    t.Run("RPUSH l a b c 1 2 3");
    t.Run("HSET h name Ann age 30 city Oslo");
    t.Run("SADD si 3 1 2");
    t.Run("SADD ss x y z");
    t.Run("ZADD z 1 a 2.5 b -3 c");
    for (int i = 0; i < 600; ++i) {
      std::string n = std::to_string(i);
      t.Run("RPUSH biglist item" + n);
      t.Run("HSET bighash f" + n + " v" + n);
      t.Run("SADD bigset m" + n);
      t.Run("ZADD bigz " + n + ".5 m" + n);
    }
    t.Run("SELECT 2");
    t.Run("SET other db2");
    t.Run("SELECT 15");
    t.Run("HSET \"bin\\x00key\" \"\\xff\" \"\\x00\"");

    Keyspace& live = t.engine.server().keyspace();
    rdb::RdbWriteOptions options;
    auto bytes = rdb::SerializeKeyspace(live, options);
    REQUIRE(bytes.ok());
    Keyspace loaded;
    auto result = LoadRdb(bytes.value(), t.clock.NowMillis(), t.engine.server().config(), &loaded);
    REQUIRE_MESSAGE(result.ok(), result.status().ToString());
    CHECK(result->keys_loaded == 15);
    CHECK(Describe(loaded) == Describe(live));
  }

  TEST_CASE("keys that expired between save and load are dropped and counted") {
    testing::TestEngine t;
    t.Run("SET keep 1");
    t.Run("PSETEX gone 50 1");
    auto bytes = rdb::SerializeKeyspace(t.engine.server().keyspace(), {});
    REQUIRE(bytes.ok());
    Keyspace loaded;
    auto result =
        LoadRdb(bytes.value(), t.clock.NowMillis() + 1000, t.engine.server().config(), &loaded);
    REQUIRE(result.ok());
    CHECK(result->keys_loaded == 1);
    CHECK(result->keys_expired == 1);
    CHECK(loaded.Size(0) == 1);
  }
}

}  // namespace plab
