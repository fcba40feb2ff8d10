// SplitArgs: splits a command line the way Redis's sdssplitargs() does. Used
// for inline commands (telnet-style input to the server) and by the REPL, so
// typing `SET k "a b\x41"` means the same in plab as in redis-cli.
//   - tokens are separated by blanks
//   - "double quotes" understand \n \r \t \b \a \xHH and \<any>
//   - 'single quotes' understand only \'
//   - a closing quote must be followed by a blank or the end of the line
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plab {

// Returns nullopt for unbalanced quotes (Redis: "unbalanced quotes").
std::optional<std::vector<std::string>> SplitArgs(std::string_view line);

}  // namespace plab
