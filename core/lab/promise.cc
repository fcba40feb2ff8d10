#include "core/lab/promise.h"

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

#include "core/io/sim_disk.h"
#include "core/lab/keyspace_diff.h"

namespace plab {

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::min();

// "400 ms", "1.1 s", "12.4 s": virtual durations as the report prints them.
std::string Duration(int64_t ms) {
  if (ms < 1000) return std::to_string(ms) + " ms";
  const int64_t tenths = (ms + 50) / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

LossPromise Make(LossPromise::Kind kind, std::string policy, std::string sentence) {
  LossPromise p;
  p.kind = kind;
  p.policy = std::move(policy);
  p.sentence = std::move(sentence);
  return p;
}

LossPromise AofPromise(const Config& config, std::optional<CrashKind> crash,
                       const PromiseContext& context) {
  const std::string policy = "appendfsync " + std::string(FsyncPolicyName(config.appendfsync));
  if (context.aof_waiting_rewrite) {
    return Make(LossPromise::Kind::kNone, policy,
                "appendonly was just turned on: until its first rewrite finishes the AOF does not "
                "hold the data set, so nothing is promised.");
  }
  const int64_t period = CronPeriodMs(config.hz);
  const bool no_fsync = config.appendfsync == FsyncPolicy::kNo;
  // no-appendfsync-on-rewrite: always and everysec skip their fsyncs while a
  // BGSAVE or rewrite runs, leaving the kernel's writeback as the bound.
  const bool lazy = !no_fsync && config.no_appendfsync_on_rewrite;
  if (crash == CrashKind::kProcess) {
    return Make(LossPromise::Kind::kNoLoss, policy,
                "A process crash loses no acknowledged write under " + policy +
                    ": every batch reaches the page cache before it is answered, and the page "
                    "cache outlives the process.");
  }
  if (config.appendfsync == FsyncPolicy::kAlways && !lazy) {
    return Make(LossPromise::Kind::kNoLoss, policy,
                "appendfsync always: no acknowledged write is lost, whatever the crash: every "
                "batch is fsynced before it is answered.");
  }
  LossPromise p;
  p.kind = LossPromise::Kind::kWindow;
  p.policy = policy;
  if (no_fsync || lazy) {
    p.window_ms = SimDisk::kDirtyExpireMs + period;
    p.sentence =
        policy + (lazy ? " with no-appendfsync-on-rewrite yes" : "") +
        ": a power loss may lose the writes of the last ~30 seconds, what the kernel has not "
        "written back yet (at most " +
        Duration(p.window_ms) +
        " here); a process crash loses "
        "nothing.";
  } else {
    p.window_ms = 1000 + period;
    p.sentence =
        "appendfsync everysec: a power loss may lose the writes of the last ~2 seconds "
        "(at most " +
        Duration(p.window_ms) +
        " here, where the fsync never has to wait); a process crash loses nothing.";
  }
  return p;
}

}  // namespace

int64_t LossPromise::PromisedUpTo(int64_t crash_ms) const {
  switch (kind) {
    case Kind::kNoLoss:
      return std::numeric_limits<int64_t>::max();
    case Kind::kWindow:
      return crash_ms - window_ms;
    case Kind::kSinceSave:
      return since_ms - 1;
    case Kind::kNone:
      return kNever;
  }
  return kNever;
}

std::string_view PromiseKindName(LossPromise::Kind kind) {
  switch (kind) {
    case LossPromise::Kind::kNoLoss:
      return "no-loss";
    case LossPromise::Kind::kWindow:
      return "window";
    case LossPromise::Kind::kSinceSave:
      return "since-save";
    case LossPromise::Kind::kNone:
      return "none";
  }
  return "none";
}

LossPromise PromiseOf(const Config& config, std::optional<CrashKind> crash,
                      const PromiseContext& context) {
  if (config.appendonly) return AofPromise(config, crash, context);
  if (config.save.empty()) {
    return Make(LossPromise::Kind::kNone, "none",
                "No persistence (appendonly no, no save points): nothing is promised; a restart "
                "keeps only what a manual SAVE wrote.");
  }
  LossPromise p = Make(LossPromise::Kind::kSinceSave, "rdb",
                       "RDB snapshots only (save " + FormatSavePoints(config.save) +
                           "): a crash loses every write since the last completed save began.");
  p.since_ms = context.save_start_ms;
  return p;
}

std::string BrokenPromiseReason(const LossPromise& promise, std::optional<int64_t> written_ms,
                                int64_t horizon_ms) {
  const int64_t promised = promise.PromisedUpTo(promise.stop_ms);
  const int64_t when = written_ms.value_or(horizon_ms - 1);
  if (promise.kind == LossPromise::Kind::kNone || when > promised) return "";
  const std::string stop = promise.stop.empty() ? "crash" : promise.stop;
  const int64_t age = promise.stop_ms - when;
  std::string reason = (written_ms ? "written " : "last written more than ") + Duration(age) +
                       " before the " + stop + "; ";
  switch (promise.kind) {
    case LossPromise::Kind::kNoLoss:
      return reason + promise.policy + " promises that no acknowledged write is lost";
    case LossPromise::Kind::kWindow:
      return reason + promise.policy + " promises at most " + Duration(promise.window_ms);
    case LossPromise::Kind::kSinceSave:
      return reason + "the last completed save began " +
             Duration(promise.stop_ms - promise.since_ms) +
             " before it, and RDB promises everything written before that";
    case LossPromise::Kind::kNone:
      break;
  }
  return "";
}

// --- AckTracker ---------------------------------------------------------------

AckTracker::AckTracker(const Clock* clock, int64_t horizon_ms)
    : clock_(clock), horizon_ms_(horizon_ms) {}

uint64_t AckTracker::IdOf(int db, std::string_view key) {
  const uint64_t id = KeyIdHash(db, key);
  return id == 0 ? 1 : id;
}

size_t AckTracker::Probe(const std::vector<Slot>& slots, uint64_t id) {
  const size_t mask = slots.size() - 1;
  for (size_t i = static_cast<size_t>(id) & mask;; i = (i + 1) & mask) {
    if (slots[i].id == 0 || slots[i].id == id) return i;
  }
}

template <typename Keep>
void AckTracker::Rebuild(size_t n, Keep keep) {
  size_t size = 16;
  while (size * 7 < n * 10) size *= 2;
  std::vector<Slot> slots(size);
  used_ = 0;
  for (const Slot& s : slots_) {
    if (s.id == 0 || !keep(s.entry())) continue;
    slots[Probe(slots, s.id)] = s;
    ++used_;
  }
  slots_ = std::move(slots);
}

void AckTracker::OnKeyWrite(int db, std::string_view key) {
  // A DEBUG command may write any number of keys (POPULATE): one mark on
  // the database covers them all, so memory stays bounded.
  if (uncovered_) {
    dbs_[db] = Now();
    return;
  }
  if ((used_ + 1) * 10 > slots_.size() * 7) Rebuild(used_ + 1, [](const Entry&) { return true; });
  const uint64_t id = IdOf(db, key);
  Slot& s = slots_[Probe(slots_, id)];
  if (s.id == 0) {
    s.id = id;
    ++used_;
  }
  const Entry e = Now();
  s.time_ms = e.time_ms;
  s.batch = e.batch;
}

void AckTracker::OnDbWrite(int db) {
  const Entry e = Now();
  if (db >= 0) {
    dbs_[db] = e;
    return;
  }
  for (std::optional<Entry>& d : dbs_) d = e;
}

std::optional<AckTracker::Write> AckTracker::LastWrite(int db, std::string_view key) const {
  const std::optional<Entry>& whole = dbs_[db];
  const Slot* own = nullptr;
  if (!slots_.empty()) {
    const Slot& s = slots_[Probe(slots_, IdOf(db, key))];
    if (s.id != 0) own = &s;
  }
  if (own == nullptr) {
    if (!whole) return std::nullopt;
    return ToWrite(*whole);
  }
  if (whole && whole->time_ms >= own->time_ms) return ToWrite(*whole);
  return ToWrite(own->entry());
}

void AckTracker::ForgetBefore(int64_t ms) {
  if (ms <= horizon_ms_) return;
  horizon_ms_ = ms;
  auto keep = [this, ms](const Entry& e) { return e.time_ms >= ms || !ToWrite(e).covered; };
  size_t kept = 0;
  for (const Slot& s : slots_) kept += s.id != 0 && keep(s.entry());
  if (kept < used_) Rebuild(2 * kept, keep);
  for (std::optional<Entry>& d : dbs_) {
    if (d && !keep(*d)) d.reset();
  }
}

}  // namespace plab
