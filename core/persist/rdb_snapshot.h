// RdbSnapshot: a point-in-time RDB of a keyspace that keeps changing while it
// is written — BGSAVE without fork(). The same machinery writes the BASE file
// of an AOF rewrite (BGREWRITEAOF): either an RDB with the "aof-base" AUX
// field (aof-use-rdb-preamble yes: SnapshotFormat::kRdb with
// RdbWriteOptions::aof_base) or the command form of aof_rewrite.h
// (aof-use-rdb-preamble no: SnapshotFormat::kAof). Only the encoding of the
// header, of a database's start, of a key and of the end differ; the walk
// and the copy-on-write below are the same for both.
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
// construction, each once, grouped by database as both formats require (the
// RDB's SELECTDB/RESIZEDB, the AOF's SELECT).
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

#include "core/persist/aof_rewrite.h"
#include "core/io/durable_write.h"
#include "core/persist/rdb_writer.h"
#include "core/store/keyspace.h"
#include "core/util/status.h"

namespace plab::rdb {

// What a snapshot's bytes are.
enum class SnapshotFormat {
  kRdb,  // an RDB file (rdb_writer.h); RdbWriteOptions::aof_base for a BASE
  kAof,  // an AOF BASE in command form (aof_rewrite.h)
};

class RdbSnapshot {
 public:
  // Freezes the point in time. `keyspace` must outlive the snapshot (or
  // CopyAllRemaining() must be called before it goes away). Only the
  // options of the chosen format are used.
  RdbSnapshot(Keyspace& keyspace, SnapshotFormat format, const RdbWriteOptions& rdb_options,
              const AofRewriteOptions& aof_options = {});
  // An RDB file (SnapshotFormat::kRdb).
  RdbSnapshot(Keyspace& keyspace, const RdbWriteOptions& options)
      : RdbSnapshot(keyspace, SnapshotFormat::kRdb, options) {}
  RdbSnapshot(const RdbSnapshot&) = delete;
  RdbSnapshot& operator=(const RdbSnapshot&) = delete;

  // Copy-on-write hook: call before `key` in `db` is modified or removed.
  void BeforeWrite(int db, std::string_view key);

  // Appends the next part of the file to `out`: at least `budget_bytes`
  // unless the file ends first. Fails only if a value cannot be encoded
  // (an RDB listpack over 4 GiB; the AOF form never fails).
  Status Produce(size_t budget_bytes, std::string* out);

  // Serializes every key not yet written into side buffers, so the rest of
  // the file no longer depends on the keyspace. Counted as copy-on-write.
  void CopyAllRemaining();

  // True until the last byte (the RDB's checksum, the AOF's last command)
  // has been produced.
  bool active() const { return !finished_; }
  bool finished() const { return finished_; }
  // Keys in the snapshot (the keyspace's size at construction) and how many
  // have been serialized so far, by the walk or by copy-on-write.
  int64_t keys_total() const { return keys_total_; }
  int64_t keys_processed() const { return keys_processed_; }
  // Bytes serialized early because a command was about to change the key.
  int64_t cow_bytes() const { return cow_bytes_; }
  SnapshotFormat format() const { return format_; }

 private:
  // Writes one key's current value into the output (`side` null) or into
  // `side`, and restamps it.
  Status CopyNode(int db, Dict<Value>::Node* node, std::string* side);
  void AdvanceDb();
  // The format-specific parts of the file, written into the output.
  void WriteHeader();
  void WriteDbStart(int db);
  void AppendSide(std::string_view records);  // keys CopyNode put aside
  void WriteFooter();

  Keyspace* keyspace_;
  SnapshotFormat format_;
  AofRewriteOptions aof_options_;
  std::string sink_;  // the output, drained into `out` by Produce
  RdbWriter writer_;  // kRdb: appends to sink_ and keeps the checksum
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

// A DurableWrite::Writer that streams `snapshot` into the file, at least
// `slice_bytes` per step: how BGSAVE, SAVE and the AOF rewrite write theirs.
// `snapshot` must outlive the DurableWrite.
DurableWrite::Writer SnapshotSliceWriter(RdbSnapshot* snapshot, size_t slice_bytes);

}  // namespace plab::rdb
