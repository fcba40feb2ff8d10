#include "core/lab/keyspace_diff.h"

#include <nlohmann/json.hpp>

#include "core/resp/reply_format.h"
#include "core/store/zset.h"
#include "core/util/numbers.h"

namespace plab {

namespace {

constexpr size_t kSummaryBytes = 48;

// FNV-1a: a fast 64-bit hash; collisions only hide a change in the report,
// they never affect data.
uint64_t HashBytes(std::string_view s, uint64_t seed = 1469598103934665603ULL) {
  uint64_t h = seed;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// Finalizer (splitmix64) so that sums of element hashes don't cancel out.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t PairHash(std::string_view a, std::string_view b) {
  return Mix(HashBytes(b, HashBytes(a) ^ 0x9e3779b97f4a7c15ULL));
}

std::string StringSummary(const std::string& s) {
  if (s.size() <= kSummaryBytes) return QuoteReplyString(s);
  return QuoteReplyString(std::string_view(s).substr(0, kSummaryBytes)) + "... (" +
         std::to_string(s.size()) + " bytes)";
}

std::string CountSummary(std::string_view type, size_t n, std::string_view unit) {
  return std::string(type) + ", " + std::to_string(n) + " " + std::string(unit) +
         (n == 1 ? "" : "s");
}

KeyFingerprint Fingerprint(const Value& v) {
  KeyFingerprint fp;
  fp.type = v.type();
  switch (v.type()) {
    case ValueType::kString:
      fp.digest = HashBytes(v.str());
      fp.summary = StringSummary(v.str());
      break;
    case ValueType::kList: {
      uint64_t h = 1;  // ordered: position matters
      for (const std::string& item : v.list().items) h = Mix(h ^ HashBytes(item));
      fp.digest = h;
      fp.summary = CountSummary("list", v.list().items.size(), "item");
      break;
    }
    case ValueType::kSet: {
      uint64_t h = 2;  // unordered: a sum does not depend on table order
      v.set().members.ForEach([&](const std::string& m, const NoValue&) { h += Mix(HashBytes(m)); });
      fp.digest = h;
      fp.summary = CountSummary("set", v.set().members.size(), "member");
      break;
    }
    case ValueType::kHash: {
      uint64_t h = 3;
      v.hash().ForEach([&](std::string_view f, std::string_view val) { h += PairHash(f, val); });
      fp.digest = h;
      fp.summary = CountSummary("hash", v.hash().size(), "field");
      break;
    }
    case ValueType::kZSet: {
      uint64_t h = 4;  // ordered by score, and the scores are compared too
      for (const ZSetValue::Node* n = v.zset().First(); n != nullptr; n = n->next()) {
        h = Mix(h ^ PairHash(n->member(), FormatDoubleReply(n->score())));
      }
      fp.digest = h;
      fp.summary = CountSummary("zset", v.zset().size(), "member");
      break;
    }
  }
  return fp;
}

KeyspaceDiff::Entry MakeEntry(const std::pair<int, std::string>& id, const KeyFingerprint* before,
                              const KeyFingerprint* after) {
  KeyspaceDiff::Entry e;
  e.db = id.first;
  e.key = id.second;
  e.type = std::string(TypeName(after != nullptr ? after->type : before->type));
  if (before != nullptr) e.before = before->summary;
  if (after != nullptr) e.after = after->summary;
  return e;
}

void Add(std::vector<KeyspaceDiff::Entry>* list, int64_t* count, KeyspaceDiff::Entry e) {
  ++*count;
  if (list->size() < KeyspaceDiff::kMaxListed) list->push_back(std::move(e));
}

nlohmann::json EntriesJson(const std::vector<KeyspaceDiff::Entry>& entries) {
  nlohmann::json out = nlohmann::json::array();
  for (const KeyspaceDiff::Entry& e : entries) {
    out.push_back({{"db", e.db}, {"key", e.key}, {"type", e.type}, {"before", e.before},
                   {"after", e.after}});
  }
  return out;
}

}  // namespace

KeyspaceFingerprint FingerprintKeyspace(const Keyspace& keyspace) {
  KeyspaceFingerprint out;
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    keyspace.keys(db).ForEach([&](const std::string& key, const Value& value) {
      if (keyspace.IsExpired(db, key)) return;
      out.emplace(std::make_pair(db, key), Fingerprint(value));
    });
  }
  return out;
}

KeyspaceDiff DiffKeyspaces(const KeyspaceFingerprint& before, const KeyspaceFingerprint& after) {
  KeyspaceDiff diff;
  auto b = before.begin();
  auto a = after.begin();
  // A merge walk over two sorted maps.
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && b->first < a->first)) {
      Add(&diff.lost, &diff.lost_count, MakeEntry(b->first, &b->second, nullptr));
      ++b;
    } else if (b == before.end() || a->first < b->first) {
      Add(&diff.added, &diff.added_count, MakeEntry(a->first, nullptr, &a->second));
      ++a;
    } else {
      if (a->second.type != b->second.type || a->second.digest != b->second.digest) {
        Add(&diff.changed, &diff.changed_count, MakeEntry(a->first, &b->second, &a->second));
      } else {
        ++diff.unchanged_count;
      }
      ++a;
      ++b;
    }
  }
  return diff;
}

std::string KeyspaceDiff::ToJson() const {
  nlohmann::json j = {
      {"lost", EntriesJson(lost)},
      {"changed", EntriesJson(changed)},
      {"added", EntriesJson(added)},
      {"counts",
       {{"lost", lost_count}, {"changed", changed_count}, {"added", added_count},
        {"unchanged", unchanged_count}}},
  };
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace plab
