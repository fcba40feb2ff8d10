// AOF persistence in the engine (AofPersistence, Server::BeforeSleep and
// Server::Recover): exactly which acknowledged writes each appendfsync
// policy can lose to a process crash, a power cut and a torn power cut;
// replies held until a slow disk confirms; write errors (MISCONF, fatal
// under always); automatic rewrites; CONFIG SET appendonly; INFO aof_*.
// Every engine keeps its files on a SimDisk the test crashes, and a
// "restart" is a new Engine on the same disk calling Recover().
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/persist/aof_reader.h"
#include "core/server/config_registry.h"
#include "tests/unit/aof_workload.h"
#include "tests/unit/persist_test_util.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using testing::DiskEngine;
using testing::Err;
using testing::InfoField;
using testing::Int;
using testing::kOk;
using testing::StringKeys;
using testing::WriteModel;

const std::string kRewriteStarted = "+Background append only file rewriting started\r\n";

Config AofConfig(std::string_view fsync) {
  Config c;
  c.appendonly = true;
  REQUIRE(SetConfigParam(&c, "appendfsync", {std::string(fsync)}, /*at_startup=*/true).ok());
  c.save = {};
  return c;
}

// A clock and a disk that outlive the engines started on them, and the
// client's history across them.
struct Machine {
  ManualClock clock;
  SimDisk disk{&clock};
  WriteModel model;

  // A snapshot of every file (path -> bytes), to show loading left the
  // files alone.
  std::map<std::string, std::string> Files() { return testing::FileContents(disk); }
};

// What a restart found: the report, and the lengths of the client's
// history the recovered dataset is exactly (empty: it is no prefix).
struct Restarted {
  Status status;
  RecoveryReport report;
  std::vector<size_t> prefixes;
  size_t longest() const { return prefixes.empty() ? 0 : prefixes.back(); }
  bool Holds(size_t p) const {
    return std::find(prefixes.begin(), prefixes.end(), p) != prefixes.end();
  }
};

Restarted Restart(Machine& m, const Config& config) {
  DiskEngine e(m.clock, m.disk, config);
  Restarted r;
  r.status = e.engine.Recover(&r.report);
  if (r.status.ok()) {
    const int64_t now = m.clock.NowMillis();
    r.prefixes = m.model.MatchingPrefixes(StringKeys(e.server().keyspace(), now), now);
  }
  return r;
}

// Starts a server on `m`, runs the workload for `millis` of virtual time
// (`middle`, when given, runs once halfway), then crashes the disk as
// `kind` says. The crashed server goes away with its open files.
void RunThenCrash(Machine& m, const Config& config, int64_t millis, CrashKind kind,
                  uint64_t seed = 0, const std::function<void(DiskEngine&)>& middle = {}) {
  DiskEngine e(m.clock, m.disk, config);
  RecoveryReport first;
  REQUIRE(e.engine.Recover(&first).ok());
  testing::RunWorkload(e, m.model, millis / 2, 3);
  if (middle) middle(e);
  testing::RunWorkload(e, m.model, millis - millis / 2, 3);
  m.disk.Crash(kind, seed);
}

// The writes acknowledged more than `window_ms` before now.
size_t AckedBefore(const Machine& m, int64_t window_ms) {
  return testing::AckedBy(m.model.sent(), m.clock.NowMillis() - window_ms);
}

// How far back a power cut may take acknowledged writes under `policy`:
// nothing under always, the last 2 s under everysec (a write waits at most
// 2 s for a busy fsync), and what the kernel had not written back (30 s of
// dirty pages) under no.
int64_t LossWindowMs(std::string_view policy) {
  if (policy == "always") return 0;
  return policy == "everysec" ? 2000 : SimDisk::kDirtyExpireMs;
}

}  // namespace

TEST_SUITE("aof persistence") {
  TEST_CASE("a process crash loses no acknowledged write under any appendfsync policy") {
    for (const char* policy : {"always", "everysec", "no"}) {
      CAPTURE(policy);
      Machine m;
      RunThenCrash(m, AofConfig(policy), 5000, CrashKind::kProcess);
      Restarted r = Restart(m, AofConfig(policy));
      REQUIRE(r.status.ok());
      CHECK(r.report.source == "aof");
      CHECK(m.model.acked() == m.model.sent().size());
      CHECK(r.longest() == m.model.sent().size());
    }
  }

  TEST_CASE("a power cut loses nothing acknowledged under always") {
    Machine m;
    RunThenCrash(m, AofConfig("always"), 5000, CrashKind::kPower);
    Restarted r = Restart(m, AofConfig("always"));
    REQUIRE(r.status.ok());
    CHECK(m.model.acked() == m.model.sent().size());
    CHECK(r.longest() == m.model.sent().size());
  }

  TEST_CASE("a power cut under everysec loses only writes acknowledged in the last 2 seconds") {
    Machine m;
    RunThenCrash(m, AofConfig("everysec"), 10000, CrashKind::kPower);
    Restarted r = Restart(m, AofConfig("everysec"));
    REQUIRE(r.status.ok());
    REQUIRE_FALSE(r.prefixes.empty());
    CHECK(r.longest() >= AckedBefore(m, 2000));
    CHECK(r.longest() < m.model.sent().size());  // the current second was not synced yet
  }

  TEST_CASE("a power cut under appendfsync no loses only what the kernel had not written back") {
    Machine m;
    RunThenCrash(m, AofConfig("no"), 45000, CrashKind::kPower);
    Restarted r = Restart(m, AofConfig("no"));
    REQUIRE(r.status.ok());
    REQUIRE_FALSE(r.prefixes.empty());
    CHECK(r.longest() >= AckedBefore(m, SimDisk::kDirtyExpireMs));
    // Nothing fsyncs: more is lost than the two seconds everysec may lose.
    CHECK(r.longest() < AckedBefore(m, 2000));
  }

  TEST_CASE("without the AOF a crash loses exactly the writes after the last completed BGSAVE") {
    for (CrashKind kind : {CrashKind::kProcess, CrashKind::kPower}) {
      CAPTURE(static_cast<int>(kind));
      Machine m;
      Config c;
      c.save = {{1, 1}};
      // Small slices: each BGSAVE spans several cron ticks of writes.
      c.rdb_save_slice_bytes = 512;
      c.rdb_save_max_slices_per_tick = 2;
      size_t started_at = 0, saved = 0;
      int completed = 0;
      {
        DiskEngine e(m.clock, m.disk, c);
        RecoveryReport first;
        REQUIRE(e.engine.Recover(&first).ok());
        e.server().set_log_sink([&](LogLevel, std::string_view line) {
          if (line.starts_with("Background saving started")) started_at = m.model.sent().size();
          if (line == "Background saving terminated with success") {
            saved = started_at;
            ++completed;
          }
        });
        testing::RunWorkload(e, m.model, 12000, 3);
        // Crash while one more save runs: it must not count.
        for (int i = 0; i < 50 && !e.rdb().bgsave_in_progress(); ++i) {
          testing::RunWorkload(e, m.model, 100, 3);
        }
        REQUIRE(e.rdb().bgsave_in_progress());
        m.disk.Crash(kind);
      }
      CHECK(completed >= 3);
      CHECK(saved > 0);
      CHECK_FALSE(m.disk.Exists("appendonlydir"));
      Restarted r = Restart(m, c);
      REQUIRE(r.status.ok());
      CHECK(r.report.source == "rdb");
      CHECK(r.Holds(saved));
      CHECK(r.longest() < m.model.sent().size());
    }
  }

  TEST_CASE("with an RDB preamble after BGREWRITEAOF the loss is the fsync policy's") {
    for (const char* policy : {"always", "everysec", "no"}) {
      CAPTURE(policy);
      Config c = AofConfig(policy);
      c.aof_use_rdb_preamble = true;
      c.rdb_save_slice_bytes = 1024;
      c.rdb_save_max_slices_per_tick = 2;
      Machine m;
      RunThenCrash(m, c, LossWindowMs(policy) + 8000, CrashKind::kPower, 0, [](DiskEngine& e) {
        REQUIRE(e.Run("BGREWRITEAOF") == kRewriteStarted);
        REQUIRE(e.server().aof().rewrite_in_progress());  // the rest runs under the workload
      });
      Restarted r = Restart(m, c);
      REQUIRE(r.status.ok());
      REQUIRE(r.report.files.size() == 2);
      CHECK(r.report.files[0].name == "appendonlydir/appendonly.aof.2.base.rdb");
      CHECK(r.report.files[0].kind == "base-rdb");
      CHECK(r.report.files[0].keys_loaded > 20);
      CHECK(r.report.files[1].name == "appendonlydir/appendonly.aof.2.incr.aof");
      CHECK(r.longest() >= AckedBefore(m, LossWindowMs(policy)));
      if (LossWindowMs(policy) == 0) CHECK(r.longest() == m.model.sent().size());
    }
  }

  TEST_CASE("a torn power cut leaves a prefix of the history; the torn tail is cut and reported") {
    int torn = 0;
    for (const char* policy : {"always", "everysec", "no"}) {
      for (uint64_t seed : {1, 2, 3, 4}) {
        CAPTURE(policy);
        CAPTURE(seed);
        const int64_t window = LossWindowMs(policy);
        Machine m;
        RunThenCrash(m, AofConfig(policy), window + 6000, CrashKind::kPowerTorn, seed);
        Restarted r = Restart(m, AofConfig(policy));
        REQUIRE(r.status.ok());
        REQUIRE_FALSE(r.prefixes.empty());
        CHECK(r.longest() >= AckedBefore(m, window));
        const RecoveryReport::File& incr = r.report.files.back();
        CHECK(incr.kind == "incr");
        if (incr.truncated_bytes > 0) {
          ++torn;
          REQUIRE(r.report.warnings.size() == 1);
          CHECK(r.report.warnings[0] ==
                "The last " + std::to_string(incr.truncated_bytes) + " bytes of " + incr.name +
                    " were a torn command and were cut off (aof-load-truncated)");
        } else {
          CHECK(r.report.warnings.empty());
        }
        if (window == 0) CHECK(incr.truncated_bytes == 0);  // nothing was left unsynced
      }
    }
    CHECK(torn >= 3);  // the cut really happened, more than once
  }

  TEST_CASE("with aof-load-truncated no a torn tail stops the restart and the file is untouched") {
    int refused = 0;
    for (uint64_t seed : {1, 2, 3}) {
      CAPTURE(seed);
      Config c = AofConfig("no");
      c.aof_load_truncated = false;
      Machine m;
      RunThenCrash(m, c, 20000, CrashKind::kPowerTorn, seed);
      const auto before = m.Files();
      Restarted strict = Restart(m, c);
      if (strict.status.ok()) continue;  // this seed tore at a command boundary
      ++refused;
      CHECK(strict.status.message() ==
            "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You "
            "can: 1) Make a backup of your AOF file, then use plab check-aof --fix "
            "<appendonly.aof.manifest>. 2) Alternatively you can set the 'aof-load-truncated' "
            "configuration option to yes and restart the server.");
      CHECK(strict.report.error == strict.status.message());
      CHECK(m.Files() == before);
      // The same files load once torn tails may be cut.
      c.aof_load_truncated = true;
      Restarted lenient = Restart(m, c);
      REQUIRE(lenient.status.ok());
      CHECK(lenient.report.files.back().truncated_bytes > 0);
      REQUIRE_FALSE(lenient.prefixes.empty());
      CHECK(lenient.longest() >= AckedBefore(m, LossWindowMs("no")));
      CHECK(m.Files() != before);
    }
    CHECK(refused >= 2);
  }
}

TEST_SUITE("aof persistence: slow disk") {
  // A server on `m` whose disk then completes syncs only when told.
  struct SlowServer {
    explicit SlowServer(Machine& m, Config c = AofConfig("always")) : e(m.clock, m.disk, c) {
      RecoveryReport first;
      REQUIRE(e.engine.Recover(&first).ok());
      client = e.engine.Connect();
      m.disk.set_sync_mode(SimDisk::SyncMode::kDeferred);
    }
    // One event-loop turn: what the client sent runs, then beforeSleep.
    std::string Send(std::string_view bytes) {
      e.engine.Feed(client, bytes);
      e.engine.BeforeSleep();
      return Take();
    }
    std::string Take() {
      std::string out;
      out.swap(client->output);
      return out;
    }
    std::string Incr() { return *e.disk.ReadAll("appendonlydir/appendonly.aof.1.incr.aof"); }
    DiskEngine e;
    Client* client;
  };

  TEST_CASE("under always a reply waits until its fsync completed and cron resumed the client") {
    Machine m;
    SlowServer s(m);
    CHECK(s.Send("SET a 1\r\nSET b 2\r\n") == "");
    CHECK(s.Incr().find("$1\r\nb\r\n$1\r\n2\r\n") != std::string::npos);  // written
    CHECK(m.disk.pending_syncs() == 1);
    // The client waits: what it pipelines meanwhile does not run yet.
    CHECK(s.Send("INCR c\r\n") == "");
    CHECK(s.e.server().keyspace().keys(0).Find("c") == nullptr);
    s.e.engine.Cron();
    CHECK(s.Take() == "");  // the fsync has not completed
    m.disk.CompletePendingSyncs();
    CHECK(s.Take() == "");  // nothing happens until the event loop looks
    s.e.engine.Cron();      // ResumeBlockedClients: released, then INCR runs
    s.e.engine.BeforeSleep();
    CHECK(s.Take() == kOk + kOk);
    m.disk.CompletePendingSyncs();
    s.e.engine.Cron();
    CHECK(s.Take() == Int(1));
  }

  TEST_CASE("a first start on a slow disk creates the directory without waiting, safely") {
    for (bool complete_before_crash : {false, true}) {
      CAPTURE(complete_before_crash);
      Machine m;
      m.disk.set_sync_mode(SimDisk::SyncMode::kDeferred);
      {
        DiskEngine e(m.clock, m.disk, AofConfig("always"));
        RecoveryReport report;
        REQUIRE(e.engine.Recover(&report).ok());  // BASE + manifest issued, not durable yet
        Client* c = e.engine.Connect();
        e.engine.Feed(c, "SET a 1\r\n");
        e.engine.BeforeSleep();
        CHECK(c->output.empty());  // its fsync was issued after the manifest's
        if (complete_before_crash) {
          m.disk.CompletePendingSyncs();
          e.engine.Cron();
          CHECK(c->output == kOk);
        }
      }
      m.disk.Crash(CrashKind::kPower);
      m.disk.set_sync_mode(SimDisk::SyncMode::kImmediate);
      DiskEngine after(m.clock, m.disk, AofConfig("always"));
      RecoveryReport report;
      REQUIRE(after.engine.Recover(&report).ok());
      // Acknowledged means durable; not acknowledged means simply absent.
      CHECK(after.Run("GET a") == (complete_before_crash ? testing::Bulk("1") : testing::kNil));
    }
  }

  TEST_CASE("under everysec replies never wait and a busy fsync postpones writes up to 2 s") {
    Machine m;
    SlowServer s(m, AofConfig("everysec"));
    m.clock.AdvanceMillis(1000);
    CHECK(s.Send("SET a 1\r\n") == kOk);  // written, and the second's fsync started
    CHECK(m.disk.pending_syncs() == 1);
    m.clock.AdvanceMillis(1000);
    CHECK(s.Send("SET b 2\r\n") == kOk);  // the fsync is busy: kept in aof_buf
    CHECK(InfoField(s.e.Info(), "aof_buffer_length") != "0");
    CHECK(s.Incr().find("$1\r\nb\r\n") == std::string::npos);
    m.clock.AdvanceMillis(1000);
    s.e.engine.Cron();  // postponed 1 s: still waiting
    CHECK(s.Incr().find("$1\r\nb\r\n") == std::string::npos);
    m.clock.AdvanceMillis(1000);
    s.e.engine.Cron();  // 2 s: written anyway, counted as a delayed fsync
    CHECK(s.Incr().find("$1\r\nb\r\n") != std::string::npos);
    const std::string info = s.e.Info();
    CHECK(InfoField(info, "aof_delayed_fsync") == "1");
    CHECK(InfoField(info, "aof_buffer_length") == "0");
  }

  TEST_CASE("a power cut before the fsync completed loses only writes not acknowledged") {
    for (uint64_t seed : {1, 2, 3, 4, 5}) {
      CAPTURE(seed);
      Machine m;
      {
        SlowServer s(m);
        std::mt19937_64 rng(seed);
        for (int i = 0; i < 300; ++i) {
          const int64_t now = m.clock.NowMillis();
          m.model.Send(s.e.engine, s.client, now);
          s.e.engine.BeforeSleep();
          if (rng() % 3 == 0) m.disk.CompletePendingSyncs();
          if (rng() % 2 == 0) {
            s.e.engine.Cron();
            s.e.engine.BeforeSleep();
          }
          m.model.Collect(s.client, now);
          REQUIRE(s.client->output.empty());
          m.clock.AdvanceMillis(rng() % 40);
        }
        m.disk.Crash(seed % 2 == 0 ? CrashKind::kPower : CrashKind::kPowerTorn, seed);
      }
      CHECK(m.model.acked() > 50);
      CHECK(m.model.acked() < m.model.sent().size());
      m.disk.set_sync_mode(SimDisk::SyncMode::kImmediate);
      Restarted r = Restart(m, AofConfig("always"));
      REQUIRE(r.status.ok());
      REQUIRE_FALSE(r.prefixes.empty());
      CHECK(r.longest() >= m.model.acked());
    }
  }

  TEST_CASE("during a rewrite replies wait until the manifest naming the new INCR is durable") {
    Machine m;
    SlowServer s(m);
    const std::string new_incr = "appendonlydir/appendonly.aof.2.incr.aof";
    CHECK(s.Send("BGREWRITEAOF\r\n") == kRewriteStarted);
    CHECK(m.disk.Exists(new_incr));
    CHECK(s.Send("SET a 1\r\n") == "");
    // Held in aof_buf: no file the durable manifest names gets it yet.
    CHECK(*m.disk.ReadAll(new_incr) == "");
    CHECK(s.Incr().find("SET") == std::string::npos);
    m.disk.CompletePendingSyncs();  // the manifest's temp file
    s.e.engine.Cron();              // renamed; its directory sync is pending
    CHECK(s.Take() == "");
    CHECK(*m.disk.ReadAll(new_incr) == "");
    // The manifest is durable: the write goes to the new file, then waits
    // for its own fsync.
    m.disk.CompletePendingSyncs();
    s.e.engine.Cron();
    CHECK(m.disk.ReadAll(new_incr)->find("SET") != std::string::npos);
    CHECK(s.Take() == "");
    m.disk.CompletePendingSyncs();
    s.e.engine.Cron();
    CHECK(s.Take() == kOk);
  }

  TEST_CASE("under always no client reads a write before it is durable") {
    Machine m;
    SlowServer s(m);
    CHECK(s.Send("SET a 1\r\n") == "");  // held for its fsync
    // Another client's GET runs in a later batch that writes nothing: it
    // sees the value, so its reply must wait for the same fsync (in Redis
    // both replies leave after the fsync of the loop that ran the SET).
    Client* other = s.e.engine.Connect();
    s.e.engine.Feed(other, "GET a\r\n");
    s.e.engine.BeforeSleep();
    CHECK(other->output == "");
    m.disk.CompletePendingSyncs();
    s.e.engine.Cron();
    CHECK(s.Take() == kOk);
    CHECK(other->output == testing::Bulk("1"));
    // Once nothing is pending, reads answer at once again.
    other->output.clear();
    s.e.engine.Feed(other, "GET a\r\n");
    s.e.engine.BeforeSleep();
    CHECK(other->output == testing::Bulk("1"));
  }

  TEST_CASE("a rewrite that fails while writes wait for its manifest keeps them, in the old INCR") {
    Machine m;
    SlowServer s(m);
    CHECK(s.Send("BGREWRITEAOF\r\n") == kRewriteStarted);
    CHECK(s.Send("SET a 1\r\n") == "");  // held until the new manifest is durable
    m.disk.FailNextSync(Status::IoError("Input/output error"));  // the directory's sync
    m.disk.CompletePendingSyncs();                               // the manifest's temp file
    s.e.engine.Cron();  // renamed; the directory sync fails: rewrite failed
    CHECK_FALSE(s.e.server().aof().rewrite_in_progress());
    CHECK_FALSE(s.e.server().shutdown_requested());
    CHECK(s.Incr().find("$1\r\na\r\n$1\r\n1\r\n") != std::string::npos);
    std::string got;
    for (int turn = 0; turn < 3 && got.empty(); ++turn) {
      m.disk.CompletePendingSyncs();
      s.e.engine.Cron();
      got = s.Take();
    }
    CHECK(got == kOk);
    CHECK_FALSE(s.e.server().shutdown_requested());
    m.disk.Crash(CrashKind::kPower);
    m.disk.set_sync_mode(SimDisk::SyncMode::kImmediate);
    DiskEngine after(m.clock, m.disk, AofConfig("always"));
    RecoveryReport report;
    REQUIRE(after.engine.Recover(&report).ok());
    CHECK(after.Run("GET a") == testing::Bulk("1"));
  }

  TEST_CASE("a write in the same batch as BGREWRITEAOF still waits for its fsync") {
    Machine m;
    SlowServer s(m);
    // BGREWRITEAOF flushes the SET to the old INCR file itself; its sync
    // is still pending when beforeSleep finds aof_buf empty.
    CHECK(s.Send("SET a 1\r\nBGREWRITEAOF\r\n") == "");
    CHECK(*m.disk.DurableContent("appendonlydir/appendonly.aof.1.incr.aof") == "");
    std::string got;
    for (int turn = 0; turn < 5 && got.empty(); ++turn) {
      m.disk.CompletePendingSyncs();
      s.e.engine.Cron();
      got = s.Take();
    }
    CHECK(got == kOk + kRewriteStarted);
    CHECK(m.disk.DurableContent("appendonlydir/appendonly.aof.1.incr.aof")->find("SET") !=
          std::string::npos);
  }
}

TEST_SUITE("aof persistence: errors and administration") {
  const std::string kMisconfNoSpace =
      Err("MISCONF Errors writing to the AOF file: No space left on device");
  const std::string kIncr1 = "appendonlydir/appendonly.aof.1.incr.aof";

  struct AofServer {
    explicit AofServer(Machine& m, Config c) : e(m.clock, m.disk, std::move(c)) {
      RecoveryReport first;
      REQUIRE(e.engine.Recover(&first).ok());
    }
    std::string Info(std::string_view field) { return InfoField(e.Info(), field); }
    void Tick() {
      e.engine.Cron();
      e.engine.BeforeSleep();
    }
    DiskEngine e;
  };

  TEST_CASE("a failed write under everysec refuses writes with MISCONF until a retry succeeds") {
    Machine m;
    AofServer s(m, AofConfig("everysec"));
    m.disk.FailNextWrites(1000, SimDisk::NoSpace());
    CHECK(s.e.Run("SET a 1") == kOk);  // already executed; kept in aof_buf
    CHECK(s.Info("aof_last_write_status") == "err");
    CHECK(s.e.Run("SET b 2") == kMisconfNoSpace);
    CHECK(s.e.Run("PING") == kMisconfNoSpace);  // like processCommand's deny rule
    CHECK(s.e.Run("GET a") == testing::Bulk("1"));
    s.Tick();  // every beforeSleep and cron retries, and fails again
    CHECK(s.e.Run("INCR n") == kMisconfNoSpace);
    CHECK(s.Info("aof_buffer_length") ==
          std::to_string(EncodeAofCommand({"SELECT", "0"}).size() +
                         EncodeAofCommand({"SET", "a", "1"}).size()));
    CHECK(*m.disk.ReadAll(kIncr1) == "");
    m.disk.FailNextWrites(0, Status::Ok());
    s.Tick();  // the disk has room again: the retry writes aof_buf
    CHECK(s.Info("aof_last_write_status") == "ok");
    CHECK(s.Info("aof_buffer_length") == "0");
    CHECK(s.e.Run("SET c 3") == kOk);
    CHECK(*m.disk.ReadAll(kIncr1) == EncodeAofCommand({"SELECT", "0"}) +
                                         EncodeAofCommand({"SET", "a", "1"}) +
                                         EncodeAofCommand({"SET", "c", "3"}));
  }

  TEST_CASE("a failed everysec fsync refuses writes until the AOF is rewritten from memory") {
    // Redis 7.0.15 accepts writes again after the next successful fsync;
    // PersistLab waits for a rewrite (the failed pages may be gone).
    Machine m;
    AofServer s(m, AofConfig("everysec"));
    m.clock.AdvanceMillis(1000);
    m.disk.FailNextSync(Status::IoError("appendonly.aof.1.incr.aof: Input/output error"));
    CHECK(s.e.Run("SET a 1") == kOk);                // written; its once-a-second fsync fails
    CHECK(s.Info("aof_last_write_status") == "ok");  // not known until the next flush
    CHECK(s.e.Run("GET a") == testing::Bulk("1"));
    CHECK(s.Info("aof_last_write_status") == "err");
    CHECK(s.Info("aof_writes_refused_until_rewrite") ==
          "an fsync failed (Input/output error); writes resume once the AOF is rewritten from "
          "memory");
    const std::string misconf = Err("MISCONF Errors writing to the AOF file: Input/output error");
    CHECK(s.e.Run("SET b 2") == misconf);
    // A later fsync succeeding is not enough...
    m.clock.AdvanceMillis(1000);
    s.Tick();
    CHECK(s.e.server().aof().rewrite_in_progress());  // ...the rewrite it needs has started
    CHECK(s.e.Run("SET b 2") == misconf);
    for (int guard = 0; guard < 100 && s.e.server().aof().rewrite_in_progress(); ++guard) {
      s.Tick();
    }
    REQUIRE_FALSE(s.e.server().aof().rewrite_in_progress());
    CHECK(s.Info("aof_last_write_status") == "ok");
    CHECK(s.Info("aof_writes_refused_until_rewrite").empty());
    CHECK(s.e.Run("SET c 3") == kOk);
    m.clock.AdvanceMillis(1000);
    s.Tick();
    // The acknowledged write whose fsync failed survives a power loss: it
    // is in the BASE written from memory.
    m.disk.Crash(CrashKind::kPower);
    DiskEngine after(m.clock, m.disk, AofConfig("everysec"));
    RecoveryReport report;
    REQUIRE(after.engine.Recover(&report).ok());
    CHECK(after.Run("GET a") == testing::Bulk("1"));
    CHECK(after.Run("GET b") == testing::kNil);
  }

  TEST_CASE("an fsync that fails while the recovering rewrite runs needs another rewrite") {
    Machine m;
    AofServer s(m, AofConfig("everysec"));
    m.clock.AdvanceMillis(1000);
    m.disk.FailNextSync(Status::IoError("Input/output error"));
    CHECK(s.e.Run("SET a 1") == kOk);
    s.e.Run("GET a");
    REQUIRE(s.Info("aof_last_write_status") == "err");
    m.clock.AdvanceMillis(1000);
    s.Tick();
    REQUIRE(s.e.server().aof().rewrite_in_progress());
    const std::string rewrites = s.Info("aof_rewrites");
    // An expired key's DEL is written to the new INCR while the rewrite
    // runs, and that fsync fails too.
    s.e.server().aof().Feed(0, "*2\r\n$3\r\nDEL\r\n$1\r\nx\r\n");
    m.disk.FailNextSync(Status::IoError("Input/output error"));
    m.clock.AdvanceMillis(1000);
    for (int guard = 0; guard < 100 && s.e.server().aof().rewrite_in_progress(); ++guard) {
      s.Tick();
    }
    s.Tick();
    CHECK(s.Info("aof_last_write_status") == "err");
    CHECK(s.e.Run("SET b 2").rfind("-MISCONF", 0) == 0);
    for (int guard = 0; guard < 200 && s.Info("aof_last_write_status") == "err"; ++guard) {
      m.clock.AdvanceMillis(100);
      s.Tick();
    }
    CHECK(std::stoll(s.Info("aof_rewrites")) > std::stoll(rewrites));
    CHECK(s.e.Run("SET b 2") == kOk);
  }

  TEST_CASE("a SAVE while a rewrite runs leaves the rewrite's BASE whole") {
    // The SAVE's snapshot restamps every value; the rewrite's older
    // snapshot once skipped them all and switched to an empty BASE (every
    // key lost at the next restart; found by tests/crash/).
    for (bool via_config : {false, true}) {
      CAPTURE(via_config);
      Machine m;
      Config c = AofConfig("everysec");
      c.rdb_save_slice_bytes = 16;  // the rewrite takes many steps
      if (via_config) c.appendonly = false;
      AofServer s(m, c);
      for (int i = 0; i < 50; ++i) s.e.Run({"SET", "k" + std::to_string(i), "v"});
      if (via_config) {
        REQUIRE(s.e.Run("CONFIG SET appendonly yes") == kOk);
      } else {
        REQUIRE(s.e.Run("BGREWRITEAOF") == kRewriteStarted);
      }
      REQUIRE(s.e.server().aof().rewrite_in_progress());
      CHECK(s.e.Run("SAVE") == kOk);
      for (int guard = 0; guard < 1000 && s.e.server().aof().rewrite_in_progress(); ++guard) {
        s.Tick();
      }
      REQUIRE(s.Info("aof_last_bgrewrite_status") == "ok");
      c.appendonly = true;
      DiskEngine after(m.clock, m.disk, c);
      RecoveryReport report;
      REQUIRE(after.engine.Recover(&report).ok());
      CHECK(after.Run("DBSIZE") == testing::Int(50));
    }
  }

  TEST_CASE("a failed write or fsync under always is fatal and the batch gets no reply") {
    for (bool fail_sync : {false, true}) {
      CAPTURE(fail_sync);
      Machine m;
      AofServer s(m, AofConfig("always"));
      CHECK(s.e.Run("SET a 1") == kOk);
      if (fail_sync) {
        m.disk.FailNextSync(Status::IoError("Input/output error"));
      } else {
        m.disk.FailNextWrites(1, SimDisk::NoSpace());
      }
      CHECK(s.e.engine.Feed("SET b 2\r\nGET a\r\n") == "");
      CHECK(s.e.server().aof().fatal());
      CHECK(s.e.server().shutdown_requested());
    }
  }

  TEST_CASE("an automatic rewrite starts once the AOF doubled past auto-aof-rewrite-min-size") {
    Machine m;
    Config c = AofConfig("everysec");
    c.auto_aof_rewrite_min_size = 2000;
    c.auto_aof_rewrite_percentage = 100;
    c.rdbcompression = false;
    AofServer s(m, c);
    int i = 0;
    // Long values: the BASE is then not much smaller than the INCR was.
    auto write = [&] { s.e.Run({"SET", "key" + std::to_string(i++), std::string(100, 'v')}); };
    auto current = [&] { return std::stoll(s.Info("aof_current_size")); };
    while (current() <= 2000) {
      s.Tick();
      CHECK(s.Info("aof_rewrites") == "0");
      write();
    }
    s.Tick();  // past the minimum with no base yet: rewrite
    CHECK(s.Info("aof_rewrites") == "1");
    for (int guard = 0; guard < 100 && s.e.server().aof().rewrite_in_progress(); ++guard) {
      s.Tick();
    }
    REQUIRE(s.Info("aof_rewrite_in_progress") == "0");
    const int64_t base = std::stoll(s.Info("aof_base_size"));
    CHECK(base == current());
    REQUIRE(2 * base > 2000);
    // Growth is measured against the size right after the rewrite.
    for (;;) {
      write();
      if (current() >= 2 * base) break;
      s.Tick();
      REQUIRE(s.Info("aof_rewrites") == "1");
    }
    s.Tick();
    CHECK(s.Info("aof_rewrites") == "2");
  }

  TEST_CASE("CONFIG SET appendonly yes writes a complete directory, no stops appending") {
    Machine m;
    Config c;
    c.save = {};
    c.appendfsync = FsyncPolicy::kAlways;
    c.rdb_save_slice_bytes = 64;
    c.rdb_save_max_slices_per_tick = 1;
    AofServer s(m, c);
    for (int i = 0; i < 50; ++i) s.e.Run("RPUSH list " + std::to_string(i));
    CHECK(s.Info("aof_enabled") == "0");
    CHECK_FALSE(m.disk.Exists("appendonlydir"));
    CHECK(s.e.Run("CONFIG SET appendonly yes") == kOk);
    CHECK(s.Info("aof_enabled") == "1");
    CHECK(s.Info("aof_rewrite_in_progress") == "1");
    int during = 0;
    while (s.e.server().aof().rewrite_in_progress()) {
      REQUIRE(during < 100);
      s.e.Run("SET during" + std::to_string(during++) + " x");  // after the snapshot
      s.Tick();
    }
    CHECK(during > 2);
    CHECK(s.Info("aof_last_bgrewrite_status") == "ok");
    CHECK(s.Info("aof_rewrites") == "1");
    CHECK(*m.disk.ReadAll("appendonlydir/appendonly.aof.manifest") ==
          "file appendonly.aof.1.base.rdb seq 1 type b\n"
          "file appendonly.aof.1.incr.aof seq 1 type i\n");
    CHECK_FALSE(m.disk.Exists("appendonlydir/temp-appendonly.aof.incr"));
    s.e.Run("SET after on");
    const std::string while_on = testing::DescribeKeyspace(s.e.server().keyspace());
    m.disk.Crash(CrashKind::kPower);
    {
      DiskEngine again(m.clock, m.disk, AofConfig("always"));
      RecoveryReport report;
      REQUIRE(again.engine.Recover(&report).ok());
      CHECK(report.files.size() == 2);
      CHECK(testing::DescribeKeyspace(again.server().keyspace()) == while_on);
    }
    // Off: the file no longer grows.
    Machine m2;
    AofServer t(m2, AofConfig("always"));
    t.e.Run("SET a 1");
    CHECK(t.e.Run("CONFIG SET appendonly no") == kOk);
    const std::string frozen = *m2.disk.ReadAll(kIncr1);
    CHECK(frozen.find("SET") != std::string::npos);
    CHECK(t.e.Run("SET b 2") == kOk);
    t.Tick();
    CHECK(*m2.disk.ReadAll(kIncr1) == frozen);
    CHECK(t.Info("aof_enabled") == "0");
    CHECK(t.Info("aof_current_size") == "");  // size fields only while on
  }

  TEST_CASE("INFO persistence aof_* fields follow writes and rewrites") {
    Machine m;
    Config c = AofConfig("always");
    c.rdb_save_slice_bytes = 64;
    c.rdb_save_max_slices_per_tick = 1;
    AofServer s(m, c);
    CHECK(s.Info("aof_enabled") == "1");
    CHECK(s.Info("aof_current_size") == "0");
    CHECK(s.Info("aof_base_size") == "0");
    CHECK(s.Info("aof_rewrites") == "0");
    CHECK(s.Info("aof_last_rewrite_time_sec") == "-1");
    const std::string set = EncodeAofCommand({"SELECT", "0"}) + EncodeAofCommand({"SET", "a", "1"});
    s.e.Run("SET a 1");
    CHECK(s.Info("aof_current_size") == std::to_string(set.size()));
    CHECK(s.Info("aof_buffer_length") == "0");
    CHECK(s.Info("aof_last_write_status") == "ok");
    for (int i = 0; i < 30; ++i) s.e.Run("HSET h f" + std::to_string(i) + " v");
    CHECK(s.e.Run("BGREWRITEAOF") == kRewriteStarted);
    CHECK(s.e.Run("BGREWRITEAOF") ==
          Err("ERR Background append only file rewriting already in progress"));
    CHECK(s.Info("aof_rewrite_in_progress") == "1");
    m.clock.AdvanceMillis(2000);
    CHECK(s.Info("aof_current_rewrite_time_sec") == "2");
    for (int guard = 0; guard < 100 && s.e.server().aof().rewrite_in_progress(); ++guard) {
      s.Tick();
    }
    const std::string info = s.e.Info();
    CHECK(InfoField(info, "aof_rewrite_in_progress") == "0");
    CHECK(InfoField(info, "aof_current_rewrite_time_sec") == "-1");
    CHECK(InfoField(info, "aof_last_rewrite_time_sec") == "2");
    CHECK(InfoField(info, "aof_last_bgrewrite_status") == "ok");
    CHECK(InfoField(info, "aof_rewrites") == "1");
    const uint64_t base = *m.disk.FileSize("appendonlydir/appendonly.aof.2.base.rdb");
    CHECK(InfoField(info, "aof_base_size") == std::to_string(base));
    CHECK(InfoField(info, "aof_current_size") == std::to_string(base));
    // The old files went away once the switch was durable.
    CHECK(m.disk.AllFiles() == std::vector<std::string>{"appendonlydir/appendonly.aof.2.base.rdb",
                                                        "appendonlydir/appendonly.aof.2.incr.aof",
                                                        "appendonlydir/appendonly.aof.manifest"});
    s.e.Run("SET b 2");
    CHECK(s.Info("aof_current_size") == std::to_string(base + set.size()));
  }
}

}  // namespace plab
