// plab_crash_replay: crash-state replay of `plab serve` on real files
// (issue 13 §2). See replay.h for the method and fs_model.h for the crash
// model.
//
//   plab_crash_replay                     every policy, a CI-sized sample
//   plab_crash_replay --states N          up to N distinct states per policy
//   plab_crash_replay --policy always     one policy (repeatable)
//   plab_crash_replay --seed S            another workload and sample
//   plab_crash_replay --model ext4        ext4 data=ordered name semantics
//   plab_crash_replay --kill N            N SIGKILL-and-restart cycles instead
//   plab_crash_replay --self-test         the replay must catch a server whose
//                                         file fsyncs, then directory fsyncs,
//                                         are hidden from the trace
//
// Exit status 0 when every checked state holds; failures are printed with
// the crash point, how the state was chosen and the directory kept for
// reproduction. PLAB_CRASH_REPLAY_SEED sets the default seed.
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "tests/crash_replay/kill_cycles.h"
#include "tests/crash_replay/replay.h"

namespace {

using plab::crash_replay::Policy;
using plab::crash_replay::ReplayOptions;
using plab::crash_replay::ReplayResult;

constexpr uint64_t kDefaultSeed = 20261207;

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int RunKill(int cycles, uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  plab::crash_replay::KillResult r = plab::crash_replay::RunKillCycles(cycles, seed);
  std::cout << "kill: " << r.cycles << " of " << cycles << " SIGKILL cycles (seed " << seed << "), "
            << r.acked_writes << " acknowledged writes, " << r.rewrites_killed_running
            << " kills during a rewrite, " << SecondsSince(t0) << " s" << std::endl;
  if (!r.error.empty()) {
    std::cout << "kill: FAILED: " << r.error << std::endl;
    return 1;
  }
  return 0;
}

// Mutation check of the checker itself: with the `always` policy, hiding the
// file fsyncs (acknowledged writes become volatile) and then the directory
// fsyncs (new files and renames become volatile) must each produce failures.
int RunSelfTest(ReplayOptions options) {
  options.quiet = true;
  options.states = 60;
  int missed = 0;
  for (const char* drop : {"file", "dir"}) {
    options.drop_syncs = drop;
    for (const Policy& p : plab::crash_replay::AllPolicies()) {
      if (p.name != "always") continue;
      const ReplayResult r = plab::crash_replay::RunPolicy(p, options);
      const bool caught = r.error.empty() && r.failures > 0;
      std::cout << "self-test: " << drop << " fsyncs hidden: " << r.failures << " of " << r.checked
                << " states fail" << (caught ? " (caught)" : " - NOT CAUGHT")
                << (r.error.empty() ? "" : ": " + r.error) << std::endl;
      missed += caught ? 0 : 1;
    }
  }
  return missed == 0 ? 0 : 1;
}

int RunReplay(const ReplayOptions& options, const std::vector<std::string>& only) {
  int failed = 0;
  for (const Policy& p : plab::crash_replay::AllPolicies()) {
    bool wanted = only.empty();
    for (const std::string& name : only) wanted = wanted || name == p.name;
    if (!wanted) continue;
    const auto t0 = std::chrono::steady_clock::now();
    const ReplayResult r = plab::crash_replay::RunPolicy(p, options);
    if (!r.error.empty()) {
      std::cout << p.name << ": ERROR: " << r.error << std::endl;
      ++failed;
      continue;
    }
    std::cout << p.name << ": " << r.checked << " crash states checked (of " << r.distinct
              << " distinct, " << r.trace_ops << " traced operations, " << r.steps
              << " client steps; " << r.promised << " with acknowledged steps promised), "
              << r.refused << " reordered states refused cleanly, " << r.failures << " failures, "
              << SecondsSince(t0) << " s" << std::endl;
    failed += r.failures > 0 || r.checked == 0 ? 1 : 0;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  ReplayOptions options;
  const char* env_seed = ::getenv("PLAB_CRASH_REPLAY_SEED");
  options.seed = env_seed != nullptr && *env_seed != '\0' ? std::strtoull(env_seed, nullptr, 10)
                                                          : kDefaultSeed;
  options.recorder = PLAB_FS_RECORDER_PATH;
  int kill = 0;
  bool self_test = false;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--kill" && has_value) {
      kill = std::atoi(argv[++i]);
    } else if (a == "--self-test") {
      self_test = true;
    } else if (a == "--states" && has_value) {
      options.states = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--seed" && has_value) {
      options.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--policy" && has_value) {
      only.push_back(argv[++i]);
    } else if (a == "--model" && has_value) {
      const std::string m = argv[++i];
      if (m != "posix" && m != "ext4") {
        std::cerr << "--model is posix or ext4\n";
        return 2;
      }
      options.model = m == "ext4" ? plab::crash_replay::FsModel::Model::kExt4Ordered
                                  : plab::crash_replay::FsModel::Model::kPosix;
    } else {
      std::cerr << "usage: plab_crash_replay [--kill N] [--states N] [--seed S] "
                   "[--policy NAME]... [--model posix|ext4] [--self-test]\n";
      return 2;
    }
  }
  if (kill > 0) return RunKill(kill, options.seed);
  if (self_test) return RunSelfTest(options);
  std::cout << "crash replay: seed " << options.seed << " (--seed / PLAB_CRASH_REPLAY_SEED), "
            << options.states << " states per policy at most, "
            << (options.model == plab::crash_replay::FsModel::Model::kPosix ? "posix" : "ext4")
            << " model" << std::endl;
  return RunReplay(options, only);
}
