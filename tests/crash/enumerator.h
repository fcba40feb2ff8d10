// Crash-state enumeration on SimDisk with the virtual clock (issue 13 §1).
//
// One RUN is a setup (workload.h) and a seed: a core/lab Lab boots on an
// empty SimDisk, the workload's batches and clock movements run on it, and
// SimDisk's operation hook stops before EVERY disk operation (write, sync,
// rename, remove, mkdir, syncdir, each inode the kernel flusher writes
// back; sim_disk.h) and once more after the last. At each such point, for
// each crash VARIANT (process; power; torn with each TearShape and several
// seeds), SimDisk::CrashImage gives the files a machine would boot from;
// a fresh engine starts on them (the running configuration, as if CONFIG
// REWRITE had saved it, with aof-load-truncated yes) and the driver checks:
//
//  (a) startup succeeds; a refusal is only accepted when the tear made up
//      bytes (TearStats::files_invented: zeros or out-of-order sectors of
//      the subset and zero-tail shapes; Redis 7.0 reports "Bad file format"
//      for those, redis/redis#5177), with an error message, and the files
//      byte-for-byte as they were before the attempt;
//  (b) the recovered dataset equals the model's dataset after some prefix
//      p of the commands that had started (dataset_model.h): never a mix,
//      never a state that did not exist. Made-up bytes inside a value load
//      as data (the AOF has no checksums; Redis skips the CRLF after a
//      payload unchecked, and PersistLab matches it): such states are
//      counted as `garbage`, and fail only with Options::strict;
//  (c) p covers every acknowledged command the setup's loss promise
//      (core/lab/promise.h, taken from the lab at the crash point) says
//      must survive: always / any policy with a process crash: all of them;
//      everysec: all but the last ~1.1 s; no: all but the last ~30 s; RDB:
//      all before the start of the last completed save.
//
// A command is acknowledged when its batch's replies went out (the end of
// Lab::RunBatch); a crash inside a batch (its AOF write or fsync) may keep
// it or not. Recoveries of identical images at the same time under the same
// load settings are computed once ("restarts" vs "states" in the table).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/crash_kind.h"
#include "core/io/sim_disk.h"
#include "tests/crash/workload.h"

namespace plab::crash {

// When every run's clock starts (2026-01-01, the lab's usual start);
// failures show times relative to it.
inline constexpr int64_t kStartMs = 1767225600000;

// One way to crash.
struct Variant {
  CrashKind kind = CrashKind::kProcess;
  TearShape shape = TearShape::kPrefix;  // kPowerTorn only
  uint64_t seed = 0;                     // kPowerTorn only
  // "process", "power", "torn-prefix/2", "torn-subset/1", "torn-zero-tail/3".
  std::string Name() const;
  // The name without the seed ("torn-subset"): a column of the table.
  std::string Group() const;
};

// process, power, then `torn_seeds` seeds (1..n) of each torn shape.
std::vector<Variant> Variants(int torn_seeds);
std::optional<Variant> ParseVariant(std::string_view name);

struct Options {
  int batches = 60;    // client batches per run
  int torn_seeds = 3;  // seeds per torn shape
  // Reproducing one failure: only this crash point (op index; the end of
  // the run is op_count at the end) and/or only this variant.
  std::optional<uint64_t> only_op;
  std::optional<std::string> only_variant;
  bool verbose = false;  // one line per checked state, plus the files
  // Also fail when a tear that made up bytes recovers a state that never
  // existed (see (b) above); by default those are counted as `garbage`.
  bool strict = false;
};

// A broken invariant, with what it takes to reproduce it.
struct Failure {
  std::string setup;
  uint64_t seed = 0;
  int batches = 0;
  uint64_t op = 0;
  std::string op_what;  // "sync appendonlydir/appendonly.aof.1.incr.aof"
  std::string step;     // the workload step that was running
  std::string variant;
  int64_t now_ms = 0;
  std::string what;    // the invariant: "startup refused", "state never existed", ...
  std::string detail;  // expected vs recovered
  std::string Reproducer() const;
};

struct Tally {
  uint64_t states = 0;    // crash states checked
  uint64_t restarts = 0;  // distinct recoveries run
  uint64_t refused = 0;   // accepted refusals (torn shapes that invent bytes)
  uint64_t lost = 0;      // recovered fewer commands than were acknowledged (allowed)
  // Tears that made up bytes and recovered a state that never existed:
  // invented bytes loaded as data (Redis 7.0 does the same; --strict fails).
  uint64_t garbage = 0;
};

struct Stats {
  // setup -> variant group -> counts.
  std::map<std::string, std::map<std::string, Tally>> tallies;
  std::map<std::string, uint64_t> ops;  // crash points by the op they preceded
  uint64_t runs = 0;
  uint64_t states = 0;
  uint64_t restarts = 0;
  uint64_t failure_count = 0;
  std::vector<Failure> failures;  // the first kMaxKept
  static constexpr size_t kMaxKept = 50;

  void AddFailure(Failure f);
  // The per setup x crash kind table, the op histogram and the totals.
  std::string Table() const;
};

// One run (see the top); adds what it checked and found to `stats`.
void EnumerateRun(const Setup& setup, uint64_t seed, const Options& options, Stats* stats);

}  // namespace plab::crash
