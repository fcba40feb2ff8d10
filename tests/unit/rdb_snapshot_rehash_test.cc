// The fork-less snapshot (rdb_snapshot.h) walks the key table with the SCAN
// cursor across many event-loop turns, so it relies on SCAN's guarantee
// holding while the table is mid-rehash: a snapshot started right after a
// growth began, under writes that force another growth and then a shrink,
// must still write exactly the keys of its start.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "core/persist/rdb_snapshot.h"
#include "tests/unit/persist_test_util.h"
#include "tests/unit/snapshot_workload.h"

namespace plab {

TEST_SUITE("rdb snapshot") {
  TEST_CASE("a snapshot started just after the key table began to grow holds exactly its start") {
    for (uint64_t seed = 1; seed <= 2; ++seed) {
      CAPTURE(seed);
      testing::Lab lab;
      std::mt19937_64 rng(seed);
      std::vector<std::string> live;
      for (int i = 0; i < 4096; ++i) {
        live.push_back("k:" + std::to_string(i));
        lab.Run({"SET", live.back(), "old-" + std::to_string(i)});
      }
      lab.Run("SELECT 1");
      for (int i = 0; i < 50; ++i) lab.Run({"SET", "d1:" + std::to_string(i), "y"});
      lab.Run("SELECT 0");
      const Dict<Value>& table = lab.keyspace().keys(0);
      while (table.RehashSteps(1000)) {
      }
      // 4096 keys in 4096 buckets: the next insert starts the growth.
      REQUIRE_FALSE(table.rehashing());
      lab.Run({"SET", "trigger", "t"});
      REQUIRE(table.rehashing());

      const int64_t start_ms = lab.Now();
      const std::string expected = testing::DescribeReloaded(lab.keyspace(), start_ms);
      rdb::RdbSnapshot snap(lab.keyspace(), {});
      lab.hook.snapshot = &snap;
      int calls = 0, calls_rehashing = 0, growths = 0, shrinks = 0;
      uint64_t next = 0;
      std::string file = testing::ProduceAll(snap, 1, [&] {
        ++calls;
        // First new keys (another doubling), then deletions down to a
        // tenth (a shrink), with overwrites throughout.
        for (int op = 0; op < 6; ++op) {
          if (calls < 1000) {
            live.push_back("new:" + std::to_string(next++));
            lab.Run({"SET", live.back(), "n"});
          } else {
            for (int del = 0; del < 2 && live.size() > 600; ++del) {
              const size_t at = rng() % live.size();
              lab.Run({"DEL", live[at]});
              live[at] = live.back();
              live.pop_back();
            }
          }
          lab.Run({"SET", live[rng() % live.size()], "overwritten"});
        }
        if (calls % 200 == 0) lab.engine.Cron();  // 1 ms rehash slices too
        if (table.rehashing()) ++calls_rehashing;
        if (table.rehashing()) ++(table.shrinking() ? shrinks : growths);
      });
      lab.hook.snapshot = nullptr;
      CHECK(testing::DescribeRdb(file, start_ms) == expected);
      CHECK(snap.keys_processed() == snap.keys_total());
      CHECK(snap.keys_total() == 4097 + 50);
      CHECK(calls_rehashing > 20);
      CHECK(growths >= 1);
      CHECK(shrinks >= 1);
    }
  }
}

}  // namespace plab
