// Entry point of `plab serve`.
#pragma once

#include <string>
#include <vector>

namespace plab {

// `args` are the words after "serve": [CONFIG-FILE] [--name value ...].
// Returns the process exit code: 0 after a clean SIGTERM/SIGINT shutdown,
// 1 when the configuration is invalid or the port can't be bound (with the
// reason on stderr or in the log).
int ServeMain(const std::vector<std::string>& args);

}  // namespace plab
