#include "core/lab/keyspace_diff.h"

#include <limits>
#include <nlohmann/json.hpp>

#include "core/resp/reply_format.h"
#include "core/store/zset.h"
#include "core/util/numbers.h"

namespace plab {

namespace {

constexpr size_t kSummaryBytes = 48;
constexpr size_t kMaxIntegerBytes = 20;  // "-9223372036854775808"

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
      if (v.str().size() <= kMaxIntegerBytes) fp.integer = ParseInt64(v.str());
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
      v.set().members.ForEach(
          [&](const std::string& m, const NoValue&) { h += Mix(HashBytes(m)); });
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
  e.note = CounterNote(before, after);
  return e;
}

template <typename T>
void Add(std::vector<T>* list, int64_t* count, T e) {
  ++*count;
  if (list->size() < KeyspaceDiff::kMaxListed) list->push_back(std::move(e));
}

// "988–1042", "-5 to -1", or one number: a range of values as the note
// prints it (an en dash reads badly next to minus signs).
std::string Range(int64_t lo, int64_t hi) {
  if (lo == hi) return std::to_string(lo);
  return std::to_string(lo) + (lo < 0 ? " to " : "\u2013") + std::to_string(hi);
}

// hi - lo + 1 without overflow (lo <= hi), as "55 values".
std::string CountOf(int64_t lo, int64_t hi) {
  const uint64_t n = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  return std::to_string(n) + (n == 1 ? " value" : " values");
}

std::string LostCounterNote(int64_t v) {
  if (v == 0) return "It held 0, so the next INCR or DECR gives what it would have given anyway.";
  if (v > 0) {
    return "If it was an INCR counter, the next INCR gives 1: " +
           std::string(v == 1 ? "ID " : "IDs ") + Range(1, v) + " will be issued again (" +
           CountOf(1, v) + ").";
  }
  return "If it was a DECR counter, the next DECR gives -1: " + Range(v, -1) +
         " will be issued again (" + CountOf(v, -1) + ").";
}

std::string WentBackNote(int64_t was, int64_t now) {
  const int64_t lo = now + 1;
  if (lo > 0) {
    return std::string("As an INCR counter: ") + (lo == was ? "ID " : "IDs ") + Range(lo, was) +
           " will be issued again (" + CountOf(lo, was) + ").";
  }
  return "INCR will hand out " + Range(lo, was) + " again (" + CountOf(lo, was) + ").";
}

std::string WentUpNote(int64_t was, int64_t now) {
  const uint64_t up = static_cast<uint64_t>(now) - static_cast<uint64_t>(was);
  return "The value went up by " + std::to_string(up) + ": as a DECR counter it will issue " +
         Range(was, now - 1) + " again (" + CountOf(was, now - 1) + "); as an INCR counter it " +
         "just skips " + Range(was + 1, now) + ".";
}

nlohmann::json EntryJson(const KeyspaceDiff::Entry& e) {
  return {{"db", e.db},         {"key", e.key},     {"type", e.type},
          {"before", e.before}, {"after", e.after}, {"note", e.note}};
}

nlohmann::json EntriesJson(const std::vector<KeyspaceDiff::Entry>& entries) {
  nlohmann::json out = nlohmann::json::array();
  for (const KeyspaceDiff::Entry& e : entries) out.push_back(EntryJson(e));
  return out;
}

std::string_view ChangeName(KeyspaceDiff::Change change) {
  switch (change) {
    case KeyspaceDiff::Change::kLost:
      return "lost";
    case KeyspaceDiff::Change::kChanged:
      return "changed";
    case KeyspaceDiff::Change::kAdded:
      return "added";
  }
  return "lost";
}

nlohmann::json BrokenJson(const std::vector<KeyspaceDiff::Broken>& broken) {
  nlohmann::json out = nlohmann::json::array();
  for (const KeyspaceDiff::Broken& b : broken) {
    nlohmann::json j = EntryJson(b.entry);
    j["change"] = ChangeName(b.change);
    j["reason"] = b.reason;
    out.push_back(std::move(j));
  }
  return out;
}

nlohmann::json PromiseJson(const std::optional<LossPromise>& promise) {
  if (!promise) return nullptr;
  return {{"policy", promise->policy},       {"kind", PromiseKindName(promise->kind)},
          {"window_ms", promise->window_ms}, {"since_ms", promise->since_ms},
          {"sentence", promise->sentence},   {"stop", promise->stop},
          {"stop_ms", promise->stop_ms}};
}

// Records one difference: listed, counted, noted, and judged.
void Record(KeyspaceDiff* diff, KeyspaceDiff::Change change, const std::pair<int, std::string>& id,
            const KeyFingerprint* before, const KeyFingerprint* after, const DiffOptions& options) {
  KeyspaceDiff::Entry e = MakeEntry(id, before, after);
  const bool expired = change == KeyspaceDiff::Change::kLost && options.after_ms >= 0 &&
                       before->expire_at_ms != Keyspace::kNoExpire &&
                       before->expire_at_ms <= options.after_ms;
  if (expired)
    e.note = "Its TTL ran out while the server was down: expiry removed it, not the crash.";
  if (!expired && options.judge) {
    std::string reason = options.judge(id.first, id.second);
    if (!reason.empty()) {
      Add(&diff->broken, &diff->broken_count, KeyspaceDiff::Broken{change, e, std::move(reason)});
    }
  }
  switch (change) {
    case KeyspaceDiff::Change::kLost:
      Add(&diff->lost, &diff->lost_count, std::move(e));
      break;
    case KeyspaceDiff::Change::kChanged:
      Add(&diff->changed, &diff->changed_count, std::move(e));
      break;
    case KeyspaceDiff::Change::kAdded:
      Add(&diff->added, &diff->added_count, std::move(e));
      break;
  }
}

}  // namespace

std::string CounterNote(const KeyFingerprint* before, const KeyFingerprint* after) {
  const bool was = before != nullptr && before->integer.has_value();
  const bool is = after != nullptr && after->integer.has_value();
  if (was && is) {
    if (*after->integer < *before->integer) return WentBackNote(*before->integer, *after->integer);
    if (*after->integer > *before->integer) return WentUpNote(*before->integer, *after->integer);
    return "";
  }
  if (was && after == nullptr) return LostCounterNote(*before->integer);
  if (is && before == nullptr && *after->integer < std::numeric_limits<int64_t>::max()) {
    return "It was deleted before the crash and is back at " + std::to_string(*after->integer) +
           ": the next INCR gives " + std::to_string(*after->integer + 1) + ", not 1.";
  }
  return "";
}

KeyspaceFingerprint FingerprintKeyspace(const Keyspace& keyspace) {
  // IsExpired() says "live" while loading, as Redis's keyIsExpired does.
  return FingerprintKeyspace(
      keyspace, keyspace.loading() ? std::numeric_limits<int64_t>::min() : keyspace.command_time());
}

KeyspaceFingerprint FingerprintKeyspace(const Keyspace& keyspace, int64_t now_ms) {
  KeyspaceFingerprint out;
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    const bool has_ttls = keyspace.ExpiresSize(db) != 0;
    keyspace.keys(db).ForEach([&](const std::string& key, const Value& value) {
      const int64_t when = has_ttls ? keyspace.GetExpire(db, key) : Keyspace::kNoExpire;
      if (when != Keyspace::kNoExpire && when <= now_ms) return;
      KeyFingerprint fp = Fingerprint(value);
      fp.expire_at_ms = when;
      out.emplace(std::make_pair(db, key), std::move(fp));
    });
  }
  return out;
}

uint64_t KeyIdHash(int db, std::string_view key) {
  return Mix(HashBytes(
      key, 1469598103934665603ULL ^ (static_cast<uint64_t>(db) + 1) * 0x9e3779b97f4a7c15ULL));
}

uint64_t KeyspaceDigest(const KeyspaceFingerprint& fingerprint) {
  // A sum is what makes it order-independent; each term mixes the db, the
  // name, the type and the content so that moving a value between keys,
  // dbs or types changes it.
  uint64_t sum = 0x6a09e667f3bcc908ULL;  // the empty keyspace's digest
  for (const auto& [id, fp] : fingerprint) {
    sum += Mix(KeyIdHash(id.first, id.second) ^ Mix(static_cast<uint64_t>(fp.type) ^ fp.digest));
  }
  return sum == 0 ? 1 : sum;  // 0 is left for "no keyspace"
}

KeyspaceDiff DiffKeyspaces(const KeyspaceFingerprint& before, const KeyspaceFingerprint& after,
                           const DiffOptions& options) {
  using Change = KeyspaceDiff::Change;
  KeyspaceDiff diff;
  diff.promise = options.promise;
  auto b = before.begin();
  auto a = after.begin();
  // A merge walk over two sorted maps.
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && b->first < a->first)) {
      Record(&diff, Change::kLost, b->first, &b->second, nullptr, options);
      ++b;
    } else if (b == before.end() || a->first < b->first) {
      Record(&diff, Change::kAdded, a->first, nullptr, &a->second, options);
      ++a;
    } else {
      if (a->second.type != b->second.type || a->second.digest != b->second.digest) {
        Record(&diff, Change::kChanged, a->first, &b->second, &a->second, options);
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
      {"broken", BrokenJson(broken)},
      {"counts",
       {{"lost", lost_count},
        {"changed", changed_count},
        {"added", added_count},
        {"unchanged", unchanged_count},
        {"broken", broken_count}}},
      {"promise", PromiseJson(promise)},
  };
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace plab
