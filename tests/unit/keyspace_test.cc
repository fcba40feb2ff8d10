#include "core/store/keyspace.h"

#include <doctest/doctest.h>

#include <string>

using namespace plab;

TEST_SUITE("keyspace") {
  TEST_CASE("a key past its deadline is gone on the next lookup") {
    Keyspace ks;
    ks.SetCommandTime(1000);
    ks.Set(0, "k", Value::String("v"));
    ks.SetExpire(0, "k", 1500);
    CHECK(ks.Lookup(0, "k") != nullptr);
    ks.SetCommandTime(1500);  // a deadline equal to now has passed (keyIsExpired)
    CHECK(ks.Lookup(0, "k") == nullptr);
    CHECK(ks.Size(0) == 0);
    CHECK(ks.ExpiresSize(0) == 0);
    CHECK(ks.stats().expired_keys == 1);
  }

  TEST_CASE("Set clears a TTL unless asked to keep it") {
    Keyspace ks;
    ks.Set(0, "k", Value::String("v"));
    ks.SetExpire(0, "k", 5000);
    ks.Set(0, "k", Value::String("w"), /*keep_ttl=*/true);
    CHECK(ks.GetExpire(0, "k") == 5000);
    ks.Set(0, "k", Value::String("x"));
    CHECK(ks.GetExpire(0, "k") == Keyspace::kNoExpire);
  }

  TEST_CASE("databases are independent") {
    Keyspace ks;
    ks.Set(0, "k", Value::String("zero"));
    ks.Set(3, "k", Value::String("three"));
    CHECK(ks.Lookup(3, "k")->str() == "three");
    ks.Flush(3);
    CHECK(ks.Lookup(3, "k") == nullptr);
    CHECK(ks.Lookup(0, "k")->str() == "zero");
  }

  TEST_CASE("the active expiry cycle removes expired keys nobody reads") {
    Keyspace ks;
    ManualClock clock;
    ks.SetCommandTime(0);
    for (int i = 0; i < 1000; ++i) {
      std::string k = "k" + std::to_string(i);
      ks.Set(0, k, Value::String("v"));
      if (i % 2 == 0) ks.SetExpire(0, k, 100);
    }
    ks.SetCommandTime(200);
    // Each cycle samples; repeated cycles converge on all 500 expired keys.
    for (int i = 0; i < 50 && ks.ExpiresSize(0) > 0; ++i) ks.ActiveExpireCycle(clock, 1000000);
    CHECK(ks.ExpiresSize(0) == 0);
    CHECK(ks.Size(0) == 500);
  }

  TEST_CASE("observers hear about writes before they happen and about expiries") {
    struct Recorder : KeyObserver {
      std::string log;
      void OnBeforeWrite(int db, std::string_view key) override {
        log += "w" + std::to_string(db) + std::string(key) + " ";
      }
      void OnExpired(int db, std::string_view key) override {
        log += "x" + std::to_string(db) + std::string(key) + " ";
      }
    } rec;
    Keyspace ks;
    ks.set_observer(&rec);
    ks.SetCommandTime(0);
    ks.Set(1, "a", Value::String("v"));
    ks.SetExpire(1, "a", 10);
    ks.SetCommandTime(10);
    CHECK(ks.Lookup(1, "a") == nullptr);
    CHECK(rec.log == "w1a w1a w1a x1a ");
  }
}
