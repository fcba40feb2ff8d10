// DurableWrite: replaces a file so that a crash at any moment leaves either
// the complete old file or the complete new file under its name, never a
// mix. This is the one place that knows the sequence (Redis 7.0.15's
// rdbSave: temp-<pid>.rdb, fsync, rename, then fsyncFileDir so the rename
// itself survives a power cut):
//
//   kOpen       open `dir/temp-<name>` (truncating a leftover one)
//   kWrite      write the data (or one slice per Step() with a Writer)
//   kSyncFile   Sync() the temp file            -> ticket
//   kWaitFile   wait until the ticket is done   (may take many Step()s)
//   kRename     Rename(temp, final)
//   kSyncDir    SyncDir(dir)                    -> ticket
//   kWaitDir    wait until the ticket is done
//   kDone
//
// What a crash leaves under the final name (precondition: the old file, if
// any, was itself written durably):
// - before kRename (open, write, sync, waiting): the old file, untouched.
//   A partial or torn temp-<name> may exist; loaders ignore temp files and
//   the next DurableWrite truncates it.
// - after kRename, before the directory ticket is done: a process crash
//   keeps the new file (the page cache has the rename); a power crash keeps
//   the old file if the rename never reached the medium, or the new one if
//   the kernel flushed the directory. The new file's bytes were durable
//   before the rename was issued, so it is complete either way.
// - kDone: the new file.
// On a failed write or sync the temp file is removed (best effort) and the
// old file is left as it was.
//
// Every Step() does at most one transition, so tests can crash the disk
// between any two; Poll() is what the engine calls from cron.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/io/disk.h"

namespace plab {

class DurableWrite {
 public:
  enum class State {
    kIdle,
    kOpen,
    kWrite,
    kSyncFile,
    kWaitFile,
    kRename,
    kSyncDir,
    kWaitDir,
    kDone,
    kFailed
  };

  // Writes the next slice to `file`; sets `finished` when all is written.
  // Called once per kWrite Step(), so a big snapshot can be spread over
  // many cron ticks.
  using Writer = std::function<Status(WritableFile& file, bool& finished)>;

  DurableWrite() = default;
  ~DurableWrite();
  DurableWrite(const DurableWrite&) = delete;
  DurableWrite& operator=(const DurableWrite&) = delete;

  // Starts replacing `dir/name` ("" = the root) with `data`. `disk` must
  // outlive this object. Restarting an unfinished write abandons it.
  void Start(Disk& disk, std::string_view dir, std::string_view name, std::string data);
  void Start(Disk& disk, std::string_view dir, std::string_view name, Writer writer);

  // Does one transition. Returns the error that moved it to kFailed (and
  // keeps returning it); Ok otherwise, including while waiting on a ticket.
  Status Step();
  // Steps until done, failed, or blocked on a pending ticket.
  Status Poll();

  State state() const { return state_; }
  bool done() const { return state_ == State::kDone; }
  bool failed() const { return state_ == State::kFailed; }
  // Blocked on a durability ticket that has not completed yet.
  bool waiting() const;
  const std::string& final_path() const { return final_path_; }
  const std::string& temp_path() const { return temp_path_; }
  // Where the new bytes can be read back now (the page cache has them once
  // written): the temp file until the rename, the final name after it.
  // REQUIRES: the data is written (state() after kWrite).
  const std::string& readable_path() const {
    return state_ >= State::kSyncDir && state_ <= State::kDone ? final_path_ : temp_path_;
  }

 private:
  void Begin(Disk& disk, std::string_view dir, std::string_view name);
  Status Fail(Status status);
  Status WaitTicket(State next);

  Disk* disk_ = nullptr;
  std::string dir_;
  std::string final_path_;
  std::string temp_path_;
  std::string data_;
  Writer writer_;
  std::unique_ptr<WritableFile> file_;
  std::shared_ptr<SyncTicket> ticket_;
  State state_ = State::kIdle;
  Status error_;
};

// Joins a directory and a name: ("", "dump.rdb") -> "dump.rdb".
std::string JoinPath(std::string_view dir, std::string_view name);

// Runs a whole DurableWrite of `data` to `path` on a disk whose tickets
// complete synchronously (PosixDisk, SimDisk in kImmediate mode). A ticket
// left pending is reported as an error rather than waited for.
Status WriteFileDurablySync(Disk& disk, std::string_view path, std::string data);

// The same sequence (temp, sync, rename, directory sync) issued at once,
// without waiting for the tickets in between: for small files (an AOF
// manifest) written where the caller cannot wait, such as a disk whose sync
// completes after the current event-loop turn. Safe because tickets
// complete in the order they were issued (see disk.h): the rename becomes
// durable only with the directory sync, which completes after the file's.
// Returns the error of any step that failed at once; a sync that fails
// later is seen by whoever waits on a later ticket.
Status WriteFileInIssueOrder(Disk& disk, std::string_view path, std::string_view data);

}  // namespace plab
