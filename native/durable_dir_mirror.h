// DurableDirMirror: a SimDisk's durable layer kept in a real directory, so
// that `plab serve --simulated-disk DIR` leaves in DIR exactly what a power
// loss of the simulated machine would keep — the native twin of the
// browser's IndexedDB mirror (web/src/idb_mirror.js), fed by the same
// durability journal (core/io/sim_disk.h: StartDurableJournal,
// TakeDurableOps, LoadDurable).
//
// Representation: the durable files under their own names, so the usual
// tools work on them (`plab check-aof DIR/appendonlydir/appendonly.aof.
// manifest`, `redis-check-rdb DIR/dump.rdb`, a redis-server started on a
// copy). A SimDisk inode with several durable names is one real inode with
// hard links; durable directories are real directories. Nothing else is
// stored: Open() rebuilds the image from the tree (files that are hard
// links of each other share an inode id). Names starting with ".plab-tmp-"
// are the mirror's own temporary files (in the middle of an Apply, or an
// inode without a durable name); Open() removes leftovers.
//
// Applying a batch of ops (Apply), in order:
//   kAppend/kTruncate  pwrite / ftruncate on one name of the inode; the
//                      bytes of an inode that has no name yet (its content
//                      comes just before its first kLink) wait in memory;
//   kLink              the name appears atomically, already holding its
//                      bytes: a temporary file (a new hard link of the inode,
//                      or a new file with its waiting bytes) renamed over it;
//   kUnlink / kMkdir / kRmdir   unlink / mkdir / rmdir;
//   kDropInode         forgets the inode.
// An inode whose last name goes while the journal may still name it again
// (a rename journals the new name's link before the old name's unlink;
// SimDisk inodes outlive their names until kDropInode) keeps its bytes
// under a temporary name until it is named again or dropped.
// Then every file written and every directory whose entries changed is
// fsynced (files first, then directories), and only then does Apply return.
//
// What is guaranteed (enough for a simulation, not a database):
//   - after Apply returns, DIR equals the SimDisk's durable table as of the
//     last op, and survives a real power loss of this machine;
//   - ops are applied in journal order and each by calls that complete
//     before the next op starts, so if plab itself is killed (SIGKILL) in
//     the middle of Apply, DIR holds the result of a prefix of the ops: a
//     state the SimDisk's durable layer went through, except where one
//     change is journaled as two ops (a rewrite of durable bytes as
//     kTruncate then kAppend) and the kill falls between them;
//   - a real power loss during Apply may leave any mix of the batch's
//     changes (no ordering without fsyncs between ops).
// Whoever calls Apply must do so before acting on the durability of what
// the ops record (plab serve: before the batch's replies are sent), so DIR
// never claims less than was acknowledged and, being fed only with ops the
// SimDisk already performed, never more than the SimDisk's durable layer.
//
// Deliberate simplifications. A SimDisk may hold durable names inside a
// directory whose own entry is not durable (it drops them at a power loss
// or a boot, journaling the kUnlinks): the mirror creates that directory to
// hold them, removes it with its last name, and a boot from DIR taken
// meanwhile (only if plab itself died) keeps them. A kRmdir of a directory that still holds
// files (the SimDisk may forget a directory before the names inside it,
// which a later crash or boot drops) leaves the real directory in place.
// The engine never removes directories, so this does not arise in practice.
//
// Not thread-safe. POSIX only (native/).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/io/sim_disk.h"
#include "core/util/status.h"

namespace plab {

class DurableDirMirror {
 public:
  // Opens (creating it if missing, like `mkdir`, parent must exist) the
  // directory `dir` and reads it into *image: every regular file by its
  // path relative to `dir`, every subdirectory. Leftover temporary files of
  // an Apply that was interrupted are removed first.
  static Result<std::unique_ptr<DurableDirMirror>> Open(const std::string& dir,
                                                        DurableImage* image);

  // Applies `ops` (SimDisk::TakeDurableOps(), oldest first) and fsyncs what
  // they changed. On an error (naming the file and the OS error) the
  // directory may hold part of the batch; the mirror should not be used
  // further.
  Status Apply(const std::vector<DurableOp>& ops);

  const std::string& dir() const { return dir_; }
  // Ops applied and fsync(2) calls made since Open (for tests and the log).
  uint64_t ops_applied() const { return ops_applied_; }
  uint64_t fsyncs() const { return fsyncs_; }

 private:
  explicit DurableDirMirror(std::string dir) : dir_(std::move(dir)) {}

  Status ApplyOne(const DurableOp& op);
  Status Write(const DurableOp& op);
  Status Link(const DurableOp& op);
  Status Unlink(const std::string& path);
  // Keeps `inode`'s bytes under a temporary name when its last name goes
  // (`move`: renamed there, else hard-linked); Release drops that name.
  Status Hold(uint64_t inode, bool move);
  Status Release(uint64_t inode);
  Status MakeParents(const std::string& dir);
  Status SyncTouched();
  std::string Full(const std::string& path) const { return dir_ + "/" + path; }
  // A name of `inode` in the tree, or "" when it has none.
  std::string NameOf(uint64_t inode) const;

  std::string dir_;
  std::map<uint64_t, std::set<std::string>> names_;  // inode -> its durable names
  std::map<std::string, uint64_t> inode_of_;         // durable name -> inode
  std::map<uint64_t, std::string> unnamed_;          // bytes of inodes before their first name
  std::map<uint64_t, std::string> held_;             // inode -> its temporary name (see Hold)
  std::set<std::string> implicit_dirs_;              // made only to hold durable names
  std::set<uint64_t> touched_inodes_;                // inodes written or linked in this batch
  std::set<std::string> touched_dirs_;               // directories changed ("" = dir_)
  uint64_t ops_applied_ = 0;
  uint64_t fsyncs_ = 0;
  uint64_t tmp_counter_ = 0;
};

}  // namespace plab
