#include "core/persist/rdb_writer.h"

#include <cmath>
#include <cstdio>
#include <vector>

#include "core/persist/crc64.h"
#include "core/persist/intset.h"
#include "core/persist/listpack.h"
#include "core/store/zset.h"
#include "core/util/numbers.h"

namespace plab::rdb {
namespace {

constexpr std::string_view kRedisVersion = "7.0.15";
constexpr int64_t kRedisBits = 64;

// quicklist.c: fill levels -1..-5 cap a node's listpack at 4..64 KiB; any
// other fill is a count limit still bounded by an 8 KiB safety limit.
constexpr size_t kNodeByteLimits[] = {4096, 8192, 16384, 32768, 65536};
constexpr size_t kNodeSafetyLimit = 8192;
// _quicklistNodeAllowInsert adds this to its estimate of an entry's size.
constexpr size_t kEntrySizeOverhead = 8;
// Elements this large get a PLAIN node of their own (packed_threshold).
constexpr size_t kPlainNodeThreshold = size_t{1} << 30;

// Whether a quicklist node whose listpack is `node_bytes` long with `count`
// elements may take one more element of `elem_size` bytes, like
// _quicklistNodeAllowInsert with the given fill.
bool NodeAllowsInsert(size_t node_bytes, size_t count, size_t elem_size, int64_t fill) {
  size_t new_size = node_bytes + elem_size + kEntrySizeOverhead;
  if (fill < 0) {
    size_t level = static_cast<size_t>(-(fill + 1));
    if (level < std::size(kNodeByteLimits) && new_size <= kNodeByteLimits[level]) return true;
  }
  if (new_size > kNodeSafetyLimit) return false;
  return fill >= 0 && count < static_cast<size_t>(fill);
}

// double2ll: integral scores within +-(2^63-1)/2 are stored as integers.
bool ScoreAsInteger(double score, int64_t* out) {
  constexpr double kLimit = static_cast<double>(INT64_MAX / 2);
  if (!(score >= -kLimit && score <= kLimit)) return false;
  auto ll = static_cast<int64_t>(score);
  if (static_cast<double>(ll) != score) return false;
  *out = ll;
  return true;
}

// d2string for the non-integral case (zzlInsertAt): "inf", "-inf" or %.17g.
std::string ScoreText(double score) {
  if (std::isinf(score)) return score < 0 ? "-inf" : "inf";
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", score);
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

RdbWriter::RdbWriter(std::string* sink, const RdbWriteOptions& options)
    : sink_(sink),
      options_(options),
      compression_(options.compression ? Compression::kLzf : Compression::kNone) {}

void RdbWriter::Checksum(size_t from) {
  if (!options_.checksum) return;
  crc_ = Crc64(crc_, std::string_view(*sink_).substr(from));
}

// rdbSaveAuxField: both name and value go through rdbSaveRawString, so
// numbers such as "64" take the integer string forms.
void RdbWriter::PutAux(std::string_view name, std::string_view value) {
  PutByte(sink_, kOpAux);
  PutString(sink_, name, compression_);
  PutString(sink_, value, compression_);
}

// rdbSaveInfoAuxFields (no replication info: plab has no replicas).
void RdbWriter::Begin() {
  size_t start = sink_->size();
  PutHeader(sink_, kVersionWritten);
  PutAux(kAuxRedisVer, kRedisVersion);
  PutAux(kAuxRedisBits, FormatInt64(kRedisBits));
  PutAux(kAuxCtime, FormatInt64(options_.ctime_s));
  PutAux(kAuxUsedMem, FormatInt64(options_.used_mem));
  PutAux(kAuxAofBase, options_.aof_base ? "1" : "0");
  Checksum(start);
}

void RdbWriter::BeginDb(int db, uint64_t size, uint64_t expires) {
  size_t start = sink_->size();
  PutByte(sink_, kOpSelectDb);
  PutLength(sink_, static_cast<uint64_t>(db));
  PutByte(sink_, kOpResizeDb);
  PutLength(sink_, size);
  PutLength(sink_, expires);
  Checksum(start);
}

Status RdbWriter::WriteKey(std::string_view key, const Value& value, int64_t expire_ms) {
  size_t start = sink_->size();
  PLAB_RETURN_IF_ERROR(EncodeKey(key, value, expire_ms, sink_));
  Checksum(start);
  return Status::Ok();
}

Status RdbWriter::EncodeKey(std::string_view key, const Value& value, int64_t expire_ms,
                            std::string* out) const {
  // The value is encoded aside first so a failure leaves `out` untouched.
  std::string encoded;
  PLAB_RETURN_IF_ERROR(EncodeValue(value, &encoded));
  if (expire_ms != Keyspace::kNoExpire) {
    PutByte(out, kOpExpireTimeMs);
    PutMillisecondTime(out, expire_ms);
  }
  out->push_back(encoded[0]);  // the type byte comes before the key
  PutString(out, key, compression_);
  out->append(encoded, 1);
  return Status::Ok();
}

void RdbWriter::AppendEncoded(std::string_view records) {
  size_t start = sink_->size();
  sink_->append(records);
  Checksum(start);
}

void RdbWriter::Finish() {
  size_t start = sink_->size();
  PutByte(sink_, kOpEof);
  Checksum(start);
  uint64_t crc = options_.checksum ? crc_ : 0;
  for (int i = 0; i < 8; ++i) sink_->push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
}

Status RdbWriter::EncodeValue(const Value& value, std::string* out) const {
  switch (value.type()) {
    case ValueType::kString:
      PutByte(out, kTypeString);
      PutString(out, value.str(), compression_);
      return Status::Ok();
    case ValueType::kList:
      PutByte(out, kTypeListQuicklist2);
      return EncodeList(value.list(), out);
    case ValueType::kHash:
      PutByte(out, value.hash().listpack() ? kTypeHashListpack : kTypeHash);
      return EncodeHash(value.hash(), out);
    case ValueType::kSet:
      PutByte(out, value.set().intset ? kTypeSetIntset : kTypeSet);
      EncodeSet(value.set(), out);
      return Status::Ok();
    case ValueType::kZSet:
      PutByte(out, value.zset().listpack() ? kTypeZsetListpack : kTypeZset2);
      return EncodeZSet(value.zset(), out);
  }
  return Status::InvalidArgument("unknown value type");
}

// The nodes a quicklist built by pushing every element at the tail would
// have (quicklistPushTail), each written as its container kind and its
// listpack (or, for a PLAIN node, the element) through rdbSaveRawString.
// Redis's real node boundaries depend on the list's history (LPUSH, LINSERT,
// deletions, merges); any split loads back as the same list.
Status RdbWriter::EncodeList(const ListValue& list, std::string* out) const {
  std::vector<std::string> nodes;  // encoded container + payload per node
  ListpackBuilder node;
  auto flush = [&]() -> Status {
    if (node.count() == 0) return Status::Ok();
    Result<std::string> lp = node.Finish();
    if (!lp.ok()) return lp.status();
    std::string& n = nodes.emplace_back();
    PutLength(&n, kQuicklistNodePacked);
    PutString(&n, *lp, compression_);
    return Status::Ok();
  };
  for (const std::string& item : list.items) {
    if (item.size() >= kPlainNodeThreshold) {
      PLAB_RETURN_IF_ERROR(flush());
      std::string& n = nodes.emplace_back();
      PutLength(&n, kQuicklistNodePlain);
      PutString(&n, item, compression_);
      continue;
    }
    if (node.count() > 0 && !NodeAllowsInsert(node.bytes(), node.count(), item.size(),
                                              options_.list_max_listpack_size)) {
      PLAB_RETURN_IF_ERROR(flush());
    }
    node.Append(item);
  }
  PLAB_RETURN_IF_ERROR(flush());
  PutLength(out, nodes.size());
  for (const std::string& n : nodes) out->append(n);
  return Status::Ok();
}

Status RdbWriter::EncodeHash(const HashValue& hash, std::string* out) const {
  if (hash.listpack()) {
    ListpackBuilder lp;
    for (const HashValue::Entry& e : hash.entries()) {
      lp.Append(e.field);
      lp.Append(e.value);
    }
    Result<std::string> blob = lp.Finish();
    if (!blob.ok()) return blob.status();
    PutString(out, *blob, compression_);
    return Status::Ok();
  }
  PutLength(out, hash.size());
  hash.ForEach([&](const std::string& field, const std::string& value) {
    PutString(out, field, compression_);
    PutString(out, value, compression_);
  });
  return Status::Ok();
}

void RdbWriter::EncodeSet(const SetValue& set, std::string* out) const {
  if (set.intset) {
    std::vector<int64_t> values;
    values.reserve(set.members.size());
    // Intset members are canonical integers by construction (SADD only
    // keeps the intset encoding for values string2ll accepts).
    set.members.ForEach(
        [&](const std::string& m, const NoValue&) { values.push_back(*ParseInt64(m)); });
    PutString(out, EncodeIntset(std::move(values)), compression_);
    return;
  }
  PutLength(out, set.members.size());
  set.members.ForEach(
      [&](const std::string& m, const NoValue&) { PutString(out, m, compression_); });
}

Status RdbWriter::EncodeZSet(const ZSetValue& zset, std::string* out) const {
  if (zset.listpack()) {
    // Like zzlInsertAt: member, then the score as an integer entry when
    // double2ll accepts it, else as its d2string text.
    ListpackBuilder lp;
    for (const ZSetValue::Node* n = zset.First(); n != nullptr; n = n->next()) {
      lp.Append(n->member());
      int64_t as_int = 0;
      if (ScoreAsInteger(n->score(), &as_int)) {
        lp.AppendInt(as_int);
      } else {
        lp.Append(ScoreText(n->score()));
      }
    }
    Result<std::string> blob = lp.Finish();
    if (!blob.ok()) return blob.status();
    PutString(out, *blob, compression_);
    return Status::Ok();
  }
  PutLength(out, zset.size());
  for (const ZSetValue::Node* n = zset.Last(); n != nullptr; n = n->prev()) {
    PutString(out, n->member(), compression_);
    PutDoubleBinary(out, n->score());
  }
  return Status::Ok();
}

Result<std::string> SerializeKeyspace(const Keyspace& keyspace, const RdbWriteOptions& options) {
  std::string out;
  RdbWriter writer(&out, options);
  writer.Begin();
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    if (keyspace.Size(db) == 0) continue;
    writer.BeginDb(db, keyspace.Size(db), keyspace.ExpiresSize(db));
    Status status;
    keyspace.keys(db).ForEach([&](const std::string& key, const Value& value) {
      if (status.ok()) status = writer.WriteKey(key, value, keyspace.GetExpire(db, key));
    });
    if (!status.ok()) return status;
  }
  writer.Finish();
  return out;
}

}  // namespace plab::rdb
