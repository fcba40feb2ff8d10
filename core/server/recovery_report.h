// RecoveryReport: what a restart found and did — the files loaded in order,
// what each held, how long it took, what was cut off, and every warning.
// `plab serve` logs it; the playground shows it after a simulated crash.
//
// It is the structured twin of Redis's startup log ("DB loaded from base
// file ...", "!!! Truncating the AOF ... at offset ..."), so a tutorial can
// point at numbers instead of log lines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace plab {

struct RecoveryReport {
  struct File {
    std::string name;       // path relative to the data directory
    // "rdb" (dump.rdb), "base-rdb", "base-aof", "incr", or "legacy-aof".
    std::string kind;
    int64_t bytes = 0;           // the file's size before loading
    bool rdb_preamble = false;   // an AOF file that starts with an RDB
    int64_t keys_loaded = 0;     // from its RDB part
    int64_t keys_expired = 0;    // RDB keys skipped because their TTL passed
    int64_t commands = 0;        // AOF commands replayed (MULTI/EXEC included)
    int64_t truncated_bytes = 0; // torn tail cut off (aof-load-truncated)
    double millis = 0;
  };

  // "aof", "rdb" or "none" (nothing on disk: an empty dataset).
  std::string source = "none";
  std::vector<File> files;
  std::vector<std::string> warnings;
  // Set when loading failed; startup stops and the files are untouched.
  std::string error;
  int64_t keys_after = 0;  // keys in all databases once loading finished
  double total_millis = 0;

  // The report as one JSON object (stable field names, for the UI).
  std::string ToJson() const;
};

}  // namespace plab
