// Dict's incremental rehash (Redis 7.0's two tables): lookups, inserts and
// erases stay exact at every step, SCAN keeps its guarantee while tables
// grow and shrink under it, sampling covers both tables, and the cron's
// time-bounded steps finish a rehash that no command helps along.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/io/clock.h"
#include "core/store/dict.h"
#include "core/store/keyspace.h"

namespace plab {
namespace {

std::string Key(uint64_t i) { return "key:" + std::to_string(i); }

// Completes whatever rehash runs, so a test starts from one settled table.
template <typename V>
void Settle(const Dict<V>& d) {
  while (d.RehashSteps(1000)) {
  }
}

// Fills `d` to exactly a power of two and returns it settled; the next
// insert starts a growth.
Dict<int> FullTable(int count, std::map<std::string, int>* model) {
  Dict<int> d;
  for (int i = 0; i < count; ++i) {
    d.Put(Key(i), i);
    (*model)[Key(i)] = i;
  }
  Settle(d);
  return d;
}

// Every element, gathered without rehash steps (ForEach pauses them).
std::map<std::string, int> Contents(const Dict<int>& d) {
  std::map<std::string, int> out;
  d.ForEach([&](const std::string& k, int v) { CHECK(out.emplace(k, v).second); });
  return out;
}

// One random operation checked against `model`: insert a new key, overwrite,
// erase a present or an absent key, find a present or an absent key.
void RandomOp(Dict<int>& d, std::map<std::string, int>& model, std::mt19937_64& rng,
              uint64_t* next_key) {
  const std::string fresh = Key((*next_key)++);
  auto some = model.begin();
  if (!model.empty())
    std::advance(some, static_cast<long>(rng() % std::min<size_t>(model.size(), 64)));
  switch (rng() % 6) {
    case 0:
      CHECK(d.Put(fresh, 1));
      model[fresh] = 1;
      break;
    case 1:
      if (some == model.end()) break;
      CHECK_FALSE(d.Put(some->first, 7));
      some->second = 7;
      break;
    case 2: {
      if (some == model.end()) break;
      int out = -1;
      const int expected = some->second;
      CHECK(d.Erase(some->first, &out));
      CHECK(out == expected);
      model.erase(some);
      break;
    }
    case 3:
      CHECK_FALSE(d.Erase(fresh));
      break;
    case 4:
      if (some == model.end()) break;
      REQUIRE(d.Find(some->first) != nullptr);
      CHECK(*d.Find(some->first) == some->second);
      break;
    default:
      CHECK(d.Find(fresh) == nullptr);
      break;
  }
}

}  // namespace

TEST_SUITE("dict rehash") {
  TEST_CASE("a growth is incremental and Find/Insert/Erase are exact at every step of it") {
    std::map<std::string, int> model;
    Dict<int> d = FullTable(1024, &model);
    REQUIRE(d.bucket_count() == 1024);
    REQUIRE_FALSE(d.rehashing());
    d.Put("trigger", -1);
    model["trigger"] = -1;
    REQUIRE(d.rehashing());
    CHECK(d.bucket_count() == 1024 + 2048);

    std::mt19937_64 rng(11);
    uint64_t next_key = 1000000;
    int steps = 0;
    bool both_tables_used = false;
    while (d.rehashing()) {
      RandomOp(d, model, rng, &next_key);
      CHECK(d.size() == model.size());
      CHECK(Contents(d) == model);
      if (d.rehashing()) {
        int in0 = 0, in1 = 0;
        for (const auto& [k, v] : model) (d.TableOf(k) == 0 ? in0 : in1)++;
        both_tables_used |= in0 > 0 && in1 > 0;
      }
      ++steps;
    }
    // One bucket per operation: far more than one operation, at most one per bucket.
    CHECK(steps > 100);
    CHECK(steps <= 1024);
    CHECK(both_tables_used);
    CHECK(d.bucket_count() == 2048);
    CHECK(Contents(d) == model);
  }

  TEST_CASE("a shrink is incremental too and the table stays exact throughout") {
    std::map<std::string, int> model;
    Dict<int> d = FullTable(4096, &model);
    int erased = 0;
    while (!d.rehashing()) {
      const std::string k = model.begin()->first;
      REQUIRE(d.Erase(k));
      model.erase(k);
      ++erased;
    }
    // htNeedsResize: the first erase that leaves the table under 10% full.
    CHECK(model.size() * 100 / 4096 < 10);
    CHECK((model.size() + 1) * 100 / 4096 >= 10);
    CHECK(d.bucket_count() == 4096 + 512);
    std::mt19937_64 rng(12);
    uint64_t next_key = 2000000;
    int steps = 0;
    while (d.rehashing()) {
      RandomOp(d, model, rng, &next_key);
      CHECK(Contents(d) == model);
      ++steps;
    }
    CHECK(steps > 50);
    CHECK(d.bucket_count() == 512);
    CHECK(Contents(d) == model);
  }

  TEST_CASE("SCAN returns every element present throughout while tables grow and shrink under it") {
    for (uint64_t seed = 1; seed <= 12; ++seed) {
      CAPTURE(seed);
      std::mt19937_64 rng(seed);
      Dict<int> d;
      // `stable` keys stay for the whole scan; the churn keys come and go in
      // waves up to 20 times that many and back to none, so the table
      // doubles several times and then shrinks, again and again.
      const int stable = 100 + static_cast<int>(rng() % 300);
      for (int i = 0; i < stable; ++i) d.Put("stable:" + std::to_string(i), i);
      std::set<std::string> ever;  // every key present at some point
      d.ForEach([&](const std::string& k, int) { ever.insert(k); });
      std::vector<std::string> churn;
      std::set<std::string> seen;
      uint64_t cursor = 0, next = 0;
      int calls = 0, calls_rehashing = 0;
      bool growing = true, grew = false, shrank = false;
      do {
        cursor = d.Scan(cursor, [&](const std::string& k, int) {
          CHECK(ever.count(k) == 1);
          seen.insert(k);
        });
        ++calls;
        calls_rehashing += d.rehashing() ? 1 : 0;
        if (growing && churn.size() >= static_cast<size_t>(20 * stable)) growing = false;
        if (!growing && churn.empty()) growing = true;
        for (int ops = static_cast<int>(rng() % 40); ops > 0; --ops) {
          if (growing) {
            churn.push_back("churn:" + std::to_string(next++));
            ever.insert(churn.back());
            d.Put(churn.back(), 0);
          } else if (!churn.empty()) {
            const size_t at = rng() % churn.size();
            CHECK(d.Erase(churn[at]));
            churn[at] = churn.back();
            churn.pop_back();
          }
        }
        grew |= d.rehashing() && !d.shrinking();
        shrank |= d.shrinking();
      } while (cursor != 0 && calls < 1000000);
      REQUIRE(cursor == 0);
      for (int i = 0; i < stable; ++i) CHECK(seen.count("stable:" + std::to_string(i)) == 1);
      CHECK(calls_rehashing > 0);  // the scan really crossed rehashes
      CHECK(grew);
      CHECK(shrank);
    }
  }

  TEST_CASE("SCAN finds every element when a shrink and a growth both happen mid-iteration") {
    Dict<int> d;
    for (int i = 0; i < 3000; ++i) d.Put(Key(i), i);
    Settle(d);
    std::set<std::string> seen;
    uint64_t cursor = 0;
    int round = 0;
    bool saw_shrink = false, saw_growth = false;
    do {
      cursor = d.Scan(cursor, [&](const std::string& k, int) { seen.insert(k); });
      if (++round == 20) {
        for (int i = 100; i < 3000; ++i) d.Erase(Key(i));  // keys 0..99 stay
      }
      if (round == 60) {
        for (int i = 3000; i < 9000; ++i) d.Put(Key(i), i);
      }
      saw_shrink |= d.shrinking();
      saw_growth |= d.rehashing() && !d.shrinking();
    } while (cursor != 0);
    for (int i = 0; i < 100; ++i) CHECK(seen.count(Key(i)) == 1);
    CHECK(saw_shrink);
    CHECK(saw_growth);
  }

  TEST_CASE("random sampling draws from both tables during a rehash") {
    std::map<std::string, int> model;
    Dict<int> d = FullTable(1 << 15, &model);
    d.Put("trigger", 0);
    REQUIRE(d.rehashing());
    d.RehashSteps(1 << 13);  // about 40% of table 0's buckets moved
    std::mt19937_64 rng(5);
    int from[2] = {0, 0};
    std::set<std::string> distinct;
    for (int i = 0; i < 4000; ++i) {
      const auto* n = d.RandomNode(rng);
      REQUIRE(n != nullptr);
      CHECK(model.count(n->key) + (n->key == "trigger" ? 1 : 0) == 1);
      distinct.insert(n->key);
      const int t = d.TableOf(n->key);
      REQUIRE(t >= 0);
      ++from[t];
    }
    REQUIRE(d.rehashing());  // 4000 steps don't finish 32768 buckets
    // About half the elements sit in each table; both get a fair share.
    CHECK(from[0] > 1000);
    CHECK(from[1] > 1000);
    CHECK(distinct.size() > 3500);
  }

  TEST_CASE("iteration pauses rehash steps; lookups inside ForEach move nothing") {
    std::map<std::string, int> model;
    Dict<int> d = FullTable(256, &model);
    d.Put("trigger", 0);
    REQUIRE(d.rehashing());
    int visits = 0;
    d.ForEach([&](const std::string& k, int) {
      CHECK(d.rehash_paused());
      CHECK(d.Contains(k));  // would be a rehash step if not paused
      ++visits;
    });
    CHECK(visits == 257);  // each element exactly once
    CHECK_FALSE(d.rehash_paused());
    CHECK(d.rehashing());
  }

  TEST_CASE("the cron step finishes a rehash alone, in bounded slices") {
    std::map<std::string, int> model;
    Dict<int> d = FullTable(1 << 16, &model);
    d.Put("trigger", 0);
    REQUIRE(d.rehashing());
    ManualClock clock;  // stands still: only the batch cap bounds a call
    int calls = 0;
    while (d.rehashing() && calls < 1000) {
      const int64_t attempted = d.RehashForMicros(clock, 1000);
      CHECK(attempted > 0);
      CHECK(attempted <= Dict<int>::kCronBatch * Dict<int>::kCronMaxBatches);
      ++calls;
    }
    CHECK_FALSE(d.rehashing());
    CHECK(calls > 1);
    CHECK(d.bucket_count() == 1 << 17);
    model["trigger"] = 0;
    CHECK(Contents(d) == model);
    // Paused by an iteration, the cron step does nothing.
    Dict<int> other = FullTable(64, &model);
    other.Put("again", 0);
    REQUIRE(other.rehashing());
    other.ForEach([&](const std::string&, int) { CHECK(other.RehashForMicros(clock, 1000) == 0); });
  }

  TEST_CASE("Keyspace's databases cron rehashes the key table and shrinks sparse tables") {
    ManualClock clock;
    Keyspace ks;
    for (int i = 0; i < 1 << 16; ++i) ks.Set(3, Key(i), Value::String("v"));
    Settle(ks.keys(3));
    ks.Set(3, "trigger", Value::String("v"));
    REQUIRE(ks.keys(3).rehashing());
    ks.DatabasesCron(clock, /*active_rehashing=*/false, 1000);
    CHECK(ks.keys(3).rehashing());  // activerehashing no: left to commands
    int crons = 0;
    while (ks.keys(3).rehashing() && crons < 1000) {
      ks.DatabasesCron(clock, /*active_rehashing=*/true, 1000);
      ++crons;
    }
    CHECK_FALSE(ks.keys(3).rehashing());
    CHECK(crons > 1);
    CHECK(ks.Size(3) == (1 << 16) + 1);

    // A table left under 10% full (here by a reservation) is shrunk by the
    // cron, like tryResizeHashTables.
    ks.Set(7, "a", Value::String("v"));
    ks.ReserveKeys(7, 1 << 12);
    Settle(ks.keys(7));
    REQUIRE(ks.keys(7).bucket_count() == 1 << 12);
    ks.DatabasesCron(clock, /*active_rehashing=*/true, 1000);
    CHECK(ks.keys(7).bucket_count() <= (1 << 12) + 4);
    while (ks.keys(7).rehashing()) ks.DatabasesCron(clock, true, 1000);
    CHECK(ks.keys(7).bucket_count() == 4);
    CHECK(ks.Lookup(7, "a") != nullptr);
  }
}

}  // namespace plab
