// LossPromise and AckTracker: what a persistence setup promises a crash may
// lose, and the lab's record of when each key was last acknowledged, so a
// recovery can be checked against that promise instead of trusted.
//
// THE PROMISES (Redis 7.0's documented bounds, made exact for the lab):
//   appendonly yes (the AOF is what loads, so its policy decides):
//     process crash, any appendfsync: nothing acknowledged is lost. Each
//       batch's AOF bytes are written (write(2)) before its replies go out,
//       and the page cache survives the process.
//     always: nothing acknowledged is lost, whatever the crash: the batch is
//       fsynced before it is answered.
//     everysec, power loss: writes acknowledged less than 1000 + P ms before
//       it, P = the cron period (1000 / hz; 100 ms at hz 10, so 1.1 s).
//       Why: a batch's bytes are fsynced by that batch when no fsync ran yet
//       in its second (aof.c's `server.unixtime > aof_last_fsync`); else by
//       the first beforeSleep in a later second, which an idle server
//       reaches at the first cron step (Lab::Tick runs one every P ms)
//       after the second ends: at most 1000 + P - 1 ms after the write, so
//       a write a power loss takes is at most 1000 + P - 2 ms old (1098 ms
//       at hz 10: tests/unit/promise_test.cc loses one that old, never an
//       older one). Redis's "up to 2 s" comes from postponing the write
//       while a slow background fsync runs; the lab's SimDisk completes
//       syncs at once, so that never happens here (the UI sentence gives
//       both).
//     no, power loss: writes acknowledged less than 30000 + P ms before it:
//       SimDisk::Writeback makes an inode durable once it has been dirty
//       for kDirtyExpireMs (30 s, Linux's dirty_expire_centisecs) and Tick
//       runs the flusher at each cron step: a lost write is at most
//       30000 + P - 2 ms old.
//     no-appendfsync-on-rewrite yes: always and everysec skip their fsyncs
//       while a BGSAVE or rewrite runs, so they promise what `no` does.
//     appendonly yes set at runtime, first rewrite not finished: nothing
//       (the AOF does not hold the data set until that rewrite switches).
//   appendonly no with save points (RDB only): writes acknowledged before
//     the start of the last completed save (the moment its snapshot
//     captured), or before the engine started when no save completed since.
//   appendonly no, save "": nothing is promised.
// A torn write is a power loss (un-synced sectors only add bytes).
//
// THE CHECK: a key the crash lost, changed or brought back is a broken
// promise when the last acknowledged write touching it (its own, or a
// FLUSHDB/FLUSHALL/SWAPDB/DEBUG RELOAD of its database) is old enough to be
// promised. Writes of a batch Redis never answered (an AOF error under
// always ends the server first) are never promised, nor are those of DEBUG
// commands (DEBUG POPULATE's keys never reach the AOF, in Redis too).
//
// Portable, no OS calls. Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/clock.h"
#include "core/io/crash_kind.h"
#include "core/server/config.h"
#include "core/server/server.h"

namespace plab {

// The lab's cron period for `hz`: Lab::Tick runs serverCron (and the
// kernel flusher) every this many ms of virtual time.
inline int64_t CronPeriodMs(int64_t hz) { return hz >= 1000 ? 1 : 1000 / (hz < 1 ? 1 : hz); }

struct LossPromise {
  enum class Kind {
    kNoLoss,     // no acknowledged write is lost
    kWindow,     // only writes acknowledged less than window_ms before the crash
    kSinceSave,  // only writes acknowledged at or after since_ms
    kNone,       // nothing is promised
  };
  Kind kind = Kind::kNone;
  // "appendfsync always", "appendfsync everysec", "appendfsync no", "rdb"
  // or "none" (the setup, for the UI's label).
  std::string policy;
  int64_t window_ms = 0;  // kWindow
  int64_t since_ms = 0;   // kSinceSave: virtual Unix ms
  // One plain sentence for the UI.
  std::string sentence;
  // Filled by the lab when a server stopped: how ("power loss", "process
  // crash", "SHUTDOWN" ...) and when (virtual Unix ms). Empty / 0 otherwise.
  std::string stop;
  int64_t stop_ms = 0;

  // The latest acknowledgement time (inclusive) a crash at `crash_ms` must
  // not lose; INT64_MIN when nothing is promised.
  int64_t PromisedUpTo(int64_t crash_ms) const;
};

// The kind's name in JSON: "no-loss", "window", "since-save", "none".
std::string_view PromiseKindName(LossPromise::Kind kind);

// What the lab knows beyond the config.
struct PromiseContext {
  // AOF state kWaitRewrite: appendonly yes set at runtime, first rewrite
  // still running.
  bool aof_waiting_rewrite = false;
  // Start of the last completed save (or of the engine, when none
  // completed since); < 0 when unknown (the panel's sentence).
  int64_t save_start_ms = -1;
};

// The promise of `config` for a crash of kind `crash` (nullopt: the
// setup's promise in general, what the persistence panel shows).
LossPromise PromiseOf(const Config& config, std::optional<CrashKind> crash,
                      const PromiseContext& context = {});

// Whether `config` promises anything at all (PromiseOf's kind is not kNone
// for some crash); cheap, for deciding whether to track writes.
inline bool PromisesAnything(const Config& config, bool aof_waiting_rewrite) {
  return config.appendonly ? !aof_waiting_rewrite : !config.save.empty();
}

// The one sentence the persistence panel shows next to the chosen mode.
inline std::string PromiseSentence(const Config& config) {
  return PromiseOf(config, std::nullopt).sentence;
}

// Why a difference broke `promise`: `written_ms` is the last acknowledged
// write touching the key (nullopt: before the tracked horizon, i.e. at
// most `horizon_ms` - 1, or loaded at startup). "" when the promise holds.
std::string BrokenPromiseReason(const LossPromise& promise, std::optional<int64_t> written_ms,
                                int64_t horizon_ms);

// When each key was last written, for the writes the current promise may
// still lose. Attached to a Server as its write listener. Writes older than
// the horizon are forgotten (ForgetBefore; the lab keeps the last 10 s as
// well, so a broken promise can say how old its write was): a key absent
// here was last written before horizon_ms(), or never since the lab
// opened. Costs one hash and one probe per written key.
class AckTracker final : public Server::WriteListener {
 public:
  struct Write {
    int64_t time_ms = 0;
    // False when no promise covers the write: Redis never answered its
    // batch, or it was made by a command persistence does not record
    // (DEBUG POPULATE is never propagated to the AOF, as in Redis).
    bool covered = true;
  };

  // `clock` stamps writes and must outlive the tracker. Writes before
  // `horizon_ms` count as untracked from the start.
  AckTracker(const Clock* clock, int64_t horizon_ms);

  // A client batch starts / its replies were never sent (Redis exited
  // first): its writes are not acknowledged. Writes outside batches
  // (expiry in cron) count as acknowledged at their time.
  void BeginBatch() {
    last_batch_ = batch_ = next_batch_++;
    if (next_batch_ == kUncovered) next_batch_ = 1;  // after 4 billion batches
  }
  void EndBatch() { batch_ = 0; }
  void DisownLastBatch() { disowned_ = last_batch_; }
  // While on (a DEBUG command runs), writes are not covered. They are
  // recorded as a write of their whole database, so memory stays bounded
  // whatever DEBUG POPULATE adds: keys of that database last written
  // before it are not judged either (lenient, never wrong).
  void set_uncovered(bool on) { uncovered_ = on; }

  void OnKeyWrite(int db, std::string_view key) override;
  void OnDbWrite(int db) override;

  // The last write touching (db, key): its own or its database's, whichever
  // came later; nullopt when both are before the horizon.
  std::optional<Write> LastWrite(int db, std::string_view key) const;

  // Forgets covered writes before `ms` and moves the horizon there (never
  // backwards). Uncovered ones are kept: they stay unpromised.
  void ForgetBefore(int64_t ms);
  int64_t horizon_ms() const { return horizon_ms_; }
  size_t size() const { return used_; }

 private:
  struct Entry {
    int64_t time_ms;
    uint32_t batch;  // 0: outside batches; kUncovered
  };
  // One key's last write, under a 64-bit hash of its db and name (two of
  // a million keys share one with odds of 1 in ~10^7; the cost of that is
  // one key judged by another's time). The table is open-addressed (linear
  // probing, at most 70% full) over 24-byte slots: recording a key costs a
  // hash and a probe, and allocates only when the table doubles. Writes
  // are recorded on the command path; lookups happen only at Restart().
  struct Slot {
    uint64_t id = 0;  // KeyIdHash, never 0; 0: free
    int64_t time_ms = 0;
    uint32_t batch = 0;
    Entry entry() const { return {time_ms, batch}; }
  };
  static constexpr int kDbs = 16;
  static constexpr uint32_t kUncovered = ~uint32_t{0};

  Entry Now() const { return {clock_->NowMillis(), uncovered_ ? kUncovered : batch_}; }
  Write ToWrite(const Entry& e) const {
    return {e.time_ms, e.batch != kUncovered && (e.batch == 0 || e.batch != disowned_)};
  }
  static uint64_t IdOf(int db, std::string_view key);
  // The slot holding `id`, or the free slot where it belongs.
  static size_t Probe(const std::vector<Slot>& slots, uint64_t id);
  // Rebuilds the table with room for `n` keys, keeping those `keep` accepts.
  template <typename Keep>
  void Rebuild(size_t n, Keep keep);

  const Clock* clock_;
  int64_t horizon_ms_;
  uint32_t batch_ = 0;       // the running batch, 0 outside batches
  uint32_t last_batch_ = 0;  // the last batch begun
  uint32_t next_batch_ = 1;
  uint32_t disowned_ = 0;
  bool uncovered_ = false;
  std::vector<Slot> slots_;  // a power of two in size, or empty
  size_t used_ = 0;
  std::array<std::optional<Entry>, kDbs> dbs_;
};

}  // namespace plab
