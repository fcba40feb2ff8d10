// Seeded workloads for the crash-state enumeration (see enumerator.h): the
// persistence setups it runs under, and for each a stream of client
// batches and clock movements that touches every type, TTLs, transactions,
// deletes and flushes, with the setup's background work (BGSAVE,
// BGREWRITEAOF, CONFIG SET appendonly) in between.
//
// A workload is a pure function of (setup, seed, length): the reproducer a
// failure report prints re-creates it exactly.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace plab::crash {

// One persistence configuration, as Redis parameters at startup, plus the
// commands that may run mid-workload besides data writes.
struct Setup {
  std::string name;  // "rdb", "aof-always", ... (what --setup takes)
  std::vector<std::pair<std::string, std::string>> config;
  bool bgsave = false;        // BGSAVE and SAVE
  bool rewrite = false;       // BGREWRITEAOF
  bool switch_aof = false;    // CONFIG SET appendonly yes / no
  bool switch_fsync = false;  // CONFIG SET appendfsync always / everysec / no
};

// Every setup the enumeration covers, in a fixed order.
const std::vector<Setup>& Setups();
// The setup called `name`, or nullptr.
const Setup* FindSetup(const std::string& name);

// One thing the driver does: a batch of commands the lab's client sends at
// once (one reply each, then Redis's beforeSleep), or moving the clock.
struct Step {
  enum class Kind { kBatch, kTick };
  Kind kind = Kind::kBatch;
  std::vector<std::vector<std::string>> commands;  // kBatch
  // kBatch: a command that changes no data (BGSAVE, CONFIG SET ...): the
  // dataset model does not run it.
  bool admin = false;
  int64_t advance_ms = 0;  // kTick
};

// `batches` client batches for `setup`, with clock movements in between
// (seconds mostly, a 31 s idle now and then so the kernel's writeback
// runs), all chosen by `seed`.
std::vector<Step> MakeWorkload(const Setup& setup, uint64_t seed, int batches);

// "SET k v | INCR c" or "+1500 ms", for failure reports.
std::string Describe(const Step& step);

}  // namespace plab::crash
