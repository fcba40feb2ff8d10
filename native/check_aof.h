// `plab check-aof [--fix [--yes]] PATH`: verifies Redis append-only files
// the way redis-check-aof 7.0.15 does, in our own words.
//
// PATH is either a multi-part AOF manifest (appendonlydir/appendonly.aof.
// manifest: every listed file is checked, BASE first, then the INCR files in
// order, all in the manifest's directory) or a single AOF file (a legacy
// appendonly.aof, with or without an RDB preamble, or one .base/.incr file).
// Like redis-check-aof, a manifest is recognised by a non-comment line
// starting with "file", an RDB part by the "REDIS" magic.
//
// For each file: "checking <name>", then (as redis-check-aof prints it)
// "AOF analyzed: filename=..., size=..., ok_up_to=..., ok_up_to_line=...,
// diff=..." and "... AOF <name> is valid" / "is empty". An RDB part is
// loaded into a scratch keyspace; if it is broken the check stops (exit 1),
// as no truncation could repair it.
//
// A problem in the RESP part (torn tail, bad framing, unbalanced
// MULTI/EXEC) reports the offset where the file stops being valid and exits
// 1. With --fix, and only for the LAST file, the file is truncated to that
// offset after a "Continue? [y/N]:" confirmation on stdin (skipped with
// --yes); redis-check-aof --fix cuts format errors the same way. The cut is
// never inside an RDB preamble. Nothing is modified without --fix and a yes.
#pragma once

#include <string>
#include <vector>

namespace plab {

// `args` are the words after "check-aof". Returns the process exit code.
int CheckAofMain(const std::vector<std::string>& args);

}  // namespace plab
