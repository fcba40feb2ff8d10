// The one-line description of a client that CLIENT LIST / CLIENT INFO reply
// and that log lines about a client quote (Redis's catClientInfoString()):
// the same keys in the same order as Redis 7.0.15. Fields for machinery
// PersistLab lacks (pub/sub, tracking, replication buffers) read 0 or -1;
// obl/oll/omem follow client_limits.h's model of Redis's reply buffers.
#pragma once

#include <string>
#include <vector>

#include "core/server/client.h"
#include "core/server/command_spec.h"

namespace plab {

class Server;

// `c`'s line, without a trailing newline. When `c` is the client running a
// command right now (CLIENT LIST describing itself), pass that command and
// its arguments as `running` / `running_argv` (cmd=, argv-mem=); otherwise
// nullptr, and cmd= is c.last_command.
std::string ClientInfoString(const Server& server, const Client& c,
                             const CommandSpec* running = nullptr,
                             const std::vector<std::string>* running_argv = nullptr);

}  // namespace plab
