#include "core/server/aof_persistence.h"

#include <algorithm>

#include "core/persist/aof_reader.h"
#include "core/persist/rdb_writer.h"
#include "core/server/server.h"

namespace plab {
namespace {

// A durability barrier that exists before the sync it stands for: replies
// of a batch written while the manifest naming a new INCR file is not yet
// durable wait on it, and it completes with the sync issued once they could
// be written.
class DeferredTicket final : public SyncTicket {
 public:
  bool done() const override {
    return inner_ != nullptr && inner_->done() && (before_ == nullptr || before_->done());
  }
  Status status() const override {
    if (before_ != nullptr && before_->done() && !before_->status().ok()) return before_->status();
    return inner_ != nullptr ? inner_->status() : Status::Ok();
  }
  void Resolve(std::shared_ptr<SyncTicket> inner) { inner_ = std::move(inner); }
  // An earlier sync the same replies also wait for.
  void After(std::shared_ptr<SyncTicket> before) { before_ = std::move(before); }

 private:
  std::shared_ptr<SyncTicket> inner_;
  std::shared_ptr<SyncTicket> before_;
};

// MISCONF shows strerror() alone: drop the "<path>: " a disk prefixes.
std::string StrerrorText(const Status& s) {
  const size_t colon = s.message().rfind(": ");
  return colon == std::string::npos ? s.message() : s.message().substr(colon + 2);
}

}  // namespace

// A rewrite in flight. Phases, each a DurableWrite that may wait on the disk:
//   kNewIncr   the manifest that adds the new INCR file (writes are held
//              in aof_buf until it is durable, so no acknowledged write can
//              land in a file the durable manifest does not name);
//   kBase      the snapshot, streamed to the new BASE file;
//   kSwitch    the manifest that names the new BASE and moves older files
//              to history.
struct AofPersistence::RewriteJob {
  enum class Phase { kNewIncr, kBase, kSwitch, kDone };

  RewriteJob(Keyspace& keyspace, rdb::SnapshotFormat format, const rdb::RdbWriteOptions& options,
             const AofRewriteOptions& aof_options)
      : snapshot(keyspace, format, options, aof_options) {}

  rdb::RdbSnapshot snapshot;
  Phase phase = Phase::kBase;
  DurableWrite manifest_write;
  AofManifest next_manifest;               // what manifest_write is writing
  std::string new_incr_name;               // kNewIncr: the file writes move to,
  std::unique_ptr<WritableFile> new_incr;  // created before the manifest names it
  DurableWrite base_write;
  std::string base_name;
  std::shared_ptr<DeferredTicket> gate;  // replies waiting for kNewIncr
  bool hold_next_batch = false;          // the batch that started it wrote to the old INCR
  int64_t start_ms = 0;
  bool startup = false;               // the empty BASE aofOpenIfNeededOnServerStart makes
  int64_t fsync_errors_at_start = 0;  // see CheckBackgroundFsync
};

AofPersistence::AofPersistence(Server& server, Disk& disk) : server_(server), disk_(&disk) {}

AofPersistence::~AofPersistence() = default;

void AofPersistence::Log(LogLevel level, const std::string& message) const {
  server_.Log(level, message);
}

std::string AofPersistence::DirPath(std::string_view name) const {
  return JoinPath(server_.config().appenddirname, name);
}

void AofPersistence::Feed(int db, std::string_view resp) {
  // Turned on but its rewrite has not started yet: the snapshot it takes
  // will hold this write (feedAppendOnlyFile keeps nothing then).
  if (state_ == State::kWaitRewrite && rewrite_ == nullptr) return;
  if (server_.config().aof_timestamp_enabled) {
    // genAofTimestampAnnotationIfNeeded(): one annotation per new second.
    const int64_t now_s = server_.clock().NowMillis() / 1000;
    if (now_s != last_ts_s_) {
      buf_ += EncodeAofAnnotation(now_s);
      last_ts_s_ = now_s;
    }
  }
  if (db != selected_db_) {
    buf_ += EncodeAofCommand({"SELECT", std::to_string(db)});
    selected_db_ = db;
  }
  buf_.append(resp);
}

Status AofPersistence::OpenIncr(const std::string& name, bool truncate) {
  Result<std::unique_ptr<WritableFile>> file = disk_->OpenWritable(DirPath(name), truncate);
  if (!file.ok()) {
    Log(LogLevel::kWarning,
        "Can't open the append-only file " + name + ": " + file.status().message());
    return file.status();
  }
  UseIncr(std::move(*file), name);
  return Status::Ok();
}

void AofPersistence::UseIncr(std::unique_ptr<WritableFile> file, const std::string& name) {
  if (incr_ != nullptr) {
    // aof_background_fsync_and_close(): what went to the old file is synced
    // before it is left behind. Its outcome is not waited for or reported,
    // as Redis's close job ignores it too: tickets complete in issue order,
    // so the manifest sync that follows cannot be durable before this one,
    // and a failed sync of a file no longer written to surfaces as a failed
    // later barrier or, after a crash, as a torn file that loading reports.
    // Close() only releases the handle (the bytes went to Append already).
    (void)incr_->Sync();
    (void)incr_->Close();
  }
  incr_ = std::move(file);
  incr_name_ = name;
  info_.last_incr_size = static_cast<int64_t>(incr_->Size());
  info_.last_incr_fsync_offset = info_.last_incr_size;
}

// dirCreateIfMissing(appenddirname), plus what Redis leaves out: a new
// directory's own entry in the root is made durable, or a power cut removes
// it with every synced file inside.
Status AofPersistence::EnsureDir() {
  const std::string& name = server_.config().appenddirname;
  const bool had_dir = disk_->List(name).ok();
  Status dir = disk_->CreateDir(name);
  if (dir.ok() && !had_dir) {
    std::shared_ptr<SyncTicket> t = disk_->SyncDir("");
    if (t->done()) dir = t->status();
  }
  if (!dir.ok()) {
    Log(LogLevel::kWarning, "Can't open or create append-only dir " + name + ": " + dir.message());
  }
  return dir;
}

// aof_bio_fsync_status: an everysec fsync that failed denies writes
// (MISCONF). Redis accepts writes again as soon as a later fsync succeeds;
// PersistLab does not (deliberate difference): since Linux 4.13 the pages
// whose writeback failed may be marked clean and dropped, so a later
// successful fsync says nothing about them and acknowledged writes could be
// gone without a trace. The dataset in memory is the truth: writes stay
// refused until a rewrite that started after the error has made a new BASE
// durable (FinishRewrite), and that rewrite is started here.
void AofPersistence::CheckBackgroundFsync() {
  if (everysec_ticket_ == nullptr || !everysec_ticket_->done()) return;
  const Status s = everysec_ticket_->status();
  everysec_ticket_.reset();
  if (s.ok()) return;
  ++fsync_errors_;
  info_.last_incr_fsync_offset = -1;  // nothing is known durable: retry next second
  info_.last_write_error = StrerrorText(s);
  if (!fsync_failed_) {
    Log(LogLevel::kWarning, "Fail to fsync the AOF file: " + s.message());
    Log(LogLevel::kWarning,
        "Writes are refused until the AOF is rewritten from memory: pages whose fsync failed "
        "may be lost even if a later fsync succeeds. Starting an AOF rewrite.");
  }
  fsync_failed_ = true;
  info_.rewrite_scheduled = true;
}

// An `always` fsync that failed after Flush returned (a disk that syncs in
// the background): Redis exits on a failed fsync under `always`, and so
// does PersistLab, before any later batch is answered. The replies that
// waited on it are never released (Server::HoldOutput). Returns false then.
bool AofPersistence::CheckAlwaysFsync() {
  if (always_ticket_ == nullptr || !always_ticket_->done()) return true;
  const Status s = always_ticket_->status();
  always_ticket_.reset();
  if (s.ok()) return true;
  Fatal("Can't persist AOF for fsync error when the AOF fsync policy is 'always': " + s.message() +
        ". Exiting...");
  return false;
}

bool AofPersistence::SyncInProgress() const {
  return everysec_ticket_ != nullptr && !everysec_ticket_->done();
}

// aofWrite() and its error handling in flushAppendOnlyFile().
Status AofPersistence::WriteBuffer() {
  Status s = incr_->Append(buf_);
  if (!s.ok()) {
    Log(LogLevel::kWarning, "Error writing to the AOF file: " + s.message());
    info_.last_write_error = StrerrorText(s);
    // The file never holds half a buffer: a failed Append changes nothing,
    // and Redis truncates a short write away in the same way.
    return s;
  }
  if (!info_.last_write_ok) {
    Log(LogLevel::kWarning, "AOF write error looks solved, Redis can write again.");
    info_.last_write_ok = true;
  }
  info_.current_size += static_cast<int64_t>(buf_.size());
  info_.last_incr_size += static_cast<int64_t>(buf_.size());
  buf_.clear();
  return Status::Ok();
}

std::shared_ptr<SyncTicket> AofPersistence::SyncIncr() {
  std::shared_ptr<SyncTicket> ticket = incr_->Sync();
  info_.last_incr_fsync_offset = info_.last_incr_size;
  info_.last_fsync_s = server_.clock().NowMillis() / 1000;
  return ticket;
}

std::shared_ptr<SyncTicket> AofPersistence::Flush(bool force) {
  if (state_ == State::kOff || fatal_ || !CheckAlwaysFsync()) return nullptr;
  const FsyncPolicy policy = server_.config().appendfsync;
  const bool always = policy == FsyncPolicy::kAlways;
  const bool everysec = policy == FsyncPolicy::kEverySec;
  // Writes wait while the manifest that names the new INCR file is not
  // durable yet (only on disks whose sync completes later).
  if (rewrite_ != nullptr && rewrite_->phase == RewriteJob::Phase::kNewIncr) {
    const bool hold = rewrite_->hold_next_batch;
    rewrite_->hold_next_batch = false;
    if ((buf_.empty() && !hold) || !always) return nullptr;
    if (rewrite_->gate == nullptr) rewrite_->gate = std::make_shared<DeferredTicket>();
    return rewrite_->gate;
  }
  if (incr_ == nullptr) return nullptr;
  const int64_t now_s = server_.clock().NowMillis() / 1000;
  const bool unsynced = info_.last_incr_fsync_offset != info_.last_incr_size;
  bool sync_in_progress = false;
  if (buf_.empty()) {
    CheckBackgroundFsync();
    // Data written earlier may still need its once-a-second fsync.
    if (everysec && unsynced && now_s > info_.last_fsync_s && !SyncInProgress()) {
      everysec_ticket_ = SyncIncr();
    } else if (always && unsynced) {
      return always_ticket_ = SyncIncr();
    }
    return nullptr;
  }
  if (everysec) sync_in_progress = SyncInProgress();
  CheckBackgroundFsync();
  if (everysec && !force && sync_in_progress) {
    // Redis postpones the write up to 2 seconds while the background fsync
    // is still running, then writes anyway and counts a delayed fsync.
    if (info_.flush_postponed_start_s == 0) {
      info_.flush_postponed_start_s = now_s;
      return nullptr;
    }
    if (now_s - info_.flush_postponed_start_s < 2) return nullptr;
    ++info_.delayed_fsync;
    Log(LogLevel::kNotice,
        "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer "
        "without waiting for fsync to complete, this may slow down Redis.");
  }
  info_.flush_postponed_start_s = 0;
  if (!WriteBuffer().ok()) {
    if (always) {
      Fatal(
          "Can't recover from AOF write error when the AOF fsync policy is 'always'. "
          "Exiting...");
    } else {
      info_.last_write_ok = false;  // MISCONF until a later write succeeds
    }
    return nullptr;
  }
  if (server_.config().no_appendfsync_on_rewrite && server_.HasActiveChild()) return nullptr;
  if (always) {
    std::shared_ptr<SyncTicket> ticket = SyncIncr();
    if (ticket->done() && !ticket->status().ok()) {
      Fatal("Can't persist AOF for fsync error when the AOF fsync policy is 'always': " +
            ticket->status().message() + ". Exiting...");
      return nullptr;
    }
    if (!ticket->done()) always_ticket_ = ticket;
    return ticket;
  }
  if (everysec && now_s > info_.last_fsync_s) {
    if (!sync_in_progress) everysec_ticket_ = SyncIncr();
    info_.last_fsync_s = now_s;
  }
  return nullptr;
}

void AofPersistence::Fatal(const std::string& message) {
  Log(LogLevel::kWarning, message);
  fatal_ = true;
  server_.RequestShutdown();
}

Status AofPersistence::PersistManifest(const AofManifest& manifest) {
  const std::string& f = server_.config().appendfilename;
  // Issued in one go: a write acknowledged later syncs after it (tickets
  // complete in order), so it can never be durable while this is not.
  Status s =
      WriteFileInIssueOrder(*disk_, DirPath(ManifestFileName(f)), FormatAofManifest(manifest));
  if (!s.ok()) Log(LogLevel::kWarning, "Can't persist the AOF manifest: " + s.message());
  return s;
}

// --- Rewrite ---------------------------------------------------------------

// aof-use-rdb-preamble: the BASE is an RDB (with the aof-base AUX field)
// or the dataset as commands.
rdb::SnapshotFormat AofPersistence::BaseFormat() const {
  return server_.config().aof_use_rdb_preamble ? rdb::SnapshotFormat::kRdb
                                               : rdb::SnapshotFormat::kAof;
}

rdb::RdbWriteOptions AofPersistence::BaseRdbOptions() const {
  // A dump's options, plus the AUX field that marks a BASE (rdbSaveRio
  // with RDBFLAGS_AOF_PREAMBLE).
  rdb::RdbWriteOptions options = server_.rdb().WriteOptions();
  options.aof_base = true;
  return options;
}

AofRewriteOptions AofPersistence::BaseAofOptions() const {
  AofRewriteOptions options;
  options.timestamp_enabled = server_.config().aof_timestamp_enabled;
  options.timestamp_s = server_.clock().NowMillis() / 1000;
  return options;
}

int64_t AofPersistence::current_cow_size() const {
  return rewrite_ != nullptr ? rewrite_->snapshot.cow_bytes() : 0;
}

bool AofPersistence::WantsEveryKey() const {
  return rewrite_ != nullptr && rewrite_->snapshot.active();
}

void AofPersistence::BeforeWrite(int db, std::string_view key) {
  if (rewrite_ != nullptr) rewrite_->snapshot.BeforeWrite(db, key);
}

void AofPersistence::BeforeKeyspaceReplaced() {
  if (rewrite_ != nullptr) rewrite_->snapshot.CopyAllRemaining();
}

Status AofPersistence::StartRewrite() {
  if (rewrite_ != nullptr) return Status::InvalidArgument("rewrite already in progress");
  Status s = StartRewriteInternal();
  if (!s.ok()) info_.last_bgrewrite_ok = false;
  return s;
}

// rewriteAppendOnlyFileBackground() without fork: flush what belongs to the
// old INCR file, take the snapshot (the fork moment), and point later
// writes at a new INCR file.
Status AofPersistence::StartRewriteInternal() {
  const Config& c = server_.config();
  PLAB_RETURN_IF_ERROR(EnsureDir());
  selected_db_ = -1;
  std::shared_ptr<SyncTicket> flushed = Flush(true);
  if (state_ == State::kOn && incr_ != nullptr && flushed == nullptr) {
    // The old INCR file is made durable before the manifest that adds the
    // new one can be (tickets complete in issue order). Redis 7.0 fsyncs it
    // only after persisting that manifest (aof_background_fsync_and_close):
    // a power cut in between can leave the old file torn mid-command while
    // no longer the last, and startup then refuses ("truncated but not the
    // last file"; found by the crash-state enumeration, tests/crash/).
    // The ticket is not kept: the manifest's own sync, issued later, is the
    // barrier that waits for this one (issue order), and its failure fails
    // the rewrite.
    (void)incr_->Sync();
  }
  auto job = std::make_unique<RewriteJob>(server_.keyspace(), BaseFormat(), BaseRdbOptions(),
                                          BaseAofOptions());
  job->start_ms = server_.clock().NowMillis();
  job->fsync_errors_at_start = fsync_errors_;
  AofManifest base_manifest = manifest_;
  if (state_ == State::kOn) {
    job->next_manifest = manifest_;
    Result<std::string> incr = AddNewIncr(&job->next_manifest, c.appendfilename);
    if (!incr.ok()) return incr.status();
    job->new_incr_name = *incr;
    // Created before any manifest names it, so a manifest never points at
    // a missing file.
    Result<std::unique_ptr<WritableFile>> file = disk_->OpenWritable(DirPath(*incr), true);
    if (!file.ok()) {
      Log(LogLevel::kWarning,
          "Can't open the append-only file " + *incr + ": " + file.status().message());
      return file.status();
    }
    job->new_incr = std::move(*file);
    base_manifest = job->next_manifest;
    job->phase = RewriteJob::Phase::kNewIncr;
    if (flushed != nullptr && !flushed->done()) {
      // aoftest fix: under `always` the writes of the batch that runs
      // BGREWRITEAOF were just flushed here, and their replies must still
      // wait for that sync (it was dropped, and BeforeSleep found aof_buf
      // empty: the replies went out before the data was durable).
      job->gate = std::make_shared<DeferredTicket>();
      job->gate->After(std::move(flushed));
      job->hold_next_batch = true;
    }
    job->manifest_write.Start(*disk_, c.appenddirname, ManifestFileName(c.appendfilename),
                              FormatAofManifest(job->next_manifest));
  } else if (state_ == State::kWaitRewrite) {
    // startAppendOnly(): until the first BASE exists, writes go to a temp
    // INCR file that the switch renames.
    PLAB_RETURN_IF_ERROR(OpenIncr(TempIncrFileName(c.appendfilename), /*truncate=*/true));
  }
  Result<std::string> base = AddNewBase(&base_manifest, c.appendfilename, c.aof_use_rdb_preamble);
  if (!base.ok()) return base.status();
  job->base_name = *base;
  const size_t slice = static_cast<size_t>(std::max<int64_t>(1, c.rdb_save_slice_bytes));
  job->base_write.Start(*disk_, c.appenddirname, job->base_name,
                        rdb::SnapshotSliceWriter(&job->snapshot, slice));
  rewrite_ = std::move(job);
  ++info_.rewrites;
  info_.rewrite_scheduled = false;
  info_.rewrite_start_s = server_.clock().NowMillis() / 1000;
  Log(LogLevel::kNotice, "Background append only file rewriting started");
  // Native disks: the new INCR is current at once. Whether more work
  // remains does not matter here: cron and idle time continue it.
  (void)BackgroundWork(0);
  return Status::Ok();
}

bool AofPersistence::BackgroundWork(int64_t budget_us) {
  if (rewrite_ == nullptr) return false;
  RewriteJob& job = *rewrite_;
  const Clock& clock = server_.clock();
  const int64_t deadline = clock.NowMicros() + budget_us;
  int64_t slices = server_.config().rdb_save_max_slices_per_tick;
  do {
    if (job.phase == RewriteJob::Phase::kNewIncr) {
      Status s = job.manifest_write.Poll();
      if (!s.ok()) {
        FailRewrite("Can't persist the AOF manifest: " + s.message());
        return false;
      }
      if (!job.manifest_write.done()) return true;
      manifest_ = job.next_manifest;
      Log(LogLevel::kNotice,
          "Creating AOF incr file " + job.new_incr_name + " on background rewrite");
      UseIncr(std::move(job.new_incr), job.new_incr_name);
      job.phase = RewriteJob::Phase::kBase;
      std::shared_ptr<DeferredTicket> gate = std::move(job.gate);
      std::shared_ptr<SyncTicket> t = Flush(false);  // what waited meanwhile
      if (gate != nullptr) gate->Resolve(t != nullptr ? t : std::make_shared<DoneTicket>());
      continue;
    }
    if (job.phase == RewriteJob::Phase::kBase) {
      Status s = job.base_write.Step();
      if (job.base_write.failed()) {
        FailRewrite("Write error writing append only file on disk: " + s.message());
        return false;
      }
      if (job.base_write.done()) {
        Status sw = SwitchToRewrittenBase();
        if (!sw.ok()) {
          FailRewrite(sw.message());
          return false;
        }
        continue;
      }
      if (job.base_write.waiting()) return true;
      continue;
    }
    if (job.phase == RewriteJob::Phase::kSwitch) {
      Status s = job.manifest_write.Poll();
      if (!s.ok()) {
        FailRewrite("Can't persist the AOF manifest: " + s.message());
        return false;
      }
      if (!job.manifest_write.done()) return true;
      FinishRewrite();
      return false;
    }
  } while (--slices > 0 && clock.NowMicros() < deadline);
  return true;
}

// backgroundRewriteDoneHandler()'s first half: the BASE is durable under its
// final name; the manifest that names it is written next.
Status AofPersistence::SwitchToRewrittenBase() {
  RewriteJob& job = *rewrite_;
  const Config& c = server_.config();
  AofManifest next = manifest_;
  Result<std::string> base = AddNewBase(&next, c.appendfilename, c.aof_use_rdb_preamble);
  if (!base.ok()) return base.status();
  if (state_ == State::kWaitRewrite) {
    Result<std::string> incr = AddNewIncr(&next, c.appendfilename);
    if (!incr.ok()) return incr.status();
    Status r = disk_->Rename(DirPath(TempIncrFileName(c.appendfilename)), DirPath(*incr));
    if (!r.ok())
      return Status::IoError("Error trying to rename the temporary AOF incr file: " + r.message());
    incr_name_ = *incr;  // the open handle follows the file
  }
  MarkRewrittenIncrsAsHistory(&next, state_ != State::kOff);
  job.next_manifest = std::move(next);
  job.phase = RewriteJob::Phase::kSwitch;
  job.manifest_write.Start(*disk_, c.appenddirname, ManifestFileName(c.appendfilename),
                           FormatAofManifest(job.next_manifest));
  return Status::Ok();
}

void AofPersistence::FinishRewrite() {
  RewriteJob& job = *rewrite_;
  manifest_ = job.next_manifest;
  Result<uint64_t> base_size = disk_->FileSize(DirPath(job.base_name));
  if (state_ != State::kOff) {
    info_.current_size =
        static_cast<int64_t>(base_size.ok() ? *base_size : 0) + info_.last_incr_size;
    info_.base_size = info_.current_size;
  }
  info_.last_cow_size = job.snapshot.cow_bytes();
  info_.last_bgrewrite_ok = true;
  info_.last_rewrite_time_sec = server_.clock().NowMillis() / 1000 - job.start_ms / 1000;
  info_.rewrite_start_s = -1;
  const bool startup = job.startup;
  const bool covers_fsync_errors = job.fsync_errors_at_start == fsync_errors_;
  rewrite_.reset();
  if (!startup) Log(LogLevel::kNotice, "Background AOF rewrite finished successfully");
  if (fsync_failed_) {
    if (covers_fsync_errors) {
      fsync_failed_ = false;
      Log(LogLevel::kWarning,
          "The AOF was rewritten from memory after the fsync error: writes are accepted again.");
    } else {
      info_.rewrite_scheduled = true;  // an fsync failed while it ran: once more
    }
  }
  if (state_ == State::kWaitRewrite) state_ = State::kOn;
  DeleteHistory();
}

// aofDelHistoryFiles(): only after the manifest without them is durable.
void AofPersistence::DeleteHistory() {
  if (server_.config().aof_disable_auto_gc || manifest_.history.empty()) return;
  for (const std::string& name : TakeHistory(&manifest_)) {
    Log(LogLevel::kNotice, "Removing the history file " + name + " in the background");
    // Redis's bio unlink ignores failures too: a history file left behind
    // is named by no manifest, so loading never reads it.
    (void)disk_->Remove(DirPath(name));
  }
  // The manifest without history differs from the durable one only in the
  // history lines, which loading ignores; if persisting it fails, the next
  // manifest write (next rewrite) carries the same content.
  (void)PersistManifest(manifest_);
}

void AofPersistence::FailRewrite(const std::string& why) {
  Log(LogLevel::kWarning, why);
  Log(LogLevel::kWarning, "Background AOF rewrite terminated with error");
  info_.last_bgrewrite_ok = false;
  info_.last_rewrite_time_sec = server_.clock().NowMillis() / 1000 - rewrite_->start_ms / 1000;
  info_.rewrite_start_s = -1;
  std::shared_ptr<DeferredTicket> gate = std::move(rewrite_->gate);
  const bool new_incr_pending = rewrite_->phase == RewriteJob::Phase::kNewIncr;
  const std::string temp = rewrite_->base_write.temp_path();
  rewrite_.reset();
  // Cleanup of a temp file no manifest names (Redis unlinks it without
  // checking); one left behind is overwritten by the next rewrite.
  if (!temp.empty() && disk_->Exists(temp)) (void)disk_->Remove(temp);
  if (gate != nullptr) {
    // A failed rewrite is not a failed write: the writes held for the new
    // INCR go to the old one, which every manifest that may be on disk
    // names, and their replies wait for that sync as usual (a rewrite
    // failing must not take the server down with acknowledged writes).
    std::shared_ptr<SyncTicket> t = new_incr_pending ? Flush(false) : nullptr;
    gate->Resolve(t != nullptr ? t : std::make_shared<DoneTicket>());
  }
  if (fsync_failed_) info_.rewrite_scheduled = true;  // still owed: see CheckBackgroundFsync
  if (state_ == State::kWaitRewrite) {
    // cleanup: the temp INCR goes away and the next try starts over.
    buf_.clear();
    incr_.reset();
    // Best effort, like Redis's bg_unlink of it: the temp INCR is named by
    // no manifest and is truncated when the next try opens it.
    (void)disk_->Remove(DirPath(TempIncrFileName(server_.config().appendfilename)));
    info_.rewrite_scheduled = true;
  }
}

void AofPersistence::KillRewrite() {
  if (rewrite_ == nullptr) return;
  Log(LogLevel::kNotice, "Killing running AOF rewrite child");
  const std::string temp = rewrite_->base_write.temp_path();
  std::shared_ptr<DeferredTicket> gate = std::move(rewrite_->gate);
  const bool new_incr_pending = rewrite_->phase == RewriteJob::Phase::kNewIncr;
  rewrite_.reset();
  // As in FailRewrite: a leftover temp BASE is harmless and overwritten.
  if (!temp.empty() && disk_->Exists(temp)) (void)disk_->Remove(temp);
  if (gate != nullptr) {
    // The held writes go to the old INCR file, which the manifest names.
    std::shared_ptr<SyncTicket> t = new_incr_pending ? Flush(false) : nullptr;
    gate->Resolve(t != nullptr ? t : std::make_shared<DoneTicket>());
  }
}

void AofPersistence::Cron(int64_t budget_us) {
  // serverCron's flushAppendOnlyFile(0) retries: no reply waits on these
  // flushes (those of BeforeSleep hold their replies), so their tickets are
  // not needed; a failure is recorded in info_ by Flush itself.
  if (state_ == State::kOn && info_.flush_postponed_start_s != 0) (void)Flush(false);
  if (state_ == State::kOn && !info_.last_write_ok) (void)Flush(false);
  if (rewrite_ != nullptr) {
    (void)BackgroundWork(budget_us);  // the next tick continues it either way
    return;
  }
  if (server_.HasActiveChild()) return;
  if (info_.rewrite_scheduled) {
    (void)StartRewrite();
    return;
  }
  MaybeAutoRewrite();
}

// serverCron(): rewrite when the AOF grew by auto-aof-rewrite-percentage
// over its size after the last rewrite, once past auto-aof-rewrite-min-size.
void AofPersistence::MaybeAutoRewrite() {
  const Config& c = server_.config();
  if (state_ != State::kOn || c.auto_aof_rewrite_percentage == 0 ||
      info_.current_size <= c.auto_aof_rewrite_min_size) {
    return;
  }
  const int64_t base = info_.base_size != 0 ? info_.base_size : 1;
  const int64_t growth = info_.current_size * 100 / base - 100;
  if (growth < c.auto_aof_rewrite_percentage) return;
  Log(LogLevel::kNotice,
      "Starting automatic rewriting of AOF on " + std::to_string(growth) + "% growth");
  // StartRewrite logs and counts its own failure (aof_last_bgrewrite_status);
  // an automatic rewrite has no client to tell, as in Redis's serverCron.
  (void)StartRewrite();
}

// --- On / off ------------------------------------------------------------

Status AofPersistence::Enable() {
  if (state_ != State::kOff) return Status::Ok();
  state_ = State::kWaitRewrite;
  info_.last_write_ok = true;
  if (server_.HasActiveChild()) {
    KillRewrite();
    if (server_.HasActiveChild()) {
      info_.rewrite_scheduled = true;
      Log(LogLevel::kWarning,
          "AOF was enabled but there is already another background operation. An AOF background "
          "was scheduled to start when possible.");
      server_.set_propagating(true);
      return Status::Ok();
    }
  }
  Status s = StartRewrite();
  if (!s.ok()) {
    state_ = State::kOff;
    Log(LogLevel::kWarning,
        "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. "
        "Check the above logs for more info about the error.");
    return s;
  }
  info_.last_fsync_s = server_.clock().NowMillis() / 1000;
  server_.set_propagating(true);
  return Status::Ok();
}

void AofPersistence::Disable() {
  if (state_ == State::kOff) return;
  // The final flush's ticket: its sync is waited for just below (through
  // the INCR file's own Sync, which covers it).
  (void)Flush(true);
  if (incr_ != nullptr) {
    std::shared_ptr<SyncTicket> t = incr_->Sync();
    if (t->done() && !t->status().ok()) {
      Log(LogLevel::kWarning, "Fail to fsync the AOF file: " + t->status().message());
    }
    // Close() only releases the handle; the sync above is what mattered.
    (void)incr_->Close();
    incr_.reset();
  }
  selected_db_ = -1;
  state_ = State::kOff;
  info_.rewrite_scheduled = false;
  info_.last_incr_size = 0;
  info_.last_incr_fsync_offset = 0;
  KillRewrite();
  buf_.clear();
  server_.set_propagating(false);
}

void AofPersistence::PrepareForShutdown() {
  if (state_ == State::kOff) return;
  KillRewrite();
  if (state_ == State::kWaitRewrite) {
    Log(LogLevel::kWarning, "Writing initial AOF. Exit anyway.");
  }
  // prepareForShutdown(): flushAppendOnlyFile(1) + redis_fsync, whose
  // errors Redis does not check either; the process is going away and the
  // durable state is whatever these barriers reached.
  (void)Flush(true);
  if (incr_ != nullptr) (void)incr_->Sync();
}

}  // namespace plab
