// Writer and loader together: a keyspace saved with rdb::SerializeKeyspace and
// loaded with LoadRdb comes back identical (values, order where Redis keeps
// one, TTLs, encodings).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/persist/rdb_loader.h"
#include "core/persist/rdb_writer.h"
#include "core/server/rdb_persistence.h"  // RdbLoadOptionsFrom
#include "core/store/zset.h"
#include "core/util/numbers.h"
#include "tests/unit/persist_test_util.h"
#include "tests/unit/test_util.h"

namespace plab {

// Keyspaces are compared through testing::DescribeKeyspace (persist_test_util.h).
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
    auto result = LoadRdb(bytes.value(), t.clock.NowMillis(),
                          RdbLoadOptionsFrom(t.engine.server().config()), &loaded);
    REQUIRE_MESSAGE(result.ok(), result.status().ToString());
    CHECK(result->keys_loaded == 15);
    CHECK(testing::DescribeKeyspace(loaded) == testing::DescribeKeyspace(live));
  }

  TEST_CASE("keys that expired between save and load are dropped and counted") {
    testing::TestEngine t;
    t.Run("SET keep 1");
    t.Run("PSETEX gone 50 1");
    auto bytes = rdb::SerializeKeyspace(t.engine.server().keyspace(), {});
    REQUIRE(bytes.ok());
    Keyspace loaded;
    auto result = LoadRdb(bytes.value(), t.clock.NowMillis() + 1000,
                          RdbLoadOptionsFrom(t.engine.server().config()), &loaded);
    REQUIRE(result.ok());
    CHECK(result->keys_loaded == 1);
    CHECK(result->keys_expired == 1);
    CHECK(loaded.Size(0) == 1);
  }
}

}  // namespace plab
