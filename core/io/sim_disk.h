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
//   Crash(kPowerTorn, seed, shape): like kPower, but part of each surviving
//   file's un-synced sectors also reached the medium, as the seed and the
//   TearShape decide (see TearShape below; hosts use the default, kPrefix:
//   a seeded prefix of whole 512-byte sectors of the un-synced tail).
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
//
// OPERATION HOOK (crash-state enumeration, tests/crash/): every call that
// asks the disk to change something is numbered from 0 (crashes do not
// reset the count) and, when a hook is set, reported to it BEFORE it takes
// effect. So the disk the hook sees for op N is exactly what a crash "at op
// N" finds: ops 0..N-1 happened, N and later did not; CrashImage() tells
// what each kind of crash would leave right then, without crashing. The
// numbered ops: OpenWritable that creates a file or empties a non-empty
// one, Append/WriteAt with data, Truncate, Sync, SyncDir, Rename, Remove,
// CreateDir of a new directory, each inode or directory the kernel flusher
// (Writeback) makes durable, and each pending ticket CompletePendingSyncs
// completes. A call that fails its argument checks (no such file) is not an
// op; one a fault makes fail is (the engine did ask). The hook may read the
// disk (const methods, CrashImage) but must not change it.
#pragma once

#include <cstdint>
#include <functional>
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

// How a torn crash (CrashKind::kPowerTorn) treats the un-synced sectors of
// a file: from the first 512-byte sector where the page cache and the
// medium differ to the end of the written bytes. Real file systems differ
// here: ext4 in data=ordered mode writes a file's data before its new size
// (a prefix survives); delayed allocation, writeback mode or XFS may flush
// the pages of a file out of order, and may commit a file's new size before
// its data blocks, which then read back as zeros.
enum class TearShape {
  kPrefix,    // a seeded number of the sectors, in order (hosts: `.crash torn`)
  kSubset,    // any seeded subset of the sectors, out of order; the new size
              // landed or not (seeded); a sector that did not land reads as
              // its old durable bytes, or as zeros past the old durable size
  kZeroTail,  // a seeded prefix of the sectors landed and so did the new
              // size: the rest of the grown part reads as zeros
  kMixed,     // per file, the seed picks one of the three above
};

// "prefix", "subset", "zero-tail", "mixed".
std::string_view TearShapeName(TearShape shape);

// What a torn crash did to the files, for a caller that must tell a state
// the engine could have written from one the medium made up.
struct TearStats {
  int files_torn = 0;  // files that kept some un-synced bytes
  // Files whose bytes are not "what was written, up to some point, then
  // what was durable": zeros the engine never wrote, or a later sector
  // without an earlier one. Only kSubset and kZeroTail (and kMixed) make
  // these; no file format without checksums can always tell them from data.
  int files_invented = 0;
};

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

  // `seed` and `shape` only matter for kPowerTorn. A given seed and shape
  // tear files the same way on every platform.
  // `stats`, when given, is filled for torn crashes.
  void Crash(CrashKind kind, uint64_t seed = 0, TearShape shape = TearShape::kPrefix,
             TearStats* stats = nullptr);
  // What a machine would boot from if this disk crashed like that now,
  // without crashing it: for kProcess the current files (the page cache
  // survives), otherwise what Crash() would leave (names inside a directory
  // that is not durable left out). Equal to DurableSnapshot() after
  // Crash(kind, seed, shape) on a copy of this disk.
  DurableImage CrashImage(CrashKind kind, uint64_t seed = 0, TearShape shape = TearShape::kPrefix,
                          TearStats* stats = nullptr) const;

  // Operation hook (see OPERATION HOOK at the top).
  struct Op {
    enum class Kind {
      kCreate,    // OpenWritable made a new file
      kEmpty,     // OpenWritable emptied a non-empty file (truncate)
      kWrite,     // Append or WriteAt
      kTruncate,  // WritableFile::Truncate
      kSync,      // WritableFile::Sync (fsync of a file)
      kSyncDir,   // SyncDir
      kRename,
      kRemove,
      kMkdir,
      kWriteback,     // the kernel flusher makes one inode or directory durable
      kCompleteSync,  // CompletePendingSyncs completes one ticket
    };
    uint64_t index = 0;
    Kind kind = Kind::kWrite;
    // The file or directory ("" for the root); for writes, syncs and
    // truncates through a handle, the name it was opened under (a handle
    // follows its inode through renames, as an fd does).
    std::string_view path;
  };
  using OpHook = std::function<void(const Op&)>;
  // Replaces the hook (an empty function removes it).
  void set_op_hook(OpHook hook) { op_hook_ = std::move(hook); }
  // Ops so far; the next op gets this index.
  uint64_t op_count() const { return op_count_; }
  static std::string_view OpKindName(Op::Kind kind);

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
  std::shared_ptr<SyncTicket> SyncInode(const std::shared_ptr<Inode>& inode, std::string_view path);
  void MakeDirDurable(const std::string& dir, const Table& entries,
                      const std::set<std::string>& subdirs);
  bool DirExists(std::string_view dir) const;
  int64_t NowMs() const;
  void NoteOp(Op::Kind kind, std::string_view path);
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
  OpHook op_hook_;
  uint64_t op_count_ = 0;
};

}  // namespace plab
