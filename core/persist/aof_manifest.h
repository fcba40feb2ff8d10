// The Redis 7.0 multi-part AOF manifest (appendonlydir/appendonly.aof.manifest):
// the small text file that lists which AOF files make up the dataset.
//
// Each line is "file <name> seq <n> type <t>" where <t> is 'b' (the BASE
// file: an RDB or RESP snapshot from the last rewrite), 'i' (an INCR file of
// commands written after it) or 'h' (HISTORY: files made obsolete by a
// rewrite, waiting to be deleted). This module is pure: it turns text into
// an AofManifest and back, names the files, and performs the same state
// transitions Redis 7.0.15 performs in src/aof.c. It does no I/O.
//
// Contract:
//  * ParseAofManifest accepts exactly the files Redis 7.0.15's
//    aofLoadManifestFromFile accepts (see the .cc for the rules, which
//    include quirks such as a missing final newline being an error) and
//    rejects the others with Status::Corruption("AOF manifest line N:
//    <Redis's reason>"). The input is hostile: memory use is bounded by the
//    input size and nothing it contains can crash the parser.
//  * FormatAofManifest produces byte for byte what Redis 7.0.15's
//    getAofManifestAsString writes for the same state.
//  * The transition helpers keep curr_base_seq / curr_incr_seq the way Redis
//    does, so a sequence of rewrites yields the same manifests as Redis.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace plab {

// The type letters are the on-disk spelling.
enum class AofFileType : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };

struct AofFileInfo {
  std::string name;  // a bare file name inside appendonlydir/, never a path
  int64_t seq = 0;
  AofFileType type = AofFileType::kBase;

  bool operator==(const AofFileInfo&) const = default;
};

struct AofManifest {
  std::optional<AofFileInfo> base;
  std::vector<AofFileInfo> history;  // newest first, as Redis keeps them
  std::vector<AofFileInfo> incrs;    // strictly increasing seq, oldest first
  // The seq of the current BASE (0 when none) and of the last INCR (0 when
  // none). History lines never change these, as in Redis.
  int64_t curr_base_seq = 0;
  int64_t curr_incr_seq = 0;

  bool operator==(const AofManifest&) const = default;
};

// Parses manifest text (see the contract above). A file holding only
// comment lines parses to an empty manifest, as in Redis.
Result<AofManifest> ParseAofManifest(std::string_view text);

// Writes the base line, then the history lines, then the incr lines. Names
// that need escaping are written double-quoted like sdscatrepr.
std::string FormatAofManifest(const AofManifest& manifest);

// File names, from the appendfilename config ("appendonly.aof"):
//   BaseFileName(f, 1, true)  -> "appendonly.aof.1.base.rdb"
//   BaseFileName(f, 1, false) -> "appendonly.aof.1.base.aof"
//   IncrFileName(f, 1)        -> "appendonly.aof.1.incr.aof"
//   ManifestFileName(f)       -> "appendonly.aof.manifest"
//   TempManifestFileName(f)   -> "temp-appendonly.aof.manifest" (written,
//                                then renamed over the manifest)
//   TempIncrFileName(f)       -> "temp-appendonly.aof.incr" (the INCR file
//                                used while AOF is being turned on)
std::string BaseFileName(std::string_view appendfilename, int64_t seq, bool rdb_preamble);
std::string IncrFileName(std::string_view appendfilename, int64_t seq);
std::string ManifestFileName(std::string_view appendfilename);
std::string TempManifestFileName(std::string_view appendfilename);
std::string TempIncrFileName(std::string_view appendfilename);

// --- State transitions (Redis 7.0.15 src/aof.c) ----------------------------
// A rewrite while AOF is on goes: AddNewIncr (rewrite starts, new writes go
// to a fresh INCR), then on success AddNewBase + MarkRewrittenIncrsAsHistory
// (aof_enabled = true keeps that fresh INCR), persist, then TakeHistory and
// delete those files unless aof-disable-auto-gc is set.
// The seq helpers fail with Corruption instead of overflowing int64 (a
// hostile manifest can hold seq 9223372036854775807).

// getNewIncrAofName: appends INCR number curr_incr_seq + 1 and returns its name.
Result<std::string> AddNewIncr(AofManifest* manifest, std::string_view appendfilename);

// getLastIncrAofName: the newest INCR's name, or AddNewIncr when there is none
// (what a server opens for appending at startup).
Result<std::string> LastOrNewIncr(AofManifest* manifest, std::string_view appendfilename);

// getNewBaseFileNameAndMarkPreAsHistory: the current BASE (if any) becomes
// the FIRST history entry, and a new BASE numbered curr_base_seq + 1 takes
// its place. Returns the new BASE's name.
Result<std::string> AddNewBase(AofManifest* manifest, std::string_view appendfilename,
                               bool rdb_preamble);

// markRewrittenIncrAofAsHistory: INCR files covered by the finished rewrite
// become history, each put in front of the history list (so they end up,
// in their original order, before the BASE that AddNewBase just retired).
// When AOF is enabled the newest INCR is the file being written and stays.
void MarkRewrittenIncrsAsHistory(AofManifest* manifest, bool aof_enabled);

// aofDelHistoryFiles: empties the history list and returns the names whose
// files the caller should delete.
std::vector<std::string> TakeHistory(AofManifest* manifest);

// aofUpgradePrepare: adopts a pre-7.0 single AOF file, named exactly
// `appendfilename`, as BASE seq 1 (replacing any BASE).
void AdoptLegacyAofAsBase(AofManifest* manifest, std::string_view appendfilename);

}  // namespace plab
