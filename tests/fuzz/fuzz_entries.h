// The fuzz targets' entry functions, shared by the libFuzzer binaries
// (tests/fuzz/libfuzzer_main.cc, one binary per target, built only with
// clang and PLAB_FUZZ=ON) and by the regression replay in
// tests/unit/fuzz_regressions_test.cc, which feeds every committed corpus
// and regression file through the same function in the ordinary (g++,
// Release and ASan) unit builds.
//
// Contract: an entry takes arbitrary bytes and returns "" when every
// invariant held, or a one-line description of the invariant that broke.
// Entries never throw and never abort on purpose; a crash, a sanitizer
// report or a non-empty answer is a finding. They check more than "it did
// not crash": a parser that accepted input must re-serialize to the same
// thing, a loader that succeeded must have produced a keyspace that is
// consistent and survives a save and a reload unchanged (see fuzz_check.h).
// Each entry is deterministic: the same bytes give the same answer.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace plab::fuzz {

using FuzzEntry = std::string (*)(std::string_view data);

struct FuzzTarget {
  std::string_view name;  // the directory name under tests/fuzz/corpus/
  FuzzEntry entry;
};

// RESP requests (core/resp/request_parser.h). data[0]: flags (bit 0 auth
// required, bits 1-2 a limits profile); data[1..4]: the seed of the random
// split of the rest into Feed() pieces. The same stream fed whole and split
// must give the same commands (a "too big" limit error may come earlier
// when split, as in Redis); every command must re-encode as multibulk and
// parse back to itself.
std::string FuzzRespParser(std::string_view data);

// A whole RDB file (core/persist/rdb_loader.h), also through AnnotateRdb.
std::string FuzzRdbLoader(std::string_view data);

// One AOF file's RESP stream through AofReader (core/persist/aof_reader.h):
// offsets, the truncation point, re-encoding and re-reading the prefix.
std::string FuzzAofReader(std::string_view data);

// AOF loading on a SimDisk through Engine::Recover
// (core/server/aof_loading.cc). data[0]: layout and aof-load-truncated;
// the rest becomes the BASE and/or INCR files of a manifest.
std::string FuzzAofReplay(std::string_view data);

// appendonly.aof.manifest text (core/persist/aof_manifest.h).
std::string FuzzAofManifest(std::string_view data);

// The compact encodings (core/persist/{listpack,ziplist,intset,zipmap}.h):
// data is one blob.
std::string FuzzListpack(std::string_view data);
std::string FuzzZiplist(std::string_view data);
std::string FuzzIntset(std::string_view data);
std::string FuzzZipmap(std::string_view data);

// A quicklist value as DUMP writes it: its RDB type byte (14 = ziplist
// nodes, anything else = 18, listpack/plain nodes) then the value's bytes,
// loaded through the RDB loader as the only key of a file.
std::string FuzzQuicklist(std::string_view data);

// Every target above, in a fixed order.
std::span<const FuzzTarget> AllFuzzTargets();

// The target called `name`, or nullptr.
const FuzzTarget* FindFuzzTarget(std::string_view name);

}  // namespace plab::fuzz
