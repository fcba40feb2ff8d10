// `plab check-rdb FILE`: verifies a Redis RDB file the way redis-check-rdb
// does, in our own words. The file is only ever opened for reading.
//
// Output on success (exit 0): the file size, the RDB version, every AUX
// field in file order, the keys of each non-empty database, key totals
// (with keys that carry an expire time and those whose time is already in
// the past counted separately: nothing is dropped, because a checker must
// see every key), the checksum status and finally "RDB looks OK!", the
// line redis-check-rdb ends a good report with.
// Output on failure (exit 1, on stderr): "RDB ERROR: offset N: <reason>"
// from the loader, plus how many keys were read before the error.
#pragma once

#include <string>
#include <vector>

#include "core/util/status.h"

namespace plab {

// Reads the whole file at `path` (absolute or relative to the working
// directory) without modifying it. Shared by check-rdb and rdb-dump.
Result<std::string> ReadRdbFile(const std::string& path);

// `args` are the words after "check-rdb". Returns the process exit code.
int CheckRdbMain(const std::vector<std::string>& args);

}  // namespace plab
