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
//
// Each entry may carry a `note`: the plain consequence of the change. For a
// string holding an integer (a counter, an ID generator) that went back,
// which values will be handed out again; for a key whose TTL ran out
// while the server was down, that expiry (not the crash) removed it.
//
// Given a judge (the lab's check of a loss promise, core/lab/promise.h),
// the diff also lists the differences that promise did not allow:
// `broken`, which should always be empty, and is reported, never hidden.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/lab/promise.h"
#include "core/store/keyspace.h"

namespace plab {

struct KeyFingerprint {
  ValueType type = ValueType::kString;
  uint64_t digest = 0;
  // For strings the (quoted, possibly shortened) value; for collections
  // "list, 3 items" and the like.
  std::string summary;
  // A string that INCR would accept (Redis's string2ll): its value.
  std::optional<int64_t> integer;
  // The key's TTL deadline (Unix ms), Keyspace::kNoExpire when none. Not
  // part of the digest.
  int64_t expire_at_ms = Keyspace::kNoExpire;
};

// (db, key) -> fingerprint, sorted so diffs come out in a stable order.
using KeyspaceFingerprint = std::map<std::pair<int, std::string>, KeyFingerprint>;

// Fingerprints every live key (expired-but-not-yet-deleted keys are skipped,
// as a client could not read them either). Expiry is judged at the
// keyspace's last command time, or at `now_ms` when given (the lab passes
// its clock: a restarted engine has run no command yet).
KeyspaceFingerprint FingerprintKeyspace(const Keyspace& keyspace);
KeyspaceFingerprint FingerprintKeyspace(const Keyspace& keyspace, int64_t now_ms);

// A 64-bit hash of a key's identity, its db and name (FNV-1a, then a
// splitmix64 finalizer); what KeyspaceDigest and the lab's write record
// name keys by.
uint64_t KeyIdHash(int db, std::string_view key);

// One 64-bit digest of a whole keyspace: db, name, type and content of
// every key (not TTLs), independent of the order keys are stored in. Equal
// digests mean equal data sets (up to hash collisions). Never 0 (left for
// "no keyspace"); the empty keyspace has a digest of its own.
uint64_t KeyspaceDigest(const KeyspaceFingerprint& fingerprint);

struct KeyspaceDiff {
  struct Entry {
    int db = 0;
    std::string key;
    std::string type;    // TYPE's name; the new type when it changed
    std::string before;  // summary before the crash ("" when added)
    std::string after;   // summary after recovery ("" when lost)
    // The consequence in one sentence ("IDs 988–1042 will be issued again
    // (55 values)"), "" when there is nothing to add.
    std::string note;
  };
  enum class Change { kLost, kChanged, kAdded };
  // A difference the persistence setup's promise did not allow.
  struct Broken {
    Change change = Change::kLost;
    Entry entry;
    // "written 12.4 s before the power loss; appendfsync everysec promises
    // at most 1.1 s".
    std::string reason;
  };
  // At most kMaxListed entries per list; the counts are complete.
  static constexpr size_t kMaxListed = 100;
  std::vector<Entry> lost;     // existed before, gone after
  std::vector<Entry> changed;  // present in both with a different value
  // Absent before, present after: a key deleted before the crash whose
  // deletion never became durable came back.
  std::vector<Entry> added;
  // Any of the above (at most kMaxListed; broken_count is complete).
  std::vector<Broken> broken;
  int64_t lost_count = 0;
  int64_t changed_count = 0;
  int64_t added_count = 0;
  int64_t unchanged_count = 0;
  int64_t broken_count = 0;
  // The promise the differences were checked against (none: not checked).
  std::optional<LossPromise> promise;

  // {"lost":[..],"changed":[..],"added":[..],"broken":[..],
  //  "counts":{"lost","changed","added","unchanged","broken"},
  //  "promise":{..} or null}; entries {"db","key","type","before","after",
  //  "note"}, broken ones also {"change","reason"}.
  std::string ToJson() const;
};

// Decides whether one difference broke a promise: the reason, or "".
using DiffJudge = std::function<std::string(int db, const std::string& key)>;

struct DiffOptions {
  // When the second fingerprint was taken: a lost key whose TTL had run
  // out by then is noted as expired, and never judged. < 0: not known.
  int64_t after_ms = -1;
  DiffJudge judge;                     // may be empty
  std::optional<LossPromise> promise;  // copied into the diff
};

KeyspaceDiff DiffKeyspaces(const KeyspaceFingerprint& before, const KeyspaceFingerprint& after,
                           const DiffOptions& options = {});

// The note for a changed or lost string key holding an integer (see the
// top); "" when there is nothing to say. `after` is null when the key was
// lost, `before` when it came back.
std::string CounterNote(const KeyFingerprint* before, const KeyFingerprint* after);

}  // namespace plab
