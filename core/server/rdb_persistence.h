// RdbPersistence: the server's RDB side — what Redis spreads over rdb.c
// (SAVE, BGSAVE, rdbLoad), serverCron's save points and the persistence
// fields of INFO.
//
// Files go through the Server's Disk, named by `dbfilename` relative to the
// Disk's root (the native server roots its PosixDisk at `dir`, as Redis
// chdir()s there). Every dump is a DurableWrite: temp-<dbfilename>, sync,
// rename over dbfilename, directory sync.
//
// SAVE serializes the keyspace in one go. BGSAVE starts an RdbSnapshot (a
// fork-less point-in-time copy, see core/persist/rdb_snapshot.h) that
// BackgroundWork() writes a slice at a time, from cron and whenever the
// transport is idle, while commands keep running.
//
// Durability may complete later (Disk tickets): a foreground save that waits
// on its ticket reports kPending, and its caller holds the client's reply
// until PollForegroundSave() has the outcome.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/io/disk.h"
#include "core/io/durable_write.h"
#include "core/persist/rdb_loader.h"
#include "core/persist/rdb_snapshot.h"
#include "core/server/config.h"
#include "core/util/log_sink.h"
#include "core/util/status.h"

namespace plab {

class Server;

// What INFO persistence reports (Redis's server.* fields of the same names).
struct RdbInfo {
  int64_t last_save_time_s = 0;        // rdb_last_save_time (lastsave)
  bool last_bgsave_ok = true;          // rdb_last_bgsave_status
  int64_t last_bgsave_time_sec = -1;   // rdb_last_bgsave_time_sec
  int64_t bgsave_start_s = 0;          // for rdb_current_bgsave_time_sec
  int64_t last_bgsave_try_s = 0;       // retry delay after a failure
  int64_t saves = 0;                   // rdb_saves
  int64_t last_cow_size = 0;           // rdb_last_cow_size
  int64_t last_load_keys_loaded = 0;   // rdb_last_load_keys_loaded
  int64_t last_load_keys_expired = 0;  // rdb_last_load_keys_expired
  int64_t dirty_before_bgsave = 0;
  bool bgsave_scheduled = false;  // BGSAVE SCHEDULE / inside MULTI
};

// The loader's encoding thresholds from the server's parameters.
RdbLoadOptions RdbLoadOptionsFrom(const Config& config);

class RdbPersistence {
 public:
  enum class Outcome { kOk, kFailed, kPending };

  // `server` and `disk` must outlive this object.
  RdbPersistence(Server& server, Disk& disk);
  RdbPersistence(const RdbPersistence&) = delete;
  RdbPersistence& operator=(const RdbPersistence&) = delete;

  Disk& disk() { return *disk_; }
  const RdbInfo& info() const { return info_; }
  void MarkStartTime(int64_t unix_s) { info_.last_save_time_s = unix_s; }

  // --- Loading (startup, DEBUG RELOAD) ---
  // Reads dbfilename into `fresh` (an empty keyspace the caller swaps in on
  // success). NotFound when there is no file. Records the INFO load stats.
  Result<RdbLoadResult> Load(Keyspace* fresh);

  // --- Foreground save (SAVE, DEBUG RELOAD, FLUSHALL, SHUTDOWN) ---
  // Serializes the whole keyspace now and writes it durably. kPending: the
  // disk has not confirmed durability yet; PollForegroundSave() (cron calls
  // it) finishes the job, then last_save_ok() tells how it went.
  Outcome Save();
  void PollForegroundSave();
  bool foreground_pending() const { return foreground_ != nullptr; }
  bool last_save_ok() const { return last_save_ok_; }
  // saveCommand() counts itself in rdb_saves (other foreground saves don't).
  void CountSaveCommand() { ++info_.saves; }

  // --- Background save (BGSAVE, save points) ---
  bool bgsave_in_progress() const { return bgsave_ != nullptr; }
  // rdbSaveBackground(): starts the fork-less snapshot. Fails when a save is
  // already running.
  Status StartBackgroundSave();
  void ScheduleBackgroundSave() { info_.bgsave_scheduled = true; }
  // Advances a running background save for about `budget_us` of the
  // clock's time (at least one slice, at most rdb_save_max_slices_per_tick
  // of rdb_save_slice_bytes). Returns true while work remains.
  bool BackgroundWork(int64_t budget_us);
  // Stops a running background save, removing its temp file, like Redis's
  // killRDBChild() (FLUSHALL, SHUTDOWN). Not counted as a failure.
  void KillBackgroundSave();

  // serverCron's part: save points, a scheduled BGSAVE, and a slice of the
  // running one.
  void Cron(int64_t budget_us);

  // --- Copy-on-write hooks, forwarded from the Server's KeyObserver ---
  bool WantsEveryKey() const { return bgsave_ != nullptr && bgsave_->snapshot.active(); }
  void BeforeWrite(int db, std::string_view key) {
    if (bgsave_ != nullptr) bgsave_->snapshot.BeforeWrite(db, key);
  }
  // Before the whole keyspace is replaced: the running snapshot copies what
  // it still needs.
  void BeforeKeyspaceReplaced() {
    if (bgsave_ != nullptr) bgsave_->snapshot.CopyAllRemaining();
  }

  // How a dump is encoded now (rdbcompression, rdbchecksum, ctime, ...).
  rdb::RdbWriteOptions WriteOptions() const;

  // writeCommandsDeniedByDiskError(), RDB half: MISCONF.
  bool WritesDenied() const;

  // Progress of the running save (INFO current_save_keys_*, current_cow_size).
  int64_t current_keys_processed() const;
  int64_t current_keys_total() const;
  int64_t current_cow_size() const;

 private:
  // A snapshot streamed through a DurableWrite. SAVE runs one to the end
  // before any other command (so nothing is ever copied on write); BGSAVE
  // keeps one going across cron ticks.
  struct SaveJob {
    SaveJob(Keyspace& keyspace, const rdb::RdbWriteOptions& options, Disk& disk,
            const std::string& name, size_t slice_bytes);
    rdb::RdbSnapshot snapshot;
    DurableWrite write;
    int64_t start_ms = 0;
  };

  size_t SliceBytes() const;
  void FinishBackgroundSave(bool ok);
  void Log(LogLevel level, const std::string& message) const;

  Server& server_;
  Disk* disk_;
  RdbInfo info_;
  std::unique_ptr<SaveJob> bgsave_;
  std::unique_ptr<SaveJob> foreground_;  // a SAVE waiting on its ticket
  int64_t foreground_dirty_ = 0;         // dirty when that SAVE started
  bool last_save_ok_ = true;
};

}  // namespace plab
