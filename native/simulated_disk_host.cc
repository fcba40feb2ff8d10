#include "native/simulated_disk_host.h"

#include <unistd.h>

#include <utility>
#include <vector>

#include "core/lab/lab_text.h"
#include "core/server/config_registry.h"

namespace plab {
namespace {

// Torn crashes need a seed; one the user can type back fits in 6 digits.
constexpr uint64_t kSeedRange = 1000000;

}  // namespace

SimulatedDiskHost::SimulatedDiskHost(const Logger* log, SimulatedDiskOptions options)
    : log_(log),
      options_(std::move(options)),
      start_wall_ms_(system_clock_.NowMillis()),
      start_steady_us_(system_clock_.MonotonicMicros()),
      lab_(start_wall_ms_, &system_clock_) {}

SimulatedDiskHost::~SimulatedDiskHost() = default;

// The lab's virtual clock follows real time: the wall clock at startup,
// advanced by the monotonic clock (a wall-clock step never moves it back).
int64_t SimulatedDiskHost::NowMs() const {
  return start_wall_ms_ + (system_clock_.MonotonicMicros() - start_steady_us_) / 1000;
}

Status SimulatedDiskHost::Open(const Config& config) {
  Result<std::unique_ptr<DurableDirMirror>> mirror =
      DurableDirMirror::Open(options_.dir, &lab_.boot_image());
  if (!mirror.ok()) return mirror.status();
  mirror_ = std::move(*mirror);
  log_->Notice("Simulated disk: booting from the durable files in " + mirror_->dir() + " (" +
               std::to_string(lab_.boot_image().names.size()) + " files)");
  // The whole configuration, as CONFIG GET * shows it, is what the Lab
  // starts with (and restarts with: CONFIG SET changes outlive a crash).
  RecoveryReport report;
  Status s = lab_.Open(GetConfigParams(config, {"*"}), &report);
  PLAB_RETURN_IF_ERROR(Flush());
  if (!s.ok()) {
    LogText(LogLevel::kWarning, RecoveryText(report, nullptr, "", false));
    return s;
  }
  // What INFO server says about this process (not configuration
  // parameters, so CONFIG GET * did not carry them).
  Config& live = lab_.engine()->server().config();
  live.process_id = config.process_id;
  live.executable = config.executable;
  live.os = config.os;
  live.config_file = config.config_file;
  live.multiplexing_api = config.multiplexing_api;
  const uint64_t seed = options_.crash_seed.value_or(
      static_cast<uint64_t>(system_clock_.NowMicros()) ^ static_cast<uint64_t>(getpid()));
  rng_.seed(seed);
  if (options_.crash_every_s > 0) {
    log_->Warning("Simulated crashes every ~" + std::to_string(options_.crash_every_s) +
                  " s at random moments (--simulate-crash-seed " + std::to_string(seed) +
                  " replays them)");
    ScheduleNextCrash();
  }
  log_->Notice("Recovery report: " + report.ToJson());
  Started(RecoveryText(report, nullptr, "", false));
  return Status::Ok();
}

void SimulatedDiskHost::Started(const std::string& text) {
  Server& server = lab_.engine()->server();
  server.set_crash_simulator(this);
  // From now on the engine logs straight to the log (the Lab collects the
  // lines of recovery, which Flush passed on), so that lines keep their
  // order with the server's own (a SHUTDOWN's save before "bye bye").
  server.set_log_sink([log = log_](LogLevel level, std::string_view m) { log->Log(level, m); });
  LogText(LogLevel::kNotice, text);
}

Status SimulatedDiskHost::Flush() {
  Status s = mirror_ == nullptr ? Status::Ok() : mirror_->Apply(lab_.TakeDurableOps());
  for (const LabLogLine& line : lab_.TakeLog()) log_->Log(line.level, line.message);
  if (!s.ok()) return Status::IoError("simulated disk mirror: " + s.message());
  return s;
}

void SimulatedDiskHost::Tick() {
  const int64_t now = NowMs();
  lab_.Tick(now);
  if (next_crash_ms_ >= 0 && now >= next_crash_ms_ && !pending_) {
    std::uniform_int_distribution<size_t> pick(0, std::size(kCrashKinds) - 1);
    const CrashKind kind = kCrashKinds[pick(rng_)];
    pending_ = Request{kind, rng_() % kSeedRange, "--simulate-crash-every"};
  }
}

void SimulatedDiskHost::ScheduleNextCrash() {
  std::uniform_real_distribution<double> factor(0.5, 1.5);
  next_crash_ms_ = NowMs() + static_cast<int64_t>(options_.crash_every_s * 1000 * factor(rng_));
}

void SimulatedDiskHost::RequestCrash(CrashKind kind, std::optional<uint64_t> seed) {
  // Any seed will do for a torn crash; the log says which one was used.
  pending_ = Request{kind, seed.value_or(rng_() % kSeedRange), "DEBUG SIMULATE-CRASH"};
}

Result<Engine*> SimulatedDiskHost::Restart() {
  const Request request = *pending_;
  pending_.reset();
  ++crashes_;
  lab_.Crash(request.kind, request.seed);
  const std::string cause = lab_.down_reason();  // "power loss" ...
  const std::string head = "Simulated crash #" + std::to_string(crashes_) + ": " + cause + " (" +
                           std::string(CrashKindName(request.kind)) + ", seed " +
                           std::to_string(request.seed) + "), asked by " + request.by + ".";
  log_->Warning(head + " Every client was disconnected; restarting from what was durable.");
  PLAB_RETURN_IF_ERROR(Flush());  // what the crash dropped or tore
  RecoveryReport report;
  KeyspaceDiff diff;
  Status s = lab_.Restart(&report, &diff);
  if (!s.ok() && report.error.empty()) report.error = s.message();
  PLAB_RETURN_IF_ERROR(Flush());  // what recovery wrote
  const std::string text = RecoveryText(report, s.ok() ? &diff : nullptr, cause, false);
  last_report_ = head + "\n" + text;
  if (!s.ok()) {
    LogText(LogLevel::kWarning, last_report_);
    return Status::IoError("recovery after the simulated crash failed: " + s.message());
  }
  if (diff.broken_count > 0) {
    log_->Warning(std::to_string(diff.broken_count) +
                  " acknowledged writes were lost that the persistence setup promised to keep");
  }
  log_->Notice("Recovery report: " + report.ToJson());
  Started(text);
  if (options_.crash_every_s > 0) ScheduleNextCrash();
  return lab_.engine();
}

std::string SimulatedDiskHost::LastCrashReport() const {
  if (crashes_ == 0) return "No simulated crash yet.\n";
  return last_report_;
}

void SimulatedDiskHost::LogText(LogLevel level, const std::string& text) const {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) log_->Log(level, text.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace plab
