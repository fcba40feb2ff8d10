// PosixDisk: the Disk contract on real files under a root directory.
//
// Sync() is fdatasync(2) (the file's size is part of what fdatasync
// flushes, and mtime is not worth a second journal write, the same choice
// Redis makes with redis_fsync on Linux); SyncDir() opens the directory
// O_RDONLY|O_DIRECTORY and fsyncs it, which is what makes a rename(2)
// survive a power failure on ext4. Both complete before returning, so their
// tickets are DoneTickets, unless background syncs are on:
//
// BACKGROUND SYNCS (Redis's bio thread, BIO_AOF_FSYNC). After
// StartBackgroundSync(pred), Sync() of a file whose path `pred` accepts (the
// AOF's INCR files) only queues an fdatasync for one worker thread and
// returns a pending ticket. The worker fsyncs in issue order (one fdatasync
// covers every request queued for the same descriptor: a group commit) and
// then makes wake_fd() readable. Only the main thread completes tickets:
// CompleteFinishedSyncs() (the event loop calls it when wake_fd() is
// readable) marks them done in issue order, so core/ stays single-threaded
// and keeps seeing the Disk contract (tickets complete in issue order). The
// engine's deferred-ticket path does the rest: `always` holds the batch's
// replies until the ticket is done (Redis fsyncs inline in beforeSleep
// instead; the replies go out at the same point, but PersistLab's event
// loop serves other clients meanwhile, and a pipelined client's next
// commands wait with it), and everysec never waits (a write that finds the
// previous fsync still running is postponed up to 2 s, aof_delayed_fsync).
//
// ORDER. Everything else stays inline: Sync() of other files (RDB, BASE,
// manifest), SyncDir() and Rename() first wait for every queued background
// fsync and complete its ticket (WaitForPendingSyncs), then run. So no
// directory fsync or rename can overtake a file fsync issued before it, and
// an inline ticket is done only when all earlier ones are. Closing a file
// also waits, so the worker never fsyncs a descriptor that was closed (and
// maybe reused). These waits block the event loop for at most the fsync in
// flight; they happen on rewrites, saves and shutdown, not per command.
//
// StopBackgroundSync() (shutdown, and the destructor) waits for the queue
// and joins the worker; later syncs are inline again.
//
// Errors are Status values naming the path relative to the root and the
// strerror text ("dump.rdb: No space left on device"); ENOENT is NotFound,
// everything else IoError.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/disk.h"

namespace plab {

class PosixDisk final : public Disk {
 public:
  // `root` must exist; every path is relative to it.
  explicit PosixDisk(std::string root);
  ~PosixDisk() override;
  PosixDisk(const PosixDisk&) = delete;
  PosixDisk& operator=(const PosixDisk&) = delete;

  // Starts the worker; Sync() of files whose path `in_background` accepts
  // is then queued to it. Fails when the eventfd or the thread can't be
  // created (syncs stay inline).
  Status StartBackgroundSync(std::function<bool(std::string_view path)> in_background);
  // Waits for every queued fsync, completes the tickets, joins the worker.
  void StopBackgroundSync();
  bool background_sync() const;
  // Readable (an eventfd) when a background fsync finished; -1 when off.
  int wake_fd() const;
  // Main thread: marks finished background tickets done, in issue order,
  // and clears wake_fd(). Returns how many were completed.
  size_t CompleteFinishedSyncs();
  // Main thread: blocks until every queued fsync ran, then completes them.
  void WaitForPendingSyncs();
  // Background tickets not completed yet.
  size_t pending_syncs() const;
  // Test hook: while paused the worker starts no fsync (a slow disk);
  // WaitForPendingSyncs and StopBackgroundSync still get theirs done.
  void PauseBackgroundSyncForTest(bool paused);

  Result<std::unique_ptr<WritableFile>> OpenWritable(std::string_view path, bool truncate) override;
  Result<std::string> Read(std::string_view path, uint64_t offset, uint64_t length) override;
  Result<std::string> ReadAll(std::string_view path) override;
  Result<uint64_t> FileSize(std::string_view path) override;
  bool Exists(std::string_view path) override;
  Status Rename(std::string_view from, std::string_view to) override;
  Status Remove(std::string_view path) override;
  // Succeeds when the directory already exists (like `mkdir -p`).
  Status CreateDir(std::string_view dir) override;
  // Files and subdirectories of `dir`, sorted, without "." and "..".
  Result<std::vector<std::string>> List(std::string_view dir) override;
  std::shared_ptr<SyncTicket> SyncDir(std::string_view dir) override;

  const std::string& root() const { return root_; }

  class BackgroundSyncer;  // in posix_disk.cc

 private:
  friend class PosixFile;  // posix_disk.cc: Sync() asks SyncerFor
  std::string Full(std::string_view path) const;
  // The worker that fsyncs `path`'s file, or null when it syncs inline.
  BackgroundSyncer* SyncerFor(std::string_view path) const;

  std::string root_;
  std::unique_ptr<BackgroundSyncer> syncer_;
  std::function<bool(std::string_view)> in_background_;
};

}  // namespace plab
