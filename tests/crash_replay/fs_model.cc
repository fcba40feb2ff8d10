#include "tests/crash_replay/fs_model.h"

#include <fcntl.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

namespace plab::crash_replay {
namespace {

std::string Parent(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// Every ancestor directory of `path` is in `dirs` (the root always is).
bool ParentsExist(const std::string& path, const std::set<std::string>& dirs) {
  for (std::string p = Parent(path); !p.empty(); p = Parent(p)) {
    if (dirs.count(p) == 0) return false;
  }
  return true;
}

uint64_t Fnv(uint64_t h, const std::string& s) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return (h ^ 0xff) * 1099511628211ULL;  // separator
}

}  // namespace

uint64_t FsImage::Hash() const {
  uint64_t h = 14695981039346656037ULL;
  for (const std::string& d : dirs) h = Fnv(Fnv(h, "d"), d);
  for (const auto& [path, bytes] : files) h = Fnv(Fnv(Fnv(h, "f"), path), bytes);
  return h;
}

bool FsImage::Materialize(const std::string& root, std::string* error) const {
  std::error_code ec;
  for (const std::string& d : dirs) {
    std::filesystem::create_directory(root + "/" + d, ec);
    if (ec) {
      *error = "mkdir " + d + ": " + ec.message();
      return false;
    }
  }
  for (const auto& [path, bytes] : files) {
    std::ofstream out(root + "/" + path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      *error = "write " + path + " failed";
      return false;
    }
  }
  return true;
}

int FsModel::NewInode(bool dir) {
  inodes_.push_back(Inode{});
  inodes_.back().dir = dir;
  return static_cast<int>(inodes_.size()) - 1;
}

void FsModel::AddName(NameOp op) {
  ApplyName(op, &names_);
  pending_names_.push_back(std::move(op));
}

void FsModel::SyncDirNames(const std::string& dir) {
  std::vector<NameOp> rest;
  for (NameOp& op : pending_names_) {
    if (op.dir == dir) {
      ApplyName(op, &durable_names_);
    } else {
      rest.push_back(std::move(op));
    }
  }
  pending_names_ = std::move(rest);
}

void FsModel::SyncAllNames() {
  for (const NameOp& op : pending_names_) ApplyName(op, &durable_names_);
  pending_names_.clear();
}

void FsModel::ApplyName(const NameOp& op, Names* names) {
  switch (op.kind) {
    case NameOp::Kind::kCreate:
      (*names)[op.path] = op.inode;
      break;
    case NameOp::Kind::kRemove:
      names->erase(op.path);
      break;
    case NameOp::Kind::kRename: {
      auto it = names->find(op.path);
      if (it == names->end()) break;  // its creation did not survive
      const int inode = it->second;
      names->erase(it);
      (*names)[op.to] = inode;
      break;
    }
  }
}

void FsModel::ApplyContent(const ContentOp& op, std::string* bytes) {
  if (op.truncate) {
    bytes->resize(op.offset, '\0');
    return;
  }
  if (bytes->size() < op.offset + op.data.size()) bytes->resize(op.offset + op.data.size(), '\0');
  bytes->replace(op.offset, op.data.size(), op.data);
}

void FsModel::Open(const TraceOp& t) {
  auto it = names_.find(t.path);
  int inode;
  if (t.path.empty() || (t.arg & O_DIRECTORY) != 0) {
    inode = it == names_.end() ? NewInode(true) : it->second;  // the root, or a listed dir
  } else if (it == names_.end()) {
    inode = NewInode(false);  // O_CREAT (a read-only open succeeds only on existing files)
    AddName({NameOp::Kind::kCreate, Parent(t.path), t.path, "", inode});
  } else {
    inode = it->second;
  }
  fd_inode_[t.fd] = inode;
  if ((t.arg & O_TRUNC) != 0 && !inodes_[inode].dir) {
    inodes_[inode].pending.push_back({true, 0, ""});
    inodes_[inode].current.clear();
  }
  // An fsync of a directory descriptor commits the names in that directory.
  if (inodes_[inode].dir) dir_fd_path_[t.fd] = t.path;
}

void FsModel::Apply(const TraceOp& t) {
  using K = TraceOp::Kind;
  auto inode_of = [&](int fd) -> Inode* {
    auto it = fd_inode_.find(fd);
    return it == fd_inode_.end() ? nullptr : &inodes_[it->second];
  };
  switch (t.kind) {
    case K::kOpen:
      Open(t);
      break;
    case K::kWrite:
    case K::kTruncate: {
      Inode* n = inode_of(t.fd);
      if (n == nullptr || n->dir) break;
      ContentOp op{t.kind == K::kTruncate, static_cast<uint64_t>(t.arg), t.data};
      ApplyContent(op, &n->current);
      n->pending.push_back(std::move(op));
      break;
    }
    case K::kSync: {
      auto d = dir_fd_path_.find(t.fd);
      if (d != dir_fd_path_.end()) {
        SyncDirNames(d->second);
        break;
      }
      Inode* n = inode_of(t.fd);
      if (n == nullptr) break;
      n->durable = n->current;
      n->pending.clear();
      if (model_ == Model::kExt4Ordered) SyncAllNames();
      break;
    }
    case K::kSyncAll:
      for (Inode& n : inodes_) {
        n.durable = n.current;
        n.pending.clear();
      }
      SyncAllNames();
      break;
    case K::kClose:
      fd_inode_.erase(t.fd);
      dir_fd_path_.erase(t.fd);
      break;
    case K::kUnlink:
      AddName({NameOp::Kind::kRemove, Parent(t.path), t.path, "", -1});
      break;
    case K::kMkdir:
      AddName({NameOp::Kind::kCreate, Parent(t.path), t.path, "", NewInode(true)});
      break;
    case K::kRename:
      AddName({NameOp::Kind::kRename, Parent(t.path2), t.path, t.path2, -1});
      break;
    case K::kSyncRange:
      break;
  }
}

size_t FsModel::pending() const {
  size_t n = pending_names_.size();
  for (const Inode& i : inodes_) n += i.pending.size();
  return n;
}

std::map<std::string, size_t> FsModel::PendingPerDir() const {
  std::map<std::string, size_t> per_dir;
  for (const NameOp& op : pending_names_) ++per_dir[op.dir];
  return per_dir;
}

template <typename ContentFn>
FsImage FsModel::Build(const std::map<std::string, size_t>& keep_names, ContentFn content) const {
  Names names = durable_names_;
  std::map<std::string, size_t> seen;
  for (const NameOp& op : pending_names_) {
    auto keep = keep_names.find(op.dir);
    if (seen[op.dir]++ < (keep == keep_names.end() ? 0 : keep->second)) ApplyName(op, &names);
  }
  FsImage image;
  for (const auto& [path, inode] : names) {  // std::map order: parents before children
    if (inodes_[inode].dir && ParentsExist(path, image.dirs)) image.dirs.insert(path);
  }
  for (const auto& [path, inode] : names) {
    if (!inodes_[inode].dir && ParentsExist(path, image.dirs)) {
      image.files[path] = content(inode, &image);
    }
  }
  return image;
}

FsImage FsModel::Durable() const {
  FsImage image = Build({}, [&](int inode, FsImage*) { return inodes_[inode].durable; });
  image.how = "durable only";
  return image;
}

FsImage FsModel::Volatile() const {
  FsImage image =
      Build(PendingPerDir(), [&](int inode, FsImage*) { return inodes_[inode].current; });
  image.how = "everything written";
  return image;
}

FsImage FsModel::TornLast() const {
  auto content = [&](int inode, FsImage*) {
    const Inode& n = inodes_[inode];
    if (n.pending.empty()) return n.durable;
    std::string bytes = n.durable;
    for (size_t i = 0; i + 1 < n.pending.size(); ++i) ApplyContent(n.pending[i], &bytes);
    ContentOp last = n.pending.back();
    if (!last.truncate) {
      last.data.resize(last.data.size() / 2);
      ApplyContent(last, &bytes);
    }
    return bytes;
  };
  FsImage image = Build(PendingPerDir(), content);
  image.how = "all names, each file torn inside its last unsynced write";
  return image;
}

FsImage FsModel::Sample(std::mt19937_64& rng, bool reorder) const {
  std::map<std::string, size_t> keep = PendingPerDir();
  std::string how = reorder ? "reordered:" : "sampled:";
  for (auto& [dir, n] : keep) {
    n = rng() % (n + 1);
    how += " dir '" + dir + "' keeps " + std::to_string(n) + " name ops;";
  }
  // The file whose writes are reordered, among those with pending writes.
  std::vector<int> candidates;
  for (size_t i = 0; i < inodes_.size(); ++i) {
    if (inodes_[i].pending.size() >= 2) candidates.push_back(static_cast<int>(i));
  }
  const int reordered = reorder && !candidates.empty() ? candidates[rng() % candidates.size()] : -1;
  auto content = [&](int inode, FsImage* image) {
    const Inode& n = inodes_[inode];
    std::string bytes = n.durable;
    if (n.pending.empty()) return bytes;
    if (inode == reordered) {
      image->reordered = true;
      for (const ContentOp& op : n.pending) {
        if (rng() % 2 == 0) ApplyContent(op, &bytes);
      }
      return bytes;
    }
    const size_t k = rng() % (n.pending.size() + 1);
    for (size_t i = 0; i < k; ++i) ApplyContent(n.pending[i], &bytes);
    if (k < n.pending.size() && !n.pending[k].truncate && rng() % 2 == 0) {
      ContentOp torn = n.pending[k];
      torn.data.resize(rng() % (torn.data.size() + 1));
      ApplyContent(torn, &bytes);
    }
    return bytes;
  };
  FsImage image = Build(keep, content);
  image.how = how;
  return image;
}

}  // namespace plab::crash_replay
