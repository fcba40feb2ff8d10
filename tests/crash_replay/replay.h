// Record-and-replay of one persistence configuration (issue 13 §2):
//
// 1. Record. `plab serve` runs under fs_recorder (LD_PRELOAD) on an empty
//    directory while one client sends a seeded workload (workload.h), noting
//    for each step the trace size before it was sent and after its reply
//    arrived, and when a save it started completed. The server is then
//    SIGKILLed.
// 2. Enumerate. FsModel (fs_model.h, which states the crash model) walks the
//    trace; after every operation it produces the durable-only state, the
//    everything-written state, a few sampled prefix states and a reordered
//    one. Identical states are checked once.
// 3. Check each chosen state. It is written to a fresh directory and a fresh
//    `plab serve` (same configuration, aof-load-truncated yes) starts on it:
//    - it starts; only a reordered state (holes in a file) may be refused,
//      and then with the files left untouched;
//    - its dataset hashes like the model after some prefix n of the steps,
//      with n <= the steps sent before the crash point and n >= the steps
//      the policy promised: always: every step whose reply had arrived;
//      everysec: those acknowledged 2 s before the crash point; no: none;
//      RDB: those before a save whose completion the client had seen.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/crash_replay/fs_model.h"
#include "tests/crash_replay/workload.h"

namespace plab::crash_replay {

struct Policy {
  enum class Promise { kEveryWrite, kEverySecond, kNothing, kSaves };
  std::string name;
  std::vector<std::string> server_args;
  Promise promise = Promise::kEveryWrite;
  std::vector<Command> controls;  // BGSAVE / BGREWRITEAOF / SAVE mid-workload
  int steps = 150;
  int pause_ms = 0;  // between steps (everysec must span more than 2 s)
};

// The configurations the default run covers: always, everysec, no, RDB
// snapshots (BGSAVE and SAVE), hybrid (RDB preamble, BGREWRITEAOF and BGSAVE
// mid-workload), aof-on (CONFIG SET appendonly yes mid-workload).
std::vector<Policy> AllPolicies();

struct ReplayOptions {
  uint64_t seed = 1;
  size_t states = 120;  // distinct crash states checked per policy at most
  FsModel::Model model = FsModel::Model::kPosix;
  std::string recorder;  // path of the fs_recorder shared library
  // Self-check: "file" or "dir" hides those fsyncs from the trace, so the
  // replay must find lost writes (PLAB_FSREC_DROP in fs_recorder.c).
  std::string drop_syncs;
  bool quiet = false;  // don't print failures
};

struct ReplayResult {
  size_t trace_ops = 0;
  size_t steps = 0;
  size_t distinct = 0;
  size_t checked = 0;
  size_t refused = 0;   // reordered states refused with the files untouched
  size_t promised = 0;  // states where the policy promised some step durable
  size_t failures = 0;
  std::string error;  // set when the run itself could not be done
};

ReplayResult RunPolicy(const Policy& policy, const ReplayOptions& options);

}  // namespace plab::crash_replay
