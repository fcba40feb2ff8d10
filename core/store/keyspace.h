// Keyspace: Redis's 16 logical databases, their keys, and key expiry.
//
// Expiry works like Redis 7.0 (expire.c, db.c):
//   - lazy: every lookup first checks the key's deadline against the current
//     command time and deletes the key if it has passed;
//   - active: Cron() runs ActiveExpireCycle(), which samples keys that have a
//     TTL (20 per database per round) and repeats while more than 10% of a
//     sample had expired, within a time budget.
//
// Command time: SetCommandTime() is called by the engine before each command
// (once for a whole MULTI/EXEC, as Redis's fixed_time_expire does), so a
// command sees one consistent "now".
//
// Writes: handlers look a key up with LookupWrite() before modifying it in
// place, and use Set()/Add()/Delete() to replace or remove keys. Those are
// the points where a KeyObserver hears about a change before it happens; the
// point-in-time snapshotter (RDB/AOF rewrite) hooks in there.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "core/io/clock.h"
#include "core/store/dict.h"
#include "core/store/value.h"

namespace plab {

// Told about changes to keys. All calls happen synchronously.
class KeyObserver {
 public:
  virtual ~KeyObserver() = default;
  // `key` in `db` is about to be modified, replaced or deleted.
  virtual void OnBeforeWrite(int db, std::string_view key) = 0;
  // Whether Flush and SwapDbs must call OnBeforeWrite for every key they
  // touch (a snapshot in progress needs that; otherwise they stay O(1)).
  virtual bool WantsEveryKey() const { return false; }
  // `key` was deleted because its TTL passed (lazy or active expiry). Redis
  // propagates a DEL to the AOF and replicas at this point.
  virtual void OnExpired(int db, std::string_view key) = 0;
};

struct KeyspaceStats {
  int64_t expired_keys = 0;
  int64_t expired_stale_perc = 0;  // not tracked yet; kept for INFO's shape
  int64_t expired_time_cap_reached_count = 0;
  int64_t keyspace_hits = 0;
  int64_t keyspace_misses = 0;
};

class Keyspace {
 public:
  static constexpr int kNumDbs = 16;
  static constexpr int64_t kNoExpire = -1;

  Keyspace();

  // The time (Unix ms) against which TTLs are checked.
  void SetCommandTime(int64_t now_ms) { now_ms_ = now_ms; }
  int64_t command_time() const { return now_ms_; }

  // While loading (an AOF replay), nothing expires: keyIsExpired() in Redis
  // 7.0 answers "not expired" when server.loading, and expiry commands with
  // a past deadline just set it (checkAlreadyExpired).
  void set_loading(bool loading) { loading_ = loading; }
  bool loading() const { return loading_; }

  // Observer may be null. Not owned.
  void set_observer(KeyObserver* observer) { observer_ = observer; }

  // Lookup for reading: nullptr when absent or expired (then deleted).
  // Counts keyspace hits/misses like lookupKeyRead(). The value is const:
  // changing a key must go through LookupWrite/Set/Delete, which announce
  // it to the KeyObserver first (the running snapshot's copy-on-write rule:
  // the old value is saved before it changes).
  const Value* LookupRead(int db, std::string_view key);
  // Lookup without touching hit/miss stats (EXISTS-like internal checks).
  // Const for the same reason as LookupRead.
  const Value* Lookup(int db, std::string_view key);
  // Lookup for modifying the value in place: notifies OnBeforeWrite first.
  Value* LookupWrite(int db, std::string_view key);

  // Inserts or replaces `key`. Clears the TTL unless keep_ttl.
  Value& Set(int db, std::string_view key, Value value, bool keep_ttl = false);
  // Inserts a key that must not exist. REQUIRES: !Lookup(db, key).
  Value& Add(int db, std::string_view key, Value value);
  // Adds `key` only when the table has no entry for it (expired or not),
  // with one hash lookup; nullptr when it exists. For loaders, which refuse
  // duplicates.
  Value* AddIfAbsent(int db, std::string_view key, Value&& value);
  // Deletes; returns whether the key existed (expired keys count as absent).
  bool Delete(int db, std::string_view key);
  // Removes the key and hands its value (and TTL) to the caller: RENAME,
  // MOVE, GETDEL. Returns false when absent.
  bool Take(int db, std::string_view key, Value* value, int64_t* expire_ms);

  // TTL handling. REQUIRES for SetExpire: the key exists.
  int64_t GetExpire(int db, std::string_view key) const;  // kNoExpire if none
  void SetExpire(int db, std::string_view key, int64_t when_ms);
  bool RemoveExpire(int db, std::string_view key);

  size_t Size(int db) const { return dbs_[db].keys.size(); }
  size_t ExpiresSize(int db) const { return dbs_[db].expires.size(); }
  void Flush(int db);
  void FlushAll();
  // SWAPDB (dbSwapDatabases): exchanges every key and TTL of two databases.
  // O(1): the tables move, nothing is copied; but while an observer
  // WantsEveryKey (a snapshot runs) every key of both dbs is announced first.
  void SwapDbs(int a, int b);

  // Direct table access for iteration (KEYS, SCAN, RANDOMKEY, INFO). Callers
  // must apply expiry checks themselves (IsExpired) when it matters.
  const Dict<Value>& keys(int db) const { return dbs_[db].keys; }
  bool IsExpired(int db, std::string_view key) const;

  // A random live key, or nullptr when db is empty (RANDOMKEY).
  const std::string* RandomKey(int db);

  // One active-expiry pass over all databases (activeExpireCycle, "slow"
  // kind); `budget_us` bounds the work. Returns keys expired.
  int64_t ActiveExpireCycle(const Clock& clock, int64_t budget_us);

  // databasesCron()'s table upkeep: starts shrinking every table under 10%
  // full (tryResizeHashTables) and, when `active_rehashing`, rehashes the
  // first database whose keys or expires are mid-rehash for `budget_us`
  // (incrementallyRehash; Redis gives it 1 ms). Redis skips both while a
  // fork()ed child saves; PersistLab has no child, so they always run.
  void DatabasesCron(const Clock& clock, bool active_rehashing, int64_t budget_us);

  // Point-in-time snapshots (core/persist/rdb_snapshot.h). Every value
  // stored by Set/Add is stamped with the current write version; this starts
  // a new version and returns it, so every value that exists now has a
  // smaller stamp than the result and every value stored later has it.
  uint32_t BeginWriteVersion() { return ++write_version_; }
  uint32_t write_version() const { return write_version_; }
  // Mutable table access for the snapshot, which restamps values it has
  // written. Never used to insert or erase.
  Dict<Value>& mutable_keys(int db) { return dbs_[db].keys; }

  // Sizes db's key table for `n` keys (RDB loading's RESIZEDB hint).
  void ReserveKeys(int db, size_t n) { dbs_[db].keys.Reserve(n); }

  // Exchanges every database (keys and TTLs) with `other`; the observer, the
  // write version and the stats stay. DEBUG RELOAD and startup loading
  // swap a freshly loaded keyspace in this way.
  void SwapData(Keyspace& other) { std::swap(dbs_, other.dbs_); }

  std::mt19937_64& rng() { return rng_; }
  KeyspaceStats& stats() { return stats_; }

 private:
  struct Db {
    Dict<Value> keys;
    Dict<int64_t> expires;  // key -> Unix ms deadline; only keys with a TTL
  };

  // Deletes `key` if its deadline has passed; returns true when it did.
  bool ExpireIfNeeded(int db, std::string_view key);
  void NotifyWrite(int db, std::string_view key) {
    if (observer_ != nullptr) observer_->OnBeforeWrite(db, key);
  }

  std::array<Db, kNumDbs> dbs_;
  uint32_t write_version_ = 0;  // stamped on every value stored
  int64_t now_ms_ = 0;
  bool loading_ = false;
  KeyObserver* observer_ = nullptr;
  KeyspaceStats stats_;
  std::mt19937_64 rng_;
  int active_expire_db_ = 0;  // where the next active cycle resumes
  int rehash_db_ = 0;         // the database the cron is rehashing
};

}  // namespace plab
