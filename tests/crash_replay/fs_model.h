// FsModel: replays a recorded trace (trace.h) and answers "which file-system
// states could a power loss right now leave?" for the crash-replay test.
//
// The crash model (stated once, here):
// - File contents. Writes, ftruncates and O_TRUNC opens of a file are
//   volatile until an fsync/fdatasync of a descriptor of that file (or
//   sync()); after a crash the file holds its synced bytes plus any prefix of
//   the later operations, the last one possibly torn at any byte. A
//   "reordered" state keeps an arbitrary subset instead (out-of-order page
//   writeback), leaving zero-filled holes where skipped writes were.
//   sync_file_range promises nothing and is ignored.
// - Names. Creating a file, mkdir, rename and unlink change the directory
//   they happen in and are durable only once that directory is fsynced
//   (POSIX; what ALICE calls the weak model). Until then a crash keeps any
//   prefix of each directory's pending operations, directories independently
//   (a rename is atomic: all or nothing; a rename between directories belongs
//   to the target directory). An entry whose parent directory did not
//   survive is lost with it.
// - Model::kExt4Ordered relaxes names to ext4 data=ordered: an fsync of any
//   file also commits every earlier name operation (one journal), so a new
//   file survives once it is fsynced even without a directory fsync.
// Metadata other than names and sizes (modes, times) is not modelled.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/crash_replay/trace.h"

namespace plab::crash_replay {

// One file-system state: what a restarted server would find.
struct FsImage {
  std::map<std::string, std::string> files;  // relative path -> bytes
  std::set<std::string> dirs;                // relative paths, parents first
  bool reordered = false;                    // some file kept writes out of order (has holes)
  std::string how;                           // how it was chosen, for failure messages

  uint64_t Hash() const;
  // Creates the directories and files under `root` (which must exist and be
  // empty). False and *error when a call fails.
  bool Materialize(const std::string& root, std::string* error) const;
};

class FsModel {
 public:
  enum class Model { kPosix, kExt4Ordered };
  explicit FsModel(Model model) : model_(model) {}

  // Advances over one recorded operation.
  void Apply(const TraceOp& op);

  // Only what was made durable.
  FsImage Durable() const;
  // Everything the page cache holds (a process crash).
  FsImage Volatile() const;
  // Every pending name operation kept, and every file with pending writes
  // cut inside the last of them (half its bytes): names reached the disk,
  // the newest bytes did not.
  FsImage TornLast() const;
  // A random legal state: per directory a prefix of its pending name
  // operations, per file a (possibly torn) prefix of its pending writes, or,
  // with `reorder`, a random subset of one file's pending writes.
  FsImage Sample(std::mt19937_64& rng, bool reorder) const;

  // Number of pending (not yet durable) name and content operations.
  size_t pending() const;

 private:
  struct ContentOp {
    bool truncate = false;
    uint64_t offset = 0;  // the new size for a truncate
    std::string data;
  };
  struct Inode {
    bool dir = false;
    std::string durable;
    std::string current;
    std::vector<ContentOp> pending;
  };
  struct NameOp {
    enum class Kind { kCreate, kRemove, kRename } kind = Kind::kCreate;
    std::string dir;  // the directory whose fsync makes it durable
    std::string path;
    std::string to;
    int inode = -1;
  };
  using Names = std::map<std::string, int>;  // path -> inode

  void Open(const TraceOp& t);
  int NewInode(bool dir);
  void AddName(NameOp op);
  void SyncDirNames(const std::string& dir);
  void SyncAllNames();
  static void ApplyName(const NameOp& op, Names* names);
  static void ApplyContent(const ContentOp& op, std::string* bytes);
  // `keep_names[d]` = how many of directory d's pending operations survive;
  // `content(inode)` = its bytes after the crash.
  template <typename ContentFn>
  FsImage Build(const std::map<std::string, size_t>& keep_names, ContentFn content) const;
  std::map<std::string, size_t> PendingPerDir() const;

  Model model_;
  std::vector<Inode> inodes_;
  Names names_;          // what the process sees
  Names durable_names_;  // what survives for sure
  std::vector<NameOp> pending_names_;
  std::map<int, int> fd_inode_;
  std::map<int, std::string> dir_fd_path_;  // directory descriptors
};

}  // namespace plab::crash_replay
