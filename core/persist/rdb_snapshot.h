// RdbSnapshot: a point-in-time RDB of a keyspace that keeps changing while it
// is written — BGSAVE without fork().
//
// Redis forks and lets the kernel's copy-on-write keep the child's view
// frozen; every page the parent touches during the save is copied, so a busy
// server can need up to twice its memory. WebAssembly has no fork, and that
// doubling is what the seed explainer warns about. Like Dragonfly's
// versioned snapshots, PersistLab copies per key instead of per page:
//
//  * Construction takes a new write version S from the keyspace. Every value
//    stored before has a stamp < S; every value stored from now on gets S.
//  * Produce() walks the databases with the reverse-binary SCAN cursor (it
//    visits every key that stays in the table at least once, even across
//    resizes) and writes each value whose stamp is < S, restamping it S so
//    a second visit skips it.
//  * BeforeWrite(db, key) runs before any command changes, replaces, expires
//    or deletes a key. If the key still has a stamp < S (the snapshot has
//    not written it yet), its current value and TTL are serialized right
//    then: into the output if the walk is inside that database, otherwise
//    into a per-database side buffer emitted when the walk reaches it. Only
//    those bytes exist because of writes: they are the copy-on-write cost
//    reported as current_cow_size / rdb_last_cow_size.
//
// So the file holds exactly the keys, values and TTLs of the moment of
// construction, each once, grouped by database as the format requires.
// Keys created later are never written; keys deleted later are written
// with their old value.
//
// The owner must forward every KeyObserver::OnBeforeWrite to BeforeWrite()
// and answer WantsEveryKey() with active() (so FLUSHDB/FLUSHALL/SWAPDB
// announce each key). Before replacing the whole keyspace object (DEBUG
// RELOAD), call CopyAllRemaining(): after it the snapshot no longer reads
// the keyspace.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/persist/rdb_writer.h"
#include "core/store/keyspace.h"
#include "core/util/status.h"

namespace plab::rdb {

class RdbSnapshot {
 public:
  // Freezes the point in time. `keyspace` must outlive the snapshot (or
  // CopyAllRemaining() must be called before it goes away).
  RdbSnapshot(Keyspace& keyspace, const RdbWriteOptions& options);
  RdbSnapshot(const RdbSnapshot&) = delete;
  RdbSnapshot& operator=(const RdbSnapshot&) = delete;

  // Copy-on-write hook: call before `key` in `db` is modified or removed.
  void BeforeWrite(int db, std::string_view key);

  // Appends the next part of the file to `out`: at least `budget_bytes`
  // unless the file ends first. Fails only if a value cannot be encoded
  // (a listpack over 4 GiB).
  Status Produce(size_t budget_bytes, std::string* out);

  // Serializes every key not yet written into side buffers, so the rest of
  // the file no longer depends on the keyspace. Counted as copy-on-write.
  void CopyAllRemaining();

  // True until the last byte (the checksum) has been produced.
  bool active() const { return !finished_; }
  bool finished() const { return finished_; }
  // Keys in the snapshot (the keyspace's size at construction) and how many
  // have been serialized so far, by the walk or by copy-on-write.
  int64_t keys_total() const { return keys_total_; }
  int64_t keys_processed() const { return keys_processed_; }
  // Bytes serialized early because a command was about to change the key.
  int64_t cow_bytes() const { return cow_bytes_; }

 private:
  // Writes one key's current value (WriteKey or EncodeKey) and restamps it.
  Status CopyNode(int db, Dict<Value>::Node* node, std::string* side);
  void AdvanceDb();

  Keyspace* keyspace_;
  std::string sink_;  // the writer's output, drained into `out` by Produce
  RdbWriter writer_;
  uint32_t version_;  // S: values stamped below it belong to the snapshot
  std::array<uint64_t, Keyspace::kNumDbs> sizes_{};
  std::array<uint64_t, Keyspace::kNumDbs> expires_{};
  // Copy-on-write records of databases the walk has not started yet.
  std::array<std::string, Keyspace::kNumDbs> side_{};
  int db_ = 0;              // database the walk is in (kNumDbs: all done)
  bool db_started_ = false; // its SELECTDB has been written
  uint64_t cursor_ = 0;
  bool began_ = false;
  bool detached_ = false;   // CopyAllRemaining() ran: only side buffers left
  bool finished_ = false;
  Status error_;            // an encoding failure in BeforeWrite, reported by Produce
  int64_t keys_total_ = 0;
  int64_t keys_processed_ = 0;
  int64_t cow_bytes_ = 0;
};

}  // namespace plab::rdb
