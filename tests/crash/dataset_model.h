// DatasetModel: the reference the enumeration checks recovered datasets
// against. A second engine, without persistence, runs the same data
// commands at the same virtual times as the engine under test, and the
// model records its dataset (core/lab's KeyspaceFingerprint: type, content
// digest and TTL of every key) after each command. State p is the dataset
// after the first p commands; state 0 is empty.
//
// A recovered dataset is legal when it equals some state p as both are seen
// at the restart time: keys whose TTL passed by then are gone on both sides
// (whether the expiry's DEL reached the disk or not, a client could not
// read them). Everything else must match exactly: type, content and the
// absolute TTL.
//
// The model never persists anything, so it cannot share a bug with the
// recovery it judges; the driver checks after each batch that it still
// agrees with the engine under test (the same commands at the same times
// must give the same data).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/engine.h"
#include "core/io/clock.h"
#include "core/lab/keyspace_diff.h"

namespace plab::crash {

class DatasetModel {
 public:
  explicit DatasetModel(int64_t start_ms);

  // Runs `argv` at `now_ms` and records the dataset after it.
  void Run(std::vector<std::string> argv, int64_t now_ms);

  // Commands run so far (the last state's index).
  size_t commands() const { return states_.size() - 1; }
  const KeyspaceFingerprint& state(size_t p) const { return *states_[p]; }
  // The dataset now, as the engine under test is compared with it.
  KeyspaceFingerprint Current(int64_t now_ms);

  // Every p <= `max_p` whose state, seen at `now_ms`, equals `recovered`
  // (itself fingerprinted at `now_ms`), in increasing order.
  std::vector<size_t> Matching(const KeyspaceFingerprint& recovered, int64_t now_ms,
                               size_t max_p) const;

 private:
  ManualClock clock_;
  Engine engine_;
  // Consecutive equal states share one fingerprint.
  std::vector<std::shared_ptr<const KeyspaceFingerprint>> states_;
};

// Whether `a` and `b` hold the same data at `now_ms`: the same live keys,
// each with the same type, content and TTL.
bool SameData(const KeyspaceFingerprint& a, const KeyspaceFingerprint& b, int64_t now_ms);

// The first few differences between `want` and `got` at `now_ms`, one per
// line ("0/s3: string \"abc\" ttl=-1 -> missing"), for failure reports.
std::string DescribeDifference(const KeyspaceFingerprint& want, const KeyspaceFingerprint& got,
                               int64_t now_ms, int max_lines = 6);

}  // namespace plab::crash
