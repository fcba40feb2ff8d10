#include "core/server/memory_estimate.h"

#include <algorithm>
#include <random>

#include "core/server/server.h"
#include "core/store/zset.h"

namespace plab {
namespace {

constexpr size_t kSamples = 16;             // elements sampled per aggregate value
constexpr int64_t kSkiplistNodeBytes = 64;  // node + average tower of levels

// Heap bytes of a std::string beyond the object itself (0 when the bytes
// fit the small-string buffer).
int64_t HeapBytes(const std::string& s) {
  return s.capacity() > 15 ? static_cast<int64_t>(s.capacity()) + 1 : 0;
}

// Average of f(i) over up to kSamples of n items, scaled to n.
template <typename F>
int64_t ScaledSample(size_t n, F&& f) {
  if (n == 0) return 0;
  const size_t k = std::min(n, kSamples);
  int64_t sum = 0;
  for (size_t i = 0; i < k; ++i) sum += f(i * n / k);
  return sum * static_cast<int64_t>(n) / static_cast<int64_t>(k);
}

// Samples a Dict's entries with a fixed-seed generator, so that INFO run
// twice on the same data reports the same number.
template <typename V, typename F>
int64_t ScaledDictSample(const Dict<V>& d, F&& f) {
  if (d.size() <= kSamples) {
    int64_t sum = 0;
    d.ForEach([&](const std::string& k, const V& v) { sum += f(k, v); });
    return sum;
  }
  std::mt19937_64 rng(0x5eed);
  int64_t sum = 0;
  for (size_t i = 0; i < kSamples; ++i) {
    auto* node = d.RandomNode(rng);
    sum += f(node->key, node->value);
  }
  return sum * static_cast<int64_t>(d.size()) / static_cast<int64_t>(kSamples);
}

int64_t ZSetBytes(const ZSetValue& z) {
  int64_t per_member = 0;
  size_t seen = 0;
  for (const ZSetValue::Node* n = z.First(); n != nullptr && seen < kSamples; n = n->next()) {
    per_member += HeapBytes(n->member());
    ++seen;
  }
  if (seen > 0) per_member /= static_cast<int64_t>(seen);
  return static_cast<int64_t>(sizeof(ZSetValue) + z.size() * (sizeof(std::string) + 48)) +
         static_cast<int64_t>(z.size()) * (per_member + kSkiplistNodeBytes);
}

// A listpack hash is a vector of pairs (sampled by index), a hashtable one
// a Dict (sampled at random).
int64_t HashBytes(const HashValue& h) {
  const auto pair_bytes = [](const std::string& k, const std::string& val) {
    return HeapBytes(k) + HeapBytes(val);
  };
  const int64_t fixed = static_cast<int64_t>(sizeof(HashValue) + h.OverheadBytes());
  if (!h.listpack()) return fixed + ScaledDictSample(h.table(), pair_bytes);
  const HashValue::Entries& entries = h.entries();
  return fixed + ScaledSample(entries.size(), [&](size_t i) {
           return pair_bytes(entries[i].field, entries[i].value);
         });
}

int64_t ClientBytes(const Client& c) {
  int64_t bytes = static_cast<int64_t>(sizeof(Client)) + HeapBytes(c.output) +
                  static_cast<int64_t>(c.parser.buffered()) + HeapBytes(c.name);
  for (const auto& argv : c.queued) {
    for (const std::string& a : argv)
      bytes += static_cast<int64_t>(sizeof(std::string)) + HeapBytes(a);
  }
  return bytes;
}

}  // namespace

int64_t EstimateValueBytes(const Value& v) {
  switch (v.type()) {
    case ValueType::kString:
      return HeapBytes(v.str());
    case ValueType::kList: {
      const auto& items = v.list().items;
      return static_cast<int64_t>(sizeof(ListValue) + items.size() * sizeof(std::string)) +
             ScaledSample(items.size(), [&](size_t i) { return HeapBytes(items[i]); });
    }
    case ValueType::kHash:
      return HashBytes(v.hash());
    case ValueType::kSet: {
      const auto& members = v.set().members;
      return static_cast<int64_t>(sizeof(SetValue) + members.OverheadBytes()) +
             ScaledDictSample(members,
                              [](const std::string& k, const NoValue&) { return HeapBytes(k); });
    }
    case ValueType::kZSet:
      return ZSetBytes(v.zset());
  }
  return 0;
}

MemoryEstimate EstimateMemory(Server& server) {
  MemoryEstimate m;
  // The server object, its command table and the empty databases.
  m.startup = static_cast<int64_t>(sizeof(Server)) +
              static_cast<int64_t>(server.commands().all().size() * 2 * sizeof(CommandSpec));
  for (const auto& [id, client] : server.clients()) m.clients += ClientBytes(*client);
  Keyspace& ks = server.keyspace();
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    const Dict<Value>& keys = ks.keys(db);
    m.tables += static_cast<int64_t>(keys.OverheadBytes()) +
                static_cast<int64_t>(ks.ExpiresSize(db) * (sizeof(std::string) + 32));
    m.dataset += ScaledDictSample(keys, [](const std::string& k, const Value& v) {
      return HeapBytes(k) + EstimateValueBytes(v);
    });
  }
  return m;
}

}  // namespace plab
