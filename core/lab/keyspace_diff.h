// KeyspaceFingerprint and KeyspaceDiff: what a crash cost, key by key.
//
// Before a simulated crash the lab fingerprints every key (type, a content
// digest, a short human summary); after recovery it fingerprints again and
// diffs the two. The playground turns the diff into sentences such as "3
// keys lost" or "counter went back from 1042 to 987" — the measurable
// version of the seed explainer's claims about what each policy can lose.
//
// The digest ignores the order Redis itself does not promise (set members,
// hash fields, both of which may come back from disk in another order), so
// an untouched key never shows up as changed. TTLs are not compared: a key
// whose TTL moved on while the lab was down is the same key.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/store/keyspace.h"

namespace plab {

struct KeyFingerprint {
  ValueType type = ValueType::kString;
  uint64_t digest = 0;
  // For strings the (quoted, possibly shortened) value; for collections
  // "list, 3 items" and the like.
  std::string summary;
};

// (db, key) -> fingerprint, sorted so diffs come out in a stable order.
using KeyspaceFingerprint = std::map<std::pair<int, std::string>, KeyFingerprint>;

// Fingerprints every live key (expired-but-not-yet-deleted keys are skipped,
// as a client could not read them either).
KeyspaceFingerprint FingerprintKeyspace(const Keyspace& keyspace);

struct KeyspaceDiff {
  struct Entry {
    int db = 0;
    std::string key;
    std::string type;    // TYPE's name; the new type when it changed
    std::string before;  // summary before the crash ("" when added)
    std::string after;   // summary after recovery ("" when lost)
  };
  // At most kMaxListed entries per list; the counts are complete.
  static constexpr size_t kMaxListed = 100;
  std::vector<Entry> lost;     // existed before, gone after
  std::vector<Entry> changed;  // present in both with a different value
  // Absent before, present after: a key deleted before the crash whose
  // deletion never became durable came back.
  std::vector<Entry> added;
  int64_t lost_count = 0;
  int64_t changed_count = 0;
  int64_t added_count = 0;
  int64_t unchanged_count = 0;

  std::string ToJson() const;
};

KeyspaceDiff DiffKeyspaces(const KeyspaceFingerprint& before, const KeyspaceFingerprint& after);

}  // namespace plab
