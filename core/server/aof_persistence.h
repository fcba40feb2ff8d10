// AofPersistence: the server's append-only file — what Redis 7.0 keeps in
// src/aof.c: the aof_buf every propagated write lands in, the flush and
// fsync policy run before replies go out (appendfsync always / everysec /
// no), the multi-part directory (manifest, BASE, INCR files), the
// fork-less rewrite, loading at startup and the INFO persistence fields.
//
// Files go through the Server's Disk under `appenddirname`. The manifest is
// always replaced with a DurableWrite (temp, sync, rename, directory sync).
//
// Event-loop contract (Redis's beforeSleep): the transport runs a batch of
// commands, then calls Server::BeforeSleep(), which calls Flush(): the
// batch's bytes are written to the INCR file and, under `always`, synced.
// Only then may replies be delivered. On a disk whose sync completes later
// (IndexedDB) the replies of that batch wait for the ticket Flush returns.
//
// Rewrite without fork (BGREWRITEAOF): a new INCR file is opened and made
// current in the manifest first, so every later write goes there; the BASE
// is written from a point-in-time snapshot (core/persist/rdb_snapshot.h)
// in slices while commands keep running; then one manifest replacement
// switches to the new BASE and marks the older files as history, which are
// deleted only after that switch is durable. A crash at any step leaves a
// manifest whose files hold the whole dataset.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/disk.h"
#include "core/io/durable_write.h"
#include "core/persist/aof_manifest.h"
#include "core/persist/rdb_snapshot.h"
#include "core/server/recovery_report.h"
#include "core/util/log_sink.h"
#include "core/util/status.h"

namespace plab {

class Server;
class Keyspace;

// What INFO persistence reports for the AOF (Redis's server.aof_* fields).
struct AofInfo {
  int64_t current_size = 0;    // aof_current_size
  int64_t base_size = 0;       // aof_base_size (aof_rewrite_base_size)
  int64_t last_incr_size = 0;  // bytes written to the current INCR file
  int64_t last_incr_fsync_offset = 0;
  int64_t delayed_fsync = 0;  // aof_delayed_fsync
  int64_t rewrites = 0;       // aof_rewrites
  int64_t last_rewrite_time_sec = -1;
  int64_t rewrite_start_s = -1;    // for aof_current_rewrite_time_sec
  bool last_bgrewrite_ok = true;   // aof_last_bgrewrite_status
  bool last_write_ok = true;       // aof_last_write_status
  std::string last_write_error;    // strerror text for MISCONF
  bool rewrite_scheduled = false;  // aof_rewrite_scheduled
  int64_t last_cow_size = 0;       // aof_last_cow_size
  int64_t last_fsync_s = 0;        // aof_last_fsync
  int64_t flush_postponed_start_s = 0;
};

class AofPersistence {
 public:
  // aof_state: off, on, or turned on and waiting for its first rewrite.
  enum class State { kOff, kOn, kWaitRewrite };

  AofPersistence(Server& server, Disk& disk);
  ~AofPersistence();
  AofPersistence(const AofPersistence&) = delete;
  AofPersistence& operator=(const AofPersistence&) = delete;

  State state() const { return state_; }
  bool enabled() const { return state_ != State::kOff; }
  const AofInfo& info() const { return info_; }
  // Bytes waiting in aof_buf (INFO aof_buffer_length).
  size_t buffer_length() const { return buf_.size(); }
  const std::string& buffer() const { return buf_; }
  const AofManifest& manifest() const { return manifest_; }

  // --- Startup (loadDataFromDisk, aofOpenIfNeededOnServerStart) ---
  // Loads the AOF named by the manifest (or a legacy appendonly.aof, which
  // is moved into the directory first, as Redis 7.0 upgrades it) into the
  // server's keyspace, filling `report`. NotFound when there is no AOF.
  // On any other error the keyspace may hold a partial dataset; the caller
  // stops (Redis exits) and the files are left as they were.
  Status Load(RecoveryReport* report);
  // With appendonly yes: creates the directory, a BASE when there is no
  // file at all, opens the last INCR (creating one if needed), writes the
  // manifest, and turns the AOF on.
  Status OpenOnStartup();

  // feedAppendOnlyFile(): appends one RESP-encoded command in `db` to
  // aof_buf, preceded by SELECT when the db changes and, with
  // aof-timestamp-enabled, by a #TS annotation when the second changed.
  void Feed(int db, std::string_view resp);

  // flushAppendOnlyFile(force): writes aof_buf to the INCR file and syncs
  // by policy. Returns the ticket the batch's replies must wait for under
  // `always` (null when there is none to wait for).
  std::shared_ptr<SyncTicket> Flush(bool force);

  // serverCron's AOF part: a postponed flush, a retry after a write error,
  // a scheduled or automatic rewrite, and a slice of a running one.
  void Cron(int64_t budget_us);
  // Advances a running rewrite; true while work remains.
  bool BackgroundWork(int64_t budget_us);

  // --- Rewrite (BGREWRITEAOF) ---
  bool rewrite_in_progress() const { return rewrite_ != nullptr; }
  // rewriteAppendOnlyFileBackground(). Fails if the directory or the new
  // INCR cannot be created.
  Status StartRewrite();
  void ScheduleRewrite() { info_.rewrite_scheduled = true; }
  // killAppendOnlyChild(): abandons a running rewrite (temp file removed).
  void KillRewrite();
  int64_t current_cow_size() const;

  // --- CONFIG SET appendonly ---
  // startAppendOnly(): kWaitRewrite until the first rewrite completes.
  Status Enable();
  // stopAppendOnly(): flushes, syncs and closes.
  void Disable();

  // prepareForShutdown()'s AOF part: stop a rewrite, flush and sync.
  void PrepareForShutdown();

  // writeCommandsDeniedByDiskError(), AOF half: the last write failed.
  bool WritesDenied() const {
    return state_ != State::kOff && (!info_.last_write_ok || fsync_failed_);
  }
  // INFO aof_last_write_status: a failed write or background fsync.
  bool last_write_ok() const { return info_.last_write_ok && !fsync_failed_; }
  // An everysec fsync failed and writes wait for a rewrite from memory
  // (INFO aof_writes_refused_until_rewrite, a PersistLab field).
  bool awaiting_rewrite_after_fsync_error() const { return fsync_failed_; }
  // Set when Redis would have exited (a write or fsync error under
  // `always`): the server must stop without acknowledging anything more.
  bool fatal() const { return fatal_; }

  // --- Copy-on-write hooks for the rewrite's snapshot ---
  bool WantsEveryKey() const;
  void BeforeWrite(int db, std::string_view key);
  void BeforeKeyspaceReplaced();

 private:
  struct RewriteJob;

  std::string DirPath(std::string_view name) const;
  rdb::SnapshotFormat BaseFormat() const;
  rdb::RdbWriteOptions BaseRdbOptions() const;
  AofRewriteOptions BaseAofOptions() const;
  Status PersistManifest(const AofManifest& manifest);
  Status OpenIncr(const std::string& name, bool truncate);
  void UseIncr(std::unique_ptr<WritableFile> file, const std::string& name);
  Status WriteBuffer();
  std::shared_ptr<SyncTicket> SyncIncr();
  bool SyncInProgress() const;
  Status EnsureDir();
  void CheckBackgroundFsync();
  bool CheckAlwaysFsync();
  Status StartRewriteInternal();
  void FinishRewrite();
  void FailRewrite(const std::string& why);
  Status SwitchToRewrittenBase();
  void DeleteHistory();
  void MaybeAutoRewrite();
  void Fatal(const std::string& message);
  void Log(LogLevel level, const std::string& message) const;
  Status LoadFile(const std::string& name, bool last_file, RecoveryReport::File* file);
  Status ReplayCommands(std::string_view bytes, size_t from, const std::string& name,
                        bool last_file, RecoveryReport::File* file);

  Server& server_;
  Disk* disk_;
  State state_ = State::kOff;
  AofInfo info_;
  AofManifest manifest_;
  std::string buf_;                     // aof_buf
  int selected_db_ = -1;                // aof_selected_db
  int64_t last_ts_s_ = -1;              // the second of the last #TS annotation
  std::unique_ptr<WritableFile> incr_;  // the INCR file writes go to
  std::string incr_name_;
  std::shared_ptr<SyncTicket> everysec_ticket_;  // the background fsync
  // The newest `always` fsync still pending (a disk whose syncs complete
  // later): its failure is fatal as an inline one is (CheckAlwaysFsync).
  std::shared_ptr<SyncTicket> always_ticket_;
  std::unique_ptr<RewriteJob> rewrite_;
  bool fatal_ = false;
  // An everysec fsync failed and no rewrite from memory has covered it
  // yet: writes are refused (see CheckBackgroundFsync).
  bool fsync_failed_ = false;
  int64_t fsync_errors_ = 0;  // everysec fsyncs that failed, ever
};

}  // namespace plab
