#include "core/io/durable_write.h"

#include <utility>

namespace plab {

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  out += '/';
  out += name;
  return out;
}

// An unfinished write's temp file is abandoned: closing it only releases
// the handle, and the temp name is never renamed over the real file.
DurableWrite::~DurableWrite() {
  if (file_ != nullptr) (void)file_->Close();
}

void DurableWrite::Begin(Disk& disk, std::string_view dir, std::string_view name) {
  if (file_ != nullptr) (void)file_->Close();  // abandoned, as in the destructor
  file_.reset();
  ticket_.reset();
  disk_ = &disk;
  dir_ = std::string(dir);
  final_path_ = JoinPath(dir, name);
  temp_path_ = JoinPath(dir, "temp-" + std::string(name));
  error_ = Status::Ok();
  state_ = State::kOpen;
}

void DurableWrite::Start(Disk& disk, std::string_view dir, std::string_view name,
                         std::string data) {
  Begin(disk, dir, name);
  data_ = std::move(data);
  writer_ = [this](WritableFile& file, bool& finished) {
    finished = true;
    Status s = file.Append(data_);
    data_.clear();
    data_.shrink_to_fit();
    return s;
  };
}

void DurableWrite::Start(Disk& disk, std::string_view dir, std::string_view name, Writer writer) {
  Begin(disk, dir, name);
  data_.clear();
  writer_ = std::move(writer);
}

bool DurableWrite::waiting() const {
  return (state_ == State::kWaitFile || state_ == State::kWaitDir) && ticket_ != nullptr &&
         !ticket_->done();
}

Status DurableWrite::Fail(Status status) {
  // Already failing with `status`: errors of the cleanup below would only
  // hide it, and neither step can make the failed write look done.
  if (file_ != nullptr) (void)file_->Close();
  file_.reset();
  ticket_.reset();
  // Before the rename the temp file is garbage; after it, it no longer
  // exists under that name and Remove just fails harmlessly.
  if (disk_ != nullptr && disk_->Exists(temp_path_)) (void)disk_->Remove(temp_path_);
  state_ = State::kFailed;
  error_ = std::move(status);
  return error_;
}

Status DurableWrite::WaitTicket(State next) {
  if (!ticket_->done()) return Status::Ok();
  Status s = ticket_->status();
  ticket_.reset();
  if (!s.ok()) return Fail(std::move(s));
  state_ = next;
  return Status::Ok();
}

Status DurableWrite::Step() {
  switch (state_) {
    case State::kIdle:
    case State::kDone:
      return Status::Ok();
    case State::kFailed:
      return error_;
    case State::kOpen: {
      auto file = disk_->OpenWritable(temp_path_, /*truncate=*/true);
      if (!file.ok()) return Fail(file.status());
      file_ = std::move(file.value());
      state_ = State::kWrite;
      return Status::Ok();
    }
    case State::kWrite: {
      bool finished = false;
      Status s = writer_(*file_, finished);
      if (!s.ok()) return Fail(std::move(s));
      if (finished) state_ = State::kSyncFile;
      return Status::Ok();
    }
    case State::kSyncFile:
      ticket_ = file_->Sync();
      state_ = State::kWaitFile;
      return Status::Ok();
    case State::kWaitFile: {
      if (!ticket_->done()) return Status::Ok();
      Status closed = file_->Close();
      file_.reset();
      if (!closed.ok()) return Fail(std::move(closed));
      return WaitTicket(State::kRename);
    }
    case State::kRename: {
      Status s = disk_->Rename(temp_path_, final_path_);
      if (!s.ok()) return Fail(std::move(s));
      state_ = State::kSyncDir;
      return Status::Ok();
    }
    case State::kSyncDir:
      ticket_ = disk_->SyncDir(dir_);
      state_ = State::kWaitDir;
      return Status::Ok();
    case State::kWaitDir:
      return WaitTicket(State::kDone);
  }
  return Status::Ok();
}

Status DurableWrite::Poll() {
  while (state_ != State::kIdle && state_ != State::kDone && state_ != State::kFailed &&
         !waiting()) {
    PLAB_RETURN_IF_ERROR(Step());
  }
  return failed() ? error_ : Status::Ok();
}

Status WriteFileDurablySync(Disk& disk, std::string_view path, std::string data) {
  size_t slash = path.rfind('/');
  std::string_view dir =
      slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  DurableWrite write;
  write.Start(disk, dir, name, std::move(data));
  PLAB_RETURN_IF_ERROR(write.Poll());
  if (!write.done()) {
    return Status::IoError(std::string(path) +
                           ": durability ticket still pending on a disk "
                           "expected to sync synchronously");
  }
  return Status::Ok();
}

Status WriteFileInIssueOrder(Disk& disk, std::string_view path, std::string_view data) {
  const size_t slash = path.rfind('/');
  const std::string dir(slash == std::string_view::npos ? "" : path.substr(0, slash));
  const std::string name(slash == std::string_view::npos ? path : path.substr(slash + 1));
  const std::string temp = JoinPath(dir, "temp-" + name);
  Result<std::unique_ptr<WritableFile>> file = disk.OpenWritable(temp, /*truncate=*/true);
  if (!file.ok()) return file.status();
  Status s = (*file)->Append(data);
  std::shared_ptr<SyncTicket> synced = s.ok() ? (*file)->Sync() : nullptr;
  (void)(*file)->Close();  // releases the handle; the sync's outcome is what counts
  if (s.ok() && synced->done()) s = synced->status();
  if (s.ok()) s = disk.Rename(temp, path);
  if (!s.ok()) {
    (void)disk.Remove(temp);  // cleanup; the error returned is `s`
    return s;
  }
  std::shared_ptr<SyncTicket> dir_synced = disk.SyncDir(dir);
  return dir_synced->done() ? dir_synced->status() : Status::Ok();
}

}  // namespace plab
