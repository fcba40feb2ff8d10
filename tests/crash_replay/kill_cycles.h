// `plab_crash_replay --kill N`: N SIGKILL-and-restart cycles of `plab serve
// --appendfsync always` on one directory under a mixed pipelined load
// (scripts/crashcheck --kill N runs it). Unlike the replay, SIGKILL keeps the
// page cache, so this checks the server's own bookkeeping (what it
// acknowledges before writing, torn tails, rewrites and their manifest
// switch killed midway), not fsync placement.
//
// Two writers, each in its own database, pipeline per sequence number s
//   INCR ctr;  RPUSH list s;  HSET h f<s> s;  SET k:<s> s
// and every few cycles a BGREWRITEAOF starts just before the kill. After
// each restart, per writer: every acknowledged write is present (ctr, LLEN,
// HLEN at least what was acknowledged, k:<s> for the last acknowledged s),
// and the data is a prefix of the connection's stream: ctr - LLEN and
// LLEN - HLEN are 0 or 1, the list ends with its length - 1, and k:<HLEN-1>
// exists.
#pragma once

#include <cstdint>
#include <string>

namespace plab::crash_replay {

struct KillResult {
  int cycles = 0;
  int64_t acked_writes = 0;
  int rewrites_killed_running = 0;
  int failures = 0;
  std::string error;
};

KillResult RunKillCycles(int cycles, uint64_t seed);

}  // namespace plab::crash_replay
