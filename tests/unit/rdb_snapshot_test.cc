// RdbSnapshot: the fork-less BGSAVE snapshot must hold exactly the keyspace
// of the moment it was created, however the keyspace changes while the file
// is produced (what Redis gets from fork()'s copy-on-write pages).
//
// The tests drive a snapshot directly with a tiny Produce() budget, so that
// commands run between almost every pair of keys, and hook it to the
// engine's keyspace the way its contract asks an owner to (BeforeWrite on
// every change, WantsEveryKey while active).
#include "core/persist/rdb_snapshot.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/unit/persist_test_util.h"
#include "tests/unit/snapshot_workload.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using testing::BuildKeyspace;
using testing::DescribeRdb;
using testing::Lab;
using testing::ProduceAll;
using testing::RandomCommand;

}  // namespace

TEST_SUITE("rdb snapshot") {
  TEST_CASE(
      "a snapshot produced during a random workload holds exactly the keyspace of its start") {
    for (uint64_t seed = 1; seed <= 8; ++seed) {
      CAPTURE(seed);
      Lab lab;
      std::mt19937_64 rng(seed);
      BuildKeyspace(lab, rng);
      const int64_t start_ms = lab.Now();
      auto reference = rdb::SerializeKeyspace(lab.keyspace(), {});
      REQUIRE(reference.ok());
      const std::string expected = DescribeRdb(*reference, start_ms);
      int64_t keys_at_start = 0;
      for (int db = 0; db < Keyspace::kNumDbs; ++db) keys_at_start += lab.keyspace().Size(db);

      rdb::RdbSnapshot snap(lab.keyspace(), {});
      lab.hook.snapshot = &snap;
      CHECK(snap.keys_total() == keys_at_start);
      int rounds = 0;
      std::string file = ProduceAll(snap, 1, [&] {
        const int ops = static_cast<int>(rng() % 4);
        for (int i = 0; i < ops; ++i) {
          lab.Run("SELECT " +
                  std::to_string(rng() % 8 == 0 ? 1 : std::vector{0, 2, 5, 15}[rng() % 4]));
          lab.Run(RandomCommand(rng, lab.Now()));
        }
        // Time passes: keys with short TTLs expire, lazily or in cron.
        lab.clock.AdvanceMillis(20);
        if (++rounds % 10 == 0) lab.engine.Cron();
      });
      lab.hook.snapshot = nullptr;

      CHECK(rounds > 60);  // the workload really was interleaved
      // Loaded as of the snapshot's start, the file is that moment's data.
      CHECK(DescribeRdb(file, start_ms) == expected);
      CHECK(snap.keys_processed() == snap.keys_total());
      CHECK(snap.cow_bytes() > 0);
      // ... and the workload did change the dataset meanwhile.
      CHECK(testing::DescribeReloaded(lab.keyspace(), start_ms) != expected);
    }
  }

  TEST_CASE("creating only new keys while a snapshot runs copies nothing aside") {
    Lab lab;
    std::mt19937_64 rng(7);
    BuildKeyspace(lab, rng);
    const int64_t start_ms = lab.Now();
    const std::string expected = testing::DescribeReloaded(lab.keyspace(), start_ms);
    rdb::RdbSnapshot snap(lab.keyspace(), {});
    lab.hook.snapshot = &snap;
    int n = 0;
    std::string file = ProduceAll(snap, 1, [&] {
      lab.Run("SELECT " + std::to_string(n % 16));
      lab.Run({"SET", "created" + std::to_string(n++), "v"});
      lab.Run({"HSET", "created-hash" + std::to_string(n), "f", "v"});
    });
    CHECK(n > 100);
    CHECK(snap.cow_bytes() == 0);
    CHECK(snap.keys_processed() == snap.keys_total());
    CHECK(DescribeRdb(file, start_ms) == expected);
  }

  TEST_CASE("changing a key not yet written copies it aside; one already written costs nothing") {
    Lab lab;
    lab.Run("SET early old-early");  // db 0: written first
    lab.Run("SELECT 5");
    lab.Run("RPUSH late a b c");  // db 5: written after db 0
    const int64_t start_ms = lab.Now();
    const std::string expected = testing::DescribeReloaded(lab.keyspace(), start_ms);
    rdb::RdbSnapshot snap(lab.keyspace(), {});
    lab.hook.snapshot = &snap;
    CHECK(snap.keys_total() == 2);
    std::string file;
    while (snap.keys_processed() == 0) REQUIRE(snap.Produce(1, &file).ok());
    CHECK(snap.keys_processed() == 1);  // db 0's key is written, db 5 not started

    lab.Run("SELECT 0");
    lab.Run("SET early new-early");
    CHECK(snap.cow_bytes() == 0);
    lab.Run("SELECT 5");
    lab.Run("RPUSH late d");
    CHECK(snap.cow_bytes() > 0);
    CHECK(snap.keys_processed() == 2);
    const int64_t cow = snap.cow_bytes();
    lab.Run("RPUSH late e");  // copied once: the second change costs nothing
    CHECK(snap.cow_bytes() == cow);

    file += ProduceAll(snap, 1, [] {});
    CHECK(DescribeRdb(file, start_ms) == expected);
    CHECK(snap.keys_processed() == snap.keys_total());
  }

  TEST_CASE("a key that expires while the snapshot runs is still in it with its TTL") {
    Lab lab;
    lab.Run("SET filler x");
    lab.Run("SELECT 3");
    lab.Run("SET soon v");
    lab.Run("PEXPIRE soon 100");
    const int64_t start_ms = lab.Now();
    const std::string expected = testing::DescribeReloaded(lab.keyspace(), start_ms);
    REQUIRE(expected.find("3 soon string/embstr ttl=" + std::to_string(start_ms + 100)) !=
            std::string::npos);
    rdb::RdbSnapshot snap(lab.keyspace(), {});
    lab.hook.snapshot = &snap;
    lab.clock.AdvanceMillis(200);
    CHECK(lab.Run("GET soon") == testing::kNil);  // lazily expired, deleted
    std::string file = ProduceAll(snap, 16, [] {});
    CHECK(DescribeRdb(file, start_ms) == expected);
    // Loaded later, the key has expired, as a BGSAVE child's file would say.
    Keyspace late;
    auto loaded = LoadRdb(file, lab.Now(), RdbLoadOptions{}, &late);
    REQUIRE(loaded.ok());
    CHECK(loaded->keys_expired == 1);
    CHECK(loaded->keys_loaded == 1);
  }

  TEST_CASE("FLUSHDB and SWAPDB during a snapshot do not change what it writes") {
    Lab lab;
    for (int db = 0; db < 4; ++db) {
      lab.Run("SELECT " + std::to_string(db));
      for (int i = 0; i < 30; ++i)
        lab.Run({"SET", "k" + std::to_string(i), "db" + std::to_string(db)});
    }
    const int64_t start_ms = lab.Now();
    const std::string expected = testing::DescribeReloaded(lab.keyspace(), start_ms);
    rdb::RdbSnapshot snap(lab.keyspace(), {});
    lab.hook.snapshot = &snap;
    std::string file;
    while (snap.keys_processed() < 10) REQUIRE(snap.Produce(1, &file).ok());  // inside db 0
    lab.Run("SWAPDB 0 2");  // the db being walked with one not started
    lab.Run("SELECT 3");
    lab.Run("FLUSHDB");     // a db not started
    lab.Run("SWAPDB 1 9");  // with one that was empty at the start
    lab.Run("SELECT 9");
    lab.Run("SET k0 late");
    file += ProduceAll(snap, 1, [] {});
    CHECK(DescribeRdb(file, start_ms) == expected);
    CHECK(snap.keys_processed() == 120);
  }

  TEST_CASE("CopyAllRemaining lets the keyspace be replaced without changing the file") {
    // Detached before the header, right after it, inside db 0, and late.
    for (int processed_before : {-1, 0, 20, 150}) {
      CAPTURE(processed_before);
      Lab lab;
      std::mt19937_64 rng(11);
      BuildKeyspace(lab, rng);
      const int64_t start_ms = lab.Now();
      const std::string expected = testing::DescribeReloaded(lab.keyspace(), start_ms);
      rdb::RdbSnapshot snap(lab.keyspace(), {});
      lab.hook.snapshot = &snap;
      std::string file;
      if (processed_before >= 0) REQUIRE(snap.Produce(64, &file).ok());
      while (snap.keys_processed() < processed_before) REQUIRE(snap.Produce(64, &file).ok());
      REQUIRE(!snap.finished());
      REQUIRE(snap.keys_processed() < snap.keys_total());
      const int64_t cow_before = snap.cow_bytes();
      snap.CopyAllRemaining();
      CHECK(snap.keys_processed() == snap.keys_total());
      CHECK(snap.cow_bytes() > cow_before);  // everything unwritten was copied now

      // Replace every database (what DEBUG RELOAD does), then keep writing.
      Keyspace other;
      other.Set(0, "s0", Value::String("replaced"));
      other.Set(4, "only-here", Value::String("x"));
      lab.keyspace().SwapData(other);
      lab.Run("SET s1 changed");
      lab.Run("SELECT 5");
      lab.Run("FLUSHDB");
      file += ProduceAll(snap, 64, [&] { lab.Run("SET s2 again"); });
      CHECK(DescribeRdb(file, start_ms) == expected);
    }
  }

  TEST_CASE("an empty keyspace gives a valid file with no keys") {
    Lab lab;
    rdb::RdbSnapshot snap(lab.keyspace(), {});
    CHECK(snap.keys_total() == 0);
    CHECK(snap.active());
    std::string file;
    REQUIRE(snap.Produce(1 << 20, &file).ok());
    CHECK(snap.finished());
    CHECK_FALSE(snap.active());
    CHECK(file.substr(0, 9) == "REDIS0010");
    CHECK(DescribeRdb(file, lab.Now()) == "");
  }
}

}  // namespace plab
