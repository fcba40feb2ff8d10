// Invariants the fuzz targets share (test-only code, never linked into core).
// Each returns "" when the invariant holds, else what broke, so an entry can
// hand the answer straight back (fuzz_entries.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/lab/keyspace_diff.h"
#include "core/server/config.h"
#include "core/store/keyspace.h"

namespace plab::fuzz {

// The keyspace is one Redis could be in: no empty collection (Redis deletes
// a key whose last element goes), the small encodings within the config's
// thresholds (an intset holds only integers), sorted sets structurally
// sound (ZSetValue::CheckInvariants), and the expires table naming only
// existing keys (its size equals the number of keys with a TTL).
std::string KeyspaceProblem(const Keyspace& keyspace, const Config& config);

// Saves `keyspace` as an RDB file (the writer SAVE uses), loads that file
// into a fresh keyspace and compares the two key by key: type, content
// digest (core/lab/keyspace_diff.h) and TTL, and with `same_encodings` the
// OBJECT ENCODING too. Encodings are only comparable when the keyspace came
// from the RDB loader itself: commands can leave e.g. a small all-integer
// set as "hashtable", which a reload turns into "intset" in Redis too.
std::string RoundTripProblem(const Keyspace& keyspace, const Config& config, bool same_encodings);

// Both of the above.
std::string LoadedKeyspaceProblem(const Keyspace& keyspace, const Config& config,
                                  bool same_encodings);

// True when two keyspaces hold the same keys with the same types, contents
// and TTLs (judged at a's command time); otherwise *why says which key
// differs first.
bool SameKeyspace(const Keyspace& a, const Keyspace& b, std::string* why);

// The same comparison on fingerprints taken earlier: "" when equal.
std::string FingerprintDiff(const KeyspaceFingerprint& a, const KeyspaceFingerprint& b);

// An RDB file (version 10) holding one key "k" in db 0 whose value is
// `type` followed by `value_bytes`, with checksum 0 (not computed): how the
// decoder targets check that the loader agrees with the decoder alone.
std::string OneKeyRdb(uint8_t type, std::string_view value_bytes);

}  // namespace plab::fuzz
