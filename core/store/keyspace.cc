#include "core/store/keyspace.h"

#include <utility>

#include "core/util/check.h"

namespace plab {

Keyspace::Keyspace() : rng_(0x5eed) {}

bool Keyspace::IsExpired(int db, std::string_view key) const {
  if (loading_) return false;
  const int64_t* when = dbs_[db].expires.Find(key);
  return when != nullptr && *when <= now_ms_;
}

bool Keyspace::ExpireIfNeeded(int db, std::string_view key) {
  Db& d = dbs_[db];
  if (d.expires.empty() || loading_) return false;
  const int64_t* when = d.expires.Find(key);
  if (when == nullptr || *when > now_ms_) return false;
  // Observers see the delete before it happens (snapshot copy-on-write),
  // then the expiry itself (AOF propagates it as DEL).
  NotifyWrite(db, key);
  std::string owned(key);  // `key` may point into the node we free
  d.expires.Erase(owned);
  d.keys.Erase(owned);
  ++stats_.expired_keys;
  if (observer_ != nullptr) observer_->OnExpired(db, owned);
  return true;
}

const Value* Keyspace::Lookup(int db, std::string_view key) {
  ExpireIfNeeded(db, key);
  return dbs_[db].keys.Find(key);
}

const Value* Keyspace::LookupRead(int db, std::string_view key) {
  const Value* v = Lookup(db, key);
  if (v != nullptr) {
    ++stats_.keyspace_hits;
  } else {
    ++stats_.keyspace_misses;
  }
  return v;
}

Value* Keyspace::LookupWrite(int db, std::string_view key) {
  ExpireIfNeeded(db, key);
  Value* v = dbs_[db].keys.Find(key);
  if (v != nullptr) NotifyWrite(db, key);
  return v;
}

Value& Keyspace::Set(int db, std::string_view key, Value value, bool keep_ttl) {
  ExpireIfNeeded(db, key);
  NotifyWrite(db, key);
  Db& d = dbs_[db];
  auto [node, inserted] = d.keys.TryEmplace(key);
  node->value = std::move(value);
  node->value.set_version(write_version_);
  if (!inserted && !keep_ttl && !d.expires.empty()) d.expires.Erase(key);
  return node->value;
}

Value& Keyspace::Add(int db, std::string_view key, Value value) {
  NotifyWrite(db, key);
  auto [node, inserted] = dbs_[db].keys.TryEmplace(key);
  PLAB_DCHECK(inserted, "Keyspace::Add: the key exists");
  node->value = std::move(value);
  node->value.set_version(write_version_);
  return node->value;
}

Value* Keyspace::AddIfAbsent(int db, std::string_view key, Value&& value) {
  NotifyWrite(db, key);  // before the table changes, as in Add()
  auto [node, inserted] = dbs_[db].keys.TryEmplace(key);
  if (!inserted) return nullptr;
  node->value = std::move(value);
  node->value.set_version(write_version_);
  return &node->value;
}

bool Keyspace::Delete(int db, std::string_view key) {
  if (Lookup(db, key) == nullptr) return false;
  NotifyWrite(db, key);
  Db& d = dbs_[db];
  std::string owned(key);
  if (!d.expires.empty()) d.expires.Erase(owned);
  return d.keys.Erase(owned);
}

bool Keyspace::Take(int db, std::string_view key, Value* value, int64_t* expire_ms) {
  if (Lookup(db, key) == nullptr) return false;
  NotifyWrite(db, key);
  Db& d = dbs_[db];
  std::string owned(key);
  int64_t when = kNoExpire;
  if (!d.expires.empty()) d.expires.Erase(owned, &when);
  if (expire_ms != nullptr) *expire_ms = when;
  return d.keys.Erase(owned, value);
}

int64_t Keyspace::GetExpire(int db, std::string_view key) const {
  const int64_t* when = dbs_[db].expires.Find(key);
  return when == nullptr ? kNoExpire : *when;
}

void Keyspace::SetExpire(int db, std::string_view key, int64_t when_ms) {
  PLAB_DCHECK(dbs_[db].keys.Contains(key), "Keyspace::SetExpire: no such key");
  NotifyWrite(db, key);
  dbs_[db].expires.Put(key, when_ms);
}

bool Keyspace::RemoveExpire(int db, std::string_view key) {
  if (!dbs_[db].expires.Contains(key)) return false;
  NotifyWrite(db, key);
  return dbs_[db].expires.Erase(key);
}

void Keyspace::Flush(int db) {
  // A snapshot in progress must see every key before it goes (it copies the
  // ones it has not written yet); otherwise a flush stays a table drop.
  if (observer_ != nullptr && observer_->WantsEveryKey()) {
    dbs_[db].keys.ForEach([&](const std::string& k, const Value&) { NotifyWrite(db, k); });
  }
  dbs_[db].keys.Clear();
  dbs_[db].expires.Clear();
}

void Keyspace::FlushAll() {
  for (int i = 0; i < kNumDbs; ++i) Flush(i);
}

void Keyspace::SwapDbs(int a, int b) {
  if (a == b) return;
  if (observer_ != nullptr && observer_->WantsEveryKey()) {
    for (int db : {a, b}) {
      dbs_[db].keys.ForEach([&](const std::string& k, const Value&) { NotifyWrite(db, k); });
    }
  }
  std::swap(dbs_[a], dbs_[b]);
}

const std::string* Keyspace::RandomKey(int db) {
  // Like dbRandomKey(): retry when the sampled key turned out to be expired.
  // Bounded so a database full of expired keys can't spin forever.
  for (int tries = 0; tries < 100; ++tries) {
    auto* node = dbs_[db].keys.RandomNode(rng_);
    if (node == nullptr) return nullptr;
    if (!IsExpired(db, node->key)) return &node->key;
    std::string key = node->key;
    ExpireIfNeeded(db, key);
  }
  auto* node = dbs_[db].keys.RandomNode(rng_);
  return node ? &node->key : nullptr;
}

int64_t Keyspace::ActiveExpireCycle(const Clock& clock, int64_t budget_us) {
  // activeExpireCycle(): for each db, sample up to 20 keys with a TTL; keep
  // going on the same db while more than 10% of the sample had expired.
  constexpr int kKeysPerLoop = 20;
  constexpr int kAcceptableStalePercent = 10;
  const int64_t start = clock.NowMicros();
  int64_t expired_total = 0;
  for (int n = 0; n < kNumDbs; ++n) {
    int db = active_expire_db_;
    active_expire_db_ = (active_expire_db_ + 1) % kNumDbs;
    Db& d = dbs_[db];
    while (!d.expires.empty()) {
      int sampled = 0, expired = 0;
      for (int i = 0; i < kKeysPerLoop && !d.expires.empty(); ++i) {
        auto* node = d.expires.RandomNode(rng_);
        ++sampled;
        if (node->value <= now_ms_) {
          std::string key = node->key;
          if (ExpireIfNeeded(db, key)) ++expired;
        }
      }
      expired_total += expired;
      if (clock.NowMicros() - start > budget_us) {
        ++stats_.expired_time_cap_reached_count;
        return expired_total;
      }
      if (sampled == 0 || expired * 100 <= sampled * kAcceptableStalePercent) break;
    }
  }
  return expired_total;
}

void Keyspace::DatabasesCron(const Clock& clock, bool active_rehashing, int64_t budget_us) {
  for (Db& d : dbs_) {
    if (d.keys.NeedsShrink()) d.keys.Shrink();
    if (d.expires.NeedsShrink()) d.expires.Shrink();
  }
  if (!active_rehashing) return;
  // One database per call gets the budget; the next call resumes there.
  for (int n = 0; n < kNumDbs; ++n) {
    Db& d = dbs_[rehash_db_];
    if (d.keys.rehashing()) return static_cast<void>(d.keys.RehashForMicros(clock, budget_us));
    if (d.expires.rehashing()) {
      return static_cast<void>(d.expires.RehashForMicros(clock, budget_us));
    }
    rehash_db_ = (rehash_db_ + 1) % kNumDbs;
  }
}

}  // namespace plab
