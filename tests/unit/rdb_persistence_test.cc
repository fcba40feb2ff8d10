// RDB persistence in the engine (RdbPersistence and its commands): SAVE and
// BGSAVE survive a crash at any moment, save points fire like serverCron's,
// MISCONF after a failed BGSAVE, Redis 7.0's replies for SAVE, BGSAVE,
// LASTSAVE, DEBUG RELOAD, FLUSHALL and SHUTDOWN, and replies held until the
// disk confirms durability. Every engine here keeps its files on a SimDisk
// the test controls.
#include <doctest/doctest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/persist_test_util.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using testing::DescribeKeyspace;
using testing::DescribeRdb;
using testing::DiskEngine;
using testing::Err;
using testing::InfoField;
using testing::Int;
using testing::kNil;
using testing::kOk;

const std::string kStarted = "+Background saving started\r\n";
const std::string kInProgress = Err("ERR Background save already in progress");
// shared.bgsaveerr in Redis 7.0's server.c, as redis-server 7.0.15 sends it.
const std::string kMisconf =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";
constexpr int64_t kStartS = 1767225600;  // ManualClock's default start, in seconds

// What a server restarted on `disk` holds: the description of the keyspace
// LoadFromDisk gives, or "ERROR: ..." / "NO FILE".
std::string Restart(ManualClock& clock, SimDisk& disk) {
  DiskEngine e(clock, disk);
  Result<RdbLoadResult> loaded = e.engine.LoadFromDisk();
  if (!loaded.ok()) {
    return loaded.status().code() == Status::Code::kNotFound
               ? "NO FILE"
               : "ERROR: " + loaded.status().ToString();
  }
  return DescribeKeyspace(e.server().keyspace());
}

// The current dataset as a restart would see it if it were saved now.
std::string Reloaded(DiskEngine& e) {
  return testing::DescribeReloaded(e.server().keyspace(), e.clock.NowMillis());
}

// Runs the running BGSAVE to its end, one DurableWrite step at a time.
void FinishBgsave(DiskEngine& e) {
  for (int guard = 0; guard < 10000 && e.server().BackgroundWork(0); ++guard) {
  }
  REQUIRE_FALSE(e.rdb().bgsave_in_progress());
}

// Values that make a BGSAVE write its file in several slices (with
// SmallSlices()), prepared once: random text does not compress.
const std::vector<std::string>& BigValues() {
  static const std::vector<std::string> values = [] {
    std::mt19937_64 rng(42);
    std::vector<std::string> v;
    for (int i = 0; i < 48; ++i) v.push_back(testing::RandomText(rng, 4000));
    return v;
  }();
  return values;
}

// `n` bytes of random text, different for each `i`.
std::string Big(int i, size_t n) {
  std::string out;
  for (size_t k = static_cast<size_t>(i); out.size() < n; ++k)
    out += BigValues()[k % BigValues().size()];
  return out.substr(0, n);
}

// About 64 KB over two databases, every type; `generation` picks which
// big values go where so two generations differ everywhere.
void FillDataset(DiskEngine& e, int generation) {
  const auto& big = BigValues();
  const std::string g = std::to_string(generation);
  for (int db : {0, 3}) {
    e.Run("SELECT " + std::to_string(db));
    for (int i = 0; i < 8; ++i) {
      e.Run({"SET", "big" + std::to_string(i), big[(i + db * 8 + generation * 7) % big.size()]});
    }
    e.Run({"RPUSH", "list", "gen" + g, "b", "c"});
    e.Run({"HSET", "hash", "gen", g, "f", "v"});
    e.Run({"SADD", "set", "1", "2", g});
    e.Run({"ZADD", "zset", g, "m", "2", "n"});
    e.Run("PEXPIREAT list " + std::to_string(e.clock.NowMillis() + 100000000));
  }
  e.Run("SELECT 0");
  e.Run({"SET", "gen" + g, "only in generation " + g});
  e.Run("DEL gen" + std::to_string(generation - 1));
}

// Saves written in slices of `slice_bytes`, so a small dataset still takes
// many steps; uncompressed, as LZF only burns time on random text.
Config SmallSlices(int64_t slice_bytes = 16 * 1024) {
  Config c;
  c.rdbcompression = false;
  c.rdb_save_slice_bytes = slice_bytes;
  return c;
}

struct CrashResult {
  std::string got;  // what a restarted server loads
  bool finished = false;
  bool renamed = false;  // the temp file had replaced dump.rdb when the disk crashed
};

// Saves generation 1 with SAVE, starts a BGSAVE of generation 2, runs
// `steps` background steps with writes between them, then crashes the disk
// (after the kernel's 30 s writeback when `writeback`) and restarts.
CrashResult CrashDuringBgsave(int steps, CrashKind kind, uint64_t seed, bool writeback,
                              std::string* old_data, std::string* new_data) {
  ManualClock clock;
  SimDisk disk(&clock);
  CrashResult result;
  {
    DiskEngine e(clock, disk, SmallSlices());
    FillDataset(e, 1);
    REQUIRE(e.Run("SAVE") == kOk);
    if (old_data->empty()) *old_data = Reloaded(e);  // the same every time: computed once
    FillDataset(e, 2);
    if (new_data->empty()) *new_data = Reloaded(e);
    REQUIRE(e.Run("BGSAVE") == kStarted);
    for (int i = 0; i < steps && !result.finished; ++i) {
      result.finished = !e.server().BackgroundWork(0);
      // Writes while the snapshot runs must not reach its file.
      e.Run({"SET", "big" + std::to_string(i % 8), "overwritten"});
      e.Run("DEL big" + std::to_string((i + 5) % 8));
      e.Run("HSET hash gen 3");
    }
    result.renamed = steps > 0 && !disk.Exists("temp-dump.rdb");
    if (writeback) {
      clock.AdvanceMillis(SimDisk::kDirtyExpireMs);
      disk.Writeback(clock.NowMillis());
    }
    disk.Crash(kind, seed);
  }  // the crashed server goes away with its open files
  result.got = Restart(clock, disk);
  return result;
}

// Like CrashDuringBgsave, for SAVE on a disk whose syncs complete only when
// told (SyncMode::kDeferred): `stage` is how far the save got.
//   0 written, file sync pending   1 file durable, not yet renamed
//   2 renamed, dir sync pending    3 dir durable   4 cron saw it done
std::string CrashDuringSave(int stage, CrashKind kind, uint64_t seed, bool writeback,
                            std::string* old_data, std::string* new_data) {
  ManualClock clock;
  SimDisk disk(&clock);
  {
    DiskEngine e(clock, disk, SmallSlices());
    FillDataset(e, 1);
    REQUIRE(e.Run("SAVE") == kOk);
    if (old_data->empty()) *old_data = Reloaded(e);
    FillDataset(e, 2);
    if (new_data->empty()) *new_data = Reloaded(e);
    disk.set_sync_mode(SimDisk::SyncMode::kDeferred);
    REQUIRE(e.Run("SAVE") == "");  // the reply waits for durability
    if (stage >= 1) disk.CompletePendingSyncs();
    if (stage >= 2) e.engine.Cron();
    if (stage >= 3) disk.CompletePendingSyncs();
    if (stage >= 4) {
      e.engine.Cron();
      REQUIRE(e.engine.default_client()->output == kOk);
    }
    if (writeback) {
      clock.AdvanceMillis(SimDisk::kDirtyExpireMs);
      disk.Writeback(clock.NowMillis());
    }
    disk.Crash(kind, seed);
  }
  return Restart(clock, disk);
}

// Runs `f(kind, seed, writeback)` for every crash the tests try: a process
// crash, a power cut, and a torn power cut with three seeds, each with and
// without the kernel's 30 s writeback before it.
template <typename F>
void ForEachCrash(F&& f) {
  for (CrashKind kind : {CrashKind::kProcess, CrashKind::kPower, CrashKind::kPowerTorn}) {
    for (uint64_t seed : {1, 2, 3}) {
      if (kind != CrashKind::kPowerTorn && seed > 1) continue;
      for (bool writeback : {false, true}) {
        CAPTURE(static_cast<int>(kind));
        CAPTURE(seed);
        CAPTURE(writeback);
        f(kind, seed, writeback);
      }
    }
  }
}

}  // namespace

TEST_SUITE("rdb persistence") {
  TEST_CASE("a crash at any step of a BGSAVE leaves the old or the new dataset, never a mix") {
    std::set<std::string> outcomes;
    std::string old_data, new_data;
    int total_steps = 0;
    for (int steps = 0; steps < 40; ++steps) {
      bool finished_here = false;
      CAPTURE(steps);
      ForEachCrash([&](CrashKind kind, uint64_t seed, bool writeback) {
        CrashResult r = CrashDuringBgsave(steps, kind, seed, writeback, &old_data, &new_data);
        REQUIRE(old_data != new_data);
        CHECK((r.got == old_data || r.got == new_data));
        if (r.finished) CHECK(r.got == new_data);
        // Before the rename dump.rdb is untouched; after it a process
        // crash keeps the page cache, so the new file.
        if (!r.renamed) CHECK(r.got == old_data);
        if (r.renamed && kind == CrashKind::kProcess) CHECK(r.got == new_data);
        outcomes.insert(r.got == old_data ? "old" : r.got == new_data ? "new" : "mix");
        finished_here = finished_here || r.finished;
      });
      if (finished_here) {
        total_steps = steps;
        break;
      }
    }
    // open, four or five slices of 16 KiB, sync, wait, rename, dir sync, wait.
    CHECK(total_steps >= 10);
    CHECK(outcomes == std::set<std::string>{"old", "new"});
  }

  TEST_CASE("a crash at any stage of a SAVE on a slow disk leaves the old or the new dataset") {
    std::string old_data, new_data;
    for (int stage = 0; stage <= 4; ++stage) {
      CAPTURE(stage);
      ForEachCrash([&](CrashKind kind, uint64_t seed, bool writeback) {
        std::string got = CrashDuringSave(stage, kind, seed, writeback, &old_data, &new_data);
        REQUIRE(old_data != new_data);
        CHECK((got == old_data || got == new_data));
        // Before the rename the old file is untouched; once the rename
        // is in the page cache a process crash keeps it; once the dir
        // sync completed nothing can undo it.
        if (stage <= 1) CHECK(got == old_data);
        if (stage >= 2 && kind == CrashKind::kProcess) CHECK(got == new_data);
        if (stage >= 3) CHECK(got == new_data);
        if (stage == 2 && kind != CrashKind::kProcess && !writeback) CHECK(got == old_data);
      });
    }
  }

  TEST_CASE("after a crash the leftover temp file does not stop the next BGSAVE") {
    std::string old_data, new_data;
    ManualClock clock;
    SimDisk disk(&clock);
    {
      DiskEngine e(clock, disk);
      FillDataset(e, 1);
      REQUIRE(e.Run("SAVE") == kOk);
      old_data = Reloaded(e);
      FillDataset(e, 2);
      REQUIRE(e.Run("BGSAVE") == kStarted);
      for (int i = 0; i < 3; ++i) REQUIRE(e.server().BackgroundWork(0));
      REQUIRE(disk.Exists("temp-dump.rdb"));
      disk.Crash(CrashKind::kProcess);
    }
    DiskEngine e(clock, disk);
    REQUIRE(e.engine.LoadFromDisk().ok());
    CHECK(DescribeKeyspace(e.server().keyspace()) == old_data);
    e.Run("SET after crash");
    const std::string now = Reloaded(e);
    REQUIRE(e.Run("BGSAVE") == kStarted);
    FinishBgsave(e);
    CHECK(InfoField(e.Info(), "rdb_last_bgsave_status") == "ok");
    CHECK_FALSE(disk.Exists("temp-dump.rdb"));
    CHECK(Restart(clock, disk) == now);
  }

  TEST_CASE("save points fire only once more than their seconds have passed") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    REQUIRE(e.Run("CONFIG SET save \"60 2\"") == kOk);
    e.Run("SET a 1");
    e.Run("SET b 2");
    clock.AdvanceMillis(60000);
    e.engine.Cron();
    CHECK_FALSE(e.rdb().bgsave_in_progress());  // Redis wants now - lastsave > 60
    clock.AdvanceMillis(1000);
    e.engine.Cron();
    CHECK(e.rdb().bgsave_in_progress());
    e.Run("SET c 3");  // after the snapshot's start: still unsaved afterwards
    e.engine.Cron();
    CHECK_FALSE(e.rdb().bgsave_in_progress());
    const std::string info = e.Info();
    CHECK(InfoField(info, "rdb_changes_since_last_save") == "1");
    CHECK(InfoField(info, "rdb_last_bgsave_status") == "ok");
    CHECK(e.Run("LASTSAVE") == Int(kStartS + 61));
    CHECK(DescribeRdb(*disk.ReadAll("dump.rdb"), clock.NowMillis()).find("0 b string") !=
          std::string::npos);
    // One change is not enough for "60 2", however long it waits.
    clock.AdvanceMillis(1000000);
    e.engine.Cron();
    CHECK_FALSE(e.rdb().bgsave_in_progress());
    e.Run("SET d 4");
    e.engine.Cron();
    CHECK(e.rdb().bgsave_in_progress());
  }

  TEST_CASE("save \"\" disables save points") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    REQUIRE(e.Run("CONFIG SET save \"\"") == kOk);
    for (int i = 0; i < 20000; ++i) e.Run("SET k" + std::to_string(i % 50) + " v");
    clock.AdvanceMillis(100000000);
    e.engine.Cron();
    e.engine.Cron();
    CHECK_FALSE(e.rdb().bgsave_in_progress());
    CHECK_FALSE(disk.Exists("dump.rdb"));
  }

  TEST_CASE("the default save points: 10000 changes after 60 s, 100 after 300 s, 1 after 3600 s") {
    struct Case {
      int changes;
      int64_t quiet_s;  // the last second at which nothing happens
    };
    for (Case c :
         {Case{10000, 60}, Case{100, 300}, Case{9999, 300}, Case{1, 3600}, Case{99, 3600}}) {
      CAPTURE(c.changes);
      ManualClock clock;
      SimDisk disk(&clock);
      DiskEngine e(clock, disk);
      for (int i = 0; i < c.changes; ++i) e.Run("SET k" + std::to_string(i % 100) + " v");
      CHECK(InfoField(e.Info(), "rdb_changes_since_last_save") == std::to_string(c.changes));
      clock.AdvanceMillis(c.quiet_s * 1000);
      e.engine.Cron();
      CHECK_FALSE(e.rdb().bgsave_in_progress());
      clock.AdvanceMillis(1000);
      e.engine.Cron();
      CHECK(e.rdb().bgsave_in_progress());
      e.engine.Cron();
      CHECK(InfoField(e.Info(), "rdb_changes_since_last_save") == "0");
      CHECK(e.Run("LASTSAVE") == Int(kStartS + c.quiet_s + 1));
    }
  }

  TEST_CASE("a failed BGSAVE refuses writes and PING with MISCONF but allows reads") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    e.Run("SET a 1");
    disk.FailNextWrites(1, SimDisk::NoSpace());
    REQUIRE(e.Run("BGSAVE") == kStarted);
    FinishBgsave(e);
    CHECK(InfoField(e.Info(), "rdb_last_bgsave_status") == "err");
    CHECK_FALSE(disk.Exists("temp-dump.rdb"));
    CHECK(e.Run("SET a 2") == Err(kMisconf));
    CHECK(e.Run("DEL a") == Err(kMisconf));
    CHECK(e.Run("PING") == Err(kMisconf));
    CHECK(e.Run("GET a") == testing::Bulk("1"));
    CHECK(e.Run("DBSIZE") == Int(1));
    // A write inside MULTI is refused when queued; EXEC then aborts.
    CHECK(e.Run("MULTI") == kOk);
    CHECK(e.Run("SET a 3") == Err(kMisconf));
    CHECK(e.Run("EXEC") == Err("EXECABORT Transaction discarded because of previous errors."));
    CHECK(e.Run("MULTI") == kOk);
    CHECK(e.Run("GET a") == "+QUEUED\r\n");
    CHECK(e.Run("EXEC") == "*1\r\n$1\r\n1\r\n");
    // The switches that lift it, like writeCommandsDeniedByDiskError().
    REQUIRE(e.Run("CONFIG SET stop-writes-on-bgsave-error no") == kOk);
    CHECK(e.Run("SET a 4") == kOk);
    REQUIRE(e.Run("CONFIG SET stop-writes-on-bgsave-error yes") == kOk);
    CHECK(e.Run("SET a 5") == Err(kMisconf));
    REQUIRE(e.Run("CONFIG SET save \"\"") == kOk);
    CHECK(e.Run("SET a 6") == kOk);
    REQUIRE(e.Run("CONFIG SET save \"3600 1\"") == kOk);
    CHECK(e.Run("SET a 7") == Err(kMisconf));
    // A successful SAVE clears the error (rdbSave sets lastbgsave_status).
    CHECK(e.Run("SAVE") == kOk);
    CHECK(InfoField(e.Info(), "rdb_last_bgsave_status") == "ok");
    CHECK(e.Run("SET a 8") == kOk);
  }

  TEST_CASE("EXEC of writes queued before a BGSAVE failed aborts with the MISCONF text") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    Client* other = e.engine.Connect();
    CHECK(e.Run("MULTI") == kOk);
    CHECK(e.Run("SET q 1") == "+QUEUED\r\n");
    disk.FailNextSync(Status::IoError("Input/output error"));
    e.engine.Feed(other, "BGSAVE\r\n");
    CHECK(other->output == kStarted);
    FinishBgsave(e);
    CHECK(e.Run("EXEC") == Err("EXECABORT Transaction discarded because of: " + kMisconf));
    CHECK(e.Run("GET q") == kNil);
    CHECK(e.Run("EXEC") == Err("ERR EXEC without MULTI"));  // the transaction is over
  }

  TEST_CASE("after a failed BGSAVE save points retry only after 5 seconds") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    REQUIRE(e.Run("CONFIG SET save \"1 1\"") == kOk);
    e.Run("SET a 1");
    clock.AdvanceMillis(2000);
    disk.FailNextSync(Status::IoError("Input/output error"));
    e.engine.Cron();
    REQUIRE(e.rdb().bgsave_in_progress());
    e.engine.Cron();
    REQUIRE(InfoField(e.Info(), "rdb_last_bgsave_status") == "err");
    for (int s = 1; s <= 5; ++s) {  // CONFIG_BGSAVE_RETRY_DELAY: now - last try > 5
      CAPTURE(s);
      clock.AdvanceMillis(1000);
      e.engine.Cron();
      CHECK_FALSE(e.rdb().bgsave_in_progress());
    }
    clock.AdvanceMillis(1000);
    e.engine.Cron();
    CHECK(e.rdb().bgsave_in_progress());
    e.engine.Cron();
    CHECK(InfoField(e.Info(), "rdb_last_bgsave_status") == "ok");
    CHECK(e.Run("SET a 2") == kOk);
    CHECK(InfoField(e.Info(), "rdb_saves") == "2");
  }

  TEST_CASE("SAVE writes a file that loads back and moves LASTSAVE") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    CHECK(e.Run("LASTSAVE") == Int(kStartS));  // initServer: lastsave = start time
    e.Run("SET a 1");
    e.Run("RPUSH l x y");
    e.Run("SELECT 4");
    e.Run("HSET h f v");
    clock.AdvanceMillis(12500);
    CHECK(e.Run("SAVE") == kOk);
    CHECK(e.Run("LASTSAVE") == Int(kStartS + 12));
    CHECK(Restart(clock, disk) == Reloaded(e));
    const std::string info = e.Info();
    CHECK(InfoField(info, "rdb_changes_since_last_save") == "0");
    CHECK(InfoField(info, "rdb_saves") == "1");
    CHECK(InfoField(info, "rdb_last_bgsave_time_sec") == "-1");
  }

  TEST_CASE("BGSAVE replies like Redis 7.0 before, during and after the save") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    e.Run("SET a 1");
    CHECK(e.Run("BGSAVE x") == Err("ERR syntax error"));
    CHECK(e.Run("BGSAVE SCHEDULE x") == Err("ERR syntax error"));
    CHECK(e.Run("BGSAVE") == kStarted);
    CHECK(e.Run("BGSAVE") == kInProgress);
    CHECK(e.Run("BGSAVE SCHEDULE") == kInProgress);  // child_type == RDB comes first
    CHECK(e.Run("SAVE") == kInProgress);
    CHECK(e.Run("BGSAVE x") == Err("ERR syntax error"));  // syntax before state
    FinishBgsave(e);
    CHECK(e.Run("BGSAVE SCHEDULE") == kStarted);  // nothing else running: starts now
    FinishBgsave(e);
    CHECK(InfoField(e.Info(), "rdb_saves") == "2");
  }

  TEST_CASE("BGSAVE inside MULTI is scheduled and the next cron starts it") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    e.Run("SET a 1");
    CHECK(e.Run("MULTI") == kOk);
    CHECK(e.Run("BGSAVE") == "+QUEUED\r\n");
    CHECK(e.Run("EXEC") == "*1\r\n+Background saving scheduled\r\n");
    CHECK_FALSE(e.rdb().bgsave_in_progress());
    e.engine.Cron();
    CHECK(e.rdb().bgsave_in_progress());
    e.engine.Cron();
    CHECK_FALSE(e.rdb().bgsave_in_progress());
    CHECK(Restart(clock, disk) == Reloaded(e));
    e.engine.Cron();
    CHECK_FALSE(e.rdb().bgsave_in_progress());  // scheduled once, run once
    // SAVE is refused inside MULTI and dooms the transaction.
    CHECK(e.Run("MULTI") == kOk);
    CHECK(e.Run("SAVE") == Err("ERR Command not allowed inside a transaction"));
    CHECK(e.Run("EXEC") == Err("EXECABORT Transaction discarded because of previous errors."));
  }

  TEST_CASE("INFO persistence reports a running BGSAVE and its outcome") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk, SmallSlices(30000));
    for (int i = 0; i < 4; ++i) e.Run({"SET", "k" + std::to_string(i), Big(i * 5, 10000)});
    for (int i = 0; i < 4; ++i) e.Run({"APPEND", "k" + std::to_string(i), Big(i * 7, 3000)});
    REQUIRE(e.Run("BGSAVE") == kStarted);
    std::string info = e.Info();
    CHECK(InfoField(info, "rdb_bgsave_in_progress") == "1");
    CHECK(InfoField(info, "current_save_keys_total") == "4");
    CHECK(InfoField(info, "current_save_keys_processed") == "0");
    CHECK(InfoField(info, "current_fork_perc") == "0.00");
    CHECK(InfoField(info, "rdb_current_bgsave_time_sec") == "0");
    REQUIRE(e.server().BackgroundWork(0));  // opens the temp file
    REQUIRE(e.server().BackgroundWork(0));  // one 30000-byte slice: three keys of 13 KB
    clock.AdvanceMillis(3000);
    for (int i = 0; i < 4; ++i) e.Run("SET k" + std::to_string(i) + " small");
    info = e.Info();
    CHECK(InfoField(info, "current_save_keys_processed") == "4");
    CHECK(InfoField(info, "rdb_current_bgsave_time_sec") == "3");
    const int64_t cow = std::stoll(InfoField(info, "current_cow_size"));
    CHECK(cow > 13000);  // the one key not yet written was copied aside
    CHECK(cow < 13100);
    CHECK(InfoField(info, "rdb_changes_since_last_save") == "12");
    FinishBgsave(e);
    info = e.Info();
    CHECK(InfoField(info, "rdb_bgsave_in_progress") == "0");
    CHECK(InfoField(info, "current_save_keys_total") == "0");
    CHECK(InfoField(info, "rdb_current_bgsave_time_sec") == "-1");
    CHECK(InfoField(info, "rdb_last_bgsave_status") == "ok");
    CHECK(InfoField(info, "rdb_last_bgsave_time_sec") == "3");
    CHECK(InfoField(info, "rdb_last_cow_size") == std::to_string(cow));
    CHECK(InfoField(info, "rdb_saves") == "1");
    CHECK(InfoField(info, "rdb_changes_since_last_save") == "4");  // the SETs made meanwhile
    CHECK(InfoField(info, "rdb_last_save_time") == std::to_string(kStartS + 3));
  }

  TEST_CASE("the INFO progress of a BGSAVE in the middle of its file") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk, SmallSlices(25000));
    for (int i = 0; i < 4; ++i) e.Run({"SET", "k" + std::to_string(i), Big(i * 5, 10000)});
    REQUIRE(e.Run("BGSAVE") == kStarted);
    REQUIRE(e.server().BackgroundWork(0));
    REQUIRE(e.server().BackgroundWork(0));
    const std::string info = e.Info();
    CHECK(InfoField(info, "current_save_keys_processed") == "3");  // 30 KB >= one slice
    CHECK(InfoField(info, "current_fork_perc") == "75.00");
    CHECK(InfoField(info, "current_cow_size") == "0");
  }

  TEST_CASE("DEBUG is refused unless enable-debug-command allows this client") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    CHECK(e.Run("DEBUG RELOAD") ==
          Err("ERR DEBUG command not allowed. If the enable-debug-command option is set to "
              "\"local\", you can run it from a local connection, otherwise you need to set this "
              "option in the configuration file, and then restart the server."));
    CHECK_FALSE(disk.Exists("dump.rdb"));  // refused before it saved anything
    Config local;
    local.enable_debug_command = ProtectedAction::kLocal;
    DiskEngine l(clock, disk, local);
    CHECK(l.Run("DEBUG RELOAD") == kOk);  // the embedded client is local
    Client* remote = l.engine.Connect("10.1.2.3:5000");
    l.engine.Feed(remote, "DEBUG RELOAD\r\n");
    CHECK(remote->output.rfind("-ERR DEBUG command not allowed.", 0) == 0);
  }

  TEST_CASE("DEBUG RELOAD saves and reloads; NOSAVE reloads the file on disk") {
    ManualClock clock;
    SimDisk disk(&clock);
    Config config;
    config.enable_debug_command = ProtectedAction::kLocal;
    DiskEngine e(clock, disk, config);
    CHECK(e.Run("DEBUG RELOAD NOSAVE") == Err("ERR Error trying to load the RDB dump"));
    e.Run("SET a 1");
    e.Run("RPUSH l x y z");
    e.Run("PEXPIRE l 500000");
    e.Run("SELECT 7");
    e.Run("ZADD z 1 m");
    const std::string before = Reloaded(e);
    CHECK(e.Run("DEBUG RELOAD") == kOk);
    CHECK(Reloaded(e) == before);
    CHECK(e.Run("ZSCORE z m") == testing::Bulk("1"));
    CHECK(InfoField(e.Info(), "rdb_last_load_keys_loaded") == "3");
    CHECK(InfoField(e.Info(), "rdb_saves") == "0");  // only SAVE and BGSAVE count
    e.Run("SET b 2");
    e.Run("SELECT 0");
    e.Run("SET a changed");
    CHECK(e.Run("debug reload nosave merge") == kOk);
    CHECK(Reloaded(e) == before);  // what the file held, not what was in memory
    CHECK(e.Run("DEBUG RELOAD SAVE") ==
          Err("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."));
    CHECK(e.Run("DEBUG RELOAD NOSAVE bogus") ==
          Err("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."));
    CHECK(e.Run("DEBUG nosuch") ==
          Err("ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG "
              "HELP."));
    CHECK(e.Run("DEBUG") == Err("ERR wrong number of arguments for 'debug' command"));
  }

  TEST_CASE("DEBUG RELOAD NOSAVE during a BGSAVE: the file still holds the BGSAVE's moment") {
    ManualClock clock;
    SimDisk disk(&clock);
    Config config = SmallSlices();
    config.enable_debug_command = ProtectedAction::kLocal;
    DiskEngine e(clock, disk, config);
    FillDataset(e, 1);
    REQUIRE(e.Run("SAVE") == kOk);
    const std::string old_data = Reloaded(e);
    FillDataset(e, 2);
    const std::string new_data = Reloaded(e);
    REQUIRE(e.Run("BGSAVE") == kStarted);
    REQUIRE(e.server().BackgroundWork(0));       // open
    REQUIRE(e.server().BackgroundWork(0));       // the first slice
    CHECK(e.Run("DEBUG RELOAD NOSAVE") == kOk);  // the keyspace goes back to generation 1
    CHECK(Reloaded(e) == old_data);
    e.Run("SET big1 after-reload");
    FinishBgsave(e);
    CHECK(InfoField(e.Info(), "rdb_last_bgsave_status") == "ok");
    CHECK(Restart(clock, disk) == new_data);
  }

  TEST_CASE("FLUSHALL stops a running BGSAVE and, with save points, saves the empty dataset") {
    for (bool save_points : {true, false}) {
      CAPTURE(save_points);
      ManualClock clock;
      SimDisk disk(&clock);
      DiskEngine e(clock, disk, SmallSlices());
      if (!save_points) REQUIRE(e.Run("CONFIG SET save \"\"") == kOk);
      FillDataset(e, 1);
      REQUIRE(e.Run("BGSAVE") == kStarted);
      REQUIRE(e.server().BackgroundWork(0));
      REQUIRE(e.server().BackgroundWork(0));
      REQUIRE(disk.Exists("temp-dump.rdb"));
      CHECK(e.Run("FLUSHALL") == kOk);
      const std::string info = e.Info();
      CHECK(InfoField(info, "rdb_bgsave_in_progress") == "0");
      CHECK(InfoField(info, "rdb_last_bgsave_status") == "ok");  // killed, not failed
      CHECK_FALSE(disk.Exists("temp-dump.rdb"));
      if (save_points) {
        CHECK(Restart(clock, disk) == "");  // an empty dump replaced nothing: it is the file
        CHECK(InfoField(info, "rdb_changes_since_last_save") == "0");
      } else {
        CHECK(Restart(clock, disk) == "NO FILE");
        CHECK(InfoField(info, "rdb_changes_since_last_save") != "0");
      }
      CHECK(e.Run("DBSIZE") == Int(0));
    }
  }

  TEST_CASE("FLUSHALL inside MULTI/EXEC saves once the whole transaction ran") {
    // Redis 7.0 saves at the FLUSHALL itself, so a crash before the next
    // save restarts on half a transaction (found by tests/crash/).
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);  // Redis's default save points
    e.Run("SET before 1");
    REQUIRE(e.Run("SAVE") == kOk);
    CHECK(e.Run("MULTI") == kOk);
    e.Run("SET b 2");
    e.Run("FLUSHALL");
    e.Run("SET after 3");
    CHECK(e.Run("EXEC") == "*3\r\n+OK\r\n+OK\r\n+OK\r\n");
    disk.Crash(CrashKind::kPower);
    // The dump holds the state after the EXEC: never the empty middle.
    CHECK(Restart(clock, disk) == Reloaded(e));
    CHECK(Reloaded(e).find("after") != std::string::npos);
  }

  TEST_CASE("SHUTDOWN saves with save points, keeps running when the save fails") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    e.Run("SET a 1");
    disk.FailNextWrites(1, SimDisk::NoSpace());
    CHECK(e.Run("SHUTDOWN") == Err("ERR Errors trying to SHUTDOWN. Check logs."));
    CHECK_FALSE(e.server().shutdown_requested());
    CHECK_FALSE(disk.Exists("temp-dump.rdb"));
    CHECK(e.Run("SET a 2") == kOk);         // a failed SAVE is not a failed BGSAVE: no MISCONF
    CHECK(e.Run("SHUTDOWN NOSAVE") == "");  // no reply: the connection closes
    CHECK(e.server().shutdown_requested());
    CHECK_FALSE(disk.Exists("dump.rdb"));

    DiskEngine saver(clock, disk);
    saver.Run("SET k v");
    CHECK(saver.Run("SHUTDOWN") == "");
    CHECK(saver.server().shutdown_requested());
    CHECK(Restart(clock, disk) == Reloaded(saver));
  }

  TEST_CASE("SHUTDOWN without save points saves only when asked to") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    REQUIRE(e.Run("CONFIG SET save \"\"") == kOk);
    e.Run("SET a 1");
    CHECK(e.Run("SHUTDOWN") == "");
    CHECK_FALSE(disk.Exists("dump.rdb"));
    DiskEngine asked(clock, disk);
    REQUIRE(asked.Run("CONFIG SET save \"\"") == kOk);
    asked.Run("SET a 1");
    CHECK(asked.Run("SHUTDOWN SAVE") == "");
    CHECK(Restart(clock, disk) == Reloaded(asked));
    CHECK(asked.Run("SHUTDOWN SAVE NOSAVE") == Err("ERR syntax error"));
  }

  TEST_CASE("SAVE on a slow disk holds its reply and the pipeline behind it until durable") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    e.Run("SET a 1");
    disk.set_sync_mode(SimDisk::SyncMode::kDeferred);
    Client* c = e.engine.default_client();
    CHECK(e.engine.Feed("SAVE\r\nPING\r\n") == "");
    CHECK(disk.pending_syncs() == 1);  // the temp file's fsync
    e.server().ResumeBlockedClients();
    e.engine.Cron();
    CHECK(c->output.empty());
    e.engine.Feed("LASTSAVE\r\n");  // pipelined behind the blocked SAVE
    CHECK(c->output.empty());
    disk.CompletePendingSyncs();
    e.engine.Cron();  // renames, then waits for the directory sync
    CHECK(c->output.empty());
    CHECK(disk.pending_syncs() == 1);
    CHECK(disk.Exists("dump.rdb"));
    disk.CompletePendingSyncs();
    e.engine.Cron();
    CHECK(c->output == "+OK\r\n+PONG\r\n" + Int(clock.NowMillis() / 1000));
    CHECK(InfoField(e.Info(), "rdb_changes_since_last_save") == "0");
    CHECK(Restart(clock, disk) == Reloaded(e));
  }

  TEST_CASE("a transport that calls ResumeBlockedClients when the disk progresses needs no cron") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    e.Run("SET a 1");
    disk.set_sync_mode(SimDisk::SyncMode::kDeferred);
    Client* c = e.engine.default_client();
    CHECK(e.engine.Feed("SAVE\r\nPING\r\n") == "");
    disk.CompletePendingSyncs();  // the file is durable: the rename can go ahead
    e.server().ResumeBlockedClients();
    CHECK(c->output.empty());
    CHECK(disk.pending_syncs() == 1);  // the directory's
    disk.CompletePendingSyncs();
    e.server().ResumeBlockedClients();
    CHECK(c->output == "+OK\r\n+PONG\r\n");
  }

  TEST_CASE("DEBUG RELOAD on a slow disk reloads what it just saved and answers once durable") {
    ManualClock clock;
    SimDisk disk(&clock);
    Config config;
    config.enable_debug_command = ProtectedAction::kLocal;
    DiskEngine e(clock, disk, config);
    e.Run("SET a old");
    REQUIRE(e.Run("SAVE") == kOk);
    e.Run("SET a new");
    disk.set_sync_mode(SimDisk::SyncMode::kDeferred);
    Client* c = e.engine.default_client();
    CHECK(e.engine.Feed("DEBUG RELOAD\r\n") == "");  // the save's fsync is pending
    // The keyspace came back from the bytes this save wrote, not from the
    // dump.rdb that is still the old one on disk.
    Client* other = e.engine.Connect();
    e.engine.Feed(other, "GET a\r\n");
    CHECK(other->output == testing::Bulk("new"));
    for (int i = 0; i < 2; ++i) {
      CHECK(c->output.empty());
      disk.CompletePendingSyncs();
      e.engine.Cron();
    }
    CHECK(c->output == kOk);
    CHECK(Restart(clock, disk) == Reloaded(e));
  }

  TEST_CASE("SHUTDOWN on a slow disk answers only once the save is durable") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    e.Run("SET a 1");
    disk.set_sync_mode(SimDisk::SyncMode::kDeferred);
    CHECK(e.Run("SHUTDOWN") == "");
    CHECK_FALSE(e.server().shutdown_requested());
    for (int i = 0; i < 2; ++i) {
      disk.CompletePendingSyncs();
      e.engine.Cron();
    }
    CHECK(e.server().shutdown_requested());
    CHECK(Restart(clock, disk) == Reloaded(e));
  }
}

}  // namespace plab
