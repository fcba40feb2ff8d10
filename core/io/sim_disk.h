// SimDisk: an in-memory Disk that models the gap between "written" and
// "durable", so tests (and the browser playground) can crash it and see
// exactly what a real machine would have kept.
//
// Model (a tiny ext4 in ordered mode):
// - A file is an inode with WRITTEN bytes (the OS page cache: what reads
//   see) and DURABLE bytes (what reached the medium). Writes change only
//   the written bytes and mark the inode dirty.
// - Directory entries live in two tables: the CURRENT table (what List/
//   Exists/Read see) and the DURABLE table. Create, Rename, Remove and
//   CreateDir change only the current table; SyncDir(dir) copies the
//   entries of `dir` (including its subdirectory names) to the durable one.
// - Sync() makes an inode's written bytes durable. By default its ticket is
//   complete when Sync() returns (fsync). In SyncMode::kDeferred tickets
//   stay pending until CompletePendingSyncs(), like an IndexedDB commit; the
//   bytes that become durable are those written when Sync() was called.
// - Writeback(now_ms) simulates the kernel flusher: an inode that has been
//   dirty for at least kDirtyExpireMs (30 s, Linux's default
//   dirty_expire_centisecs=3000) gets all its written bytes made durable.
//   Directories follow the same rule: a directory whose entries changed at
//   least 30 s ago gets its current entries made durable. "Dirty since" is
//   stamped from the Clock given to the constructor when a clean inode or
//   directory first becomes dirty.
// - Crash(kProcess): nothing on the disk changes (the page cache survives a
//   process death; killing the engine is the owner's job).
//   Crash(kPower): the current table becomes the durable one and every
//   inode drops to its durable bytes; pending tickets fail.
//   Crash(kPowerTorn, seed): like kPower, but for each surviving file a
//   seeded random number of whole 512-byte sectors of its un-synced tail
//   also reached the medium (sectors are written in order, so a prefix).
//
// WritableFile handles refer to the inode (as a POSIX fd does): writes
// through a handle to a renamed or removed file still go to that inode.
// Handles must not outlive the SimDisk. After a power crash, handles opened
// before it keep pointing at discarded inodes; the owner drops them with the
// engine. Not thread-safe.
//
// DURABILITY JOURNAL (for the browser's IndexedDB mirror): once
// StartDurableJournal() was called, every change to the durable state is
// recorded as a DurableOp, in order, and TakeDurableOps() hands them over.
// A consumer that applies them in order to "inode id -> bytes", "path ->
// inode id" and a set of directories holds exactly the durable table (every
// durable name, the durable bytes of the inode it names, every durable
// directory). Only changed bytes are recorded: a file that grew yields its
// new tail; replaced bytes yield a kTruncate to the first differing offset
// then the rest. An inode's bytes are journaled while some durable name
// refers to it: when its first durable name appears its whole durable
// content is appended, and kDropInode follows the removal of its last
// name. LoadDurable() is the way back: it boots an empty SimDisk from such
// a mirror. Changes made on the medium itself are journaled too: sectors a
// torn crash kept, FlipByte, and the names a power crash drops. Ops are
// recorded when the change happens here (for deferred syncs: in
// CompletePendingSyncs), so a mirror that commits later must hold back
// whatever depends on the commit itself.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/clock.h"
#include "core/io/crash_kind.h"
#include "core/io/disk.h"

namespace plab {

// One change to a SimDisk's durable state (see the journal contract above).
struct DurableOp {
  enum class Kind {
    kAppend,     // inode's durable bytes get `data` at `offset` (== their size)
    kTruncate,   // inode's durable bytes are cut to `offset` bytes
    kLink,       // durable name `path` now refers to `inode` (new or replaced)
    kUnlink,     // durable name `path` is gone
    kDropInode,  // no durable name refers to `inode` any more: forget its bytes
    kMkdir,      // directory `path` is durable
    kRmdir,      // directory `path` is no longer durable
  };
  Kind kind = Kind::kAppend;
  uint64_t inode = 0;
  uint64_t offset = 0;
  std::string data;
  std::string path;
};

// A durable state to boot from (what a mirror of the journal holds).
struct DurableImage {
  std::map<uint64_t, std::string> inodes;              // inode id -> durable bytes
  std::map<std::string, uint64_t, std::less<>> names;  // path -> inode id
  std::set<std::string, std::less<>> dirs;             // durable directories
};

class SimDisk final : public Disk {
 public:
  enum class SyncMode { kImmediate, kDeferred };

  static constexpr int64_t kDirtyExpireMs = 30000;
  static constexpr uint64_t kSectorSize = 512;

  // What a test or the UI can see about one file.
  struct FileInfo {
    uint64_t written_size = 0;
    uint64_t durable_size = 0;
    bool dirty = false;          // written bytes differ from durable ones
    bool entry_durable = false;  // the durable directory table has this path
  };

  // `clock` (may be null: dirty times are then 0) stamps when data became
  // dirty, for Writeback(). It must outlive the SimDisk.
  explicit SimDisk(const Clock* clock = nullptr);
  ~SimDisk() override;

  // Disk contract.
  Result<std::unique_ptr<WritableFile>> OpenWritable(std::string_view path, bool truncate) override;
  Result<std::string> Read(std::string_view path, uint64_t offset, uint64_t length) override;
  Result<std::string> ReadAll(std::string_view path) override;
  Result<uint64_t> FileSize(std::string_view path) override;
  bool Exists(std::string_view path) override;
  Status Rename(std::string_view from, std::string_view to) override;
  Status Remove(std::string_view path) override;
  // Succeeds when the directory already exists (like `mkdir -p`).
  Status CreateDir(std::string_view dir) override;
  // Files and subdirectories of `dir`, sorted.
  Result<std::vector<std::string>> List(std::string_view dir) override;
  std::shared_ptr<SyncTicket> SyncDir(std::string_view dir) override;

  // Durability control.
  void set_sync_mode(SyncMode mode) { sync_mode_ = mode; }
  size_t pending_syncs() const;
  // Completes every pending ticket in the order Sync()/SyncDir() was called.
  void CompletePendingSyncs();
  // The kernel flusher: makes data dirty for >= kDirtyExpireMs durable.
  void Writeback(int64_t now_ms);

  void Crash(CrashKind kind, uint64_t seed = 0);

  // Fault injection. The next `n` Append/WriteAt/Truncate calls fail with
  // `status` and change nothing (NoSpace() is the usual one).
  void FailNextWrites(int n, Status status);
  // The next Sync() or SyncDir() fails with `status`; nothing becomes durable.
  void FailNextSync(Status status);
  // Inverts every bit of the byte at `offset`, in both the written and the
  // durable bytes (where they are long enough): silent media corruption.
  Status FlipByte(std::string_view path, uint64_t offset);
  static Status NoSpace() { return Status::IoError("No space left on device"); }

  // Durability journal (see the contract at the top). Starting it records
  // the durable state as it is now (mkdirs, appends, links), so a consumer
  // starting from nothing ends up equal; later calls are no-ops.
  void StartDurableJournal();
  bool journaling() const { return journaling_; }
  // Returns the ops recorded since the last call, oldest first, and clears them.
  std::vector<DurableOp> TakeDurableOps();
  // Fills an empty SimDisk (no files, no directories) with `image` as both
  // its durable and its current state, as if the machine had just booted:
  // like a power crash, names inside a directory that is not durable are
  // dropped (journaled when the journal is on). Inode ids are kept, so ops
  // journaled afterwards use the mirror's ids. Every name must refer to an
  // inode of the image (InvalidArgument otherwise); unnamed inodes are ignored.
  Status LoadDurable(const DurableImage& image);
  // The durable state as a mirror of the journal holds it.
  DurableImage DurableSnapshot() const;

  // Inspection.
  Result<FileInfo> Inspect(std::string_view path) const;
  // The bytes a power crash would keep for `path` right now ("" when the
  // durable table has no such entry: NotFound).
  Result<std::string> DurableContent(std::string_view path) const;
  // True when `dir`'s current entries differ from its durable ones.
  bool DirDirty(std::string_view dir) const;
  // Every file path in the current table, sorted.
  std::vector<std::string> AllFiles() const;

  // What the engine asked of the disk since the SimDisk was made (crashes
  // don't reset it), for the playground's compare mode: syncs issued
  // (including ones a fault failed; writeback is not a sync) and bytes
  // passed to Append/WriteAt (Truncate's zero fill is not counted).
  struct Counters {
    uint64_t file_syncs = 0;  // fsync(2) on a file
    uint64_t dir_syncs = 0;   // fsync(2) on a directory
    uint64_t bytes_written = 0;
  };
  const Counters& counters() const { return counters_; }

 private:
  struct Inode;
  struct PendingSync;
  class SimFile;
  class SimTicket;
  using Table = std::map<std::string, std::shared_ptr<Inode>, std::less<>>;

  Status CheckWriteFault();
  void MarkDirty(Inode& inode);
  void MarkDirDirty(std::string_view dir);
  PendingSync SnapshotDir(std::string_view dir) const;
  std::shared_ptr<SyncTicket> SyncInode(const std::shared_ptr<Inode>& inode);
  void MakeDirDurable(const std::string& dir, const Table& entries,
                      const std::set<std::string>& subdirs);
  bool DirExists(std::string_view dir) const;
  int64_t NowMs() const;
  void TearInode(Inode& inode, uint64_t& rng);
  void SetDurable(Inode& inode, std::string bytes, uint64_t version);
  void LinkDurable(const std::string& path, const std::shared_ptr<Inode>& inode,
                   std::vector<std::shared_ptr<Inode>>& released);
  void ReleaseDurable(const std::vector<std::shared_ptr<Inode>>& released);
  void Journal(DurableOp op);

  const Clock* clock_;
  SyncMode sync_mode_ = SyncMode::kImmediate;
  Table current_;
  Table durable_;
  std::set<std::string, std::less<>> dirs_;                 // current subdirectories
  std::set<std::string, std::less<>> durable_dirs_;         // durable subdirectories
  std::map<std::string, int64_t, std::less<>> dirty_dirs_;  // dir -> dirty since
  std::vector<PendingSync> pending_;
  int fail_writes_ = 0;
  Status write_fault_;
  bool fail_sync_ = false;
  Status sync_fault_;
  uint64_t next_inode_id_ = 1;
  bool journaling_ = false;
  std::vector<DurableOp> journal_;
  Counters counters_;
};

}  // namespace plab
