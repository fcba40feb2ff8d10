#include "native/posix_disk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace plab {
namespace {

// Builds the Status for a failed system call, from errno.
Status ErrnoStatus(std::string_view path, int err) {
  std::string msg = std::string(path) + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(std::move(msg));
  return Status::IoError(std::move(msg));
}

// Writes all of `data` at `offset`, retrying short writes and EINTR.
Status PwriteAll(int fd, std::string_view path, uint64_t offset, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

class PosixFile final : public WritableFile {
 public:
  PosixFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override { return WriteAt(size_, data); }

  Status WriteAt(uint64_t offset, std::string_view data) override {
    if (fd_ < 0) return Closed();
    PLAB_RETURN_IF_ERROR(PwriteAll(fd_, path_, offset, data));
    size_ = std::max(size_, offset + data.size());
    return Status::Ok();
  }

  Status Truncate(uint64_t size) override {
    if (fd_ < 0) return Closed();
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return ErrnoStatus(path_, errno);
    size_ = size;
    return Status::Ok();
  }

  uint64_t Size() const override { return size_; }

  std::shared_ptr<SyncTicket> Sync() override {
    if (fd_ < 0) return std::make_shared<DoneTicket>(Closed());
    int rc;
    do {
      rc = ::fdatasync(fd_);
    } while (rc != 0 && errno == EINTR);
    return std::make_shared<DoneTicket>(rc == 0 ? Status::Ok() : ErrnoStatus(path_, errno));
  }

  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    int rc = ::close(fd_);
    fd_ = -1;
    // close(2) can report a deferred write error (NFS); never retry it.
    return rc == 0 ? Status::Ok() : ErrnoStatus(path_, errno);
  }

 private:
  Status Closed() const { return Status::IoError(path_ + ": file is closed"); }

  std::string path_;
  int fd_;
  uint64_t size_;
};

// An open read-only descriptor that closes itself.
struct ReadFd {
  int fd = -1;
  ~ReadFd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

PosixDisk::PosixDisk(std::string root) : root_(std::move(root)) {}

std::string PosixDisk::Full(std::string_view path) const {
  if (path.empty()) return root_;
  return root_ + "/" + std::string(path);
}

Result<std::unique_ptr<WritableFile>> PosixDisk::OpenWritable(std::string_view path,
                                                              bool truncate) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  int fd = ::open(Full(path).c_str(), flags, 0644);
  if (fd < 0) return ErrnoStatus(path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = ErrnoStatus(path, errno);
    ::close(fd);
    return s;
  }
  return std::unique_ptr<WritableFile>(
      new PosixFile(std::string(path), fd, static_cast<uint64_t>(st.st_size)));
}

Result<std::string> PosixDisk::Read(std::string_view path, uint64_t offset, uint64_t length) {
  ReadFd f;
  f.fd = ::open(Full(path).c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) return ErrnoStatus(path, errno);
  struct stat st;
  if (::fstat(f.fd, &st) != 0) return ErrnoStatus(path, errno);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (offset >= size) return std::string();
  // Never allocate more than the file holds: callers pass huge lengths.
  std::string out(std::min(length, size - offset), '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::pread(f.fd, out.data() + got, out.size() - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(path, errno);
    }
    if (n == 0) break;  // the file shrank under us
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

Result<std::string> PosixDisk::ReadAll(std::string_view path) {
  auto size = FileSize(path);
  if (!size.ok()) return size.status();
  return Read(path, 0, *size);
}

Result<uint64_t> PosixDisk::FileSize(std::string_view path) {
  struct stat st;
  if (::stat(Full(path).c_str(), &st) != 0) return ErrnoStatus(path, errno);
  return static_cast<uint64_t>(st.st_size);
}

bool PosixDisk::Exists(std::string_view path) {
  struct stat st;
  return ::stat(Full(path).c_str(), &st) == 0;
}

Status PosixDisk::Rename(std::string_view from, std::string_view to) {
  if (::rename(Full(from).c_str(), Full(to).c_str()) != 0) {
    int err = errno;
    // Name the side that is missing, as `mv` does.
    return ErrnoStatus(err == ENOENT && Exists(from) ? to : from, err);
  }
  return Status::Ok();
}

Status PosixDisk::Remove(std::string_view path) {
  if (::unlink(Full(path).c_str()) != 0) return ErrnoStatus(path, errno);
  return Status::Ok();
}

Status PosixDisk::CreateDir(std::string_view dir) {
  if (::mkdir(Full(dir).c_str(), 0755) == 0) return Status::Ok();
  int err = errno;
  struct stat st;
  if (err == EEXIST && ::stat(Full(dir).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return Status::Ok();
  }
  return ErrnoStatus(dir, err);
}

Result<std::vector<std::string>> PosixDisk::List(std::string_view dir) {
  DIR* d = ::opendir(Full(dir).c_str());
  if (d == nullptr) return ErrnoStatus(dir.empty() ? "." : dir, errno);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::shared_ptr<SyncTicket> PosixDisk::SyncDir(std::string_view dir) {
  std::string_view shown = dir.empty() ? "." : dir;
  ReadFd f;
  f.fd = ::open(Full(dir).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (f.fd < 0) return std::make_shared<DoneTicket>(ErrnoStatus(shown, errno));
  int rc;
  do {
    rc = ::fsync(f.fd);
  } while (rc != 0 && errno == EINTR);
  return std::make_shared<DoneTicket>(rc == 0 ? Status::Ok() : ErrnoStatus(shown, errno));
}

}  // namespace plab
