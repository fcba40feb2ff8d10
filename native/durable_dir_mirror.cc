#include "native/durable_dir_mirror.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace plab {
namespace {

constexpr char kTmpPrefix[] = ".plab-tmp-";

Status OsError(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + std::strerror(errno));
}

std::string ParentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

bool IsTmpName(const char* name) {
  return std::strncmp(name, kTmpPrefix, sizeof kTmpPrefix - 1) == 0;
}

Status WriteAllAt(int fd, const std::string& data, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return OsError("write", path);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status ReadWhole(const std::string& path, std::string* out) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OsError("open", path);
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = OsError("read", path);
      close(fd);
      return s;
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return Status::Ok();
}

// fsync(2) of a file or directory; a path that no longer exists is fine (a
// later op of the batch removed it).
Status SyncPath(const std::string& path, bool directory, uint64_t* count) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
  if (fd < 0) return errno == ENOENT ? Status::Ok() : OsError("open", path);
  const int rc = fsync(fd);
  Status s = rc == 0 ? Status::Ok() : OsError("fsync", path);
  close(fd);
  ++*count;
  return s;
}

// Reads the tree under `root` + "/" + `rel` into the image; files that are
// hard links of each other get one inode id.
struct TreeReader {
  std::string root;
  DurableImage* image;
  std::map<std::pair<dev_t, ino_t>, uint64_t> ids;
  uint64_t next_id = 1;

  Status Read(const std::string& rel) {
    const std::string dir = rel.empty() ? root : root + "/" + rel;
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return OsError("opendir", dir);
    Status s = Status::Ok();
    while (dirent* e = readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      s = Entry(rel.empty() ? e->d_name : rel + "/" + e->d_name, e->d_name);
      if (!s.ok()) break;
    }
    closedir(d);
    return s;
  }

  Status Entry(const std::string& rel, const char* name) {
    const std::string full = root + "/" + rel;
    struct stat st {};
    if (lstat(full.c_str(), &st) != 0) return OsError("stat", full);
    if (IsTmpName(name)) {
      // An Apply was interrupted before its rename: the name never appeared.
      if (unlink(full.c_str()) != 0) return OsError("unlink", full);
      return Status::Ok();
    }
    if (S_ISDIR(st.st_mode)) {
      image->dirs.insert(rel);
      return Read(rel);
    }
    if (!S_ISREG(st.st_mode)) return Status::Ok();  // sockets, symlinks: not ours
    auto [it, fresh] = ids.try_emplace({st.st_dev, st.st_ino}, next_id);
    if (fresh) {
      ++next_id;
      PLAB_RETURN_IF_ERROR(ReadWhole(full, &image->inodes[it->second]));
    }
    image->names[rel] = it->second;
    return Status::Ok();
  }
};

}  // namespace

Result<std::unique_ptr<DurableDirMirror>> DurableDirMirror::Open(const std::string& dir,
                                                                 DurableImage* image) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return OsError("mkdir", dir);
  char resolved[PATH_MAX];
  if (realpath(dir.c_str(), resolved) == nullptr) return OsError("realpath", dir);
  *image = {};
  TreeReader reader{resolved, image, {}, 1};
  PLAB_RETURN_IF_ERROR(reader.Read(""));
  std::unique_ptr<DurableDirMirror> mirror(new DurableDirMirror(resolved));
  for (const auto& [path, id] : image->names) {
    mirror->names_[id].insert(path);
    mirror->inode_of_[path] = id;
  }
  return mirror;
}

Status DurableDirMirror::Apply(const std::vector<DurableOp>& ops) {
  for (const DurableOp& op : ops) {
    PLAB_RETURN_IF_ERROR(ApplyOne(op));
    ++ops_applied_;
  }
  return SyncTouched();
}

Status DurableDirMirror::ApplyOne(const DurableOp& op) {
  switch (op.kind) {
    case DurableOp::Kind::kAppend:
    case DurableOp::Kind::kTruncate:
      return Write(op);
    case DurableOp::Kind::kLink:
      return Link(op);
    case DurableOp::Kind::kUnlink:
      return Unlink(op.path);
    case DurableOp::Kind::kDropInode:
      names_.erase(op.inode);
      unnamed_.erase(op.inode);
      return Release(op.inode);
    case DurableOp::Kind::kMkdir:
      if (mkdir(Full(op.path).c_str(), 0755) != 0 && errno != EEXIST) {
        return OsError("mkdir", Full(op.path));
      }
      implicit_dirs_.erase(op.path);
      touched_dirs_.insert(ParentOf(op.path));
      return Status::Ok();
    case DurableOp::Kind::kRmdir:
      // Still holding files: kept (see the header's simplification).
      if (rmdir(Full(op.path).c_str()) != 0 && errno != ENOENT && errno != ENOTEMPTY) {
        return OsError("rmdir", Full(op.path));
      }
      touched_dirs_.insert(ParentOf(op.path));
      return Status::Ok();
  }
  return Status::Ok();
}

Status DurableDirMirror::Write(const DurableOp& op) {
  const std::string name = NameOf(op.inode);
  if (name.empty()) {
    // Bytes of an inode whose first name comes with a later kLink.
    std::string& bytes = unnamed_[op.inode];
    bytes.resize(static_cast<size_t>(op.offset), '\0');
    bytes += op.data;
    return Status::Ok();
  }
  const std::string full = Full(name);
  touched_inodes_.insert(op.inode);
  if (op.kind == DurableOp::Kind::kTruncate) {
    if (truncate(full.c_str(), static_cast<off_t>(op.offset)) != 0) {
      return OsError("truncate", full);
    }
    return Status::Ok();
  }
  const int fd = open(full.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return OsError("open", full);
  Status s = WriteAllAt(fd, op.data, op.offset, full);
  close(fd);
  return s;
}

// The name appears at once, holding its bytes: a temporary name in the
// same directory, renamed over the target (rename(2) is atomic).
Status DurableDirMirror::Link(const DurableOp& op) {
  const std::string parent = ParentOf(op.path);
  const std::string tmp = (parent.empty() ? "" : parent + "/") + kTmpPrefix +
                          std::to_string(getpid()) + "-" + std::to_string(++tmp_counter_);
  PLAB_RETURN_IF_ERROR(MakeParents(parent));
  const std::string existing = NameOf(op.inode);
  if (!existing.empty()) {
    if (link(Full(existing).c_str(), Full(tmp).c_str()) != 0) return OsError("link", Full(tmp));
  } else {
    const int fd = open(Full(tmp).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return OsError("create", Full(tmp));
    auto bytes = unnamed_.find(op.inode);
    Status s = bytes == unnamed_.end() ? Status::Ok() : WriteAllAt(fd, bytes->second, 0, Full(tmp));
    close(fd);
    PLAB_RETURN_IF_ERROR(s);
    if (bytes != unnamed_.end()) unnamed_.erase(bytes);
  }
  if (auto old = inode_of_.find(op.path); old != inode_of_.end()) {
    // The replaced inode may get a name again later in the batch (a rename
    // journals the new name's link before the old name's unlink): keep it.
    if (names_[old->second].size() == 1) {
      PLAB_RETURN_IF_ERROR(Hold(old->second, /*move=*/false));
    }
    names_[old->second].erase(op.path);
  }
  if (rename(Full(tmp).c_str(), Full(op.path).c_str()) != 0) return OsError("rename", Full(tmp));
  inode_of_[op.path] = op.inode;
  names_[op.inode].insert(op.path);
  PLAB_RETURN_IF_ERROR(Release(op.inode));
  touched_inodes_.insert(op.inode);
  touched_dirs_.insert(parent);
  return Status::Ok();
}

Status DurableDirMirror::Unlink(const std::string& path) {
  auto named = inode_of_.find(path);
  if (named != inode_of_.end() && names_[named->second].size() == 1) {
    PLAB_RETURN_IF_ERROR(Hold(named->second, /*move=*/true));  // its last name
  } else if (unlink(Full(path).c_str()) != 0 && errno != ENOENT) {
    return OsError("unlink", Full(path));
  }
  if (auto it = inode_of_.find(path); it != inode_of_.end()) {
    names_[it->second].erase(path);
    inode_of_.erase(it);
  }
  touched_dirs_.insert(ParentOf(path));
  // The last name in a directory made only to hold names: it goes too.
  for (std::string d = ParentOf(path); implicit_dirs_.count(d) != 0; d = ParentOf(d)) {
    if (rmdir(Full(d).c_str()) != 0) break;  // not empty yet
    implicit_dirs_.erase(d);
  }
  return Status::Ok();
}

// A SimDisk may make names durable inside a directory whose own entry is
// not (yet): a real file needs its directory, so it is made here.
Status DurableDirMirror::MakeParents(const std::string& dir) {
  if (dir.empty()) return Status::Ok();
  struct stat st {};
  if (stat(Full(dir).c_str(), &st) == 0) return Status::Ok();
  PLAB_RETURN_IF_ERROR(MakeParents(ParentOf(dir)));
  if (mkdir(Full(dir).c_str(), 0755) != 0 && errno != EEXIST) return OsError("mkdir", Full(dir));
  implicit_dirs_.insert(dir);
  return Status::Ok();
}

// Files before directories: a name made durable must not point at bytes
// that are not (ext4's data=ordered gives that for free; other file
// systems don't).
Status DurableDirMirror::SyncTouched() {
  std::set<uint64_t> inodes = std::move(touched_inodes_);
  std::set<std::string> dirs = std::move(touched_dirs_);
  touched_inodes_.clear();
  touched_dirs_.clear();
  for (uint64_t inode : inodes) {
    // An inode that lost every name in this batch has nothing to keep.
    if (std::string name = NameOf(inode); !name.empty()) {
      PLAB_RETURN_IF_ERROR(SyncPath(Full(name), false, &fsyncs_));
    }
  }
  for (const std::string& d : dirs) {
    PLAB_RETURN_IF_ERROR(SyncPath(d.empty() ? dir_ : Full(d), true, &fsyncs_));
  }
  return Status::Ok();
}

std::string DurableDirMirror::NameOf(uint64_t inode) const {
  auto it = names_.find(inode);
  if (it != names_.end() && !it->second.empty()) return *it->second.begin();
  auto held = held_.find(inode);
  return held == held_.end() ? "" : held->second;
}

// A temporary name keeps the bytes of an inode that lost its last durable
// name until the journal either names it again or drops it (the SimDisk's
// durable inodes live apart from their names; real files do not).
Status DurableDirMirror::Hold(uint64_t inode, bool move) {
  const std::string name = *names_[inode].begin();
  const std::string hold = std::string(kTmpPrefix) + "inode-" + std::to_string(inode);
  const int rc = move ? rename(Full(name).c_str(), Full(hold).c_str())
                      : link(Full(name).c_str(), Full(hold).c_str());
  if (rc != 0) return OsError(move ? "rename" : "link", Full(name));
  held_[inode] = hold;
  return Status::Ok();
}

Status DurableDirMirror::Release(uint64_t inode) {
  auto held = held_.find(inode);
  if (held == held_.end()) return Status::Ok();
  if (unlink(Full(held->second).c_str()) != 0 && errno != ENOENT) {
    return OsError("unlink", Full(held->second));
  }
  held_.erase(held);
  return Status::Ok();
}

}  // namespace plab
