#include "core/store/dict.h"

#include <doctest/doctest.h>

#include <map>
#include <random>
#include <set>
#include <string>

using plab::Dict;

TEST_SUITE("dict") {
  TEST_CASE("behaves like a map under random inserts and erases") {
    const uint64_t seed = std::random_device{}();
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    Dict<int> d;
    std::map<std::string, int> model;
    for (int i = 0; i < 20000; ++i) {
      std::string k = "k" + std::to_string(rng() % 3000);
      if (rng() % 3 == 0) {
        CHECK(d.Erase(k) == (model.erase(k) == 1));
      } else {
        int v = static_cast<int>(rng() % 1000);
        CHECK(d.Put(k, v) == (model.count(k) == 0));
        model[k] = v;
      }
    }
    CHECK(d.size() == model.size());
    for (const auto& [k, v] : model) CHECK(*d.Find(k) == v);
  }

  TEST_CASE("a full SCAN returns every element present throughout, across resizes") {
    Dict<int> d;
    for (int i = 0; i < 1000; ++i) d.Put("k" + std::to_string(i), i);
    std::set<std::string> seen;
    uint64_t cursor = 0;
    int round = 0;
    do {
      cursor = d.Scan(cursor, [&](const std::string& k, int) { seen.insert(k); });
      // Grow the table mid-iteration, then shrink it, like Redis's rehashing.
      if (++round == 50) {
        for (int i = 1000; i < 5000; ++i) d.Put("k" + std::to_string(i), i);
      }
      if (round == 300) {
        for (int i = 1000; i < 5000; ++i) d.Erase("k" + std::to_string(i));
      }
    } while (cursor != 0);
    for (int i = 0; i < 1000; ++i) CHECK(seen.count("k" + std::to_string(i)) == 1);
  }

  TEST_CASE("RandomNode only returns present elements and reaches all of them") {
    Dict<int> d;
    for (int i = 0; i < 50; ++i) d.Put("k" + std::to_string(i), i);
    std::mt19937_64 rng(7);
    std::set<std::string> seen;
    for (int i = 0; i < 5000; ++i) seen.insert(d.RandomNode(rng)->key);
    CHECK(seen.size() == 50);
    Dict<int> empty;
    CHECK(empty.RandomNode(rng) == nullptr);
  }

  TEST_CASE("shrinks when mostly empty") {
    Dict<int> d;
    for (int i = 0; i < 4096; ++i) d.Put(std::to_string(i), i);
    size_t big = d.bucket_count();
    for (int i = 0; i < 4090; ++i) d.Erase(std::to_string(i));
    // Shrinks are incremental and one waits for the previous one: finish
    // them as the cron would (tryResizeHashTables, then rehash steps).
    while (d.RehashSteps(100) || d.Shrink()) {
    }
    CHECK(big == 4096);
    CHECK(d.bucket_count() == 8);  // the smallest power of two >= 6
    CHECK(d.size() == 6);
  }
}
