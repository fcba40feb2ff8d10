#include "native/posix_disk.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
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

// fdatasync(2), retried on EINTR.
Status DataSync(int fd, std::string_view path) {
  int rc;
  do {
    rc = ::fdatasync(fd);
  } while (rc != 0 && errno == EINTR);
  return rc == 0 ? Status::Ok() : ErrnoStatus(path, errno);
}

// A background fsync's ticket. Touched by the main thread only: the worker
// reports results through BackgroundSyncer's queue.
class BackgroundTicket final : public SyncTicket {
 public:
  bool done() const override { return done_; }
  Status status() const override { return status_; }
  void Complete(Status s) {
    status_ = std::move(s);
    done_ = true;
  }

 private:
  bool done_ = false;
  Status status_;
};

// An open read-only descriptor that closes itself.
struct ReadFd {
  int fd = -1;
  ~ReadFd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

// The worker thread and its queues. Jobs go todo_ -> (worker) -> finished_
// -> (main thread) ticket completed; `tickets_` is main-thread only.
class PosixDisk::BackgroundSyncer {
 public:
  BackgroundSyncer() = default;
  ~BackgroundSyncer() { Stop(); }

  Status Start() {
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) return ErrnoStatus("eventfd", errno);
    // The worker takes no signals: SIGTERM/SIGINT must reach the event
    // loop's signalfd (a thread inherits the creator's signal mask).
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    worker_ = std::thread([this] { Work(); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return Status::Ok();
  }

  void Stop() {
    if (!worker_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    worker_.join();
    Complete();
    ::close(wake_fd_);
    wake_fd_ = -1;
  }

  std::shared_ptr<SyncTicket> Queue(int fd, const std::string& path) {
    auto ticket = std::make_shared<BackgroundTicket>();
    tickets_.push_back(ticket);
    {
      std::lock_guard<std::mutex> lock(mu_);
      todo_.push_back({fd, path, Status::Ok()});
    }
    work_cv_.notify_one();
    return ticket;
  }

  size_t Complete() {
    uint64_t count;
    (void)!::read(wake_fd_, &count, sizeof(count));  // EAGAIN when nothing came
    std::deque<Job> finished;
    {
      std::lock_guard<std::mutex> lock(mu_);
      finished.swap(finished_);
    }
    // The worker finishes jobs in queue order, so these are the oldest.
    for (Job& job : finished) {
      tickets_.front()->Complete(std::move(job.result));
      tickets_.pop_front();
    }
    return finished.size();
  }

  void Drain() {
    if (tickets_.empty()) return;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++draining_;
      work_cv_.notify_one();
      idle_cv_.wait(lock, [this] { return todo_.empty() && !running_; });
      --draining_;
    }
    Complete();
  }

  void Pause(bool paused) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      paused_ = paused;
    }
    work_cv_.notify_one();
  }

  size_t pending() const { return tickets_.size(); }
  int wake_fd() const { return wake_fd_; }

 private:
  struct Job {
    int fd;
    std::string path;
    Status result;
  };

  // The thread: takes everything queued, fsyncs each descriptor once (a
  // later fdatasync covers every write an earlier request covered), hands
  // the results back in order and wakes the event loop.
  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      work_cv_.wait(lock,
                    [this] { return stop_ || (!todo_.empty() && (!paused_ || draining_ > 0)); });
      if (todo_.empty()) return;  // stop_ with nothing left
      std::deque<Job> batch;
      batch.swap(todo_);
      running_ = true;
      lock.unlock();
      for (size_t i = 0; i < batch.size(); ++i) {
        size_t same = 0;
        while (same < i && batch[same].fd != batch[i].fd) ++same;
        batch[i].result = same < i ? batch[same].result : DataSync(batch[i].fd, batch[i].path);
      }
      lock.lock();
      for (Job& job : batch) finished_.push_back(std::move(job));
      running_ = false;
      idle_cv_.notify_all();
      const uint64_t one = 1;
      (void)!::write(wake_fd_, &one, sizeof(one));
    }
  }

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<Job> todo_;      // queued, not started
  std::deque<Job> finished_;  // done by the worker, tickets not completed
  bool running_ = false;
  bool stop_ = false;
  bool paused_ = false;
  int draining_ = 0;
  int wake_fd_ = -1;
  std::thread worker_;
  std::deque<std::shared_ptr<BackgroundTicket>> tickets_;  // main thread only
};

// Not in the anonymous namespace: PosixDisk befriends it.
class PosixFile final : public WritableFile {
 public:
  PosixFile(PosixDisk* disk, std::string path, int fd, uint64_t size)
      : disk_(disk), path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixFile() override { (void)Close(); }

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
    if (PosixDisk::BackgroundSyncer* bg = disk_->SyncerFor(path_)) return bg->Queue(fd_, path_);
    disk_->WaitForPendingSyncs();  // earlier background fsyncs come first
    return std::make_shared<DoneTicket>(DataSync(fd_, path_));
  }

  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    // The worker may hold this descriptor in its queue.
    disk_->WaitForPendingSyncs();
    int rc = ::close(fd_);
    fd_ = -1;
    // close(2) can report a deferred write error (NFS); never retry it.
    return rc == 0 ? Status::Ok() : ErrnoStatus(path_, errno);
  }

 private:
  Status Closed() const { return Status::IoError(path_ + ": file is closed"); }

  PosixDisk* disk_;
  std::string path_;
  int fd_;
  uint64_t size_;
};

PosixDisk::PosixDisk(std::string root) : root_(std::move(root)) {}

PosixDisk::~PosixDisk() { StopBackgroundSync(); }

Status PosixDisk::StartBackgroundSync(std::function<bool(std::string_view)> in_background) {
  if (syncer_ != nullptr) return Status::Ok();
  auto syncer = std::make_unique<BackgroundSyncer>();
  PLAB_RETURN_IF_ERROR(syncer->Start());
  syncer_ = std::move(syncer);
  in_background_ = std::move(in_background);
  return Status::Ok();
}

void PosixDisk::StopBackgroundSync() {
  if (syncer_ == nullptr) return;
  syncer_->Stop();
  syncer_.reset();
}

bool PosixDisk::background_sync() const { return syncer_ != nullptr; }
int PosixDisk::wake_fd() const { return syncer_ != nullptr ? syncer_->wake_fd() : -1; }

size_t PosixDisk::CompleteFinishedSyncs() { return syncer_ != nullptr ? syncer_->Complete() : 0; }

void PosixDisk::WaitForPendingSyncs() {
  if (syncer_ != nullptr) syncer_->Drain();
}

size_t PosixDisk::pending_syncs() const { return syncer_ != nullptr ? syncer_->pending() : 0; }

void PosixDisk::PauseBackgroundSyncForTest(bool paused) {
  if (syncer_ != nullptr) syncer_->Pause(paused);
}

PosixDisk::BackgroundSyncer* PosixDisk::SyncerFor(std::string_view path) const {
  return syncer_ != nullptr && in_background_(path) ? syncer_.get() : nullptr;
}

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
      new PosixFile(this, std::string(path), fd, static_cast<uint64_t>(st.st_size)));
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
  WaitForPendingSyncs();  // a rename never overtakes an fsync issued before it
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
  WaitForPendingSyncs();  // tickets complete in issue order
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
