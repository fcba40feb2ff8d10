#include "tests/crash/enumerator.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>
#include <set>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "core/engine.h"
#include "core/lab/lab.h"
#include "core/lab/promise.h"
#include "core/server/recovery_report.h"
#include "tests/crash/dataset_model.h"
#include "tests/unit/persist_test_util.h"

namespace plab::crash {
namespace {

// What a restart on one crash image gave.
struct Recovery {
  bool ok = false;
  std::string error;      // when !ok
  bool untouched = true;  // when !ok: the files are as before the attempt
  KeyspaceFingerprint keys;
  std::string summary;  // "aof, 2 files, 37 bytes cut"
};

// "changed: appendonlydir/x (120 -> 0 bytes)" for each file that differs.
std::string FilesChanged(const std::map<std::string, std::string>& before,
                         const std::map<std::string, std::string>& after) {
  std::string out = "    files changed by the failed startup:";
  auto size = [](const std::map<std::string, std::string>& m, const std::string& path) {
    auto it = m.find(path);
    return it == m.end() ? std::string("absent") : std::to_string(it->second.size()) + " bytes";
  };
  std::set<std::string> paths;
  for (const auto& [path, bytes] : before) paths.insert(path);
  for (const auto& [path, bytes] : after) paths.insert(path);
  for (const std::string& path : paths) {
    auto b = before.find(path);
    auto a = after.find(path);
    if (b != before.end() && a != after.end() && b->second == a->second) continue;
    out += " " + path + " (" + size(before, path) + " -> " + size(after, path) + ")";
  }
  return out;
}

std::string Summary(const RecoveryReport& r) {
  int64_t cut = 0;
  for (const RecoveryReport::File& f : r.files) cut += f.truncated_bytes;
  return r.source + ", " + std::to_string(r.files.size()) + " files, " +
         std::to_string(r.keys_after) + " keys" +
         (cut > 0 ? ", " + std::to_string(cut) + " torn bytes cut" : "");
}

// Boots a fresh engine on `image` at `now_ms`, with Redis's startup recovery.
Recovery Restart(const DurableImage& image, Config config, int64_t now_ms) {
  ManualClock clock(now_ms * 1000);
  SimDisk disk(&clock);
  Recovery r;
  Status loaded = disk.LoadDurable(image);
  if (!loaded.ok()) {
    r.error = "the crash image does not boot: " + loaded.ToString();
    return r;
  }
  const std::map<std::string, std::string> before = testing::FileContents(disk);
  config.aof_load_truncated = true;
  Engine engine(clock, std::move(config), &disk);
  RecoveryReport report;
  Status s = engine.Recover(&report);
  r.summary = Summary(report);
  if (!s.ok()) {
    r.error = s.ToString();
    const std::map<std::string, std::string> after = testing::FileContents(disk);
    r.untouched = after == before;
    if (!r.untouched) r.error += "\n" + FilesChanged(before, after);
    return r;
  }
  r.ok = true;
  r.keys = FingerprintKeyspace(engine.server().keyspace(), now_ms);
  return r;
}

// FNV-1a over the image and what else decides a recovery's outcome.
uint64_t RecoveryKey(const DurableImage& image, const Config& config, int64_t now_ms) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view bytes) {
    for (char c : bytes) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;  // field separator
  };
  for (const auto& [path, id] : image.names) {
    mix(path);
    mix(image.inodes.at(id));
  }
  for (const std::string& dir : image.dirs) mix(dir);
  mix(std::to_string(now_ms));
  mix(config.appendonly ? "aof" : "rdb");
  mix(config.aof_use_rdb_preamble ? "preamble" : "plain");
  mix(config.dbfilename);
  return h;
}

// From when on `promise`, in force when a command was acknowledged at
// `ack_ms`, covers it: at once for "no loss"; after the window for
// everysec / no. An RDB promise (since the last save) and "none" are
// judged by the promise at the crash alone.
int64_t CoveredFrom(const LossPromise& promise, int64_t ack_ms) {
  return promise.kind == LossPromise::Kind::kWindow ? ack_ms + promise.window_ms : ack_ms;
}

std::string ShowTime(int64_t ms) { return "t+" + std::to_string(ms - kStartMs) + "ms"; }

// The state at one crash point.
struct CrashPoint {
  uint64_t op = 0;
  std::string what;  // "write appendonlydir/..." or "end of run"
  std::string step;
  int64_t now_ms = 0;
  size_t executed = 0;   // commands whose batch had started
  size_t completed = 0;  // commands whose batch had been answered
  Config config;         // what a restart runs with
  LossPromise process_promise;
  LossPromise power_promise;
  std::vector<DurableImage> images;  // one per checked variant
  std::vector<bool> invented;        // the variant's tear made up bytes
};

class Run {
 public:
  Run(const Setup& setup, uint64_t seed, const Options& options, Stats* stats)
      : setup_(setup), seed_(seed), options_(options), stats_(*stats) {
    for (const Variant& v : Variants(options.torn_seeds)) {
      if (!options.only_variant || *options.only_variant == v.Name()) variants_.push_back(v);
    }
  }

  void Go();

 private:
  // --op N; the end of the run is numbered after the last op, and --op end
  // (UINT64_MAX) asks for it.
  bool Wanted(uint64_t op, bool end) const {
    if (!options_.only_op) return true;
    return *options_.only_op == op || (end && *options_.only_op == UINT64_MAX);
  }
  void Capture(uint64_t op, std::string what, bool end = false);
  bool RunStep(const Step& step);
  void ProcessPending();
  void Check(const CrashPoint& p, const Variant& v, bool invented, const Recovery& r, Tally& tally);
  size_t MustSurvive(const CrashPoint& p, const Variant& v) const;
  LossPromise AckPromise(CrashKind kind);
  void Fail(const CrashPoint& p, const Variant& v, std::string what, std::string detail);
  std::string Commands(size_t from, size_t to) const;
  void PrintFiles(const DurableImage& image) const;

  const Setup& setup_;
  uint64_t seed_;
  Options options_;
  Stats& stats_;
  std::vector<Variant> variants_;
  Lab lab_{kStartMs};
  DatasetModel model_{kStartMs};
  std::vector<int64_t> ack_ms_{-1};  // per command p (1-based)
  // Per command: the earliest crash time from which the promise in force
  // when it was acknowledged covers it (process crash / power loss). A
  // later CONFIG SET to a stronger policy does not cover it sooner.
  std::vector<int64_t> covered_process_ms_{0};
  std::vector<int64_t> covered_power_ms_{0};
  std::vector<std::string> command_text_{""};
  size_t executed_ = 0;
  size_t completed_ = 0;
  std::string step_;
  std::vector<CrashPoint> pending_;
  std::unordered_map<uint64_t, std::shared_ptr<const Recovery>> cache_;
};

void Run::Capture(uint64_t op, std::string what, bool end) {
  if (!Wanted(op, end)) return;
  CrashPoint p;
  p.op = op;
  p.what = std::move(what);
  p.step = step_;
  p.now_ms = lab_.now_ms();
  p.executed = executed_;
  p.completed = completed_;
  p.config = lab_.engine()->server().config();
  p.process_promise = lab_.Promise(CrashKind::kProcess);
  p.power_promise = lab_.Promise(CrashKind::kPower);
  for (const Variant& v : variants_) {
    TearStats tear;
    p.images.push_back(lab_.disk().CrashImage(v.kind, v.seed, v.shape, &tear));
    p.invented.push_back(tear.files_invented > 0);
  }
  ++stats_.ops[p.what.substr(0, p.what.find(' '))];
  pending_.push_back(std::move(p));
}

void Run::Go() {
  ++stats_.runs;
  lab_.disk().set_op_hook([this](const SimDisk::Op& op) {
    Capture(op.index, std::string(SimDisk::OpKindName(op.kind)) + " " + std::string(op.path));
  });
  step_ = "startup";
  RecoveryReport report;
  Status s = lab_.Open(setup_.config, &report);
  if (!s.ok()) {
    std::fprintf(stderr, "setup %s does not open: %s\n", setup_.name.c_str(), s.ToString().c_str());
    stats_.failure_count++;
    return;
  }
  // Background saves in small slices, a few per cron tick, so commands run
  // while a BGSAVE or rewrite is half done.
  Config& config = lab_.engine()->server().config();
  config.rdb_save_slice_bytes = 700;
  config.rdb_save_max_slices_per_tick = 2;
  ProcessPending();
  const std::vector<Step> steps = MakeWorkload(setup_, seed_, options_.batches);
  for (size_t i = 0; i < steps.size(); ++i) {
    step_ = "step " + std::to_string(i) + ": " + Describe(steps[i]);
    const bool ok = RunStep(steps[i]);
    ProcessPending();
    if (!ok) return;
  }
  lab_.disk().set_op_hook(nullptr);
  step_ = "after the last step";
  Capture(lab_.disk().op_count(), "end of run", /*end=*/true);
  ProcessPending();
}

bool Run::RunStep(const Step& step) {
  if (step.kind == Step::Kind::kTick) {
    lab_.Tick(lab_.now_ms() + step.advance_ms);
    return lab_.state() == Lab::State::kRunning;
  }
  const int64_t now = lab_.now_ms();
  if (!step.admin) {
    for (const std::vector<std::string>& argv : step.commands) {
      model_.Run(argv, now);
      Step one;
      one.commands = {argv};
      command_text_.push_back(Describe(one));
      ack_ms_.push_back(-1);
      covered_process_ms_.push_back(0);
      covered_power_ms_.push_back(0);
    }
  }
  executed_ = model_.commands();
  std::vector<Lab::Command> batch;
  for (const std::vector<std::string>& argv : step.commands) batch.push_back({argv, ""});
  lab_.RunBatch(batch);
  if (lab_.state() != Lab::State::kRunning) {
    CrashPoint p;
    p.step = step_;
    Fail(p, Variant{}, "the engine stopped during the workload", lab_.down_reason());
    return false;
  }
  const int64_t process_from = CoveredFrom(AckPromise(CrashKind::kProcess), now);
  const int64_t power_from = CoveredFrom(AckPromise(CrashKind::kPower), now);
  for (size_t c = completed_ + 1; c <= executed_; ++c) {
    ack_ms_[c] = now;
    covered_process_ms_[c] = process_from;
    covered_power_ms_[c] = power_from;
  }
  completed_ = executed_;
  // The model must still agree with the engine under test.
  const KeyspaceFingerprint engine_keys =
      FingerprintKeyspace(lab_.engine()->server().keyspace(), now);
  if (!SameData(model_.Current(now), engine_keys, now)) {
    CrashPoint p;
    p.step = step_;
    p.now_ms = now;
    Fail(p, Variant{}, "the model diverged from the engine",
         DescribeDifference(model_.Current(now), engine_keys, now));
    return false;
  }
  return true;
}

void Run::ProcessPending() {
  std::vector<CrashPoint> points = std::move(pending_);
  pending_.clear();
  for (const CrashPoint& p : points) {
    if (options_.verbose) {
      std::printf("op %llu (%s) at %s, %s: acknowledged %zu, started %zu\n",
                  static_cast<unsigned long long>(p.op), p.what.c_str(), ShowTime(p.now_ms).c_str(),
                  p.step.c_str(), p.completed, p.executed);
    }
    for (size_t i = 0; i < variants_.size(); ++i) {
      const Variant& v = variants_[i];
      Tally& tally = stats_.tallies[setup_.name][v.Group()];
      ++tally.states;
      ++stats_.states;
      const uint64_t key = RecoveryKey(p.images[i], p.config, p.now_ms);
      std::shared_ptr<const Recovery>& r = cache_[key];
      if (r == nullptr) {
        r = std::make_shared<const Recovery>(Restart(p.images[i], p.config, p.now_ms));
        ++tally.restarts;
        ++stats_.restarts;
      }
      if (options_.verbose) PrintFiles(p.images[i]);
      Check(p, v, p.invented[i], *r, tally);
    }
  }
  if (cache_.size() > 20000) cache_.clear();
}

// The promise for a command acknowledged now. While appendonly yes set at
// runtime waits for its first rewrite, the lab promises nothing; once that
// rewrite is done the command is covered as the fsync policy covered it
// when it was written (not as a policy set later does).
LossPromise Run::AckPromise(CrashKind kind) {
  LossPromise p = lab_.Promise(kind);
  const Config& config = lab_.engine()->server().config();
  if (p.kind == LossPromise::Kind::kNone && config.appendonly) p = PromiseOf(config, kind);
  return p;
}

// The last command the promises hold (states are prefixes: it and every
// command before it must be there), 0 when none.
size_t Run::MustSurvive(const CrashPoint& p, const Variant& v) const {
  const bool process = v.kind == CrashKind::kProcess;
  const LossPromise& promise = process ? p.process_promise : p.power_promise;
  const std::vector<int64_t>& covered = process ? covered_process_ms_ : covered_power_ms_;
  const int64_t up_to = promise.PromisedUpTo(p.now_ms);
  for (size_t c = p.completed; c > 0; --c) {
    if (ack_ms_[c] <= up_to && covered[c] <= p.now_ms) return c;
  }
  return 0;
}

void Run::Check(const CrashPoint& p, const Variant& v, bool invented, const Recovery& r,
                Tally& tally) {
  if (!r.ok) {
    if (!r.untouched) {
      Fail(p, v, "a failed startup changed the files", r.error);
    } else if (!invented || r.error.empty()) {
      Fail(p, v, "startup refused on a legal crash state", r.error);
    } else {
      ++tally.refused;
    }
    if (options_.verbose) std::printf("  %s: refused: %s\n", v.Name().c_str(), r.error.c_str());
    return;
  }
  const std::vector<size_t> match = model_.Matching(r.keys, p.now_ms, p.executed);
  const size_t must = MustSurvive(p, v);
  if (options_.verbose) {
    std::printf("  %s: %s; prefixes matched %s; acknowledged %zu, promised %zu, started %zu\n",
                v.Name().c_str(), r.summary.c_str(),
                match.empty() ? "none" : std::to_string(match.back()).c_str(), p.completed, must,
                p.executed);
  }
  if (match.empty() && invented && !options_.strict) {
    // Redis's AOF has no checksums and skips the CRLF after a payload
    // unchecked: zeros inside a value load as data (in Redis 7.0 too).
    ++tally.garbage;
    return;
  }
  if (match.empty()) {
    Fail(p, v, "recovered a state that never existed",
         "recovered (" + r.summary + ") vs the state after command " + std::to_string(p.executed) +
             " (all started):\n" + DescribeDifference(model_.state(p.executed), r.keys, p.now_ms) +
             "    vs after command " + std::to_string(must) + " (the promised minimum):\n" +
             DescribeDifference(model_.state(must), r.keys, p.now_ms));
    return;
  }
  if (match.back() < must) {
    const LossPromise& promise =
        v.kind == CrashKind::kProcess ? p.process_promise : p.power_promise;
    Fail(p, v, "an acknowledged write the promise covers was lost",
         "recovered the state after command " + std::to_string(match.back()) + " (" + r.summary +
             "); " + promise.policy + " (" + std::string(PromiseKindName(promise.kind)) +
             ") covers every command up to " + std::to_string(must) + ". Lost:\n" +
             Commands(match.back() + 1, must));
    return;
  }
  if (match.back() < p.completed) ++tally.lost;
}

std::string Run::Commands(size_t from, size_t to) const {
  std::string out;
  for (size_t c = from; c <= to && c < command_text_.size(); ++c) {
    if (c > from + 8) {
      out += "      ...\n";
      break;
    }
    out += "      #" + std::to_string(c) + " " + command_text_[c] + " (acked " +
           ShowTime(ack_ms_[c]) + ")\n";
  }
  return out;
}

// `bytes` printable: escapes, runs of zeros as <N zeros>, long text cut.
std::string Escape(const std::string& bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size();) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == 0) {
      size_t j = i;
      while (j < bytes.size() && bytes[j] == '\0') ++j;
      out += "<" + std::to_string(j - i) + " zeros>";
      i = j;
      continue;
    }
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 32 || c > 126) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  return out;
}

void Run::PrintFiles(const DurableImage& image) const {
  for (const auto& [path, id] : image.names) {
    const std::string& bytes = image.inodes.at(id);
    std::printf("    file %s: %zu bytes\n", path.c_str(), bytes.size());
    if (bytes.size() <= 4096 && path.find(".rdb") == std::string::npos) {
      std::printf("      %s\n", Escape(bytes).c_str());
    }
  }
}

void Run::Fail(const CrashPoint& p, const Variant& v, std::string what, std::string detail) {
  Failure f;
  f.setup = setup_.name;
  f.seed = seed_;
  f.batches = options_.batches;
  f.op = p.op;
  f.op_what = p.what;
  f.step = p.step;
  f.variant = v.Name();
  f.now_ms = p.now_ms;
  f.what = std::move(what);
  f.detail = std::move(detail);
  stats_.AddFailure(std::move(f));
}

}  // namespace

std::string Variant::Name() const {
  if (kind != CrashKind::kPowerTorn) return std::string(CrashKindName(kind));
  return Group() + "/" + std::to_string(seed);
}

std::string Variant::Group() const {
  if (kind != CrashKind::kPowerTorn) return std::string(CrashKindName(kind));
  return "torn-" + std::string(TearShapeName(shape));
}

std::vector<Variant> Variants(int torn_seeds) {
  std::vector<Variant> out = {{CrashKind::kProcess, TearShape::kPrefix, 0},
                              {CrashKind::kPower, TearShape::kPrefix, 0}};
  for (TearShape shape : {TearShape::kPrefix, TearShape::kSubset, TearShape::kZeroTail}) {
    for (int s = 1; s <= torn_seeds; ++s) {
      out.push_back({CrashKind::kPowerTorn, shape, static_cast<uint64_t>(s)});
    }
  }
  return out;
}

std::optional<Variant> ParseVariant(std::string_view name) {
  for (const Variant& v : Variants(1000)) {
    if (v.Name() == name) return v;
  }
  return std::nullopt;
}

std::string Failure::Reproducer() const {
  return "scripts/crashcheck --setup " + setup + " --seed " + std::to_string(seed) + " --batches " +
         std::to_string(batches) + " --op " +
         (op_what == "end of run" ? std::string("end") : std::to_string(op)) +
         (variant.empty() ? "" : " --crash " + variant) + " --verbose";
}

void EnumerateRun(const Setup& setup, uint64_t seed, const Options& options, Stats* stats) {
  // The Lab and the engines are big; keep them off the stack.
  auto run = std::make_unique<Run>(setup, seed, options, stats);
  run->Go();
}

void Stats::AddFailure(Failure f) {
  ++failure_count;
  if (failures.size() < kMaxKept) failures.push_back(std::move(f));
}

}  // namespace plab::crash
