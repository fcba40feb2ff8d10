// A file-system trace recorded by fs_recorder.c (the LD_PRELOAD shim) while
// `plab serve` ran, parsed into operations on paths relative to the data
// directory. See fs_recorder.c for the record format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace plab::crash_replay {

struct TraceOp {
  enum class Kind {
    kOpen,
    kWrite,
    kTruncate,
    kSync,
    kSyncRange,
    kClose,
    kUnlink,
    kMkdir,
    kRename,
    kSyncAll
  };
  Kind kind = Kind::kClose;
  int fd = -1;
  int64_t arg = 0;       // open flags, write offset, truncate size
  int64_t time_ns = 0;   // CLOCK_MONOTONIC when the call returned
  uint64_t log_end = 0;  // log size once this record was written
  std::string path;      // relative to the root ("" = the root itself)
  std::string path2;     // rename target
  std::string data;      // bytes written
};

// Parses a whole log. Paths outside `root` are kept absolute (they never
// occur for the calls the shim logs, except a rename into the root). A torn
// last record (the recorder was killed mid-write) is dropped. Returns false
// and sets *error on a malformed record.
bool ParseTrace(std::string_view log, const std::string& root, std::vector<TraceOp>* ops,
                std::string* error);

// One line per operation ("W appendonlydir/x.aof @0 +50"), for failure
// messages.
std::string Describe(const TraceOp& op);

}  // namespace plab::crash_replay
