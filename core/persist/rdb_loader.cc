#include "core/persist/rdb_loader.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/persist/crc64.h"
#include "core/persist/intset.h"
#include "core/persist/listpack.h"
#include "core/persist/rdb_coding.h"
#include "core/persist/rdb_format.h"
#include "core/persist/ziplist.h"
#include "core/persist/zipmap.h"
#include "core/store/value.h"
#include "core/store/zset.h"
#include "core/util/numbers.h"

// Declares `lhs` from a Result-returning expression, or returns its status.
#define PLAB_LOAD_OR_RETURN(lhs, expr)                  \
  auto lhs##_result = (expr);                           \
  if (!lhs##_result.ok()) return lhs##_result.status(); \
  auto lhs = std::move(*lhs##_result)

namespace plab {
namespace {

// The element's text, moved out of the entry when it is a string.
std::string TakeText(ListpackEntry& e) { return e.is_int ? e.ToString() : std::move(e.str); }

using rdb::ByteReader;

// A loaded value, or nothing for an empty collection (rdbLoadObject's
// "emptykey": Redis 7.0 skips such keys with a warning instead of failing).
using MaybeValue = std::optional<Value>;

Status Corrupt(uint64_t at, std::string_view what) { return ByteReader::Corrupt(at, what); }

Status NotSupported(uint64_t at, std::string_view what) {
  return Status::NotSupported("offset " + std::to_string(at) + ": " + std::string(what));
}

// A nested blob failed its deep integrity check (like "Hash listpack
// integrity check failed." in rdbLoadObject); `at` is where its string starts.
Status BadBlob(uint64_t at, std::string_view what, const Status& s) {
  return Corrupt(at, std::string(what) + " integrity check failed: " + s.message());
}

// Thresholds as Redis 7.0 applies them (negative config values act as 0;
// set-max-intset-entries is capped at 2^30 like rdbLoadObject does).
size_t Limit(int64_t v) { return v < 0 ? 0 : static_cast<size_t>(v); }
size_t MaxIntset(const RdbLoadOptions& c) {
  return c.set_max_intset_entries >= (int64_t{1} << 30) ? size_t{1} << 30
                                                        : Limit(c.set_max_intset_entries);
}

// isSdsRepresentableAsLongLong: what an intset can hold.
bool IsIntsetMember(std::string_view s) { return ParseInt64(s).has_value(); }

// A listpack/ziplist score element: integers, or text strtod can read fully.
std::optional<double> EntryScore(const ListpackEntry& e) {
  if (e.is_int) return static_cast<double>(e.num);
  std::optional<double> d = ParseDouble(e.str);
  if (!d.has_value() || std::isnan(*d)) return std::nullopt;
  return d;
}

class Loader {
 public:
  Loader(std::string_view bytes, int64_t now_ms, const RdbLoadOptions& config, Keyspace* out,
         RdbLoadObserver* observer)
      : bytes_(bytes),
        r_(bytes),
        now_ms_(now_ms),
        config_(config),
        out_(out),
        observer_(observer) {}

  Result<RdbLoadResult> Run() {
    Status s = LoadFile();
    if (!s.ok()) return DescribeEnd(s);
    result_.bytes_read = r_.offset();  // just past EOF (+ checksum when present)
    return std::move(result_);
  }

 private:
  Status LoadFile();
  Status LoadOpcode(uint8_t op, uint64_t at, bool* done);
  Status LoadKey(uint8_t type, uint64_t at);
  Status CheckTrailer(uint64_t eof_at);
  Result<MaybeValue> LoadObject(uint8_t type, uint64_t at);
  Result<MaybeValue> LoadPlainList();
  Result<MaybeValue> LoadPlainSet();
  Result<MaybeValue> LoadPlainZset(bool binary_scores);
  Result<MaybeValue> LoadPlainHash();
  Result<MaybeValue> LoadQuicklist(bool v2);
  Result<MaybeValue> LoadBlob(uint8_t type);
  Result<MaybeValue> ListFrom(std::vector<ListpackEntry> entries);
  Result<MaybeValue> SetFrom(std::vector<std::string> members, uint64_t at);
  Result<MaybeValue> ZsetFromPairs(const std::vector<ListpackEntry>& entries, uint64_t at);
  Result<MaybeValue> HashFromPairs(std::vector<std::pair<std::string, std::string>> pairs,
                                   bool check_value_length, uint64_t at);
  Status DescribeEnd(const Status& s) const;
  // Tells the observer, if any, about a key hint opcode that just parsed.
  void NoteKeyHint(uint8_t op, uint64_t at, int64_t v) {
    if (observer_ != nullptr) observer_->OnKeyHint(op, at, r_.offset(), v);
  }

  std::string_view bytes_;
  ByteReader r_;
  int64_t now_ms_;
  const RdbLoadOptions& config_;
  Keyspace* out_;
  RdbLoadObserver* observer_;  // null unless a tool watches the load
  RdbLoadResult result_;
  int version_ = 0;
  int db_ = 0;
  int64_t expire_ms_ = Keyspace::kNoExpire;  // applies to the next key only
};

// Truncation shows up as a Take()/length failure; name the end of the file
// too, so "unexpected end of file" is greppable in logs and tests.
Status Loader::DescribeEnd(const Status& s) const {
  const std::string& m = s.message();
  const bool truncated = m.find(": truncated ") != std::string::npos ||
                         m.find("exceeds the remaining") != std::string::npos;
  size_t colon = m.find(": ");
  if (!truncated || s.code() != Status::Code::kCorruption || colon == std::string::npos) {
    return s;
  }
  return Status::Corruption(m.substr(0, colon) + ": unexpected end of file at offset " +
                            std::to_string(bytes_.size()) + " (" + m.substr(colon + 2) + ")");
}

Status Loader::LoadFile() {
  PLAB_LOAD_OR_RETURN(version, r_.GetHeader());
  version_ = version;
  result_.version = version;
  if (observer_ != nullptr) observer_->OnHeader(version);
  bool done = false;
  while (!done) {
    const uint64_t at = r_.offset();
    PLAB_LOAD_OR_RETURN(type, r_.GetByte());
    if (type >= rdb::kOpSlotInfo) {
      PLAB_RETURN_IF_ERROR(LoadOpcode(type, at, &done));
    } else {
      PLAB_RETURN_IF_ERROR(LoadKey(type, at));
      expire_ms_ = Keyspace::kNoExpire;
    }
  }
  return Status::Ok();
}

// The opcodes of rdbLoadRio's main loop. Expire, idle and freq opcodes
// describe the key that follows.
Status Loader::LoadOpcode(uint8_t op, uint64_t at, bool* done) {
  switch (op) {
    case rdb::kOpExpireTime: {
      PLAB_LOAD_OR_RETURN(seconds, r_.GetSecondTime());
      expire_ms_ = int64_t{seconds} * 1000;
      NoteKeyHint(op, at, seconds);
      return Status::Ok();
    }
    case rdb::kOpExpireTimeMs: {
      PLAB_LOAD_OR_RETURN(ms, r_.GetMillisecondTime(version_));
      expire_ms_ = ms;
      NoteKeyHint(op, at, ms);
      return Status::Ok();
    }
    case rdb::kOpIdle: {
      PLAB_LOAD_OR_RETURN(idle, r_.GetLength());  // LRU hint: PersistLab has no LRU clock
      NoteKeyHint(op, at, static_cast<int64_t>(idle));
      return Status::Ok();
    }
    case rdb::kOpFreq: {
      PLAB_LOAD_OR_RETURN(freq, r_.GetByte());  // LFU hint, likewise ignored
      NoteKeyHint(op, at, freq);
      return Status::Ok();
    }
    case rdb::kOpSelectDb: {
      PLAB_LOAD_OR_RETURN(db, r_.GetLength());
      if (db >= static_cast<uint64_t>(Keyspace::kNumDbs)) {
        return Corrupt(at, "SELECTDB " + std::to_string(db) + " but only " +
                               std::to_string(Keyspace::kNumDbs) + " databases exist");
      }
      db_ = static_cast<int>(db);
      if (observer_ != nullptr) observer_->OnSelectDb(at, r_.offset(), db);
      return Status::Ok();
    }
    case rdb::kOpResizeDb: {
      // A hint: size the key table once instead of doubling it all the way
      // up (Redis's dictExpand). Hostile hints are capped by what the rest
      // of the file could hold (every key takes at least 3 bytes).
      PLAB_LOAD_OR_RETURN(keys, r_.GetLength());
      PLAB_LOAD_OR_RETURN(expires, r_.GetLength());
      out_->ReserveKeys(db_, static_cast<size_t>(std::min<uint64_t>(keys, r_.remaining() / 3)));
      if (observer_ != nullptr) observer_->OnResizeDb(at, r_.offset(), keys, expires);
      return Status::Ok();
    }
    case rdb::kOpAux: {
      PLAB_LOAD_OR_RETURN(key, r_.GetString());
      PLAB_LOAD_OR_RETURN(value, r_.GetString());
      if (observer_ != nullptr) observer_->OnAux(at, r_.offset(), key, value);
      result_.aux.emplace_back(std::move(key), std::move(value));
      return Status::Ok();
    }
    case rdb::kOpModuleAux:
      return NotSupported(at, "module AUX data is not supported");
    case rdb::kOpFunction2:
    case rdb::kOpFunctionPreGa:
      return NotSupported(at, "function libraries are not supported");
    case rdb::kOpEof:
      *done = true;
      if (observer_ != nullptr) observer_->OnEof(at);
      return CheckTrailer(at);
    default:
      return Corrupt(at, "unknown type " + std::to_string(op));
  }
}

// After EOF: the CRC-64 of everything up to and including the EOF byte
// (version >= 5). Zero means the writer had rdbchecksum off; Redis accepts
// that. Bytes after the checksum are ignored, as Redis never reads them.
Status Loader::CheckTrailer(uint64_t eof_at) {
  if (version_ < rdb::kFirstVersionWithChecksum) return Status::Ok();
  const uint64_t at = r_.offset();
  PLAB_LOAD_OR_RETURN(raw, r_.GetBytes(rdb::kChecksumSize));
  uint64_t stored = 0;
  for (size_t i = 0; i < rdb::kChecksumSize; ++i) {
    stored |= uint64_t{static_cast<uint8_t>(raw[i])} << (8 * i);
  }
  const uint64_t computed = stored == 0 ? 0 : Crc64(0, bytes_.substr(0, eof_at + 1));
  if (observer_ != nullptr) observer_->OnChecksum(at, stored, computed);
  if (stored != computed) {
    char buf[80];
    std::snprintf(buf, sizeof(buf), "wrong RDB checksum: file has %016llx, computed %016llx",
                  static_cast<unsigned long long>(stored),
                  static_cast<unsigned long long>(computed));
    return Corrupt(at, buf);
  }
  return Status::Ok();
}

Status Loader::LoadKey(uint8_t type, uint64_t at) {
  if (!rdb::IsObjectType(type)) return Corrupt(at, "unknown type " + std::to_string(type));
  PLAB_LOAD_OR_RETURN(key, r_.GetString());
  const uint64_t value_at = r_.offset();
  if (observer_ != nullptr) observer_->OnKey(type, at, value_at, key);
  PLAB_LOAD_OR_RETURN(value, LoadObject(type, at));
  if (observer_ != nullptr) {
    observer_->OnValue(type, value_at, r_.offset(), value.has_value() ? &*value : nullptr);
  }
  if (!value.has_value()) {
    ++result_.empty_keys_skipped;
    return Status::Ok();
  }
  // Like a master in rdbLoadRio: keys already expired are not loaded.
  if (expire_ms_ != Keyspace::kNoExpire && expire_ms_ < now_ms_) {
    ++result_.keys_expired;
    return Status::Ok();
  }
  // One hash lookup both refuses a duplicate and inserts.
  if (out_->AddIfAbsent(db_, key, std::move(*value)) == nullptr) {
    return Corrupt(at, "duplicate key in database " + std::to_string(db_));
  }
  if (expire_ms_ != Keyspace::kNoExpire) out_->SetExpire(db_, key, expire_ms_);
  ++result_.keys_loaded;
  ++result_.keys_per_db[db_];
  return Status::Ok();
}

Result<MaybeValue> Loader::LoadObject(uint8_t type, uint64_t at) {
  switch (type) {
    case rdb::kTypeString: {
      PLAB_LOAD_OR_RETURN(s, r_.GetString());
      return MaybeValue(Value::String(std::move(s)));  // tryObjectEncoding
    }
    case rdb::kTypeList:
      return LoadPlainList();
    case rdb::kTypeSet:
      return LoadPlainSet();
    case rdb::kTypeZset:
    case rdb::kTypeZset2:
      return LoadPlainZset(type == rdb::kTypeZset2);
    case rdb::kTypeHash:
      return LoadPlainHash();
    case rdb::kTypeListQuicklist:
    case rdb::kTypeListQuicklist2:
      return LoadQuicklist(type == rdb::kTypeListQuicklist2);
    case rdb::kTypeModulePreGa:
    case rdb::kTypeModule2:
    case rdb::kTypeStreamListpacks:
    case rdb::kTypeStreamListpacks2:
    case rdb::kTypeStreamListpacks3:
      return NotSupported(at, "unsupported type " + std::to_string(type) + " (" +
                                  std::string(rdb::TypeName(type)) + ")");
    default:
      return LoadBlob(type);
  }
}

Result<MaybeValue> Loader::LoadPlainList() {
  PLAB_LOAD_OR_RETURN(len, r_.GetLength());
  if (len == 0) return MaybeValue();
  Value v = Value::List();
  // No reserve: a hostile count fails at the end of the input instead.
  for (uint64_t i = 0; i < len; ++i) {
    PLAB_LOAD_OR_RETURN(item, r_.GetString());
    v.list().items.push_back(std::move(item));
  }
  return MaybeValue(std::move(v));
}

// A plain set is intset in Redis 7.0 when it has at most
// set-max-intset-entries members, all integers; otherwise hashtable.
Result<MaybeValue> Loader::LoadPlainSet() {
  PLAB_LOAD_OR_RETURN(len, r_.GetLength());
  if (len == 0) return MaybeValue();
  Value v = Value::Set();
  SetValue& s = v.set();
  s.intset = len <= MaxIntset(config_);
  for (uint64_t i = 0; i < len; ++i) {
    const uint64_t at = r_.offset();
    PLAB_LOAD_OR_RETURN(member, r_.GetString());
    if (s.intset && !IsIntsetMember(member)) s.intset = false;
    if (!s.members.TryEmplace(member).second) return Corrupt(at, "duplicate set member");
  }
  return MaybeValue(std::move(v));
}

// Redis 7.0 loads plain zsets as skiplists and converts to listpack when
// both the length and the longest member fit the zset-max-listpack-* limits.
Result<MaybeValue> Loader::LoadPlainZset(bool binary_scores) {
  PLAB_LOAD_OR_RETURN(len, r_.GetLength());
  if (len == 0) return MaybeValue();
  Value v = Value::ZSet();
  ZSetValue& z = v.zset();
  size_t max_len = 0;
  for (uint64_t i = 0; i < len; ++i) {
    const uint64_t at = r_.offset();
    PLAB_LOAD_OR_RETURN(member, r_.GetString());
    const uint64_t score_at = r_.offset();
    PLAB_LOAD_OR_RETURN(score, binary_scores ? r_.GetDoubleBinary() : r_.GetDoubleString());
    if (std::isnan(score)) return Corrupt(score_at, "zset score is NaN");
    if (z.Contains(member)) return Corrupt(at, "duplicate zset member");
    max_len = std::max(max_len, member.size());
    z.Insert(member, score);
  }
  z.set_listpack(z.size() <= Limit(config_.zset_max_listpack_entries) &&
                 max_len <= Limit(config_.zset_max_listpack_value));
  return MaybeValue(std::move(v));
}

Result<MaybeValue> Loader::LoadPlainHash() {
  PLAB_LOAD_OR_RETURN(len, r_.GetLength());
  if (len == 0) return MaybeValue();
  std::vector<std::pair<std::string, std::string>> pairs;
  const uint64_t at = r_.offset();
  for (uint64_t i = 0; i < len; ++i) {
    PLAB_LOAD_OR_RETURN(field, r_.GetString());
    PLAB_LOAD_OR_RETURN(value, r_.GetString());
    pairs.emplace_back(std::move(field), std::move(value));
  }
  return HashFromPairs(std::move(pairs), /*check_value_length=*/true, at);
}

// Builds a hash with Redis 7.0's encoding choice: hashtable when it has
// more than hash-max-listpack-entries fields, or (for plain and zipmap
// hashes, which rdbLoadObject re-inserts field by field) when a field or
// value is longer than hash-max-listpack-value. Listpack and ziplist blobs
// are kept as they are apart from the entry count.
Result<MaybeValue> Loader::HashFromPairs(std::vector<std::pair<std::string, std::string>> pairs,
                                         bool check_value_length, uint64_t at) {
  if (pairs.empty()) return MaybeValue();
  bool listpack = pairs.size() <= Limit(config_.hash_max_listpack_entries);
  const size_t max_value = Limit(config_.hash_max_listpack_value);
  for (const auto& [f, val] : pairs) {
    if (check_value_length && (f.size() > max_value || val.size() > max_value)) listpack = false;
  }
  Value v = Value::Hash();
  HashValue& h = v.hash();
  if (!listpack) h.ConvertToHashtable();  // avoids quadratic listpack inserts
  h.Reserve(pairs.size());
  for (auto& [f, val] : pairs) {
    if (!h.Set(std::move(f), std::move(val))) return Corrupt(at, "duplicate hash field");
  }
  return MaybeValue(std::move(v));
}

Result<MaybeValue> Loader::SetFrom(std::vector<std::string> members, uint64_t at) {
  if (members.empty()) return MaybeValue();
  Value v = Value::Set();
  SetValue& s = v.set();
  s.intset = members.size() <= MaxIntset(config_);
  s.members.Reserve(members.size());
  for (std::string& m : members) {
    if (s.intset && !IsIntsetMember(m)) s.intset = false;
    if (!s.members.TryEmplace(std::move(m)).second) return Corrupt(at, "duplicate set member");
  }
  return MaybeValue(std::move(v));
}

// Member/score pairs of a zset ziplist or listpack. Redis keeps the blob's
// encoding unless it holds more than zset-max-listpack-entries members.
Result<MaybeValue> Loader::ZsetFromPairs(const std::vector<ListpackEntry>& entries, uint64_t at) {
  if (entries.size() % 2 != 0) return Corrupt(at, "zset blob has an odd number of elements");
  if (entries.empty()) return MaybeValue();
  Value v = Value::ZSet();
  ZSetValue& z = v.zset();
  z.Reserve(entries.size() / 2);
  for (size_t i = 0; i < entries.size(); i += 2) {
    std::string member = entries[i].ToString();
    std::optional<double> score = EntryScore(entries[i + 1]);
    if (!score.has_value()) return Corrupt(at, "zset blob has an invalid or NaN score");
    if (z.Contains(member)) return Corrupt(at, "duplicate zset member");
    z.Insert(member, *score);
  }
  z.set_listpack(z.size() <= Limit(config_.zset_max_listpack_entries));
  return MaybeValue(std::move(v));
}

Result<MaybeValue> Loader::ListFrom(std::vector<ListpackEntry> entries) {
  if (entries.empty()) return MaybeValue();
  Value v = Value::List();
  for (ListpackEntry& e : entries) v.list().items.push_back(TakeText(e));
  return MaybeValue(std::move(v));
}

// Quicklists: a count of nodes, each a ziplist (v1) or a container kind
// plus a listpack or a single PLAIN element (v2). Empty nodes are skipped
// like rdbLoadObject does; a list left with no elements is an empty key.
Result<MaybeValue> Loader::LoadQuicklist(bool v2) {
  PLAB_LOAD_OR_RETURN(nodes, r_.GetLength());
  if (nodes == 0) return MaybeValue();
  Value v = Value::List();
  for (uint64_t i = 0; i < nodes; ++i) {
    uint64_t container = rdb::kQuicklistNodePacked;
    const uint64_t at = r_.offset();
    if (v2) {
      PLAB_LOAD_OR_RETURN(c, r_.GetLength());
      container = c;
      if (c != rdb::kQuicklistNodePacked && c != rdb::kQuicklistNodePlain) {
        return Corrupt(at, "unknown quicklist container " + std::to_string(c));
      }
    }
    const uint64_t blob_at = r_.offset();
    std::string scratch;
    PLAB_LOAD_OR_RETURN(blob, r_.GetStringView(&scratch));
    if (blob.empty()) return Corrupt(blob_at, "empty quicklist node");
    if (container == rdb::kQuicklistNodePlain) {
      v.list().items.emplace_back(blob);
      if (observer_ != nullptr) observer_->OnQuicklistNode(at, blob_at, r_.offset(), container, 1);
      continue;
    }
    auto entries = v2 ? DecodeListpack(blob) : DecodeZiplist(blob);
    if (!entries.ok()) return BadBlob(blob_at, "quicklist node", entries.status());
    if (observer_ != nullptr) {
      observer_->OnQuicklistNode(at, blob_at, r_.offset(), container, entries->size());
    }
    for (ListpackEntry& e : *entries) v.list().items.push_back(TakeText(e));
  }
  if (v.list().items.empty()) return MaybeValue();
  return MaybeValue(std::move(v));
}

std::vector<std::pair<std::string, std::string>> Pairs(std::vector<ListpackEntry>& e) {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(e.size() / 2);
  for (size_t i = 0; i + 1 < e.size(); i += 2) {
    pairs.emplace_back(TakeText(e[i]), TakeText(e[i + 1]));
  }
  return pairs;
}

// Types whose value is one string holding a zipmap, ziplist, intset or
// listpack, validated deeply before use.
Result<MaybeValue> Loader::LoadBlob(uint8_t type) {
  const uint64_t at = r_.offset();
  std::string scratch;  // holds the blob only when it was LZF-compressed
  PLAB_LOAD_OR_RETURN(blob, r_.GetStringView(&scratch));
  const std::string_view name = rdb::TypeName(type);
  switch (type) {
    case rdb::kTypeHashZipmap: {
      auto pairs = DecodeZipmap(blob);
      if (!pairs.ok()) return BadBlob(at, name, pairs.status());
      return HashFromPairs(std::move(*pairs), /*check_value_length=*/true, at);
    }
    case rdb::kTypeSetIntset: {
      auto ints = DecodeIntset(blob);
      if (!ints.ok()) return BadBlob(at, name, ints.status());
      std::vector<std::string> members;
      members.reserve(ints->size());
      for (int64_t n : *ints) members.push_back(std::to_string(n));
      return SetFrom(std::move(members), at);
    }
    default:
      break;
  }
  const bool ziplist = type == rdb::kTypeListZiplist || type == rdb::kTypeZsetZiplist ||
                       type == rdb::kTypeHashZiplist;
  auto entries = ziplist ? DecodeZiplist(blob) : DecodeListpack(blob);
  if (!entries.ok()) return BadBlob(at, name, entries.status());
  switch (type) {
    case rdb::kTypeListZiplist:
      return ListFrom(std::move(*entries));
    case rdb::kTypeZsetZiplist:
    case rdb::kTypeZsetListpack:
      return ZsetFromPairs(*entries, at);
    case rdb::kTypeHashZiplist:
    case rdb::kTypeHashListpack:
      if (entries->size() % 2 != 0) return Corrupt(at, "hash blob has an odd number of elements");
      return HashFromPairs(Pairs(*entries), /*check_value_length=*/false, at);
    case rdb::kTypeSetListpack: {
      // Redis 7.2's listpack sets; 7.0 has no such encoding, so they get
      // the encoding a 7.0 SADD sequence would give (intset or hashtable).
      std::vector<std::string> members;
      members.reserve(entries->size());
      for (ListpackEntry& e : *entries) members.push_back(TakeText(e));
      return SetFrom(std::move(members), at);
    }
    default:
      return Corrupt(at, "unknown type " + std::to_string(type));
  }
}

}  // namespace

Result<RdbLoadResult> LoadRdb(std::string_view bytes, int64_t now_ms, const RdbLoadOptions& config,
                              Keyspace* out, RdbLoadObserver* observer) {
  return Loader(bytes, now_ms, config, out, observer).Run();
}

}  // namespace plab

#undef PLAB_LOAD_OR_RETURN
