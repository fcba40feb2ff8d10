#include "core/server/rdb_persistence.h"

#include <algorithm>
#include <cstdio>

#include "core/persist/rdb_writer.h"
#include "core/server/memory_estimate.h"
#include "core/server/server.h"
#include "core/util/log_sink.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

// CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this
// many seconds before trying again.
constexpr int64_t kBgsaveRetryDelaySec = 5;

}  // namespace

RdbPersistence::RdbPersistence(Server& server, Disk& disk) : server_(server), disk_(&disk) {}

void RdbPersistence::Log(LogLevel level, const std::string& message) const {
  server_.Log(level, message);
}

size_t RdbPersistence::SliceBytes() const {
  return static_cast<size_t>(std::max<int64_t>(1, server_.config().rdb_save_slice_bytes));
}

RdbLoadOptions RdbLoadOptionsFrom(const Config& config) {
  RdbLoadOptions o;
  o.hash_max_listpack_entries = config.hash_max_listpack_entries;
  o.hash_max_listpack_value = config.hash_max_listpack_value;
  o.set_max_intset_entries = config.set_max_intset_entries;
  o.zset_max_listpack_entries = config.zset_max_listpack_entries;
  o.zset_max_listpack_value = config.zset_max_listpack_value;
  return o;
}

rdb::RdbWriteOptions RdbPersistence::WriteOptions() const {
  const Config& c = server_.config();
  rdb::RdbWriteOptions o;
  o.compression = c.rdbcompression;
  o.checksum = c.rdbchecksum;
  o.ctime_s = server_.clock().NowMillis() / 1000;
  o.used_mem = EstimateMemory(server_).total();
  o.list_max_listpack_size = c.list_max_listpack_size;
  return o;
}

Result<RdbLoadResult> RdbPersistence::Load(Keyspace* fresh) {
  // A SAVE still waiting on an asynchronous disk has written its bytes
  // (the page cache has them) but may not have renamed them over
  // dbfilename yet: read them where they are, not the previous dump.
  const std::string& name =
      foreground_ != nullptr ? foreground_->write.readable_path() : server_.config().dbfilename;
  Result<std::string> bytes = disk_->ReadAll(name);
  if (!bytes.ok()) return bytes.status();
  Result<RdbLoadResult> loaded =
      LoadRdb(*bytes, server_.clock().NowMillis(), RdbLoadOptionsFrom(server_.config()), fresh);
  if (loaded.ok()) {
    info_.last_load_keys_loaded = loaded->keys_loaded;
    info_.last_load_keys_expired = loaded->keys_expired;
  }
  return loaded;
}

// rdbSave(): the whole keyspace, now.
RdbPersistence::SaveJob::SaveJob(Keyspace& keyspace, const rdb::RdbWriteOptions& options,
                                 Disk& disk, const std::string& name, size_t slice_bytes)
    : snapshot(keyspace, options) {
  write.Start(disk, "", name, rdb::SnapshotSliceWriter(&snapshot, slice_bytes));
}

// rdbSave(): the whole keyspace, streamed to the temp file in slices.
RdbPersistence::Outcome RdbPersistence::Save() {
  // Both jobs write through the same temp file name, so a background save
  // cannot go on under a foreground one (SAVE itself refuses to start then;
  // DEBUG RELOAD, FLUSHALL and SHUTDOWN stop it, as Redis kills its child).
  KillBackgroundSave();
  // One foreground save at a time: an earlier one still waiting on an
  // asynchronous disk is what the caller waits for.
  if (foreground_ != nullptr) return Outcome::kPending;
  // A running AOF rewrite walks the keyspace with a snapshot of its own.
  // This one's walk restamps every value it writes (rdb_snapshot.h), after
  // which the rewrite would skip them all and switch to an EMPTY base (every
  // key lost at the next restart). So the rewrite copies what it still
  // needs first, as before DEBUG RELOAD. (Redis's rewrite child has its own
  // memory.) Found by the crash-state enumeration, tests/crash/.
  server_.aof().BeforeKeyspaceReplaced();
  foreground_ = std::make_unique<SaveJob>(server_.keyspace(), WriteOptions(), *disk_,
                                          server_.config().dbfilename, SliceBytes());
  foreground_dirty_ = server_.dirty();
  PollForegroundSave();
  if (foreground_ != nullptr) return Outcome::kPending;
  return last_save_ok_ ? Outcome::kOk : Outcome::kFailed;
}

void RdbPersistence::PollForegroundSave() {
  if (foreground_ == nullptr) return;
  Status status = foreground_->write.Poll();
  if (!foreground_->write.done() && !foreground_->write.failed()) return;
  last_save_ok_ = foreground_->write.done();
  foreground_.reset();
  if (!last_save_ok_) {
    Log(LogLevel::kWarning, "Write error saving DB on disk: " + status.message());
    return;
  }
  Log(LogLevel::kNotice, "DB saved on disk");
  // Writes that arrived while an asynchronous disk confirmed the save stay
  // counted (Redis blocks for the whole SAVE, so for it this is dirty = 0).
  server_.add_dirty(-foreground_dirty_);
  info_.last_save_time_s = server_.clock().NowMillis() / 1000;
  info_.last_bgsave_ok = true;
}

Status RdbPersistence::StartBackgroundSave() {
  if (bgsave_ != nullptr || foreground_ != nullptr) {
    return Status::InvalidArgument("Background save already in progress");
  }
  const int64_t now_ms = server_.clock().NowMillis();
  ++info_.saves;
  info_.dirty_before_bgsave = server_.dirty();
  info_.last_bgsave_try_s = now_ms / 1000;
  bgsave_ = std::make_unique<SaveJob>(server_.keyspace(), WriteOptions(), *disk_,
                                      server_.config().dbfilename, SliceBytes());
  bgsave_->start_ms = now_ms;
  info_.bgsave_start_s = now_ms / 1000;
  // Redis logs the child's pid; there is no child here.
  Log(LogLevel::kNotice, "Background saving started (fork-less snapshot of " +
                             std::to_string(bgsave_->snapshot.keys_total()) + " keys)");
  return Status::Ok();
}

bool RdbPersistence::BackgroundWork(int64_t budget_us) {
  if (bgsave_ == nullptr) return false;
  const Clock& clock = server_.clock();
  const int64_t deadline = clock.NowMicros() + budget_us;
  int64_t slices = server_.config().rdb_save_max_slices_per_tick;
  do {
    Status status = bgsave_->write.Step();
    if (bgsave_->write.done() || bgsave_->write.failed()) {
      if (!status.ok())
        Log(LogLevel::kWarning, "Write error saving DB on disk: " + status.message());
      FinishBackgroundSave(bgsave_->write.done());
      return false;
    }
    if (bgsave_->write.waiting()) return true;  // the disk will call back later
  } while (--slices > 0 && clock.NowMicros() < deadline);
  return true;
}

// backgroundSaveDoneHandlerDisk().
void RdbPersistence::FinishBackgroundSave(bool ok) {
  const int64_t now_ms = server_.clock().NowMillis();
  info_.last_bgsave_time_sec = now_ms / 1000 - bgsave_->start_ms / 1000;
  if (ok) {
    Log(LogLevel::kNotice, "Background saving terminated with success");
    server_.add_dirty(-info_.dirty_before_bgsave);
    info_.last_save_time_s = now_ms / 1000;
    info_.last_bgsave_ok = true;
    info_.last_cow_size = bgsave_->snapshot.cow_bytes();
  } else {
    Log(LogLevel::kWarning, "Background saving error");
    info_.last_bgsave_ok = false;
  }
  bgsave_.reset();
}

void RdbPersistence::KillBackgroundSave() {
  if (bgsave_ == nullptr) return;
  // Redis kills the child with SIGUSR1, which is not counted as a failure.
  Log(LogLevel::kWarning, "Background saving stopped before it finished; temp file removed");
  const std::string temp = bgsave_->write.temp_path();
  bgsave_.reset();  // closes the temp file
  // Best effort, as Redis's removal of temp-<pid>.rdb: the next save
  // truncates the same temp name.
  if (disk_->Exists(temp)) (void)disk_->Remove(temp);
}

void RdbPersistence::Cron(int64_t budget_us) {
  const int64_t now_s = server_.clock().NowMillis() / 1000;
  if (bgsave_ != nullptr) {
    BackgroundWork(budget_us);
    return;
  }
  if (foreground_ != nullptr) {
    PollForegroundSave();
    return;
  }
  // One "child" at a time, as in Redis: save points wait for a rewrite.
  if (server_.HasActiveChild()) return;
  const bool may_retry =
      now_s - info_.last_bgsave_try_s > kBgsaveRetryDelaySec || info_.last_bgsave_ok;
  for (const SavePoint& sp : server_.config().save) {
    if (server_.dirty() >= sp.changes && now_s - info_.last_save_time_s > sp.seconds && may_retry) {
      Log(LogLevel::kNotice, std::to_string(sp.changes) + " changes in " +
                                 std::to_string(sp.seconds) + " seconds. Saving...");
      // rdbSaveBackground() failing is recorded (lastbgsave_status, the
      // retry delay) by StartBackgroundSave itself; cron has no client.
      (void)StartBackgroundSave();
      return;
    }
  }
  if (info_.bgsave_scheduled && may_retry && StartBackgroundSave().ok()) {
    info_.bgsave_scheduled = false;
  }
}

bool RdbPersistence::WritesDenied() const {
  const Config& c = server_.config();
  return c.stop_writes_on_bgsave_error && !c.save.empty() && !info_.last_bgsave_ok;
}

int64_t RdbPersistence::current_keys_processed() const {
  return bgsave_ ? bgsave_->snapshot.keys_processed() : 0;
}
int64_t RdbPersistence::current_keys_total() const {
  return bgsave_ ? bgsave_->snapshot.keys_total() : 0;
}
int64_t RdbPersistence::current_cow_size() const {
  return bgsave_ ? bgsave_->snapshot.cow_bytes() : 0;
}

}  // namespace plab
