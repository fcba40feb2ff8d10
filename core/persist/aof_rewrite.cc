#include "core/persist/aof_rewrite.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/persist/aof_reader.h"
#include "core/store/zset.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

// rioWriteBulkCount: "<prefix><n>\r\n".
void AppendCount(char prefix, size_t n, std::string* out) {
  out->push_back(prefix);
  AppendInt64(out, static_cast<int64_t>(n));
  out->append("\r\n");
}

// rioWriteBulkString: "$<len>\r\n<bytes>\r\n".
void AppendBulk(std::string_view s, std::string* out) {
  AppendCount('$', s.size(), out);
  out->append(s);
  out->append("\r\n");
}

// The batching every rewrite*Object function shares: a command header
// (name, key) before each run of up to 64 elements, its array length
// counting exactly the elements that run carries. `args_per_item` is 1 for
// RPUSH/SADD, 2 for ZADD and HMSET.
class BatchedCommand {
 public:
  BatchedCommand(std::string_view name, std::string_view key, size_t items, size_t args_per_item,
                 std::string* out)
      : name_(name), key_(key), remaining_(items), args_per_item_(args_per_item), out_(out) {}

  // Call before each element's arguments are appended.
  void NextItem() {
    if (in_batch_ == 0) {
      const size_t batch = std::min(remaining_, kAofRewriteItemsPerCommand);
      AppendCount('*', 2 + batch * args_per_item_, out_);
      AppendBulk(name_, out_);
      AppendBulk(key_, out_);
    }
    if (++in_batch_ == kAofRewriteItemsPerCommand) in_batch_ = 0;
    --remaining_;
  }

 private:
  std::string_view name_;
  std::string_view key_;
  size_t remaining_;
  size_t args_per_item_;
  size_t in_batch_ = 0;
  std::string* out_;
};

void AppendList(std::string_view key, const ListValue& list, std::string* out) {
  BatchedCommand cmd("RPUSH", key, list.items.size(), 1, out);
  for (const std::string& item : list.items) {
    cmd.NextItem();
    AppendBulk(item, out);
  }
}

void AppendSet(std::string_view key, const SetValue& set, std::string* out) {
  BatchedCommand cmd("SADD", key, set.members.size(), 1, out);
  if (!set.intset) {
    set.members.ForEach([&](const std::string& m, const NoValue&) {
      cmd.NextItem();
      AppendBulk(m, out);
    });
    return;
  }
  // An intset is a sorted array; rewriteSetObject walks it from the start.
  // Its members are canonical integers (SADD keeps the intset encoding only
  // for values string2ll accepts), so printing the parsed value gives back
  // the member's own text.
  std::vector<int64_t> values;
  values.reserve(set.members.size());
  set.members.ForEach(
      [&](const std::string& m, const NoValue&) { values.push_back(ParseInt64(m).value_or(0)); });
  std::sort(values.begin(), values.end());
  for (int64_t v : values) {
    cmd.NextItem();
    AppendBulk(FormatInt64(v), out);
  }
}

void AppendZSet(std::string_view key, const ZSetValue& zset, std::string* out) {
  BatchedCommand cmd("ZADD", key, zset.size(), 2, out);
  for (const ZSetValue::Node* n = zset.First(); n != nullptr; n = n->next()) {
    cmd.NextItem();
    AppendBulk(FormatAofRewriteScore(n->score(), zset.listpack()), out);
    AppendBulk(n->member(), out);
  }
}

void AppendHash(std::string_view key, const HashValue& hash, std::string* out) {
  BatchedCommand cmd("HMSET", key, hash.size(), 2, out);
  hash.ForEach([&](const std::string& field, const std::string& value) {
    cmd.NextItem();
    AppendBulk(field, out);
    AppendBulk(value, out);
  });
}

}  // namespace

void AppendAofRewriteHeader(const AofRewriteOptions& options, std::string* out) {
  // genAofTimestampAnnotationIfNeeded(1) at the top of rewriteAppendOnlyFileRio.
  if (options.timestamp_enabled) out->append(EncodeAofAnnotation(options.timestamp_s));
}

void AppendAofSelect(int db, std::string* out) {
  AppendCount('*', 2, out);
  AppendBulk("SELECT", out);
  AppendBulk(FormatInt64(db), out);
}

void AppendAofRewriteKey(std::string_view key, const Value& value, int64_t expire_ms,
                         std::string* out) {
  switch (value.type()) {
    case ValueType::kString:
      AppendCount('*', 3, out);
      AppendBulk("SET", out);
      AppendBulk(key, out);
      AppendBulk(value.str(), out);
      break;
    case ValueType::kList:
      AppendList(key, value.list(), out);
      break;
    case ValueType::kSet:
      AppendSet(key, value.set(), out);
      break;
    case ValueType::kZSet:
      AppendZSet(key, value.zset(), out);
      break;
    case ValueType::kHash:
      AppendHash(key, value.hash(), out);
      break;
  }
  // The TTL comes after the value, as an absolute deadline: replaying the
  // file later must not extend it.
  if (expire_ms != Keyspace::kNoExpire) {
    AppendCount('*', 3, out);
    AppendBulk("PEXPIREAT", out);
    AppendBulk(key, out);
    AppendBulk(FormatInt64(expire_ms), out);
  }
}

std::string FormatAofRewriteScore(double score, bool listpack) {
  // zzlInsertAt stores an integral score as a listpack integer (double2ll),
  // which turns -0 into 0 before rioWriteBulkDouble ever sees it.
  if (listpack && score == 0) score = 0;
  char buf[64];
  const int n = std::snprintf(buf, sizeof(buf), "%.17g", score);
  return std::string(buf, static_cast<size_t>(n));
}

std::string SerializeKeyspaceAof(const Keyspace& keyspace, const AofRewriteOptions& options) {
  std::string out;
  AppendAofRewriteHeader(options, &out);
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    if (keyspace.Size(db) == 0) continue;  // rewriteAppendOnlyFileRio skips empty dbs
    AppendAofSelect(db, &out);
    keyspace.keys(db).ForEach([&](const std::string& key, const Value& value) {
      AppendAofRewriteKey(key, value, keyspace.GetExpire(db, key), &out);
    });
  }
  return out;
}

}  // namespace plab
