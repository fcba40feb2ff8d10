#include "core/lab/lab.h"

#include <algorithm>
#include <chrono>

#include "core/server/config_registry.h"

namespace plab {

namespace {

// How long background saving may run at the end of each Tick (the idle time
// of Redis's event loop, where the fork-less snapshot advances).
constexpr int64_t kTickBackgroundUs = 8000;

}  // namespace

int64_t LabClock::MonotonicMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Lab::Lab(int64_t start_ms) : clock_(start_ms * 1000) {}

Lab::~Lab() = default;

Status Lab::Open(const std::vector<std::pair<std::string, std::string>>& config,
                 RecoveryReport* report) {
  if (state_ != State::kNew) return Status::InvalidArgument("the lab is already open");
  Config parsed;
  // The lab's user owns the engine, like a local connection to a Redis
  // started with enable-debug-command local: DEBUG RELOAD and DEBUG PANIC
  // work unless the config says otherwise.
  parsed.enable_debug_command = "local";
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
    StopEngine("recovery failed: " + s.message());
    return s;
  }
  state_ = State::kRunning;
  down_reason_.clear();
  return Status::Ok();
}

// The engine's memory is gone. If it was serving, its keys are
// fingerprinted first: what the next Restart() diffs against. (A failed
// recovery stops an engine that never served; the old fingerprint stays.)
void Lab::StopEngine(std::string reason) {
  if (state_ == State::kRunning) before_crash_ = FingerprintKeyspace(engine_->server().keyspace());
  engine_.reset();
  state_ = State::kDown;
  down_reason_ = std::move(reason);
}

std::string Lab::RunBatch(std::vector<Command>& commands) {
  if (state_ != State::kRunning) return {};
  Server& server = engine_->server();
  Client* client = engine_->default_client();
  client->output.clear();
  for (Command& command : commands) {
    if (!command.error.empty()) {
      client->output += "-" + command.error + "\r\n";
    } else {
      server.Execute(client, command.argv);
    }
    // QUIT and the cross-protocol guard ask to close the connection; the
    // lab's client is the page itself, so it stays.
    client->close_after_reply = false;
    if (server.shutdown_requested()) break;
  }
  server.BeforeSleep();
  std::string out;
  out.swap(client->output);
  if (server.aof().fatal()) {
    // Redis exits on a failed write or fsync under appendfsync always.
    StopEngine("the AOF could not be written or fsynced (appendfsync always): the server exited");
  } else if (server.shutdown_requested()) {
    StopEngine("SHUTDOWN");
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
}

void Lab::Tick(int64_t now_ms) {
  if (now_ms <= clock_.NowMillis()) return;
  const int64_t period = std::max<int64_t>(1, 1000 / std::max<int64_t>(1, config_.hz));
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
}

void Lab::Crash(CrashKind kind, uint64_t seed) {
  if (state_ != State::kRunning) return;
  const char* what = kind == CrashKind::kProcess ? "process crash"
                     : kind == CrashKind::kPower ? "power loss"
                                                 : "power loss with torn writes";
  StopEngine(what);
  disk_.Crash(kind, seed);
}

Status Lab::Restart(RecoveryReport* report, KeyspaceDiff* diff) {
  if (state_ == State::kNew) return Status::InvalidArgument("the lab is not open");
  if (state_ == State::kRunning) {
    // A clean restart: what SHUTDOWN does before the process exits.
    engine_->server().PrepareForShutdown(/*save=*/false, /*nosave=*/false);
    StopEngine("restart");
  }
  Status s = StartEngine(report);
  if (s.ok() && diff != nullptr) {
    *diff = DiffKeyspaces(before_crash_, FingerprintKeyspace(engine_->server().keyspace()));
  }
  return s;
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
