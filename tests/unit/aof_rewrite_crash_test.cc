// BGREWRITEAOF survives a crash at every step: while the manifest naming
// the new INCR file is being made durable, while the BASE is written slice
// by slice, before and after its fsync and rename, before and after the
// manifest switch, and before the old files are removed. With appendfsync
// always every acknowledged write must come back, whichever step the crash
// hit, for BASEs with and without an RDB preamble, on a disk whose syncs
// complete at once and on one whose syncs complete later (IndexedDB).
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/aof_workload.h"
#include "tests/unit/persist_test_util.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using testing::DiskEngine;
using testing::StringKeys;
using testing::WriteModel;

const std::string kRewriteStarted = "+Background append only file rewriting started\r\n";
constexpr int kStaticDb = 5;  // data the workload never touches

Config RewriteConfig(bool preamble) {
  Config c;
  c.appendonly = true;
  c.appendfsync = FsyncPolicy::kAlways;
  c.save = {};
  c.aof_use_rdb_preamble = preamble;
  c.rdbcompression = false;
  // A BASE of ~20 KB then takes dozens of steps.
  c.rdb_save_slice_bytes = 256;
  return c;
}

// Every type in several encodings, TTLs and big values, in kStaticDb.
void FillStatic(DiskEngine& e) {
  e.Run("SELECT " + std::to_string(kStaticDb));
  std::vector<std::string> rpush = {"RPUSH", "list"}, hset = {"HSET", "bighash"},
                           zadd = {"ZADD", "bigzset"}, sadd = {"SADD", "strset"};
  for (int i = 0; i < 200; ++i) {
    const std::string n = std::to_string(i);
    rpush.push_back("item" + n);
    hset.insert(hset.end(), {"field" + n, "value" + n});
    zadd.insert(zadd.end(), {std::to_string(i * 1.5), "member" + n});
    sadd.push_back("s" + n);
  }
  for (const auto& argv : {rpush, hset, zadd, sadd}) REQUIRE(e.Run(argv)[0] == ':');
  e.Run("HSET smallhash a 1 b 2");
  e.Run("ZADD smallzset 1 x 2 y");
  e.Run("SADD intset 3 1 2");
  e.Run("RPUSH smalllist 1 2 three");
  for (int i = 0; i < 4; ++i) {
    e.Run({"SET", "big" + std::to_string(i), std::string(2000 + i, static_cast<char>('a' + i))});
  }
  e.Run("PEXPIRE list 100000000");
  e.Run("SET ttl v PX 50000000");
  e.Run("SELECT 0");
}

// kStaticDb as DescribeKeyspace gives it.
std::string DescribeStatic(const Keyspace& ks) {
  std::istringstream in(testing::DescribeKeyspace(ks));
  std::string out, line;
  while (std::getline(in, line)) {
    if (line.starts_with(std::to_string(kStaticDb) + " ")) out += line + "\n";
  }
  return out;
}

struct Machine {
  ManualClock clock;
  SimDisk disk{&clock};
  WriteModel model;
  std::string statics;
};

// Restarts on `m` and checks the server holds every acknowledged write (a
// prefix of the history at least that long) and the untouched data.
void CheckRestart(Machine& m, const Config& config) {
  m.disk.set_sync_mode(SimDisk::SyncMode::kImmediate);  // startup syncs synchronously
  DiskEngine e(m.clock, m.disk, config);
  RecoveryReport report;
  Status s = e.engine.Recover(&report);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  const int64_t now = m.clock.NowMillis();
  const std::vector<size_t> prefixes =
      m.model.MatchingPrefixes(StringKeys(e.server().keyspace(), now, kStaticDb), now);
  REQUIRE_FALSE(prefixes.empty());
  CHECK(prefixes.back() >= m.model.acked());
  CHECK(DescribeStatic(e.server().keyspace()) == m.statics);
}

// A server on `m` with the static data and a few seconds of writes.
void Prepare(Machine& m, DiskEngine& e) {
  RecoveryReport first;
  REQUIRE(e.engine.Recover(&first).ok());
  FillStatic(e);
  testing::RunWorkload(e, m.model, 1000, 3);
  m.statics = DescribeStatic(e.server().keyspace());
}

// Where a rewrite stands, read from the disk alone.
std::string Situation(DiskEngine& e, bool preamble) {
  const std::string base = std::string("appendonly.aof.2.base.") + (preamble ? "rdb" : "aof");
  const std::string manifest = *e.disk.ReadAll("appendonlydir/appendonly.aof.manifest");
  if (!e.server().aof().rewrite_in_progress()) return "finished";
  if (e.disk.Exists("appendonlydir/temp-" + base)) {
    const SimDisk::FileInfo temp = *e.disk.Inspect("appendonlydir/temp-" + base);
    return temp.dirty || temp.durable_size == 0 ? "writing base" : "base synced";
  }
  if (!e.disk.Exists("appendonlydir/" + base)) return "new incr";
  return manifest.find(base) == std::string::npos ? "base renamed" : "manifest switched";
}

// The crashes each step is tried with.
struct Crash {
  CrashKind kind;
  uint64_t seed;
};
constexpr Crash kCrashes[] = {
    {CrashKind::kProcess, 0}, {CrashKind::kPower, 0}, {CrashKind::kPowerTorn, 7}};

// A rewrite on a disk whose syncs complete only when told (IndexedDB): a
// client of its own keeps sending writes while the test alternates rewrite
// steps, sync completions and cron ticks; the disk crashes at point number
// `crash_at`. Returns where the rewrite stood then, or "" when the run
// ended before that point.
std::string SlowRewriteUntil(Machine& m, bool preamble, int crash_at, const Crash& crash) {
  DiskEngine e(m.clock, m.disk, RewriteConfig(preamble));
  Prepare(m, e);
  Client* client = e.engine.Connect();
  m.disk.set_sync_mode(SimDisk::SyncMode::kDeferred);
  REQUIRE(e.Run("BGREWRITEAOF") == kRewriteStarted);
  int point = 0;
  std::string situation;
  auto crash_here = [&] {
    if (point++ != crash_at) return false;
    situation = Situation(e, preamble);
    m.disk.Crash(crash.kind, crash.seed);
    return true;
  };
  for (int round = 0, after = 0; round < 200 && after < 2; ++round) {
    const int64_t now = m.clock.NowMillis();
    m.model.Send(e.engine, client, now);
    e.engine.BeforeSleep();
    m.model.Collect(client, now);
    if (crash_here()) return situation;
    e.server().BackgroundWork(0);
    if (crash_here()) return situation;
    m.disk.CompletePendingSyncs();
    if (crash_here()) return situation;
    e.engine.Cron();
    e.engine.BeforeSleep();
    m.model.Collect(client, now);
    REQUIRE(client->output.empty());  // nothing but the expected replies
    if (crash_here()) return situation;
    m.clock.AdvanceMillis(50);
    if (!e.server().aof().rewrite_in_progress()) ++after;
  }
  CHECK_FALSE(e.server().aof().rewrite_in_progress());
  return "";
}

}  // namespace

TEST_SUITE("aof rewrite crash") {
  TEST_CASE("a crash after any step of BGREWRITEAOF keeps every acknowledged write") {
    for (bool preamble : {true, false}) {
      CAPTURE(preamble);
      std::set<std::string> seen;
      bool finished = false;
      int total_steps = 0;
      for (int steps = 0; !finished; ++steps) {
        REQUIRE(steps < 200);
        total_steps = steps;
        CAPTURE(steps);
        for (const Crash& crash : kCrashes) {
          CAPTURE(static_cast<int>(crash.kind));
          Machine m;
          {
            DiskEngine e(m.clock, m.disk, RewriteConfig(preamble));
            Prepare(m, e);
            REQUIRE(e.Run("BGREWRITEAOF") == kRewriteStarted);
            for (int i = 0; i < steps; ++i) {
              // Writes between steps land in the new INCR file.
              for (int w = 0; w < 2; ++w) m.model.SendNext(e.engine, m.clock.NowMillis());
              e.server().BackgroundWork(0);
            }
            seen.insert(Situation(e, preamble));
            finished = !e.server().aof().rewrite_in_progress();
            m.disk.Crash(crash.kind, crash.seed);
          }
          CHECK(m.model.acked() == m.model.sent().size());
          CheckRestart(m, RewriteConfig(preamble));
        }
      }
      // Each manifest replacement is a single step on this disk, so the
      // switched-but-not-cleaned-up state only shows on the slow disk below.
      CHECK(seen == std::set<std::string>{"new incr", "writing base", "base synced", "base renamed",
                                          "finished"});
      // open, a dozen or more slices, sync, rename, dir sync, manifest switch.
      CHECK(total_steps >= 15);
    }
  }

  TEST_CASE(
      "on a disk whose syncs complete later a crash anywhere in a rewrite keeps acked writes") {
    for (bool preamble : {true, false}) {
      CAPTURE(preamble);
      std::set<std::string> seen;
      for (int crash_at = 0;; ++crash_at) {
        REQUIRE(crash_at < 1000);
        CAPTURE(crash_at);
        bool ended = false;
        for (const Crash& crash : kCrashes) {
          CAPTURE(static_cast<int>(crash.kind));
          Machine m;
          const std::string situation = SlowRewriteUntil(m, preamble, crash_at, crash);
          if (situation.empty()) {
            ended = true;
            break;
          }
          seen.insert(situation);
          CheckRestart(m, RewriteConfig(preamble));
        }
        if (ended) break;
      }
      CHECK(seen == std::set<std::string>{"new incr", "writing base", "base synced", "base renamed",
                                          "manifest switched", "finished"});
    }
  }
}

}  // namespace plab
