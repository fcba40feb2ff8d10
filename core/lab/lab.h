// Lab: one PersistLab instance as the playground and the JS API see it — an
// engine, its virtual clock and its simulated disk, plus the things a
// tutorial does to them: crash (process, power, torn write), restart with a
// recovery report and a diff of what was lost, inspect the files.
//
// The lab owns the pieces a Redis process would be attached to:
//   - a ManualClock the host moves (the browser runs it in real time, paused
//     or sped up; tests move it by hand), and Tick() runs serverCron at
//     `hz` along the way, so save points, everysec fsyncs and the 30 s
//     kernel writeback happen at the right virtual times;
//   - a SimDisk whose durability journal is on from the start: the host
//     takes the durable changes after each batch (TakeDurableOps) and
//     mirrors them (IndexedDB in the browser). Syncs complete at once on
//     the SimDisk; a host that mirrors them later must hold back the
//     batch's replies until its mirror has committed — which is exactly
//     Redis's "reply after fsync" for appendfsync always.
//
// The lab also checks what it shows. Every persistence setup promises a
// bound on what a crash may lose (core/lab/promise.h); the lab hears about
// every write (Server::WriteListener) and remembers, for the writes that
// bound may still lose, when each key was last acknowledged. Restart()'s
// diff then lists as `broken` any lost, changed or returned key whose last
// acknowledged write was old enough to be promised. Normal runs report
// none; an injected disk fault can make one appear.
//
// States: kNew (Open not called yet), kRunning, kDown (crashed, SHUTDOWN,
// a fatal AOF error, or a restart whose recovery failed). Commands are only
// accepted while running; files can always be inspected.
//
// Portable: no OS calls. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/engine.h"
#include "core/io/clock.h"
#include "core/io/sim_disk.h"
#include "core/lab/keyspace_diff.h"
#include "core/lab/promise.h"
#include "core/server/recovery_report.h"
#include "core/util/log_sink.h"
#include "core/util/status.h"

namespace plab {

// One log line of the engine, with the virtual time it was logged at.
struct LabLogLine {
  int64_t time_ms = 0;
  LogLevel level = LogLevel::kNotice;
  std::string message;
};

// The lab's clock: "now" is virtual (the host moves it), but durations are
// measured on the host's stopwatch (its real monotonic clock, through the
// Clock seam), so a recovery report says how long loading took. Without a
// stopwatch, durations are virtual too (0: the virtual clock stands still
// while the engine works).
class LabClock final : public Clock {
 public:
  LabClock(int64_t start_micros, const Clock* stopwatch)
      : now_(start_micros), stopwatch_(stopwatch) {}
  int64_t NowMicros() const override { return now_; }
  int64_t MonotonicMicros() const override {
    return stopwatch_ != nullptr ? stopwatch_->MonotonicMicros() : now_;
  }
  void SetMicros(int64_t now) { now_ = now; }

 private:
  int64_t now_;
  const Clock* stopwatch_;  // not owned; may be null
};

class Lab {
 public:
  enum class State { kNew, kRunning, kDown };

  // What a file looks like right now (written = page cache, durable =
  // what a power loss would keep).
  struct FileEntry {
    std::string name;
    uint64_t written = 0;
    uint64_t durable = 0;
    bool dirty = false;
    bool entry_durable = false;
  };

  // `start_ms`: the virtual clock's initial Unix time. `stopwatch`, when
  // given, measures real durations (recovery times) and must outlive the
  // lab; hosts pass their SystemClock (native/system_clock.h).
  explicit Lab(int64_t start_ms, const Clock* stopwatch = nullptr);
  ~Lab();
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  // The durable files to boot from (the host's mirror). Fill before Open().
  DurableImage& boot_image() { return boot_image_; }

  // Applies `config` (Redis parameter name -> value, as CONFIG SET takes
  // them; startup-only parameters allowed), boots the disk from
  // boot_image(), and starts the engine with Redis's startup recovery.
  // A bad parameter fails without touching the disk. When recovery fails the
  // lab is kDown with the report's error; the files are as Redis would
  // leave them (untouched).
  Status Open(const std::vector<std::pair<std::string, std::string>>& config,
              RecoveryReport* report);

  // One command of a batch: its arguments, or (when `error` is set) a
  // command that could not be split, answered with that error instead.
  struct Command {
    std::vector<std::string> argv;
    std::string error;
  };
  // Runs the commands as one event-loop batch of the lab's one client: one
  // reply per command, in order, then Redis's beforeSleep (the AOF write and
  // its fsync under always: one fsync for the whole batch). Returns the
  // replies' RESP bytes; empty when not running. If the batch ends the
  // engine (SHUTDOWN, a fatal AOF error) the lab goes down after it.
  std::string RunBatch(std::vector<Command>& commands);

  // Moves virtual time to `now_ms` (never backwards), running serverCron,
  // kernel writeback and background saving every CronPeriodMs(hz) ms of
  // virtual time on the way (hz as the running engine has it, so CONFIG SET
  // hz applies), so everysec fsyncs happen once per virtual second however
  // the clock is driven. A jump of more than kMaxTickSteps periods runs the
  // last kMaxTickSteps of them.
  void Tick(int64_t now_ms);
  int64_t now_ms() const { return clock_.NowMillis(); }
  static constexpr int kMaxTickSteps = 20000;

  // Durable changes since the last call (SimDisk's journal), oldest first.
  std::vector<DurableOp> TakeDurableOps() { return disk_.TakeDurableOps(); }

  // Pulls the plug. The engine's memory is gone in every kind (a process
  // crash keeps the page cache; a power loss keeps only durable bytes; a
  // torn one also keeps seeded random whole sectors of unsynced tails).
  // The keyspace is fingerprinted first, for Restart()'s diff. No-op when
  // the lab is not running.
  void Crash(CrashKind kind, uint64_t seed);

  // Starts the engine again with startup recovery. When running, it is a
  // clean restart first (Redis's SHUTDOWN: final AOF flush, a save when
  // save points are set). `diff` compares the keys before the crash (or
  // shutdown) with the keys recovered, and checks each difference against
  // the promise of the setup that stopped (diff->promise, diff->broken).
  // The engine restarts with the configuration it ran with: CONFIG SET
  // changes outlive the restart, as if each had been followed by CONFIG
  // REWRITE (Redis itself would reread its config file).
  Status Restart(RecoveryReport* report, KeyspaceDiff* diff);

  // The loss promise of the running setup (CONFIG SET changes it): for a
  // crash of `crash`'s kind, or in general (nullopt) — whose `sentence` is
  // what the persistence panel shows. When not running, the startup
  // config's.
  LossPromise Promise(std::optional<CrashKind> crash = std::nullopt) const;

  // What the disk has done since the lab was made, for compare mode:
  // syncs and bytes written are cumulative (crashes don't reset them);
  // files and bytes are the current files (as Files() lists them).
  struct DiskStats {
    uint64_t fsyncs = 0;         // fsync(2) of a file
    uint64_t dir_syncs = 0;      // fsync(2) of a directory
    uint64_t bytes_written = 0;  // passed to write(2) (appends and writes)
    uint64_t files = 0;
    uint64_t written_bytes = 0;  // of the files now (page cache)
    uint64_t durable_bytes = 0;  // of the files now (what a power loss keeps)
  };
  DiskStats Stats() const;

  // One 64-bit, order-independent digest of the running engine's live
  // keyspace (db, name, type and content of each key; TTLs are not
  // included): equal digests mean equal data sets, so a host can tell
  // which acknowledged prefix of a workload a recovered lab holds by
  // comparing with digests a crash-free lab took after each batch. 0 when
  // not running (no data set digests to 0). Costs a pass over every key.
  uint64_t KeyspaceDigest() const;

  State state() const { return state_; }
  // Why the lab is down ("power crash", "SHUTDOWN", the recovery error ...).
  const std::string& down_reason() const { return down_reason_; }

  std::vector<FileEntry> Files() const;
  // A file's current (page cache) bytes.
  Result<std::string> ReadFile(std::string_view name) { return disk_.ReadAll(name); }

  // Engine log lines since the last call.
  std::vector<LabLogLine> TakeLog();

  // The running engine (nullptr unless kRunning), for tests and INFO-like
  // queries by the host.
  Engine* engine() { return engine_.get(); }
  SimDisk& disk() { return disk_; }
  // The acknowledged-write record behind the promise check (for tests).
  const AckTracker& acks() const { return acks_; }

 private:
  Status StartEngine(RecoveryReport* report);
  // Stops a running engine as `stop` ("power loss", "SHUTDOWN" ...); what
  // the disk keeps is that of `kind` (a clean stop keeps the page cache,
  // as a process crash does).
  void StopEngine(std::string reason, std::string_view stop, CrashKind kind);
  void RunCronStep();
  // Notices saves that started or completed since the last call (polled
  // after every batch and cron step, which is when they can happen; the
  // virtual clock does not move within one, so the times are exact).
  void NoteSaves();
  // Forgets the writes the current promise can no longer lose.
  void ForgetPromisedWrites();
  // Listens to writes only while the setup promises something (CONFIG SET
  // may change that at any batch): "none" costs nothing.
  void UpdateListening(bool new_engine = false);
  int64_t CronPeriod() const;

  LabClock clock_;
  SimDisk disk_{&clock_};
  Config config_;
  DurableImage boot_image_;
  std::unique_ptr<Engine> engine_;
  State state_ = State::kNew;
  std::string down_reason_;
  KeyspaceFingerprint before_crash_;
  int64_t last_cron_ms_ = 0;
  std::vector<LabLogLine> log_;
  // The promise check.
  AckTracker acks_;
  LossPromise stopped_promise_;   // of the server that stopped last
  int64_t save_start_ms_ = 0;     // start of the last completed save
  int64_t bgsave_start_ms_ = -1;  // start of the running BGSAVE, -1: none
  int64_t last_save_time_s_ = 0;  // RdbInfo::last_save_time_s last seen
  int64_t last_forget_ms_ = 0;
  bool listening_ = false;
};

}  // namespace plab
