// The client side of the crash-replay test: a seeded stream of write
// commands (strings, counters, lists, hashes, sets, sorted sets, deletes,
// MULTI/EXEC blocks, SELECT between two databases, a preload big enough that
// snapshots take several writes), the ledger of what the client saw
// acknowledged and when, and a canonical dump of a server's dataset.
//
// Prefix check. The same commands run one by one on a `plab serve` without
// persistence (the model: the engine is its own oracle), and the dataset is
// hashed after each; a recovered server must hash like one of those
// prefixes.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/integration/resp_client.h"

namespace plab::crash_replay {

using Command = std::vector<std::string>;

// One step a client sends. Control steps (BGSAVE, BGREWRITEAOF, SAVE) change
// no data and are not replayed on the model.
struct Step {
  Command argv;
  bool control = false;
};

// `count` data steps with `controls` spread evenly among them (each inserted
// control is one of the given commands, in turn).
std::vector<Step> MakeWorkload(uint64_t seed, int count, const std::vector<Command>& controls);

// What the client observed for data step i (in sent order).
struct Ack {
  uint64_t sent_log = 0;  // trace size just before the step was sent
  uint64_t ack_log = 0;   // trace size just after its reply arrived
  int64_t ack_ns = 0;     // CLOCK_MONOTONIC at the reply
  // Trace size once the client knew the step durable (a completed save
  // after it); UINT64_MAX when never.
  uint64_t saved_log = UINT64_MAX;
  std::string reply;
};

// Canonical text of every key in databases 0 and 1 (types, contents with
// unordered collections sorted). Uses its own connection.
bool DumpDataset(int port, std::string* out, std::string* error);
uint64_t HashText(const std::string& s);

// Runs the data steps on a fresh non-persistent `plab serve` and returns the
// dataset hash after each prefix (element n = after the first n steps), and
// the replies.
bool ModelPrefixHashes(const std::vector<Step>& steps, std::vector<uint64_t>* hashes,
                       std::vector<std::string>* replies, std::string* error);

int64_t MonotonicNs();

// A fresh directory /tmp/plab-replay-<what>-XXXXXX, or "" when mkdtemp fails.
std::string MakeTempDir(const char* what);

}  // namespace plab::crash_replay
