#include "tests/fuzz/fuzz_check.h"

#include <map>
#include <utility>

#include "core/server/rdb_persistence.h"  // RdbLoadOptionsFrom
#include "core/lab/keyspace_diff.h"
#include "core/persist/rdb_coding.h"
#include "core/persist/rdb_format.h"
#include "core/persist/rdb_loader.h"
#include "core/persist/rdb_writer.h"
#include "core/store/zset.h"
#include "core/util/numbers.h"

namespace plab::fuzz {
namespace {

std::string Where(int db, const std::string& key) {
  std::string k = key.size() > 40 ? key.substr(0, 40) + "..." : key;
  for (char& c : k) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return "db " + std::to_string(db) + " key '" + k + "'";
}

std::string ValueProblem(const Value& v, const Config& c) {
  if (!v.is(ValueType::kString) && v.Length() == 0) return "an empty collection";
  switch (v.type()) {
    case ValueType::kSet:
      if (!v.set().intset) return "";
      if (static_cast<int64_t>(v.set().members.size()) > c.set_max_intset_entries) {
        return "an intset longer than set-max-intset-entries";
      }
      {
        std::string bad;
        v.set().members.ForEach([&](const std::string& m, const auto&) {
          if (bad.empty() && !ParseInt64(m)) bad = "an intset holding a non-integer";
        });
        return bad;
      }
    case ValueType::kHash:
      if (v.hash().listpack() &&
          static_cast<int64_t>(v.hash().size()) > c.hash_max_listpack_entries) {
        return "a listpack hash longer than hash-max-listpack-entries";
      }
      return "";
    case ValueType::kZSet:
      if (!v.zset().CheckInvariants()) return "a sorted set failing CheckInvariants";
      if (v.zset().listpack() &&
          static_cast<int64_t>(v.zset().size()) > c.zset_max_listpack_entries) {
        return "a listpack zset longer than zset-max-listpack-entries";
      }
      return "";
    default:
      return "";
  }
}

using Encodings = std::map<std::pair<int, std::string>, std::string>;

Encodings EncodingsOf(const Keyspace& ks) {
  Encodings out;
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    ks.keys(db).ForEach([&](const std::string& key, const Value& v) {
      out[{db, key}] = std::string(v.EncodingName());
    });
  }
  return out;
}

}  // namespace

std::string KeyspaceProblem(const Keyspace& keyspace, const Config& config) {
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    std::string problem;
    size_t with_ttl = 0;
    keyspace.keys(db).ForEach([&](const std::string& key, const Value& v) {
      if (keyspace.GetExpire(db, key) != Keyspace::kNoExpire) ++with_ttl;
      if (!problem.empty()) return;
      std::string p = ValueProblem(v, config);
      if (!p.empty()) problem = Where(db, key) + " holds " + p;
    });
    if (!problem.empty()) return problem;
    if (with_ttl != keyspace.ExpiresSize(db)) {
      return "db " + std::to_string(db) + ": " + std::to_string(keyspace.ExpiresSize(db)) +
             " expires entries but " + std::to_string(with_ttl) + " keys with a TTL";
    }
  }
  return "";
}

std::string FingerprintDiff(const KeyspaceFingerprint& a, const KeyspaceFingerprint& b) {
  for (const auto& [id, f] : a) {
    auto it = b.find(id);
    if (it == b.end()) return Where(id.first, id.second) + " missing";
    if (it->second.type != f.type || it->second.digest != f.digest) {
      return Where(id.first, id.second) + " has another type or content";
    }
    if (it->second.expire_at_ms != f.expire_at_ms)
      return Where(id.first, id.second) + " has another TTL";
  }
  if (a.size() != b.size())
    return std::to_string(a.size()) + " keys vs " + std::to_string(b.size());
  return "";
}

bool SameKeyspace(const Keyspace& a, const Keyspace& b, std::string* why) {
  // Judge expiry at one instant for both, so a TTL alone never differs.
  const int64_t now = a.command_time();
  *why = FingerprintDiff(FingerprintKeyspace(a, now), FingerprintKeyspace(b, now));
  return why->empty();
}

std::string RoundTripProblem(const Keyspace& keyspace, const Config& config, bool same_encodings) {
  rdb::RdbWriteOptions options;
  options.list_max_listpack_size = config.list_max_listpack_size;
  Result<std::string> file = rdb::SerializeKeyspace(keyspace, options);
  if (!file.ok()) return "SerializeKeyspace failed: " + file.status().message();
  Keyspace again;
  again.SetCommandTime(keyspace.command_time());
  Result<RdbLoadResult> loaded = LoadRdb(*file, /*now_ms=*/0, RdbLoadOptionsFrom(config), &again);
  if (!loaded.ok())
    return "the RDB written from the keyspace fails to load: " + loaded.status().message();
  std::string why;
  if (!SameKeyspace(keyspace, again, &why)) return "after an RDB save and reload: " + why;
  if (same_encodings) {
    Encodings before = EncodingsOf(keyspace);
    Encodings after = EncodingsOf(again);
    for (const auto& [id, enc] : before) {
      if (after[id] != enc) {
        return "after an RDB save and reload " + Where(id.first, id.second) + " is " + after[id] +
               ", was " + enc;
      }
    }
  }
  return "";
}

std::string LoadedKeyspaceProblem(const Keyspace& keyspace, const Config& config,
                                  bool same_encodings) {
  std::string p = KeyspaceProblem(keyspace, config);
  if (!p.empty()) return p;
  return RoundTripProblem(keyspace, config, same_encodings);
}

// An RDB file (version 10) holding one key "k" in db 0 whose value is
// `type` followed by `value_bytes`; checksum 0 (not computed).
std::string OneKeyRdb(uint8_t type, std::string_view value_bytes) {
  std::string f;
  rdb::PutHeader(&f, 10);
  rdb::PutByte(&f, rdb::kOpSelectDb);
  rdb::PutLength(&f, 0);
  rdb::PutByte(&f, type);
  rdb::PutRawString(&f, "k");
  f.append(value_bytes);
  rdb::PutByte(&f, rdb::kOpEof);
  f.append(8, '\0');
  return f;
}

}  // namespace plab::fuzz
