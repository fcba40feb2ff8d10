#include "core/io/sim_disk.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>

namespace plab {
namespace {

// "appendonlydir/x.aof" -> "appendonlydir"; "dump.rdb" -> "" (the root).
std::string_view ParentOf(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

Status NoSuchFile(std::string_view path) {
  return Status::NotFound(std::string(path) + ": No such file or directory");
}

// splitmix64: a tiny, portable, fully specified generator, so a torn crash
// with a given seed tears files the same way on every platform.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

DurableOp MakeOp(DurableOp::Kind kind, uint64_t inode, uint64_t offset, std::string data,
                 std::string path) {
  DurableOp op;
  op.kind = kind;
  op.inode = inode;
  op.offset = offset;
  op.data = std::move(data);
  op.path = std::move(path);
  return op;
}

// Whether sector `s` (counted from the first un-synced one) landed in a
// kSubset tear: one random bit per sector, 64 per draw.
class SectorBits {
 public:
  explicit SectorBits(uint64_t& rng) : rng_(rng) {}
  bool Next() {
    if (left_ == 0) {
      bits_ = NextRandom(rng_);
      left_ = 64;
    }
    --left_;
    const bool bit = (bits_ & 1) != 0;
    bits_ >>= 1;
    return bit;
  }

 private:
  uint64_t& rng_;
  uint64_t bits_ = 0;
  int left_ = 0;
};

// What the medium holds for a file whose page cache has `w` and whose
// durable bytes are `d` after a torn crash of `shape`; nullopt when nothing
// beyond `d` landed. The un-synced sectors run from the sector of the first
// differing byte to the end of `w`. kPrefix draws exactly one number per
// file (so a seed tears the same way as before the other shapes existed:
// the tutorial's `.crash torn 5` quotes the bytes it cuts).
std::optional<std::string> TornBytes(const std::string& w, const std::string& d, uint64_t& rng,
                                     TearShape shape) {
  constexpr uint64_t kSector = SimDisk::kSectorSize;
  if (shape == TearShape::kMixed) {
    constexpr TearShape kShapes[] = {TearShape::kPrefix, TearShape::kSubset, TearShape::kZeroTail};
    shape = kShapes[NextRandom(rng) % 3];
  }
  const size_t n = std::min(w.size(), d.size());
  const size_t common = static_cast<size_t>(
      std::mismatch(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(n), d.begin()).first -
      w.begin());
  const uint64_t start = common / kSector * kSector;
  const uint64_t span = w.size() > start ? w.size() - start : 0;
  const uint64_t sectors = (span + kSector - 1) / kSector;
  // Which sectors landed, and the file's size on the medium.
  std::vector<bool> landed(sectors, false);
  uint64_t size = d.size();
  if (shape == TearShape::kSubset) {
    size = NextRandom(rng) % 2 == 0 ? d.size() : w.size();
    SectorBits bits(rng);
    for (uint64_t s = 0; s < sectors; ++s) landed[s] = bits.Next();
  } else {
    const uint64_t kept = NextRandom(rng) % (sectors + 1);
    for (uint64_t s = 0; s < kept; ++s) landed[s] = true;
    if (shape == TearShape::kZeroTail || kept == sectors) {
      size = w.size();
    } else {
      // In order: the size follows the data that landed.
      size = std::max<uint64_t>(d.size(), std::min<uint64_t>(w.size(), start + kept * kSector));
    }
  }
  std::string out(size, '\0');
  const uint64_t head = std::min<uint64_t>(start, size);  // synced: equal in w and d
  std::copy(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(head), out.begin());
  for (uint64_t x = head; x < size; ++x) {
    const bool from_w = x < w.size() && landed[(x - start) / kSector];
    if (from_w) {
      out[x] = w[x];
    } else if (x < d.size()) {
      out[x] = d[x];
    }
  }
  if (out == d) return std::nullopt;
  return out;
}

// Whether `torn` is w[0:k] + d[k:] for no k (see TearStats::files_invented).
// The longest common prefix n of `torn` and `w` is the only k to try: a
// smaller k that works makes n work too.
bool Invented(const std::string& torn, const std::string& w, const std::string& d) {
  if (torn == w) return false;
  const size_t m = std::min(torn.size(), w.size());
  const size_t n = static_cast<size_t>(
      std::mismatch(torn.begin(), torn.begin() + static_cast<std::ptrdiff_t>(m), w.begin()).first -
      torn.begin());
  if (torn.size() != std::max(n, d.size())) return true;
  return n < d.size() && torn.compare(n, std::string::npos, d, n) != 0;
}

void Count(TearStats* stats, const std::string& torn, const std::string& w, const std::string& d) {
  if (stats == nullptr) return;
  ++stats->files_torn;
  if (Invented(torn, w, d)) ++stats->files_invented;
}

}  // namespace

std::string_view TearShapeName(TearShape shape) {
  switch (shape) {
    case TearShape::kPrefix:
      return "prefix";
    case TearShape::kSubset:
      return "subset";
    case TearShape::kZeroTail:
      return "zero-tail";
    case TearShape::kMixed:
      return "mixed";
  }
  return "prefix";
}

std::string_view SimDisk::OpKindName(Op::Kind kind) {
  switch (kind) {
    case Op::Kind::kCreate:
      return "create";
    case Op::Kind::kEmpty:
      return "empty";
    case Op::Kind::kWrite:
      return "write";
    case Op::Kind::kTruncate:
      return "truncate";
    case Op::Kind::kSync:
      return "sync";
    case Op::Kind::kSyncDir:
      return "syncdir";
    case Op::Kind::kRename:
      return "rename";
    case Op::Kind::kRemove:
      return "remove";
    case Op::Kind::kMkdir:
      return "mkdir";
    case Op::Kind::kWriteback:
      return "writeback";
    case Op::Kind::kCompleteSync:
      return "complete-sync";
  }
  return "?";
}

struct SimDisk::Inode {
  uint64_t id = 0;       // stable, for the durability journal
  int durable_refs = 0;  // durable names referring to this inode
  std::string written;
  std::string durable;
  uint64_t version = 0;          // bumped by every change to `written`
  uint64_t durable_version = 0;  // the version `durable` holds
  int64_t dirty_since_ms = 0;
  bool dirty() const { return version != durable_version; }
};

class SimDisk::SimTicket final : public SyncTicket {
 public:
  bool done() const override { return done_; }
  Status status() const override { return status_; }
  void Complete(Status status) {
    done_ = true;
    status_ = std::move(status);
  }

 private:
  bool done_ = false;
  Status status_;
};

// A deferred Sync()/SyncDir(): what it will make durable when completed.
struct SimDisk::PendingSync {
  std::shared_ptr<SimTicket> ticket;
  std::shared_ptr<Inode> inode;  // null for a directory sync
  std::string path;              // the file's name when Sync() was called
  std::string data;
  uint64_t version = 0;
  std::string dir;
  Table entries;
  std::set<std::string> subdirs;
};

class SimDisk::SimFile final : public WritableFile {
 public:
  SimFile(SimDisk* disk, std::string path, std::shared_ptr<Inode> inode)
      : disk_(disk), path_(std::move(path)), inode_(std::move(inode)) {}

  Status Append(std::string_view data) override { return WriteAt(inode_->written.size(), data); }

  Status WriteAt(uint64_t offset, std::string_view data) override {
    if (closed_) return Closed();
    if (!data.empty()) disk_->NoteOp(Op::Kind::kWrite, path_);
    PLAB_RETURN_IF_ERROR(disk_->CheckWriteFault());
    disk_->MarkDirty(*inode_);
    disk_->counters_.bytes_written += data.size();
    std::string& w = inode_->written;
    // Writing past the end leaves a hole of zeros, as pwrite(2) does.
    if (w.size() < offset + data.size()) w.resize(offset + data.size(), '\0');
    std::copy(data.begin(), data.end(), w.begin() + static_cast<std::ptrdiff_t>(offset));
    return Status::Ok();
  }

  Status Truncate(uint64_t size) override {
    if (closed_) return Closed();
    disk_->NoteOp(Op::Kind::kTruncate, path_);
    PLAB_RETURN_IF_ERROR(disk_->CheckWriteFault());
    disk_->MarkDirty(*inode_);
    inode_->written.resize(size, '\0');
    return Status::Ok();
  }

  uint64_t Size() const override { return inode_->written.size(); }

  std::shared_ptr<SyncTicket> Sync() override {
    if (closed_) return std::make_shared<DoneTicket>(Closed());
    return disk_->SyncInode(inode_, path_);
  }

  Status Close() override {
    closed_ = true;
    return Status::Ok();
  }

 private:
  Status Closed() const { return Status::IoError(path_ + ": file is closed"); }

  SimDisk* disk_;
  std::string path_;
  std::shared_ptr<Inode> inode_;
  bool closed_ = false;
};

SimDisk::SimDisk(const Clock* clock) : clock_(clock) {}
SimDisk::~SimDisk() = default;

size_t SimDisk::pending_syncs() const { return pending_.size(); }

void SimDisk::NoteOp(Op::Kind kind, std::string_view path) {
  if (op_hook_) {
    Op op;
    op.index = op_count_;
    op.kind = kind;
    op.path = path;
    op_hook_(op);
  }
  ++op_count_;
}

int64_t SimDisk::NowMs() const { return clock_ == nullptr ? 0 : clock_->NowMillis(); }

void SimDisk::MarkDirty(Inode& inode) {
  if (!inode.dirty()) inode.dirty_since_ms = NowMs();
  ++inode.version;
}

void SimDisk::MarkDirDirty(std::string_view dir) {
  // Keeps the first time: Linux expires an inode by when it was first dirtied.
  if (dirty_dirs_.find(dir) == dirty_dirs_.end()) dirty_dirs_.emplace(std::string(dir), NowMs());
}

bool SimDisk::DirExists(std::string_view dir) const {
  return dir.empty() || dirs_.find(dir) != dirs_.end();
}

Status SimDisk::CheckWriteFault() {
  if (fail_writes_ <= 0) return Status::Ok();
  --fail_writes_;
  return write_fault_;
}

Result<std::unique_ptr<WritableFile>> SimDisk::OpenWritable(std::string_view path, bool truncate) {
  if (!DirExists(ParentOf(path))) return NoSuchFile(path);
  if (dirs_.count(path) != 0) return Status::IoError(std::string(path) + ": Is a directory");
  auto it = current_.find(path);
  std::shared_ptr<Inode> inode;
  if (it == current_.end()) {
    NoteOp(Op::Kind::kCreate, path);
    inode = std::make_shared<Inode>();
    inode->id = next_inode_id_++;
    current_.emplace(std::string(path), inode);
    MarkDirDirty(ParentOf(path));
  } else {
    inode = it->second;
    if (truncate && !inode->written.empty()) {
      NoteOp(Op::Kind::kEmpty, path);
      MarkDirty(*inode);
      inode->written.clear();
    }
  }
  return std::unique_ptr<WritableFile>(new SimFile(this, std::string(path), inode));
}

Result<std::string> SimDisk::Read(std::string_view path, uint64_t offset, uint64_t length) {
  auto it = current_.find(path);
  if (it == current_.end()) return NoSuchFile(path);
  const std::string& w = it->second->written;
  if (offset >= w.size()) return std::string();
  return w.substr(offset, length);
}

Result<std::string> SimDisk::ReadAll(std::string_view path) {
  auto it = current_.find(path);
  if (it == current_.end()) return NoSuchFile(path);
  return it->second->written;
}

Result<uint64_t> SimDisk::FileSize(std::string_view path) {
  auto it = current_.find(path);
  if (it == current_.end()) return NoSuchFile(path);
  return static_cast<uint64_t>(it->second->written.size());
}

bool SimDisk::Exists(std::string_view path) {
  return current_.find(path) != current_.end() || dirs_.find(path) != dirs_.end();
}

Status SimDisk::Rename(std::string_view from, std::string_view to) {
  auto it = current_.find(from);
  if (it == current_.end()) return NoSuchFile(from);
  if (!DirExists(ParentOf(to))) return NoSuchFile(to);
  if (dirs_.count(to) != 0) return Status::IoError(std::string(to) + ": Is a directory");
  if (from == to) return Status::Ok();
  NoteOp(Op::Kind::kRename, from);
  std::shared_ptr<Inode> inode = it->second;
  current_.erase(it);
  current_.insert_or_assign(std::string(to), std::move(inode));
  MarkDirDirty(ParentOf(from));
  MarkDirDirty(ParentOf(to));
  return Status::Ok();
}

Status SimDisk::Remove(std::string_view path) {
  auto it = current_.find(path);
  if (it == current_.end()) return NoSuchFile(path);
  NoteOp(Op::Kind::kRemove, path);
  current_.erase(it);
  MarkDirDirty(ParentOf(path));
  return Status::Ok();
}

Status SimDisk::CreateDir(std::string_view dir) {
  if (dir.empty() || dirs_.count(dir) != 0) return Status::Ok();
  if (current_.count(dir) != 0) return Status::IoError(std::string(dir) + ": File exists");
  if (!DirExists(ParentOf(dir))) return NoSuchFile(dir);
  NoteOp(Op::Kind::kMkdir, dir);
  dirs_.emplace(dir);
  MarkDirDirty(ParentOf(dir));
  return Status::Ok();
}

Result<std::vector<std::string>> SimDisk::List(std::string_view dir) {
  if (!DirExists(dir)) return NoSuchFile(dir);
  std::vector<std::string> names;
  for (const auto& [path, inode] : current_) {
    if (ParentOf(path) == dir) names.emplace_back(BaseName(path));
  }
  for (const std::string& sub : dirs_) {
    if (ParentOf(sub) == dir) names.emplace_back(BaseName(sub));
  }
  std::sort(names.begin(), names.end());
  return names;
}

// --- Durability --------------------------------------------------------------

std::shared_ptr<SyncTicket> SimDisk::SyncInode(const std::shared_ptr<Inode>& inode,
                                               std::string_view path) {
  NoteOp(Op::Kind::kSync, path);
  ++counters_.file_syncs;
  if (fail_sync_) {
    fail_sync_ = false;
    return std::make_shared<DoneTicket>(sync_fault_);
  }
  auto ticket = std::make_shared<SimTicket>();
  if (sync_mode_ == SyncMode::kImmediate) {
    SetDurable(*inode, inode->written, inode->version);
    ticket->Complete(Status::Ok());
    return ticket;
  }
  PendingSync p;
  p.ticket = ticket;
  p.inode = inode;
  p.path = std::string(path);
  p.data = inode->written;  // the barrier covers what was written before Sync()
  p.version = inode->version;
  pending_.push_back(std::move(p));
  return ticket;
}

std::shared_ptr<SyncTicket> SimDisk::SyncDir(std::string_view dir) {
  if (!DirExists(dir)) return std::make_shared<DoneTicket>(NoSuchFile(dir));
  NoteOp(Op::Kind::kSyncDir, dir);
  ++counters_.dir_syncs;
  if (fail_sync_) {
    fail_sync_ = false;
    return std::make_shared<DoneTicket>(sync_fault_);
  }
  PendingSync p = SnapshotDir(dir);
  auto ticket = std::make_shared<SimTicket>();
  if (sync_mode_ == SyncMode::kImmediate) {
    MakeDirDurable(p.dir, p.entries, p.subdirs);
    ticket->Complete(Status::Ok());
    return ticket;
  }
  p.ticket = ticket;
  pending_.push_back(std::move(p));
  return ticket;
}

SimDisk::PendingSync SimDisk::SnapshotDir(std::string_view dir) const {
  PendingSync p;
  p.dir = std::string(dir);
  for (const auto& [path, inode] : current_) {
    if (ParentOf(path) == dir) p.entries.emplace(path, inode);
  }
  for (const std::string& sub : dirs_) {
    if (ParentOf(sub) == dir) p.subdirs.insert(sub);
  }
  return p;
}

void SimDisk::MakeDirDurable(const std::string& dir, const Table& entries,
                             const std::set<std::string>& subdirs) {
  for (const std::string& d : subdirs) {
    if (durable_dirs_.insert(d).second) Journal(MakeOp(DurableOp::Kind::kMkdir, 0, 0, "", d));
  }
  std::erase_if(durable_dirs_, [&](const std::string& d) {
    if (ParentOf(d) != dir || subdirs.count(d) != 0) return false;
    Journal(MakeOp(DurableOp::Kind::kRmdir, 0, 0, "", d));
    return true;
  });
  // Links before unlinks, so a renamed inode never loses its last name on
  // the way (which would journal its whole content again).
  std::vector<std::shared_ptr<Inode>> released;
  for (const auto& e : entries) LinkDurable(e.first, e.second, released);
  std::erase_if(durable_, [&](const auto& e) {
    if (ParentOf(e.first) != dir || entries.count(e.first) != 0) return false;
    Journal(MakeOp(DurableOp::Kind::kUnlink, 0, 0, "", e.first));
    released.push_back(e.second);
    return true;
  });
  ReleaseDurable(released);
  if (!DirDirty(dir)) dirty_dirs_.erase(dir);
}

void SimDisk::LinkDurable(const std::string& path, const std::shared_ptr<Inode>& inode,
                          std::vector<std::shared_ptr<Inode>>& released) {
  auto it = durable_.find(path);
  if (it != durable_.end() && it->second == inode) return;
  if (inode->durable_refs++ == 0 && journaling_ && !inode->durable.empty()) {
    // The mirror never saw this inode (or dropped it): all of it, once.
    Journal(MakeOp(DurableOp::Kind::kAppend, inode->id, 0, inode->durable, ""));
  }
  Journal(MakeOp(DurableOp::Kind::kLink, inode->id, 0, "", path));
  if (it == durable_.end()) {
    durable_.emplace(path, inode);
  } else {
    released.push_back(it->second);
    it->second = inode;
  }
}

void SimDisk::ReleaseDurable(const std::vector<std::shared_ptr<Inode>>& released) {
  for (const auto& inode : released) {
    if (--inode->durable_refs == 0) {
      Journal(MakeOp(DurableOp::Kind::kDropInode, inode->id, 0, "", ""));
    }
  }
}

void SimDisk::Journal(DurableOp op) {
  if (journaling_) journal_.push_back(std::move(op));
}

void SimDisk::SetDurable(Inode& inode, std::string bytes, uint64_t version) {
  if (journaling_ && inode.durable_refs > 0) {
    const std::string& old = inode.durable;
    const size_t n = std::min(old.size(), bytes.size());
    const size_t common = static_cast<size_t>(
        std::mismatch(old.begin(), old.begin() + static_cast<std::ptrdiff_t>(n), bytes.begin())
            .first -
        old.begin());
    if (common < old.size()) {
      Journal(MakeOp(DurableOp::Kind::kTruncate, inode.id, common, "", ""));
    }
    if (common < bytes.size()) {
      Journal(MakeOp(DurableOp::Kind::kAppend, inode.id, common, bytes.substr(common), ""));
    }
  }
  inode.durable = std::move(bytes);
  inode.durable_version = version;
}

void SimDisk::CompletePendingSyncs() {
  std::vector<PendingSync> pending = std::move(pending_);
  pending_.clear();
  for (PendingSync& p : pending) {
    NoteOp(Op::Kind::kCompleteSync, p.inode == nullptr ? p.dir : p.path);
    if (p.inode == nullptr) {
      MakeDirDurable(p.dir, p.entries, p.subdirs);
    } else if (p.version > p.inode->durable_version) {
      // Newer bytes may already be durable (writeback); never go back.
      SetDurable(*p.inode, std::move(p.data), p.version);
    }
    p.ticket->Complete(Status::Ok());
  }
}

void SimDisk::Writeback(int64_t now_ms) {
  // Data before metadata, like ext4's ordered mode: a renamed-in entry never
  // becomes durable before the bytes it points at.
  auto flush = [this, now_ms](const std::string& path, Inode& inode) {
    if (inode.dirty() && now_ms - inode.dirty_since_ms >= kDirtyExpireMs) {
      NoteOp(Op::Kind::kWriteback, path);
      SetDurable(inode, inode.written, inode.version);
    }
  };
  for (auto& e : current_) flush(e.first, *e.second);
  for (auto& e : durable_) flush(e.first, *e.second);
  std::vector<std::string> expired;
  for (const auto& [dir, since] : dirty_dirs_) {
    if (now_ms - since >= kDirtyExpireMs) expired.push_back(dir);
  }
  for (const std::string& dir : expired) {
    // Not SyncDir(): the flusher is neither deferred nor subject to faults.
    NoteOp(Op::Kind::kWriteback, dir);
    PendingSync p = SnapshotDir(dir);
    MakeDirDurable(p.dir, p.entries, p.subdirs);
    dirty_dirs_.erase(dir);
  }
}

bool SimDisk::DirDirty(std::string_view dir) const {
  auto in_dir = [dir](const auto& e) { return ParentOf(e.first) == dir; };
  Table cur, dur;
  std::copy_if(current_.begin(), current_.end(), std::inserter(cur, cur.end()), in_dir);
  std::copy_if(durable_.begin(), durable_.end(), std::inserter(dur, dur.end()), in_dir);
  if (cur != dur) return true;
  auto sub = [dir](const std::string& d) { return ParentOf(d) == dir; };
  std::vector<std::string> a, b;
  std::copy_if(dirs_.begin(), dirs_.end(), std::back_inserter(a), sub);
  std::copy_if(durable_dirs_.begin(), durable_dirs_.end(), std::back_inserter(b), sub);
  return a != b;
}

// --- Crashes and faults ------------------------------------------------------

void SimDisk::Crash(CrashKind kind, uint64_t seed, TearShape shape, TearStats* stats) {
  if (kind == CrashKind::kProcess) return;  // the page cache survives
  if (kind == CrashKind::kPowerTorn) {
    uint64_t rng = seed;
    for (auto& e : durable_) {
      Inode& inode = *e.second;
      if (!inode.dirty()) continue;
      // The durable version stays: the inode is still dirty, and the crash
      // below turns its written bytes into these anyway.
      std::optional<std::string> torn = TornBytes(inode.written, inode.durable, rng, shape);
      if (!torn) continue;
      Count(stats, *torn, inode.written, inode.durable);
      SetDurable(inode, std::move(*torn), inode.durable_version);
    }
  }
  for (PendingSync& p : pending_) p.ticket->Complete(Status::IoError("sync lost in power failure"));
  pending_.clear();
  // A directory whose own entry never became durable is gone, and with it
  // everything inside, however well its files were synced.
  std::vector<std::shared_ptr<Inode>> released;
  auto orphaned = [this, &released](const auto& e) {
    std::string_view parent = ParentOf(e.first);
    if (parent.empty() || durable_dirs_.count(parent) != 0) return false;
    Journal(MakeOp(DurableOp::Kind::kUnlink, 0, 0, "", e.first));
    released.push_back(e.second);
    return true;
  };
  std::erase_if(durable_, orphaned);
  ReleaseDurable(released);
  current_ = durable_;
  dirs_ = durable_dirs_;
  dirty_dirs_.clear();
  for (auto& e : current_) {
    e.second->written = e.second->durable;
    e.second->version = e.second->durable_version;
  }
}

DurableImage SimDisk::CrashImage(CrashKind kind, uint64_t seed, TearShape shape,
                                 TearStats* stats) const {
  DurableImage image;
  if (kind == CrashKind::kProcess) {
    for (const auto& [path, inode] : current_) {
      image.names.emplace(path, inode->id);
      image.inodes.emplace(inode->id, inode->written);
    }
    image.dirs.insert(dirs_.begin(), dirs_.end());
    return image;
  }
  // Crash()'s steps on copies of the durable bytes, in the same order, so
  // the seed draws the same numbers.
  std::map<uint64_t, std::string> bytes;
  for (const auto& [path, inode] : durable_) bytes.emplace(inode->id, inode->durable);
  if (kind == CrashKind::kPowerTorn) {
    uint64_t rng = seed;
    for (const auto& [path, inode] : durable_) {
      if (!inode->dirty()) continue;
      std::string& d = bytes[inode->id];
      std::optional<std::string> torn = TornBytes(inode->written, d, rng, shape);
      if (!torn) continue;
      Count(stats, *torn, inode->written, d);
      d = std::move(*torn);
    }
  }
  for (const auto& [path, inode] : durable_) {
    std::string_view parent = ParentOf(path);
    if (!parent.empty() && durable_dirs_.count(parent) == 0) continue;
    image.names.emplace(path, inode->id);
    image.inodes.emplace(inode->id, bytes[inode->id]);
  }
  image.dirs.insert(durable_dirs_.begin(), durable_dirs_.end());
  return image;
}

void SimDisk::FailNextWrites(int n, Status status) {
  fail_writes_ = n;
  write_fault_ = std::move(status);
}

void SimDisk::FailNextSync(Status status) {
  fail_sync_ = true;
  sync_fault_ = std::move(status);
}

Status SimDisk::FlipByte(std::string_view path, uint64_t offset) {
  auto it = current_.find(path);
  if (it == current_.end()) return NoSuchFile(path);
  Inode& inode = *it->second;
  if (offset >= inode.written.size() && offset >= inode.durable.size()) {
    return Status::InvalidArgument(std::string(path) + ": offset past end of file");
  }
  if (offset < inode.written.size()) inode.written[offset] ^= '\xff';
  if (offset < inode.durable.size()) {
    std::string flipped = inode.durable;
    flipped[offset] ^= '\xff';
    SetDurable(inode, std::move(flipped), inode.durable_version);
  }
  return Status::Ok();
}

// --- Inspection --------------------------------------------------------------

Result<SimDisk::FileInfo> SimDisk::Inspect(std::string_view path) const {
  auto it = current_.find(path);
  if (it == current_.end()) return NoSuchFile(path);
  FileInfo info;
  info.written_size = it->second->written.size();
  info.durable_size = it->second->durable.size();
  info.dirty = it->second->dirty();
  auto d = durable_.find(path);
  info.entry_durable = d != durable_.end() && d->second == it->second;
  return info;
}

Result<std::string> SimDisk::DurableContent(std::string_view path) const {
  auto it = durable_.find(path);
  if (it == durable_.end()) return NoSuchFile(path);
  return it->second->durable;
}

std::vector<std::string> SimDisk::AllFiles() const {
  std::vector<std::string> out;
  for (const auto& e : current_) out.push_back(e.first);
  return out;
}

// --- Durability journal ------------------------------------------------------

void SimDisk::StartDurableJournal() {
  if (journaling_) return;
  journaling_ = true;
  for (const std::string& d : durable_dirs_) Journal(MakeOp(DurableOp::Kind::kMkdir, 0, 0, "", d));
  std::set<const Inode*> sent;
  for (const auto& [path, inode] : durable_) {
    if (sent.insert(inode.get()).second && !inode->durable.empty()) {
      Journal(MakeOp(DurableOp::Kind::kAppend, inode->id, 0, inode->durable, ""));
    }
    Journal(MakeOp(DurableOp::Kind::kLink, inode->id, 0, "", path));
  }
}

std::vector<DurableOp> SimDisk::TakeDurableOps() {
  std::vector<DurableOp> ops = std::move(journal_);
  journal_.clear();
  return ops;
}

Status SimDisk::LoadDurable(const DurableImage& image) {
  if (!current_.empty() || !durable_.empty() || !dirs_.empty() || !durable_dirs_.empty()) {
    return Status::InvalidArgument("LoadDurable needs an empty disk");
  }
  for (const auto& [path, id] : image.names) {
    if (image.inodes.count(id) == 0) {
      return Status::InvalidArgument(path + ": no inode " + std::to_string(id));
    }
  }
  std::map<uint64_t, std::shared_ptr<Inode>> made;
  for (const auto& [path, id] : image.names) {
    std::shared_ptr<Inode>& inode = made[id];
    if (inode == nullptr) {
      inode = std::make_shared<Inode>();
      inode->id = id;
      inode->durable = image.inodes.at(id);
      next_inode_id_ = std::max(next_inode_id_, id + 1);
    }
    ++inode->durable_refs;
    durable_.emplace(path, inode);
  }
  durable_dirs_.insert(image.dirs.begin(), image.dirs.end());
  // Booting is what a power failure ends with: current = durable, minus
  // the names of directories that never became durable.
  Crash(CrashKind::kPower);
  return Status::Ok();
}

DurableImage SimDisk::DurableSnapshot() const {
  DurableImage image;
  for (const auto& [path, inode] : durable_) {
    image.names.emplace(path, inode->id);
    image.inodes.emplace(inode->id, inode->durable);
  }
  image.dirs.insert(durable_dirs_.begin(), durable_dirs_.end());
  return image;
}

}  // namespace plab
