#include "core/lab/lab.h"

#include <algorithm>

#include "core/server/config_registry.h"
#include "core/util/ascii.h"

namespace plab {

namespace {

// How long background saving may run at the end of each Tick (the idle time
// of Redis's event loop, where the fork-less snapshot advances).
constexpr int64_t kTickBackgroundUs = 8000;

// How often Tick lets the promise check forget writes it no longer needs
// (a pass over the recent writes; the windows are >= 1 s anyway).
constexpr int64_t kForgetEveryMs = 1000;
constexpr int64_t kKeepAckedMs = 10000;

}  // namespace

Lab::Lab(int64_t start_ms, const Clock* stopwatch)
    : clock_(start_ms * 1000, stopwatch), acks_(&clock_, start_ms) {}

Lab::~Lab() = default;

Status Lab::Open(const std::vector<std::pair<std::string, std::string>>& config,
                 RecoveryReport* report) {
  if (state_ != State::kNew) return Status::InvalidArgument("the lab is already open");
  Config parsed;
  // The lab's user owns the engine, like a local connection to a Redis
  // started with enable-debug-command local: DEBUG RELOAD and DEBUG PANIC
  // work unless the config says otherwise.
  parsed.enable_debug_command = ProtectedAction::kLocal;
  for (const auto& [name, value] : config) {
    Status s = SetConfigParam(&parsed, name, {value}, /*at_startup=*/true);
    if (!s.ok()) {
      return Status::InvalidArgument("config '" + name + "' '" + value + "': " + s.message());
    }
  }
  config_ = std::move(parsed);
  // The journal starts on the empty disk, so booting from the image records
  // nothing the mirror already has — only what booting drops.
  disk_.StartDurableJournal();
  PLAB_RETURN_IF_ERROR(disk_.LoadDurable(boot_image_));
  boot_image_ = {};
  return StartEngine(report);
}

Status Lab::StartEngine(RecoveryReport* report) {
  engine_ = std::make_unique<Engine>(clock_, config_, &disk_);
  engine_->server().set_log_sink([this](LogLevel level, std::string_view message) {
    log_.push_back({clock_.NowMillis(), level, std::string(message)});
  });
  last_cron_ms_ = clock_.NowMillis();
  Status s = engine_->Recover(report);
  if (!s.ok()) {
    StopEngine("recovery failed: " + s.message(), "", CrashKind::kProcess);
    return s;
  }
  // Until a save completes, what is on disk is what was just loaded.
  save_start_ms_ = clock_.NowMillis();
  bgsave_start_ms_ = -1;
  last_save_time_s_ = engine_->server().rdb().info().last_save_time_s;
  state_ = State::kRunning;
  down_reason_.clear();
  // Listening starts after loading: replaying the AOF is not a write.
  UpdateListening(/*new_engine=*/true);
  return Status::Ok();
}

// Nothing is written while the engine is down, so listening continues
// across a restart when both engines listen.
void Lab::UpdateListening(bool new_engine) {
  Server& server = engine_->server();
  const bool want = PromisesAnything(server.config(),
                                     server.aof().state() == AofPersistence::State::kWaitRewrite);
  if (want == listening_ && !new_engine) return;
  server.set_write_listener(want ? &acks_ : nullptr);
  // What was written while nobody listened is unknown: count from now.
  if (want && !listening_) acks_.ForgetBefore(clock_.NowMillis());
  listening_ = want;
}

// The engine's memory is gone. If it was serving, its keys are
// fingerprinted first and its promise is taken: what the next Restart()
// diffs and checks against. (A failed recovery stops an engine that never
// served; the old fingerprint and promise stay.)
void Lab::StopEngine(std::string reason, std::string_view stop, CrashKind kind) {
  if (state_ == State::kRunning) {
    NoteSaves();
    stopped_promise_ = Promise(kind);
    stopped_promise_.stop = std::string(stop);
    stopped_promise_.stop_ms = clock_.NowMillis();
    // PersistLab differs from Redis here on purpose: the next start uses
    // the settings the server ran with, as if every CONFIG SET had been
    // followed by CONFIG REWRITE. A reader who switched the playground to
    // AOF expects the restart to load the AOF, not the startup config's RDB.
    config_ = engine_->server().config();
    before_crash_ = FingerprintKeyspace(engine_->server().keyspace(), clock_.NowMillis());
  }
  engine_.reset();
  state_ = State::kDown;
  down_reason_ = std::move(reason);
}

LossPromise Lab::Promise(std::optional<CrashKind> crash) const {
  if (engine_ == nullptr) return PromiseOf(config_, crash);
  Server& server = engine_->server();
  PromiseContext context;
  context.aof_waiting_rewrite = server.aof().state() == AofPersistence::State::kWaitRewrite;
  context.save_start_ms = save_start_ms_;
  return PromiseOf(server.config(), crash, context);
}

void Lab::NoteSaves() {
  const RdbPersistence& rdb = engine_->server().rdb();
  const int64_t now = clock_.NowMillis();
  if (rdb.bgsave_in_progress() && bgsave_start_ms_ < 0) bgsave_start_ms_ = now;
  // Every completed save (SAVE, BGSAVE, the ones of FLUSHALL, SHUTDOWN and
  // DEBUG RELOAD) sets lastsave; a failed or killed one leaves it. Two
  // completions within one second look like one: the earlier start is
  // kept, which only makes the check more lenient.
  if (rdb.info().last_save_time_s != last_save_time_s_) {
    last_save_time_s_ = rdb.info().last_save_time_s;
    // A BGSAVE seen running and now gone finished (the snapshot is of its
    // start); otherwise a foreground save ran in this batch, at `now`.
    const bool background = bgsave_start_ms_ >= 0 && !rdb.bgsave_in_progress();
    save_start_ms_ = std::max(save_start_ms_, background ? bgsave_start_ms_ : now);
    if (!engine_->server().config().appendonly) ForgetPromisedWrites();
  }
  if (!rdb.bgsave_in_progress()) bgsave_start_ms_ = -1;
}

// A power loss is what a setup promises least about, so what it can no
// longer lose nothing can. Under "none" nothing is checked. The last
// kKeepAckedMs are kept anyway, so that a broken promise can say how old
// the lost write was ("written 5.0 s before ...").
void Lab::ForgetPromisedWrites() {
  const int64_t now = clock_.NowMillis();
  last_forget_ms_ = now;
  const LossPromise p = Promise(CrashKind::kPower);
  const bool all = p.kind == LossPromise::Kind::kNoLoss || p.kind == LossPromise::Kind::kNone;
  const int64_t promised_before = all ? now : p.PromisedUpTo(now) + 1;
  acks_.ForgetBefore(std::min(promised_before, now - kKeepAckedMs));
}

int64_t Lab::CronPeriod() const {
  return CronPeriodMs(engine_ != nullptr ? engine_->server().config().hz : config_.hz);
}

std::string Lab::RunBatch(std::vector<Command>& commands) {
  if (state_ != State::kRunning) return {};
  Server& server = engine_->server();
  Client* client = engine_->default_client();
  client->output.clear();
  acks_.BeginBatch();
  for (Command& command : commands) {
    if (!command.error.empty()) {
      client->output += "-" + command.error + "\r\n";
    } else {
      const bool debug = !command.argv.empty() && EqualsIgnoreCase(command.argv[0], "debug");
      acks_.set_uncovered(debug);
      server.Execute(client, command.argv);
      acks_.set_uncovered(false);
    }
    // QUIT and the cross-protocol guard ask to close the connection; the
    // lab's client is the page itself, so it stays.
    client->close_after_reply = false;
    if (server.shutdown_requested()) break;
  }
  server.BeforeSleep();
  acks_.EndBatch();
  std::string out;
  out.swap(client->output);
  if (server.aof().fatal()) {
    // Redis exits on a failed write or fsync under appendfsync always,
    // before answering: this batch was never acknowledged.
    acks_.DisownLastBatch();
    StopEngine("the AOF could not be written or fsynced (appendfsync always): the server exited",
               "exit", CrashKind::kProcess);
  } else if (server.shutdown_requested()) {
    StopEngine("SHUTDOWN", "SHUTDOWN", CrashKind::kProcess);
  } else {
    NoteSaves();
    UpdateListening();
  }
  return out;
}

// One wake-up of Redis's event loop by its timer: serverCron, then
// beforeSleep — which is where an idle server's everysec fsync happens
// (flushAppendOnlyFile with an empty buffer) — and the kernel's flusher.
void Lab::RunCronStep() {
  disk_.Writeback(clock_.NowMillis());
  if (engine_ == nullptr) return;
  engine_->Cron();
  engine_->BeforeSleep();
  NoteSaves();
}

void Lab::Tick(int64_t now_ms) {
  if (now_ms <= clock_.NowMillis()) return;
  const int64_t period = CronPeriod();
  int64_t next = last_cron_ms_ + period;
  if ((now_ms - next) / period > kMaxTickSteps) next = now_ms - kMaxTickSteps * period;
  for (; next <= now_ms && state_ == State::kRunning; next += period) {
    clock_.SetMicros(next * 1000);
    RunCronStep();
    last_cron_ms_ = next;
  }
  clock_.SetMicros(now_ms * 1000);
  if (state_ != State::kRunning) {
    disk_.Writeback(now_ms);  // the kernel keeps flushing while Redis is down
    return;
  }
  engine_->server().BackgroundWork(kTickBackgroundUs);
  NoteSaves();
  UpdateListening();  // a rewrite that turned the AOF on may have finished
  if (now_ms - last_forget_ms_ >= kForgetEveryMs) ForgetPromisedWrites();
}

void Lab::Crash(CrashKind kind, uint64_t seed) {
  if (state_ != State::kRunning) return;
  const char* what = kind == CrashKind::kProcess ? "process crash"
                     : kind == CrashKind::kPower ? "power loss"
                                                 : "power loss with torn writes";
  StopEngine(what, what, kind);
  disk_.Crash(kind, seed);
}

Status Lab::Restart(RecoveryReport* report, KeyspaceDiff* diff) {
  if (state_ == State::kNew) return Status::InvalidArgument("the lab is not open");
  if (state_ == State::kRunning) {
    // A clean restart: what SHUTDOWN does before the process exits.
    engine_->server().PrepareForShutdown(/*save=*/false, /*nosave=*/false);
    StopEngine("restart", "shutdown", CrashKind::kProcess);
  }
  Status s = StartEngine(report);
  if (s.ok() && diff != nullptr) {
    const int64_t now = clock_.NowMillis();
    DiffOptions options;
    options.after_ms = now;
    options.promise = stopped_promise_;
    const LossPromise& promise = *options.promise;
    options.judge = [this, &promise](int db, const std::string& key) -> std::string {
      const std::optional<AckTracker::Write> w = acks_.LastWrite(db, key);
      if (w && !w->covered) return "";
      return BrokenPromiseReason(promise, w ? std::optional<int64_t>(w->time_ms) : std::nullopt,
                                 acks_.horizon_ms());
    };
    *diff = DiffKeyspaces(before_crash_, FingerprintKeyspace(engine_->server().keyspace(), now),
                          options);
  }
  return s;
}

Lab::DiskStats Lab::Stats() const {
  DiskStats out;
  const SimDisk::Counters& c = disk_.counters();
  out.fsyncs = c.file_syncs;
  out.dir_syncs = c.dir_syncs;
  out.bytes_written = c.bytes_written;
  for (const FileEntry& f : Files()) {
    ++out.files;
    out.written_bytes += f.written;
    out.durable_bytes += f.durable;
  }
  return out;
}

uint64_t Lab::KeyspaceDigest() const {
  if (state_ != State::kRunning) return 0;
  return plab::KeyspaceDigest(
      FingerprintKeyspace(engine_->server().keyspace(), clock_.NowMillis()));
}

std::vector<Lab::FileEntry> Lab::Files() const {
  std::vector<FileEntry> out;
  for (const std::string& path : disk_.AllFiles()) {
    Result<SimDisk::FileInfo> info = disk_.Inspect(path);
    if (!info.ok()) continue;
    out.push_back({path, info->written_size, info->durable_size, info->dirty, info->entry_durable});
  }
  return out;
}

std::vector<LabLogLine> Lab::TakeLog() {
  std::vector<LabLogLine> out;
  out.swap(log_);
  return out;
}

}  // namespace plab
