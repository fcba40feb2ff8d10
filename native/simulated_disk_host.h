// SimulatedDiskHost: what `plab serve --simulated-disk DIR` runs instead of
// an Engine on a PosixDisk. The engine lives in a Lab (core/lab/lab.h): on a
// SimDisk whose durable layer is mirrored to DIR (native/durable_dir_mirror.h),
// with a clock that follows real time, so that a user's application talking
// to it through any Redis client can have the plug pulled under it:
//
//   - `DEBUG SIMULATE-CRASH process|power|torn [seed]` (enable-debug-command
//     permitting) asks for a crash through core/server/crash_simulator.h;
//   - `--simulate-crash-every SECONDS` crashes at random moments: after a
//     seeded random wait of 0.5 to 1.5 times SECONDS, a random kind with a
//     random torn seed (all from one seed, logged at startup and with each
//     crash, so a soak run can be replayed crash for crash).
//
// A crash happens at the end of an event-loop iteration of TcpServer (see
// TcpServer::Host): the batch's AOF write (and fsync, under appendfsync
// always) has happened, its replies have not been sent. Every client is
// disconnected, the Lab crashes its disk (process: the page cache
// survives; power: only durable bytes; torn: plus seeded sectors of
// unsynced tails), restarts the engine with Redis's startup recovery, and
// the recovery report and the keyspace diff — with any write the setup's
// promise did not allow to lose (core/lab/promise.h) — are logged and kept
// for `DEBUG SIMULATE-CRASH REPORT`. If recovery fails the server stops
// (as redis-server refuses to start), DIR untouched.
//
// Ordering with DIR: the SimDisk's durability journal is applied to DIR
// (and fsynced) after every BeforeSleep, before any reply of the batch is
// written, and after a crash and a restart. So DIR is never ahead of the
// SimDisk's durable layer, and everything a reply acknowledged as durable
// is in DIR before the client sees the reply — even if plab itself is
// killed. Startup boots the SimDisk from DIR (SimDisk::LoadDurable), which
// is the state after a power loss; a DIR written by a clean SHUTDOWN or
// SIGTERM holds the final save.
//
// Not thread-safe. The host outlives every engine it hands out.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "core/lab/lab.h"
#include "core/server/config.h"
#include "core/server/crash_simulator.h"
#include "native/durable_dir_mirror.h"
#include "native/log.h"
#include "native/system_clock.h"
#include "native/tcp_server.h"

namespace plab {

struct SimulatedDiskOptions {
  std::string dir;                     // the durable mirror (created if missing)
  double crash_every_s = 0;            // --simulate-crash-every; 0: only on request
  std::optional<uint64_t> crash_seed;  // --simulate-crash-seed; default: from the time
};

class SimulatedDiskHost final : public TcpServer::Host, public CrashSimulator {
 public:
  // `log` must outlive the host.
  SimulatedDiskHost(const Logger* log, SimulatedDiskOptions options);
  ~SimulatedDiskHost() override;

  // Boots the SimDisk from DIR and starts the engine with `config` (every
  // parameter, as CONFIG GET * reports them, is handed to the Lab). Logs
  // the recovery report. Fails for an unreadable DIR or a failed recovery.
  Status Open(const Config& config);
  // The running engine (nullptr before Open or after a failed recovery).
  Engine* engine() { return lab_.engine(); }

  // DIR, resolved (after Open).
  const std::string& dir() const { return mirror_->dir(); }

  // Mirrors the durable changes so far to DIR and logs the engine's lines.
  Status Flush();

  // TcpServer::Host.
  void Tick() override;
  Status AfterBeforeSleep() override { return Flush(); }
  bool RestartPending() const override { return pending_.has_value(); }
  Result<Engine*> Restart() override;

  // CrashSimulator.
  void RequestCrash(CrashKind kind, std::optional<uint64_t> seed) override;
  std::string LastCrashReport() const override;

  int crashes() const { return crashes_; }

 private:
  struct Request {
    CrashKind kind = CrashKind::kPower;
    uint64_t seed = 0;
    std::string by;  // who asked: "DEBUG SIMULATE-CRASH", "--simulate-crash-every"
  };
  int64_t NowMs() const;
  void ScheduleNextCrash();
  void LogText(LogLevel level, const std::string& text) const;
  // The engine just (re)started: hooks it up and logs its report.
  void Started(const std::string& text);

  const Logger* log_;
  SimulatedDiskOptions options_;
  SystemClock system_clock_;  // before lab_: its stopwatch
  int64_t start_wall_ms_;
  int64_t start_steady_us_;
  Lab lab_;
  std::unique_ptr<DurableDirMirror> mirror_;
  std::mt19937_64 rng_;
  std::optional<Request> pending_;
  int64_t next_crash_ms_ = -1;  // lab time of the next timed crash; -1: none
  int crashes_ = 0;
  std::string last_report_;
};

}  // namespace plab
